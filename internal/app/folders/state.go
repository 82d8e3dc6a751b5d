package folders

import (
	"context"
	"sort"
	"time"
)

// EventState is published with a State whenever the sync state changed, at
// most twice a second.
const EventState = "sync-state"

// maxRecent is how many recent uploads State keeps.
const maxRecent = 10

// Folder is a watched folder as the UI shows it.
type Folder struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	// Status is idle, scanning, syncing, error or paused.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`

	// FileCount and TotalSizeBytes count the folder's files known now:
	// uploaded ones and new ones waiting.
	FileCount      int   `json:"fileCount"`
	TotalSizeBytes int64 `json:"totalSizeBytes"`
	SyncedFiles    int   `json:"syncedFiles"`
	SyncedBytes    int64 `json:"syncedBytes"`
	PendingFiles   int   `json:"pendingFiles"`
	FailedFiles    int   `json:"failedFiles"`

	LastSynced   *time.Time `json:"lastSynced,omitempty"`
	LastScan     *time.Time `json:"lastScan,omitempty"`
	WatchLimited bool       `json:"watchLimited"`

	ManifestCID       string     `json:"manifestCid,omitempty"`
	ManifestSequence  uint64     `json:"manifestSequence"`
	ManifestUpdatedAt *time.Time `json:"manifestUpdatedAt,omitempty"`
	BackupSequence    uint64     `json:"backupSequence"`
	BackupSyncedAt    *time.Time `json:"backupSyncedAt,omitempty"`
	BackupAckReceived bool       `json:"backupAckReceived"`
	PendingRetry      bool       `json:"pendingRetry"`
	NotifyError       string     `json:"notifyError,omitempty"`
}

// Upload is a file being uploaded now.
type Upload struct {
	FolderID   string `json:"folderId"`
	Path       string `json:"path"`
	BytesDone  int64  `json:"bytesDone"`
	TotalBytes int64  `json:"totalBytes"`
}

// RecentUpload is a file uploaded lately.
type RecentUpload struct {
	FolderID string    `json:"folderId"`
	Path     string    `json:"path"`
	CID      string    `json:"cid"`
	Size     int64     `json:"size"`
	At       time.Time `json:"at"`
}

// State is the Backups page's data.
type State struct {
	Folders         []Folder       `json:"folders"`
	Paused          bool           `json:"paused"`
	IsSyncing       bool           `json:"isSyncing"`
	QueueSize       int            `json:"queueSize"`
	TotalFiles      int            `json:"totalFiles"`
	SyncedFiles     int            `json:"syncedFiles"`
	Uploads         []Upload       `json:"uploads"`
	RateBytesPerSec int64          `json:"rateBytesPerSec"`
	RecentUploads   []RecentUpload `json:"recentUploads"`
	NodeRunning     bool           `json:"nodeRunning"`
	BackupEnabled   bool           `json:"backupEnabled"`
	BackupPeer      string         `json:"backupPeer,omitempty"`
}

// FailedFile is an upload that failed and waits for its retry.
type FailedFile struct {
	Path        string     `json:"path"`
	Error       string     `json:"error"`
	Attempts    int        `json:"attempts"`
	NextRetryAt *time.Time `json:"nextRetryAt,omitempty"`
}

// State returns a snapshot of the sync state.
func (s *Service) State() State {
	_, nodeErr := s.opts.Node()
	cfg := s.opts.Config().Sync
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{
		Folders:         []Folder{},
		Paused:          s.paused,
		QueueSize:       s.q.waiting(),
		Uploads:         []Upload{},
		RateBytesPerSec: s.rate.PerSecond(time.Now()),
		RecentUploads:   append([]RecentUpload{}, s.recent...),
		NodeRunning:     nodeErr == nil,
		BackupEnabled:   cfg.BackupEnabled,
		BackupPeer:      cfg.BackupPeerNickname,
	}
	for id := range s.folders {
		f := s.folderLocked(id)
		st.Folders = append(st.Folders, f)
		st.TotalFiles += f.FileCount
		st.SyncedFiles += f.SyncedFiles
		st.IsSyncing = st.IsSyncing || f.Status == "scanning" || f.Status == "syncing"
	}
	sort.Slice(st.Folders, func(i, j int) bool { return st.Folders[i].Path < st.Folders[j].Path })
	for _, up := range s.uploads {
		st.Uploads = append(st.Uploads, Upload{FolderID: up.key.folder, Path: up.key.rel, BytesDone: up.done.Load(), TotalBytes: up.total})
	}
	sort.Slice(st.Uploads, func(i, j int) bool { return st.Uploads[i].Path < st.Uploads[j].Path })
	return st
}

// Get returns one folder.
func (s *Service) Get(id string) (Folder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.folders[id]; !ok {
		return Folder{}, ErrNoFolder
	}
	return s.folderLocked(id), nil
}

// folderLocked builds a folder's UI view; s.mu held.
func (s *Service) folderLocked(id string) Folder {
	f := s.folders[id]
	pending, failed, newFiles, newBytes := s.q.counts(id)
	out := Folder{
		ID: id, Path: f.rec.Path, Name: folderName(f.rec.Path), Enabled: f.rec.Enabled,
		Error:          f.err,
		FileCount:      f.indexFiles + newFiles,
		TotalSizeBytes: f.indexBytes + newBytes,
		SyncedFiles:    f.indexFiles - (pending - newFiles),
		SyncedBytes:    f.indexBytes,
		PendingFiles:   pending,
		FailedFiles:    failed,
		LastSynced:     timePtr(f.rec.LastSynced),
		LastScan:       timePtr(f.rec.LastScan),
		WatchLimited:   f.watchLimited,

		ManifestCID:       f.rec.ManifestCID,
		ManifestSequence:  f.rec.Sequence,
		ManifestUpdatedAt: timePtr(f.rec.ManifestAt),
		BackupSequence:    f.rec.BackupSequence,
		BackupSyncedAt:    timePtr(f.rec.BackupAt),
		BackupAckReceived: f.rec.Sequence > 0 && f.rec.BackupSequence >= f.rec.Sequence,
		PendingRetry:      f.pendingRetry,
		NotifyError:       f.notifyError,
	}
	if out.SyncedFiles < 0 {
		out.SyncedFiles = 0
	}
	switch {
	case !f.rec.Enabled:
		out.Status = "paused"
	case f.err != "":
		out.Status = "error"
	case f.scanning:
		out.Status = "scanning"
	case pending > 0 && s.paused:
		out.Status = "paused"
	case pending > 0:
		out.Status = "syncing"
	default:
		out.Status = "idle"
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Failed lists a folder's failed uploads.
func (s *Service) Failed(id string) ([]FailedFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.folders[id]; !ok {
		return nil, ErrNoFolder
	}
	out := []FailedFile{}
	for k, j := range s.q.jobs {
		if k.folder == id && j.err != "" {
			ff := FailedFile{Path: k.rel, Error: j.err, Attempts: j.attempts}
			if !j.inflight {
				ff.NextRetryAt = timePtr(j.due)
			}
			out = append(out, ff)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// stateChanged marks the state for the next publication.
func (s *Service) stateChanged() {
	select {
	case s.stateCh <- struct{}{}:
	default:
	}
}

// publishState publishes the state after changes, at most twice a second,
// and every second while uploads run (their progress and the rate move).
func (s *Service) publishState(ctx context.Context) {
	if s.opts.Bus == nil {
		return
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	dirty := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stateCh:
			dirty = true
		case <-t.C:
			if dirty {
				s.opts.Bus.Publish(EventState, s.State())
				dirty = false
			}
		}
	}
}
