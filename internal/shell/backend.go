package shell

import (
	"context"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
)

// Options describe the window.
type Options struct {
	Title string
}

// Backend is what the tray and the notifications need of the app.
type Backend interface {
	Bus() *events.Bus
	Config() config.Config
	NodeStatus() supervisor.Status
	SyncState() folders.State
	StartNode(ctx context.Context) error
	StopNode(ctx context.Context) error
	PauseSync() error
	ResumeSync() error
	// BackupNow publishes every enabled folder's changes and tells the
	// backup server, as the Backups page's button does for one folder.
	BackupNow(ctx context.Context) error
	// PairedDevice is the nickname of a paired device; false for any
	// other peer (DHT neighbours connect and go all the time).
	PairedDevice(peerID string) (string, bool)
}

// RunOptions are what Run serves and controls.
type RunOptions struct {
	Handler http.Handler // the app's trusted UI handler
	Backend Backend
	// LoginURL is "Open in browser": the headless listener's login URL.
	LoginURL string
	// StartHidden starts in the tray (start_minimized, --minimized). With
	// no tray to start in, the window is shown anyway.
	StartHidden bool
}
