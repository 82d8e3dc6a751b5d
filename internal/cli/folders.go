package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Folder is a watched folder as GET /api/sync lists it.
type Folder struct {
	ID                string `json:"id"`
	Path              string `json:"path"`
	Name              string `json:"name"`
	Enabled           bool   `json:"enabled"`
	Status            string `json:"status"`
	Error             string `json:"error"`
	FileCount         int    `json:"fileCount"`
	TotalSizeBytes    int64  `json:"totalSizeBytes"`
	SyncedFiles       int    `json:"syncedFiles"`
	PendingFiles      int    `json:"pendingFiles"`
	FailedFiles       int    `json:"failedFiles"`
	ManifestSequence  uint64 `json:"manifestSequence"`
	BackupSequence    uint64 `json:"backupSequence"`
	BackupSyncedAt    string `json:"backupSyncedAt"`
	BackupAckReceived bool   `json:"backupAckReceived"`
	NotifyError       string `json:"notifyError"`
	WatchLimited      bool   `json:"watchLimited"`

	Raw json.RawMessage `json:"-"`
}

// SyncState is GET /api/sync.
type SyncState struct {
	Folders     []Folder        `json:"folders"`
	Paused      bool            `json:"paused"`
	QueueSize   int             `json:"queueSize"`
	NodeRunning bool            `json:"nodeRunning"`
	Raw         json.RawMessage `json:"-"`
}

// Sync returns the watched folders and the upload state.
func (c *Client) Sync(ctx context.Context) (SyncState, error) {
	var st SyncState
	raw, err := c.call(ctx, http.MethodGet, "/api/sync", nil, &st)
	st.Raw = raw
	return st, err
}

// AddFolder starts watching the folder at an absolute path.
func (c *Client) AddFolder(ctx context.Context, path string) (Folder, error) {
	var f Folder
	raw, err := c.call(ctx, http.MethodPost, "/api/sync/folders", map[string]string{"path": path}, &f)
	f.Raw = raw
	return f, err
}

// RemoveFolder stops watching a folder.
func (c *Client) RemoveFolder(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/api/sync/folders/"+url.PathEscape(id), nil, nil)
	return err
}

// RescanFolder scans a folder now.
func (c *Client) RescanFolder(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodPost, "/api/sync/folders/"+url.PathEscape(id)+"/rescan", nil, nil)
	return err
}

// BackupNow publishes a folder's changes and tells the backup device.
func (c *Client) BackupNow(ctx context.Context, id string) (uint64, error) {
	var out struct {
		Sequence uint64 `json:"sequence"`
	}
	_, err := c.call(ctx, http.MethodPost, "/api/sync/folders/"+url.PathEscape(id)+"/backup-now", nil, &out)
	return out.Sequence, err
}

// ApproveDevice approves a device's pairing request.
func (c *Client) ApproveDevice(ctx context.Context, device string) error {
	_, err := c.call(ctx, http.MethodPost, "/api/link/"+url.PathEscape(device)+"/approve", nil, nil)
	return err
}
