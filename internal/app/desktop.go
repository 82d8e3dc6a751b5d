package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
)

// What the desktop shell's tray and notifications use (shell.Backend).

// Config is the current configuration.
func (a *App) Config() config.Config { return a.cfg.Get() }

// ConfigStore is the configuration, to follow its changes.
func (a *App) ConfigStore() *config.Store { return a.cfg }

// NodeStatus is the node's status.
func (a *App) NodeStatus() supervisor.Status { return a.node.Status() }

// SyncState is the folders' sync state.
func (a *App) SyncState() folders.State { return a.sync.State() }

// StartNode starts the node and waits until it is ready.
func (a *App) StartNode(ctx context.Context) error { return a.node.Start(ctx) }

// StopNode stops the node.
func (a *App) StopNode(ctx context.Context) error { return a.node.Stop(ctx) }

// PauseSync pauses uploads.
func (a *App) PauseSync() error { return a.sync.Pause() }

// ResumeSync resumes uploads.
func (a *App) ResumeSync() error { return a.sync.Resume() }

// BackupNow is "Backup now" for every enabled folder: publish its changes
// and tell the backup server. Every folder is tried even when one fails.
func (a *App) BackupNow(ctx context.Context) error {
	st := a.sync.State()
	var errs []error
	n := 0
	for _, f := range st.Folders {
		if !f.Enabled {
			continue
		}
		n++
		if _, err := a.link.BackupNow(ctx, f.ID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Name, err))
		}
	}
	if n == 0 {
		return errors.New("no folder is being backed up: add one on the Backups page")
	}
	return errors.Join(errs...)
}

// PairedDevice is a paired device's nickname; false for any other peer.
func (a *App) PairedDevice(peerID string) (string, bool) { return a.devs.Nickname(peerID) }
