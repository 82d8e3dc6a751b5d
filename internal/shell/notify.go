package shell

import (
	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/folders"
)

// notification is one OS notification: plain text, never markup.
type notification struct {
	Title, Body string
}

// notificationFor decides whether an event deserves an OS notification
// under the user's settings, and words it. Names come from peers and file
// systems; they are passed as text, and each sender makes sure the OS
// shows them as text.
func notificationFor(ev events.Event, cfg config.Config, paired func(string) (string, bool)) (notification, bool) {
	n := cfg.Notifications
	if !n.DesktopEnabled {
		return notification{}, false
	}
	switch ev.Type {
	case folders.EventBackupFinished:
		o, ok := ev.Data.(folders.BackupOutcome)
		if !ok || !n.DesktopOnBackupFinished {
			return notification{}, false
		}
		body := o.FolderName + " is backed up"
		if peer := cfg.Sync.BackupPeerNickname; peer != "" {
			body += " on " + peer
		}
		return notification{Title: "Backup finished", Body: body + "."}, true
	case folders.EventBackupFailed:
		o, ok := ev.Data.(folders.BackupOutcome)
		if !ok || !n.DesktopOnBackupFailed {
			return notification{}, false
		}
		body := o.FolderName
		if o.File != "" {
			body += ": " + o.File + " could not be uploaded"
		}
		if o.Error != "" {
			body += ": " + o.Error
		}
		return notification{Title: "Backup failed", Body: body}, true
	case devices.EventPeerConnected:
		id, ok := ev.Data.(string)
		if !ok || !n.DesktopOnPeerConnect {
			return notification{}, false
		}
		name, ok := paired(id)
		if !ok {
			return notification{}, false
		}
		if name == "" {
			name = "A paired device"
		}
		return notification{Title: "Device connected", Body: name + " is connected."}, true
	}
	return notification{}, false
}
