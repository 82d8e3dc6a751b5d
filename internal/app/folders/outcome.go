package folders

import "path/filepath"

// Outcome events tell the user (sounds, desktop notifications, the tray)
// that a backup reached the backup server or could not be made. They are
// published once per occurrence, not per retry, so a flaky file does not
// become a stream of notifications.
const (
	// EventBackupFinished: the backup server acknowledged a newer manifest
	// of a folder, so everything in it is stored on a second machine.
	EventBackupFinished = "backup-finished"
	// EventBackupFailed: a file's first upload attempt failed (it is
	// retried with backoff), or the backup server could not be told about
	// a new manifest.
	EventBackupFailed = "backup-failed"
)

// BackupOutcome is the data of the outcome events.
type BackupOutcome struct {
	FolderID   string `json:"folderId"`
	FolderName string `json:"folderName"`
	Sequence   uint64 `json:"sequence,omitempty"` // backup-finished: the acknowledged manifest
	File       string `json:"file,omitempty"`     // backup-failed: the file, when one failed
	Error      string `json:"error,omitempty"`
}

func (s *Service) publishOutcome(typ string, o BackupOutcome) {
	if s.opts.Bus != nil {
		s.opts.Bus.Publish(typ, o)
	}
}

// folderName is the name the user knows a folder by.
func folderName(path string) string { return filepath.Base(path) }
