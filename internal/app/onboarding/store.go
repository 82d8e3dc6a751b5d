package onboarding

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"
)

// Steps are the screens in order; "" means not started.
var Steps = []string{"splash", "welcome", "node-starting", "folder-select", "syncing"}

// ErrInvalid marks a state the UI may not store.
var ErrInvalid = errors.New("invalid onboarding state")

var (
	bucket = []byte("onboarding")
	key    = []byte("state")
)

// State is what the UI stores.
type State struct {
	Complete bool   `json:"complete"`
	Step     string `json:"step"`
	// FolderID is the folder chosen during onboarding, so the first-backup
	// screen can resume watching it after a relaunch.
	FolderID string `json:"folderId,omitempty"`
}

// Store keeps the state in the app's database.
type Store struct{ db *bolt.DB }

// NewStore returns a store over db.
func NewStore(db *bolt.DB) *Store { return &Store{db: db} }

// Get returns the stored state; found is false before the first Put.
func (s *Store) Get() (st State, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		found, err = state.GetJSON(b, key, &st)
		return err
	})
	if err != nil {
		return State{}, false, fmt.Errorf("reading onboarding state: %w", err)
	}
	return st, found, nil
}

// Put validates and stores st.
func (s *Store) Put(st State) error {
	if err := st.validate(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return state.PutJSON(b, key, st)
	})
}

func (st State) validate() error {
	if st.Step != "" && !knownStep(st.Step) {
		return fmt.Errorf("%w: unknown step %q (want one of %v)", ErrInvalid, st.Step, Steps)
	}
	if len(st.FolderID) > 128 {
		return fmt.Errorf("%w: folder id too long", ErrInvalid)
	}
	return nil
}

func knownStep(step string) bool {
	for _, s := range Steps {
		if s == step {
			return true
		}
	}
	return false
}
