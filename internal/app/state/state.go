// Package state opens the app's own database, <data dir>/state.db: a bbolt
// file (one writer, crash-safe transactions) that the app's services share,
// each in its own bucket (devices, and later sync and backup state). The app
// opens it once and hands the *bolt.DB to the services.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database's name in the app's data directory.
const FileName = "state.db"

// ErrInUse means another process has the database open: another instance
// of the app on the same data directory.
var ErrInUse = errors.New("in use by another process")

// lockTimeout is how long Open waits for another process's lock.
const lockTimeout = time.Second

// Open opens (creating it when missing) the state database at path. bbolt
// locks the file: while another process holds it, Open fails after a
// second with an error that says so.
func Open(path string) (*bolt.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state database: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("state database %s is %w (is another Archivist instance running with the same data directory? quit it, or give this one its own --home)", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	return db, nil
}

// GetJSON decodes the JSON record under key into v; false when there is
// none. Every service keeps its records as JSON, so a field added later
// reads as its zero value from an older database.
func GetJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("corrupt record %q: %w", key, err)
	}
	return true, nil
}

// PutJSON stores v as JSON under key.
func PutJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}
