package onboarding

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/state"
)

func TestStoreRoundTripAndValidation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore(db)
	if _, found, err := s.Get(); err != nil || found {
		t.Fatalf("fresh store: found=%v err=%v", found, err)
	}
	want := State{Step: "syncing", FolderID: "f1"}
	if err := s.Put(want); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []State{{Step: "nope"}, {Step: "<script>"}, {FolderID: string(make([]byte, 200))}} {
		if err := s.Put(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Put(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	// A refused state changes nothing, and the record survives a reopen.
	db.Close()
	db, err = state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, found, err := NewStore(db).Get()
	if err != nil || !found || got != want {
		t.Fatalf("after reopen: %+v found=%v err=%v, want %+v", got, found, err, want)
	}
}
