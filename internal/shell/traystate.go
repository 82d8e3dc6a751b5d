package shell

import (
	"fmt"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/shell/trayicon"
)

// Tooltip is the tray icon's tooltip (the reference's).
const Tooltip = "Archivist - Decentralized Storage"

// trayState is what the tray shows: the node's status and the sync state,
// as the last node-state and sync-state events said.
type trayState struct {
	node supervisor.Status
	sync folders.State
}

// icon chooses the picture. An error anywhere wins, since it is what the
// user must act on; then a stopped node, as nothing is backed up; then
// activity; otherwise all is well.
func (s trayState) icon() trayicon.Kind {
	switch s.node.State {
	case supervisor.StateError:
		return trayicon.Error
	case supervisor.StateStopped, supervisor.StateStopping:
		return trayicon.Stopped
	}
	for _, f := range s.sync.Folders {
		if f.Enabled && (f.Status == "error" || f.FailedFiles > 0) {
			return trayicon.Error
		}
	}
	if s.node.State == supervisor.StateStarting {
		if s.node.LastError != "" { // restarting after a crash
			return trayicon.Error
		}
		return trayicon.Syncing
	}
	if !s.sync.Paused && (s.sync.IsSyncing || s.sync.QueueSize > 0 || len(s.sync.Uploads) > 0) {
		return trayicon.Syncing
	}
	return trayicon.Running
}

// statusLine is the menu's disabled first line: node, then sync.
func (s trayState) statusLine() string {
	node := "Node " + string(s.node.State)
	if s.node.State == "" {
		node = "Node stopped"
	}
	if s.node.State == supervisor.StateRunning && s.node.PeerCount != nil {
		node += fmt.Sprintf(", %d %s", *s.node.PeerCount, plural(*s.node.PeerCount, "peer", "peers"))
	}
	return node + " · " + s.syncWords()
}

func (s trayState) syncWords() string {
	failed := 0
	for _, f := range s.sync.Folders {
		failed += f.FailedFiles
	}
	switch {
	case len(s.sync.Folders) == 0:
		return "no folders"
	case s.sync.Paused:
		return "sync paused"
	case failed > 0:
		return fmt.Sprintf("%d %s failed", failed, plural(failed, "file", "files"))
	case s.sync.QueueSize > 0:
		return fmt.Sprintf("syncing, %d to go", s.sync.QueueSize)
	case s.sync.IsSyncing || len(s.sync.Uploads) > 0:
		return "syncing"
	default:
		return "up to date"
	}
}

// nodeAction is the Start/Stop item's label; false: neither applies now
// (the node is on its way up or down).
func (s trayState) nodeAction() (label string, enabled bool) {
	switch s.node.State {
	case supervisor.StateRunning:
		return "Stop node", true
	case supervisor.StateStarting:
		return "Stop node", true
	case supervisor.StateStopping:
		return "Start node", false
	default:
		return "Start node", true
	}
}

func (s trayState) syncAction() string {
	if s.sync.Paused {
		return "Resume sync"
	}
	return "Pause sync"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
