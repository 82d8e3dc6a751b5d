package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The backup server (GET /api/backup-server and its actions), the versions
// it and the paired backup servers keep (GET /api/versions), and restores
// (POST /api/restores, GET /api/restores/{id}).

// BackupTotals count the backup server's work.
type BackupTotals struct {
	ManifestsProcessed int       `json:"manifestsProcessed"`
	FilesDownloaded    int       `json:"filesDownloaded"`
	BytesDownloaded    int64     `json:"bytesDownloaded"`
	FilesDeleted       int       `json:"filesDeleted"`
	BytesDeleted       int64     `json:"bytesDeleted"`
	LastActivity       time.Time `json:"lastActivity"`
	LastPoll           time.Time `json:"lastPoll"`
}

// BackupFolder is a source's folder on the backup server.
type BackupFolder struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	LastSeq  uint64    `json:"lastSequence"`
	LastAt   time.Time `json:"lastAt"`
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
	Versions int       `json:"versions"`
}

// BackupSource is a paired device as a source of backups.
type BackupSource struct {
	Device     string         `json:"device"`
	Name       string         `json:"name"`
	NodePeerID string         `json:"nodePeerId"`
	Offers     bool           `json:"offers"` // its manifest server answered
	LastPoll   time.Time      `json:"lastPoll"`
	LastSeen   time.Time      `json:"lastSeen"`
	LastError  string         `json:"lastError"`
	Busy       bool           `json:"busy"`
	Totals     BackupTotals   `json:"totals"`
	Failures   int            `json:"failures"`
	Folders    []BackupFolder `json:"folders"`
}

// BackupFailedFile is a file that could not be fetched or restored.
type BackupFailedFile struct {
	Path  string `json:"path"`
	CID   string `json:"cid"`
	Error string `json:"error"`
}

// BackupManifest is one manifest of a source's folder on the backup server.
type BackupManifest struct {
	Source       string             `json:"source"`
	SourceName   string             `json:"sourceName"`
	FolderID     string             `json:"folderId"`
	FolderName   string             `json:"folderName"`
	Sequence     uint64             `json:"sequence"`
	CID          string             `json:"cid"`
	Status       string             `json:"status"`
	Error        string             `json:"error"`
	Attempts     int                `json:"attempts"`
	NextRetry    time.Time          `json:"nextRetry"`
	DiscoveredAt time.Time          `json:"discoveredAt"`
	StartedAt    time.Time          `json:"startedAt"`
	ProcessedAt  time.Time          `json:"processedAt"`
	VersionAt    time.Time          `json:"versionAt"`
	TotalFiles   int                `json:"totalFiles"`
	TotalBytes   int64              `json:"totalBytes"`
	FilesDone    int                `json:"filesDone"`
	FilesFetched int                `json:"filesFetched"`
	FilesFailed  int                `json:"filesFailed"`
	BytesDone    int64              `json:"bytesDone"`
	BytesFetched int64              `json:"bytesFetched"`
	Deleted      int                `json:"deleted"`
	FailedFiles  []BackupFailedFile `json:"failedFiles"`
}

// BackupServer is GET /api/backup-server (and the answer to its actions).
type BackupServer struct {
	Mode            string           `json:"mode"` // disabled, paused, running
	Polling         bool             `json:"polling"`
	RateBytesPerSec int64            `json:"rateBytesPerSec"`
	Totals          BackupTotals     `json:"totals"`
	Sources         []BackupSource   `json:"sources"`
	InProgress      []BackupManifest `json:"inProgress"`
	Failed          []BackupManifest `json:"failed"`
	Processed       []BackupManifest `json:"processed"`

	Raw json.RawMessage `json:"-"`
}

// BackupServer returns the backup server's state.
func (c *Client) BackupServer(ctx context.Context) (BackupServer, error) {
	var st BackupServer
	raw, err := c.call(ctx, http.MethodGet, "/api/backup-server", nil, &st)
	st.Raw = raw
	return st, err
}

// BackupServerAction is a change of the backup server's mode.
type BackupServerAction string

// The actions.
const (
	BackupServerEnable  BackupServerAction = "enable"
	BackupServerDisable BackupServerAction = "disable"
	BackupServerPause   BackupServerAction = "pause"
	BackupServerResume  BackupServerAction = "resume"
	BackupServerPoll    BackupServerAction = "poll"
)

