package shell

import (
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/folders"
)

func TestNotificationsFollowTheSettings(t *testing.T) {
	paired := func(id string) (string, bool) {
		if id == "16Uiu2HAmPaired" {
			return "<b>nas</b>", true
		}
		return "", false
	}
	finished := events.Event{Type: folders.EventBackupFinished, Data: folders.BackupOutcome{FolderName: "Photos", Sequence: 4}}
	failed := events.Event{Type: folders.EventBackupFailed, Data: folders.BackupOutcome{FolderName: "Docs", File: "a.pdf", Error: "permission denied"}}
	peer := events.Event{Type: devices.EventPeerConnected, Data: "16Uiu2HAmPaired"}
	stranger := events.Event{Type: devices.EventPeerConnected, Data: "16Uiu2HAmDHTNeighbour"}
	other := events.Event{Type: folders.EventState, Data: folders.State{}}

	cfg := config.Default(t.TempDir())
	cfg.Sync.BackupPeerNickname = "nas"
	want := map[string]notification{
		"finished": {"Backup finished", "Photos is backed up on nas."},
		"failed":   {"Backup failed", "Docs: a.pdf could not be uploaded: permission denied"},
		"peer":     {"Device connected", "<b>nas</b> is connected."},
	}
	evs := map[string]events.Event{"finished": finished, "failed": failed, "peer": peer, "stranger": stranger, "other": other}
	check := func(label string, cfg config.Config, expect map[string]bool) {
		t.Helper()
		for name, ev := range evs {
			n, ok := notificationFor(ev, cfg, paired)
			if ok != expect[name] {
				t.Errorf("%s: %s notified=%v, want %v", label, name, ok, expect[name])
				continue
			}
			if ok && n != want[name] {
				t.Errorf("%s: %s = %+v, want %+v", label, name, n, want[name])
			}
		}
	}
	check("defaults", cfg, map[string]bool{"finished": true, "failed": true, "peer": true})

	c := cfg
	c.Notifications.DesktopEnabled = false
	check("master switch off", c, map[string]bool{})
	c = cfg
	c.Notifications.DesktopOnBackupFinished = false
	check("finished off", c, map[string]bool{"failed": true, "peer": true})
	c = cfg
	c.Notifications.DesktopOnBackupFailed = false
	check("failed off", c, map[string]bool{"finished": true, "peer": true})
	c = cfg
	c.Notifications.DesktopOnPeerConnect = false
	check("peer off", c, map[string]bool{"finished": true, "failed": true})
}
