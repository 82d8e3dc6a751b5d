package shell

import (
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/shell/trayicon"
)

func TestTrayStateMapping(t *testing.T) {
	three := 3
	idle := folders.State{Folders: []folders.Folder{{Name: "Photos", Enabled: true, Status: "idle"}}}
	for _, c := range []struct {
		name       string
		node       supervisor.Status
		sync       folders.State
		icon       trayicon.Kind
		line       string
		nodeAction string
		syncAction string
	}{
		{"running and idle", supervisor.Status{State: supervisor.StateRunning, PeerCount: &three}, idle,
			trayicon.Running, "Node running, 3 peers · up to date", "Stop node", "Pause sync"},
		{"uploading", supervisor.Status{State: supervisor.StateRunning},
			folders.State{Folders: idle.Folders, IsSyncing: true, QueueSize: 12},
			trayicon.Syncing, "Node running · syncing, 12 to go", "Stop node", "Pause sync"},
		{"paused with a queue", supervisor.Status{State: supervisor.StateRunning},
			folders.State{Folders: idle.Folders, Paused: true, QueueSize: 12},
			trayicon.Running, "Node running · sync paused", "Stop node", "Resume sync"},
		{"a file failed", supervisor.Status{State: supervisor.StateRunning},
			folders.State{Folders: []folders.Folder{{Enabled: true, Status: "idle", FailedFiles: 1}}},
			trayicon.Error, "Node running · 1 file failed", "Stop node", "Pause sync"},
		{"node stopped", supervisor.Status{State: supervisor.StateStopped}, idle,
			trayicon.Stopped, "Node stopped · up to date", "Start node", "Pause sync"},
		{"node gave up", supervisor.Status{State: supervisor.StateError, LastError: "port in use"}, idle,
			trayicon.Error, "Node error · up to date", "Start node", "Pause sync"},
		{"node starting", supervisor.Status{State: supervisor.StateStarting}, folders.State{},
			trayicon.Syncing, "Node starting · no folders", "Stop node", "Pause sync"},
		{"node restarting after a crash", supervisor.Status{State: supervisor.StateStarting, LastError: "exited with status 1"}, idle,
			trayicon.Error, "Node starting · up to date", "Stop node", "Pause sync"},
	} {
		s := trayState{node: c.node, sync: c.sync}
		na, _ := s.nodeAction()
		if s.icon() != c.icon || s.statusLine() != c.line || na != c.nodeAction || s.syncAction() != c.syncAction {
			t.Errorf("%s: icon %s, %q, %q, %q; want %s, %q, %q, %q", c.name,
				s.icon(), s.statusLine(), na, s.syncAction(), c.icon, c.line, c.nodeAction, c.syncAction)
		}
	}
	if _, enabled := (trayState{node: supervisor.Status{State: supervisor.StateStopping}}).nodeAction(); enabled {
		t.Error("Start node is offered while the node is still stopping")
	}
}
