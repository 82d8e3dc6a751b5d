package folders

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"
)

// Buckets of the state database. The per-folder buckets hold one nested
// bucket per folder ID, so removing a folder drops its data in one step.
var (
	bucketFolders   = []byte("folders")
	bucketPaths     = []byte("folder-paths") // removed folders: path → ID and sequence, for a re-add
	bucketIndex     = []byte("folder-index")
	bucketTombs     = []byte("folder-tombstones")
	bucketManifests = []byte("folder-manifests")
	bucketSync      = []byte("sync")
	keyPaused       = []byte("paused")
)

// record is what the database keeps of a watched folder.
type record struct {
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Enabled bool      `json:"enabled"`
	AddedAt time.Time `json:"addedAt"`

	// Sequence is the last manifest's sequence number; ManifestCID and
	// ManifestAt describe it.
	Sequence    uint64    `json:"sequence"`
	ManifestCID string    `json:"manifestCid,omitempty"`
	ManifestAt  time.Time `json:"manifestAt"`
	// Changes counts index changes (uploads, deletions) not yet in a
	// manifest.
	Changes int `json:"changes"`

	LastScan   time.Time `json:"lastScan"`
	LastSynced time.Time `json:"lastSynced"`

	// BackupSequence is the highest sequence the backup server said it
	// processed, at BackupAt.
	BackupSequence uint64    `json:"backupSequence"`
	BackupAt       time.Time `json:"backupAt"`
}

// entry is an uploaded file in a folder's index. A file whose size and
// modification time still match is not uploaded again. Empty files have no
// CID: the node stores no zero-byte datasets, and a restore recreates them
// from the size alone.
type entry struct {
	Size       int64     `json:"s"`
	ModNs      int64     `json:"m"`
	CID        string    `json:"c,omitempty"`
	Mime       string    `json:"t,omitempty"`
	UploadedAt time.Time `json:"u"`
}

func (e entry) matches(size, modNs int64) bool { return e.Size == size && e.ModNs == modNs }

// tombstone is a file deleted since the last manifest.
type tombstone struct {
	CID       string    `json:"cid"`
	DeletedAt time.Time `json:"deletedAt"`
}

// published is a manifest the folder published.
type published struct {
	Sequence uint64    `json:"sequence"`
	CID      string    `json:"cid"`
	At       time.Time `json:"at"`
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
}

// removedPath remembers a removed folder, so re-adding its path continues
// its ID and sequence instead of starting a new folder at 1 on the backup
// server.
type removedPath struct {
	ID       string `json:"id"`
	Sequence uint64 `json:"sequence"`
}

func initBuckets(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFolders, bucketPaths, bucketIndex, bucketTombs, bucketManifests, bucketSync} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("folders: creating bucket %q: %w", b, err)
			}
		}
		return nil
	})
}

// sub returns folder id's nested bucket in parent, created when create is
// set; nil when it does not exist.
func sub(tx *bolt.Tx, parent []byte, id string, create bool) (*bolt.Bucket, error) {
	p := tx.Bucket(parent)
	if create {
		return p.CreateBucketIfNotExists([]byte(id))
	}
	return p.Bucket([]byte(id)), nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// loadRecords reads every watched folder.
func loadRecords(db *bolt.DB) ([]record, error) {
	var out []record
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFolders).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("folders: corrupt folder record %q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// updateRecord changes folder id's record in one transaction.
func updateRecord(db *bolt.DB, id string, change func(*record)) (record, error) {
	var r record
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFolders)
		ok, err := state.GetJSON(b, []byte(id), &r)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNoFolder
		}
		change(&r)
		return state.PutJSON(b, []byte(id), r)
	})
	return r, err
}

// loadIndex reads a folder's whole index; a rescan compares the disk with
// it in memory.
func loadIndex(db *bolt.DB, id string) (map[string]entry, error) {
	out := map[string]entry{}
	err := db.View(func(tx *bolt.Tx) error {
		b, _ := sub(tx, bucketIndex, id, false)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("folders: corrupt index entry %q: %w", k, err)
			}
			out[string(k)] = e
			return nil
		})
	})
	return out, err
}

func getEntry(db *bolt.DB, id, rel string) (entry, bool, error) {
	var e entry
	var ok bool
	err := db.View(func(tx *bolt.Tx) error {
		b, _ := sub(tx, bucketIndex, id, false)
		if b == nil {
			return nil
		}
		var err error
		ok, err = state.GetJSON(b, []byte(rel), &e)
		return err
	})
	return e, ok, err
}

// ErrNoFolder is returned for a folder ID that is not watched.
var ErrNoFolder = errors.New("no such watched folder")

func loadPaused(db *bolt.DB) bool {
	paused := false
	db.View(func(tx *bolt.Tx) error {
		paused = string(tx.Bucket(bucketSync).Get(keyPaused)) == "1"
		return nil
	})
	return paused
}

func savePaused(db *bolt.DB, paused bool) error {
	v := "0"
	if paused {
		v = "1"
	}
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSync).Put(keyPaused, []byte(v)) })
}
