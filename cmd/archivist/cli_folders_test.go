package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIFolders drives the folders verbs against a running app: add a
// folder, see it synced in ls, rescan it, remove it.
func TestCLIFolders(t *testing.T) {
	home := startCLIApp(t)
	waitNodeRunning(t, home)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("alpha"), 0o644)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("bravo"), 0o644)

	r := run(t, "folders", "add", dir, "--home", home)
	expectCode(t, r, 0)
	if !strings.Contains(r.out, "Watching "+dir) {
		t.Fatalf("add: %s", r)
	}
	expectCode(t, run(t, "folders", "add", dir, "--home", home), 1)
	expectCode(t, run(t, "folders", "add", filepath.Join(dir, "missing"), "--home", home), 1)

	var st struct {
		Folders []struct {
			ID          string `json:"id"`
			Status      string `json:"status"`
			SyncedFiles int    `json:"syncedFiles"`
		} `json:"folders"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r = run(t, "folders", "ls", "--json", "--home", home)
		expectCode(t, r, 0)
		if err := json.Unmarshal([]byte(r.out), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Folders) == 1 && st.Folders[0].SyncedFiles == 2 && st.Folders[0].Status == "idle" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not synced: %s", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r = run(t, "folders", "ls", "--home", home)
	if !strings.Contains(r.out, "2/2") || !strings.Contains(r.out, "idle") {
		t.Fatalf("ls: %s", r)
	}
	expectCode(t, run(t, "folders", "rescan", dir, "--home", home), 0)
	expectCode(t, run(t, "folders", "rescan", "nope", "--home", home), 5)
	r = run(t, "backup", "now", "--home", home)
	expectCode(t, r, 1)
	if !strings.Contains(r.err, "No backup peer configured") {
		t.Fatalf("backup now without a backup device: %s", r)
	}
	expectCode(t, run(t, "devices", "approve", "AAAA-BBBB", "--home", home), 2)
	r = run(t, "devices", "code", "--quiet", "--home", home)
	if !strings.HasPrefix(r.out, "archivist1:") {
		t.Fatalf("devices code: %s", r)
	}
	expectCode(t, run(t, "folders", "rm", st.Folders[0].ID, "--home", home), 0)
	r = run(t, "folders", "ls", "--home", home)
	if !strings.Contains(r.err, "No watched folders") {
		t.Fatalf("ls after rm: %s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal("rm deleted the user's file")
	}
}
