package backups

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"
)

// Buckets of the state database this package owns.
var (
	bucketSources   = []byte("backup-sources")   // device → sourceRecord
	bucketFolders   = []byte("backup-folders")   // device\0folder → folderRecord
	bucketManifests = []byte("backup-manifests") // device\0folder\0seq → Manifest
	bucketContent   = []byte("backup-content")   // CID → contentRecord: complete files this server fetched
	bucketKept      = []byte("backup-kept")      // CID → "": tombstoned content kept (auto_delete_tombstones off)
	bucketMeta      = []byte("backup-meta")      // paused, totals
)

var (
	keyPaused = []byte("paused")
	keyTotals = []byte("totals")
)

// Statuses of a manifest.
const (
	StatusPending     = "pending"     // to process
	StatusDownloading = "downloading" // being processed (or was, when the app stopped)
	StatusDone        = "done"        // every file is here: a version
	StatusFailed      = "failed"      // retried at NextRetry, or by hand once out of retries
	StatusRejected    = "rejected"    // invalid, forged or a replay: never processed
	StatusMissing     = "missing"     // a gap: skipped by the source's list, filled if offered
	StatusSuperseded  = "superseded"  // failed for good, but a newer version is complete
)

// Manifest is one manifest of a source's folder and what became of it.
type Manifest struct {
	Source       string    `json:"source"` // the source's device ID
	SourceName   string    `json:"sourceName"`
	FolderID     string    `json:"folderId"`
	FolderName   string    `json:"folderName"`
	Sequence     uint64    `json:"sequence"`
	CID          string    `json:"cid"`
	Status       string    `json:"status"`
	Error        string    `json:"error,omitempty"`
	Attempts     int       `json:"attempts"`
	NextRetry    time.Time `json:"nextRetry,omitzero"`
	DiscoveredAt time.Time `json:"discoveredAt"`
	StartedAt    time.Time `json:"startedAt,omitzero"`
	ProcessedAt  time.Time `json:"processedAt,omitzero"`
	// VersionAt is when the source made the manifest (its last_updated).
	VersionAt    time.Time    `json:"versionAt,omitzero"`
	TotalFiles   int          `json:"totalFiles"`
	TotalBytes   int64        `json:"totalBytes"`
	FilesDone    int          `json:"filesDone"`    // fetched or already here
	FilesFetched int          `json:"filesFetched"` // of which fetched by this manifest
	FilesFailed  int          `json:"filesFailed"`
	BytesDone    int64        `json:"bytesDone"`
	BytesFetched int64        `json:"bytesFetched"`
	Deleted      int          `json:"deleted"` // files the source deleted since the previous manifest
	FailedFiles  []FailedFile `json:"failedFiles,omitempty"`
}

// FailedFile is a file of a manifest that could not be fetched.
type FailedFile struct {
	Path  string `json:"path"`
	CID   string `json:"cid"`
	Error string `json:"error"`
}

// maxFailedFiles bounds the failures listed per manifest.
const maxFailedFiles = 20

// folderRecord is a source's folder as this server knows it.
type folderRecord struct {
	Source   string    `json:"source"`
	FolderID string    `json:"folderId"`
	Name     string    `json:"name"`
	LastSeq  uint64    `json:"lastSeq"` // the newest version
	LastAt   time.Time `json:"lastAt,omitzero"`
	Files    int       `json:"files"` // of the newest version
	Bytes    int64     `json:"bytes"`
}

// sourceRecord is a paired source's standing.
type sourceRecord struct {
	Device     string      `json:"device"`
	Name       string      `json:"name"`
	LastPoll   time.Time   `json:"lastPoll,omitzero"`
	LastSeen   time.Time   `json:"lastSeen,omitzero"` // its last answer
	LastError  string      `json:"lastError,omitempty"`
	Offers     bool        `json:"offers"` // its manifest server answered
	Rejections []Rejection `json:"rejections,omitempty"`
	Totals     Totals      `json:"totals"`
}

// Rejection is a manifest refused without processing.
type Rejection struct {
	FolderID string    `json:"folderId"`
	Sequence uint64    `json:"sequence"`
	CID      string    `json:"cid"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// maxRejections bounds the rejections kept per source.
const maxRejections = 20

// Totals count the work done.
type Totals struct {
	ManifestsProcessed int       `json:"manifestsProcessed"`
	FilesDownloaded    int       `json:"filesDownloaded"`
	BytesDownloaded    int64     `json:"bytesDownloaded"`
	FilesDeleted       int       `json:"filesDeleted"`
	BytesDeleted       int64     `json:"bytesDeleted"`
	LastActivity       time.Time `json:"lastActivity,omitzero"`
	LastPoll           time.Time `json:"lastPoll,omitzero"`
}

// contentRecord is a complete file this server fetched (and so may delete).
type contentRecord struct {
	Size      int64     `json:"size"`
	FetchedAt time.Time `json:"fetchedAt"`
}

func initBuckets(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSources, bucketFolders, bucketManifests, bucketContent, bucketKept, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("backups: creating bucket %q: %w", b, err)
			}
		}
		return nil
	})
}

func folderKey(source, folder string) []byte {
	return []byte(source + "\x00" + folder + "\x00")
}

func manifestKey(source, folder string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(folderKey(source, folder), seq)
}

func (m *Manifest) key() []byte { return manifestKey(m.Source, m.FolderID, m.Sequence) }

// folderManifests calls fn for each manifest of a folder, oldest first.
func folderManifests(tx *bolt.Tx, source, folder string, fn func(m Manifest) error) error {
	prefix := folderKey(source, folder)
	c := tx.Bucket(bucketManifests).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m Manifest
		if err := unmarshalManifest(k, v, &m); err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// allManifests calls fn for every manifest record.
func allManifests(tx *bolt.Tx, fn func(m Manifest) error) error {
	return tx.Bucket(bucketManifests).ForEach(func(k, v []byte) error {
		var m Manifest
		if err := unmarshalManifest(k, v, &m); err != nil {
			return err
		}
		return fn(m)
	})
}

func putManifest(tx *bolt.Tx, m *Manifest) error {
	return state.PutJSON(tx.Bucket(bucketManifests), m.key(), m)
}

func getFolder(tx *bolt.Tx, source, folder string) (folderRecord, bool, error) {
	var f folderRecord
	ok, err := state.GetJSON(tx.Bucket(bucketFolders), folderKey(source, folder), &f)
	return f, ok, err
}

func getSource(tx *bolt.Tx, device string) (sourceRecord, error) {
	r := sourceRecord{Device: device}
	_, err := state.GetJSON(tx.Bucket(bucketSources), []byte(device), &r)
	return r, err
}

func putSource(tx *bolt.Tx, r sourceRecord) error {
	return state.PutJSON(tx.Bucket(bucketSources), []byte(r.Device), r)
}

func getTotals(tx *bolt.Tx) (Totals, error) {
	var t Totals
	_, err := state.GetJSON(tx.Bucket(bucketMeta), keyTotals, &t)
	return t, err
}

func putTotals(tx *bolt.Tx, t Totals) error {
	return state.PutJSON(tx.Bucket(bucketMeta), keyTotals, t)
}

func unmarshalManifest(k, v []byte, m *Manifest) error {
	if err := json.Unmarshal(v, m); err != nil {
		return fmt.Errorf("backups: corrupt manifest record %q: %w", k, err)
	}
	return nil
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
