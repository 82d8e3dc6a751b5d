package state

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesAndRefusesASecondHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", FileName)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "in use by another process") || !errors.Is(err, ErrInUse) {
		t.Fatalf("second open: %v", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("second open waited %s", waited)
	}
	db.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatalf("reopening after close: %v", err)
	}
	db2.Close()
}