// BackupServerDo runs an action and returns the state after it.
func (c *Client) BackupServerDo(ctx context.Context, action BackupServerAction) (BackupServer, error) {
	switch action {
	case BackupServerEnable, BackupServerDisable, BackupServerPause, BackupServerResume, BackupServerPoll:
	default:
		return BackupServer{}, fmt.Errorf("unknown backup server action %q", action)
	}
	var st BackupServer
	raw, err := c.call(ctx, http.MethodPost, "/api/backup-server/"+string(action), nil, &st)
	st.Raw = raw
	return st, err
}

// RetryManifest retries a failed manifest now, as the dashboard's Retry
// does (folder is the folder's ID).
func (c *Client) RetryManifest(ctx context.Context, source, folder string, seq uint64) error {
	_, err := c.call(ctx, http.MethodPost, fmt.Sprintf("/api/backup-server/manifests/%s/%s/%d/retry",
		url.PathEscape(source), url.PathEscape(folder), seq), nil, nil)
	return err
}

// CatalogVersion is one restorable version of a folder.
type CatalogVersion struct {
	Sequence uint64    `json:"sequence"`
	CID      string    `json:"cid"`
	At       time.Time `json:"at"`
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
}

// CatalogFolder is one folder's versions, newest first.
type CatalogFolder struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Versions []CatalogVersion `json:"versions"`
}

// CatalogSource is one source device's backed-up folders.
type CatalogSource struct {
	Device  string          `json:"device"`
	Name    string          `json:"name"`
	Folders []CatalogFolder `json:"folders"`
}

// Catalog is what one server keeps.
type Catalog struct {
	Sources []CatalogSource `json:"sources"`
}

// VersionServer is one device that keeps backups: this device (Device
// empty) or a paired backup server.
type VersionServer struct {
	Device  string  `json:"device"`
	Name    string  `json:"name"`
	Error   string  `json:"error,omitempty"` // its catalog could not be read
	Catalog Catalog `json:"catalog"`
}

// Versions is GET /api/versions.
type Versions struct {
	Servers []VersionServer `json:"servers"`
	Raw     json.RawMessage `json:"-"`
}

// Versions lists the versions this device and the paired backup servers
// keep.
func (c *Client) Versions(ctx context.Context) (Versions, error) {
	var v Versions
	raw, err := c.call(ctx, http.MethodGet, "/api/versions", nil, &v)
	v.Raw = raw
	return v, err
}

// RestoreRequest says what to restore where.
type RestoreRequest struct {
	Server    string `json:"server"`   // a paired backup server's device ID; "" for this device
	Source    string `json:"source"`   // the source device's ID or name
	Folder    string `json:"folder"`   // the folder's ID or name
	Sequence  uint64 `json:"sequence"` // 0: the newest
	Dest      string `json:"dest"`     // an absolute directory
	Overwrite bool   `json:"overwrite"`
}

// Restore statuses.
const (
	RestoreRunning = "running"
	RestoreDone    = "done"
	RestoreFailed  = "failed"
)

// Restore is a restore's progress and outcome.
type Restore struct {
	ID           string             `json:"id"`
	Request      RestoreRequest     `json:"request"`
	Status       string             `json:"status"`
	Error        string             `json:"error"`
	ServerName   string             `json:"serverName"`
	SourceName   string             `json:"sourceName"`
	FolderName   string             `json:"folderName"`
	Sequence     uint64             `json:"sequence"`
	VersionAt    time.Time          `json:"versionAt"`
	Files        int                `json:"files"`
	Bytes        int64              `json:"bytes"`
	FilesDone    int                `json:"filesDone"`
	BytesDone    int64              `json:"bytesDone"`
	Skipped      []string           `json:"skipped"` // the first ones
	SkippedCount int                `json:"skippedCount"`
	Failed       []BackupFailedFile `json:"failed"` // the first ones
	FailedCount  int                `json:"failedCount"`
	StartedAt    time.Time          `json:"startedAt"`
	FinishedAt   time.Time          `json:"finishedAt"`

	Raw json.RawMessage `json:"-"`
}

// StartRestore starts a restore; it runs in the app, to follow with
// RestoreStatus.
func (c *Client) StartRestore(ctx context.Context, req RestoreRequest) (Restore, error) {
	var r Restore
	raw, err := c.call(ctx, http.MethodPost, "/api/restores", req, &r)
	r.Raw = raw
	if err == nil && r.ID == "" {
		err = fmt.Errorf("unexpected answer to the restore (no ID)")
	}
	return r, err
}

// RestoreStatus returns a restore's progress.
func (c *Client) RestoreStatus(ctx context.Context, id string) (Restore, error) {
	var r Restore
	raw, err := c.call(ctx, http.MethodGet, "/api/restores/"+url.PathEscape(id), nil, &r)
	r.Raw = raw
	return r, err
}
