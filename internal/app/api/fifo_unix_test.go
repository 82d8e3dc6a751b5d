//go:build unix

package api

import (
	"syscall"
	"testing"
)

// makeFIFO makes a named pipe, which a careless open would block on.
func makeFIFO(t *testing.T, path string) bool {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	return true
}
