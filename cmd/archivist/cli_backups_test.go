package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/cli"
)

// TestCLIBackupServer drives backup-server, versions and restore against
// a running app: the mode through enable, pause, resume and disable; no
// versions on a fresh app; restores of what is not kept.
func TestCLIBackupServer(t *testing.T) {
	home := startCLIApp(t)
	waitNodeRunning(t, home)

	mode := func(t *testing.T) string {
		t.Helper()
		j := run(t, "backup-server", "status", "--json", "--home", home)
		expectCode(t, j, 0)
		var st cli.BackupServer
		if err := json.Unmarshal([]byte(j.out), &st); err != nil {
			t.Fatalf("status --json: %v\n%s", err, j)
		}
		h := run(t, "backup-server", "status", "--home", home)
		expectCode(t, h, 0)
		if first := lines(h.out)[0]; !strings.HasPrefix(first, "Backup server") || !strings.HasSuffix(first, " "+st.Mode) {
			t.Fatalf("status says %q, --json says %q:\n%s", first, st.Mode, h)
		}
		for _, want := range []string{"Manifests", "0 processed", "Downloaded", "0 files, 0 B", "Deleted", "Last activity", "never", "Last poll"} {
			if !strings.Contains(h.out, want) {
				t.Errorf("status does not say %q:\n%s", want, h.out)
			}
		}
		if !strings.Contains(h.err, "No paired devices to back up") {
			t.Errorf("status with no paired device: %s", h)
		}
		return st.Mode
	}
	action := func(t *testing.T, verb, want string) {
		t.Helper()
		r := run(t, "backup-server", verb, "--home", home)
		expectCode(t, r, 0)
		if strings.TrimSpace(r.out) != "Backup server: "+want {
			t.Fatalf("backup-server %s: %s", verb, r)
		}
		if got := mode(t); got != want {
			t.Fatalf("after %s the mode is %q, want %q", verb, got, want)
		}
	}

	t.Run("versions on a fresh app", func(t *testing.T) {
		r := run(t, "versions", "ls", "--home", home)
		expectCode(t, r, 0)
		if r.out != "" || !strings.Contains(r.err, "No backups") {
			t.Fatalf("versions ls: %s", r)
		}
		j := run(t, "versions", "ls", "--json", "--home", home)
		expectCode(t, j, 0)
		var v cli.Versions
		if err := json.Unmarshal([]byte(j.out), &v); err != nil || v.Servers == nil || len(v.Servers) != 0 {
			t.Fatalf("versions ls --json: %v\n%s", err, j)
		}
		nf := run(t, "versions", "ls", "nosuch", "--home", home)
		expectCode(t, nf, 5)
		if !strings.Contains(nf.err, `no backups of a device "nosuch"`) {
			t.Fatalf("versions ls nosuch: %s", nf)
		}
	})

	t.Run("modes", func(t *testing.T) {
		if got := mode(t); got != "disabled" {
			t.Fatalf("a fresh app's backup server is %q", got)
		}
		s := run(t, "backup-server", "status", "--home", home)
		if !strings.Contains(s.err, "archivist backup-server enable") {
			t.Fatalf("status of a disabled server gives no hint: %s", s)
		}
		action(t, "enable", "running")
		action(t, "pause", "paused")
		if got := mode(t); got != "paused" {
			t.Fatalf("paused did not last: %q", got)
		}
		action(t, "resume", "running")
		j := run(t, "backup-server", "disable", "--json", "--home", home)
		expectCode(t, j, 0)
		var st cli.BackupServer
		if err := json.Unmarshal([]byte(j.out), &st); err != nil || st.Mode != "disabled" {
			t.Fatalf("disable --json: %v\n%s", err, j)
		}
		if got := mode(t); got != "disabled" {
			t.Fatalf("after disable: %q", got)
		}
		expectCode(t, run(t, "backup-server", "bogus", "--home", home), 2)
		expectCode(t, run(t, "backup-server", "enable", "extra", "--home", home), 2)
	})

	t.Run("versions of an enabled server with nothing yet", func(t *testing.T) {
		action(t, "enable", "running")
		defer action(t, "disable", "disabled")
		r := run(t, "versions", "ls", "--home", home)
		expectCode(t, r, 0)
		if r.out != "" || !strings.Contains(r.err, "No backups") {
			t.Fatalf("versions ls: %s", r)
		}
		expectCode(t, run(t, "versions", "ls", "nosuch", "f", "--home", home), 5)
	})

	t.Run("restore of what is not kept", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "out")
		r := run(t, "restore", "nosuch", "f", dest, "--home", home)
		expectCode(t, r, 5)
		if !strings.Contains(r.err, `no backups of a device "nosuch"`) || r.out != "" {
			t.Fatalf("restore nosuch: %s", r)
		}
		if _, err := os.Stat(dest); err == nil {
			t.Fatal("a failed restore created DEST")
		}
		// An unknown backup server: by name, found missing by the CLI; by
		// device ID, by the app.
		r = run(t, "restore", "nosuch", "f", dest, "--server", "nas", "--home", home)
		expectCode(t, r, 5)
		if !strings.Contains(r.err, `no paired backup server "nas"`) {
			t.Fatalf("restore --server nas: %s", r)
		}
		r = run(t, "restore", "nosuch", "f", dest, "--server", peerlink.DeviceID{1}.String(), "--home", home)
		expectCode(t, r, 5)
	})

	t.Run("restore to a relative DEST", func(t *testing.T) {
		// DEST is taken from the CLI's working directory: the app names the
		// absolute path when it refuses a file there.
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "taken"), []byte("x"), 0o600)
		t.Chdir(dir)
		r := run(t, "restore", "nosuch", "f", "taken", "--home", home)
		expectCode(t, r, 1)
		if !strings.Contains(r.err, "the destination "+filepath.Join(dir, "taken")+" is a file") {
			t.Fatalf("restore to ./taken: %s", r)
		}
	})
}

// TestCLIRestoreUsage checks the arguments before anything is sent.
func TestCLIRestoreUsage(t *testing.T) {
	home := t.TempDir() // nothing runs there
	for _, args := range [][]string{
		{"restore"},
		{"restore", "src"},
		{"restore", "src", "folder"},
		{"restore", "src", "folder", "dest", "extra"},
		{"restore", "", "folder", "dest"},
		{"restore", "src", "folder", ""},
		{"restore", "src", "folder", "dest", "--version", "x"},
		{"restore", "src", "folder", "dest", "--bogus"},
		{"versions", "ls", "a", "b", "c"},
		{"versions", "bogus"},
		{"backup-server", "status", "extra"},
	} {
		r := run(t, append(args, "--home", home)...)
		if r.code != 2 || r.err == "" {
			t.Errorf("%v: want exit 2 with a message, got %s", args, r)
		}
	}
	r := run(t, "restore", "src", "folder", "dest", "--home", home)
	expectCode(t, r, 3)
	r = run(t, "restore", "--help")
	if r.code != 0 || !strings.Contains(r.out, "--overwrite") || !strings.Contains(r.out, "Exit codes:") {
		t.Errorf("restore --help: %s", r)
	}
}

// fakeApp serves the given API answers as a running instance of a home,
// for output that a single real app cannot produce (sources, versions,
// restores with skipped and failed files).
func fakeApp(t *testing.T, h http.Handler) string {
	t.Helper()
	const key = "test-key"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != key {
			http.Error(w, `{"error":"bad key"}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	home := t.TempDir()
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(layout.DataDir, 0o700)
	os.MkdirAll(layout.ConfigDir, 0o700)
	os.WriteFile(layout.InstanceFile(), []byte(`{"url":"`+srv.URL+`","pid":1}`), 0o600)
	os.WriteFile(layout.APIKeyFile(), []byte(key+"\n"), 0o600)
	return home
}

func writeTestJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var (
	laptopID = peerlink.DeviceID{1, 2, 3}
	nasID    = peerlink.DeviceID{4, 5, 6}
)

func TestCLIBackupServerStatusOutput(t *testing.T) {
	st := map[string]any{
		"mode": "running", "polling": true, "rateBytesPerSec": 2048,
		"totals": map[string]any{"manifestsProcessed": 7, "filesDownloaded": 12, "bytesDownloaded": 3 << 20, "filesDeleted": 2, "bytesDeleted": 1024,
			"lastActivity": "2025-03-04T05:06:07Z", "lastPoll": "2025-03-04T05:07:00Z"},
		"sources": []any{
			map[string]any{"device": laptopID.String(), "name": "laptop", "offers": true, "lastPoll": "2025-03-04T05:07:00Z",
				"totals": map[string]any{"filesDownloaded": 12, "bytesDownloaded": 3 << 20}, "failures": 1,
				"folders": []any{map[string]any{"id": "f1", "name": "Pictures", "lastSequence": 9, "lastAt": "2025-03-04T05:06:07Z", "files": 40, "bytes": 5 << 20, "versions": 3}}},
			map[string]any{"device": nasID.String(), "name": "nas", "lastPoll": "2025-03-04T05:07:00Z", "lastError": "dial backoff\nretry later", "folders": []any{}},
			map[string]any{"device": peerlink.DeviceID{7}.String(), "name": "phone", "lastPoll": "2025-03-04T05:07:00Z", "folders": []any{}},
		},
		"inProgress": []any{map[string]any{"source": laptopID.String(), "sourceName": "laptop", "folderId": "f1", "folderName": "Pictures", "sequence": 10,
			"status": "downloading", "totalFiles": 40, "filesDone": 13, "totalBytes": 5 << 20, "bytesDone": 1 << 20}},
		"failed": []any{map[string]any{"source": laptopID.String(), "sourceName": "laptop", "folderId": "f2", "folderName": "Docs", "sequence": 4,
			"status": "failed", "attempts": 3, "error": "fetching a.txt: no providers", "nextRetry": "2025-03-04T06:00:00Z"}},
		"processed": []any{},
	}
	home := fakeApp(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/backup-server" {
			http.NotFound(w, r)
			return
		}
		writeTestJSON(w, http.StatusOK, st)
	}))
	r := run(t, "backup-server", "status", "--home", home)
	expectCode(t, r, 0)
	for _, want := range []string{
		"running, polling now", "7 processed", "12 files, 3 MB (2 KB/s now)", "2 files, 1 KB",
		"Sources:", "laptop  " + laptopID.ShortString(), "ok", "offline: dial backoff retry later", "not a source",
		"Folders:", "Pictures", "#9", "40", "5 MB",
		"In progress:", "#10", "downloading", "13/40", "1 MB / 5 MB",
		"Failed:", "Docs", "#4", "fetching a.txt: no providers",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("status does not say %q:\n%s", want, r.out)
		}
	}
	j := run(t, "backup-server", "status", "--json", "--home", home)
	expectCode(t, j, 0)
	var back map[string]any
	if err := json.Unmarshal([]byte(j.out), &back); err != nil || back["mode"] != "running" || len(back["sources"].([]any)) != 3 {
		t.Fatalf("status --json: %v\n%s", err, j)
	}
}

func testVersions() map[string]any {
	version := func(seq, files int) map[string]any {
		return map[string]any{"sequence": seq, "cid": "zCid", "at": "2025-03-04T05:06:07Z", "files": files, "bytes": files << 10}
	}
	return map[string]any{"servers": []any{
		map[string]any{"device": "", "name": "this device", "catalog": map[string]any{"sources": []any{
			map[string]any{"device": laptopID.String(), "name": "laptop", "folders": []any{
				map[string]any{"id": "f1", "name": "Pictures", "versions": []any{version(9, 40), version(8, 39)}},
				map[string]any{"id": "f2", "name": "Docs", "versions": []any{version(4, 3)}},
			}},
		}}},
		map[string]any{"device": nasID.String(), "name": "nas", "catalog": map[string]any{"sources": []any{
			map[string]any{"device": laptopID.String(), "name": "laptop", "folders": []any{
				map[string]any{"id": "f1", "name": "Pictures", "versions": []any{version(7, 38)}},
			}},
		}}},
		map[string]any{"device": peerlink.DeviceID{9}.String(), "name": "attic", "error": "no route", "catalog": map[string]any{"sources": []any{}}},
	}}
}

func TestCLIVersionsOutput(t *testing.T) {
	home := fakeApp(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeTestJSON(w, http.StatusOK, testVersions())
	}))
	r := run(t, "versions", "ls", "--home", home)
	expectCode(t, r, 0)
	for _, want := range []string{"On this device:", "On nas (" + nasID.ShortString() + "):", "SOURCE", "laptop", laptopID.ShortString(), "Pictures", "#9", "#8", "#7", "Docs", "#4", "40", "40 KB"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("versions ls does not say %q:\n%s", want, r.out)
		}
	}
	if !strings.Contains(r.err, "attic ("+peerlink.DeviceID{9}.ShortString()+"): its backups could not be listed: no route") {
		t.Errorf("versions ls does not name the server it could not ask: %s", r)
	}

	// By device ID in lower case, and a folder by name in any case.
	r = run(t, "versions", "ls", strings.ToLower(laptopID.String()), "pictures", "--home", home)
	expectCode(t, r, 0)
	if strings.Contains(r.out, "Docs") || !strings.Contains(r.out, "#9") || !strings.Contains(r.out, "#7") {
		t.Errorf("versions ls laptop pictures:\n%s", r.out)
	}
	j := run(t, "versions", "ls", "LAPTOP", "f2", "--json", "--home", home)
	expectCode(t, j, 0)
	var v cli.Versions
	if err := json.Unmarshal([]byte(j.out), &v); err != nil || len(v.Servers) != 1 || v.Servers[0].Name != "this device" ||
		len(v.Servers[0].Catalog.Sources[0].Folders) != 1 || v.Servers[0].Catalog.Sources[0].Folders[0].Name != "Docs" {
		t.Fatalf("versions ls LAPTOP f2 --json: %v\n%s", err, j)
	}

	r = run(t, "versions", "ls", "desktop", "--home", home)
	expectCode(t, r, 5)
	if !strings.Contains(r.err, `no backups of a device "desktop" (kept: laptop); could not ask attic`) {
		t.Errorf("versions ls desktop: %s", r)
	}
	r = run(t, "versions", "ls", "laptop", "Music", "--home", home)
	expectCode(t, r, 5)
	if !strings.Contains(r.err, `laptop has no backed-up folder "Music" (kept: Pictures, Docs)`) {
		t.Errorf("versions ls laptop Music: %s", r)
	}
}

func TestCLIRestoreOutput(t *testing.T) {
	var mu sync.Mutex
	var got cli.RestoreRequest
	polls := 0
	outcome := "done"
	home := fakeApp(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		job := map[string]any{"id": "job-1", "request": got, "status": "running", "serverName": "nas", "sourceName": "laptop",
			"folderName": "Pictures", "sequence": 7, "versionAt": "2025-03-04T05:06:07Z", "files": 10, "bytes": 10 << 10,
			"skipped": []string{}, "failed": []any{}}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/versions":
			writeTestJSON(w, http.StatusOK, testVersions())
		case r.Method == http.MethodPost && r.URL.Path == "/api/restores":
			polls = 0
			if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
				writeTestJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			job["request"] = got
			writeTestJSON(w, http.StatusAccepted, job)
		case r.Method == http.MethodGet && r.URL.Path == "/api/restores/job-1":
			polls++
			if polls < 2 {
				job["filesDone"], job["bytesDone"] = 2, 2<<10
				writeTestJSON(w, http.StatusOK, job)
				return
			}
			skipped := []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"}
			job["status"], job["filesDone"], job["bytesDone"] = outcome, 3, 3<<10
			job["skipped"], job["skippedCount"] = skipped, 6
			if outcome == "failed" {
				job["error"] = "1 of 10 files could not be restored"
				job["failed"], job["failedCount"] = []any{map[string]string{"path": "x/\x1b[31mz.jpg", "cid": "zC", "error": "no providers"}}, 1
			} else {
				job["skippedCount"] = 7
			}
			writeTestJSON(w, http.StatusOK, job)
		default:
			writeTestJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		}
	}))
	dir := t.TempDir()
	t.Chdir(dir)

	r := run(t, "restore", "laptop", "Pictures", "out", "--server", "NAS", "--version", "7", "--home", home)
	expectCode(t, r, 0)
	want := cli.RestoreRequest{Server: nasID.String(), Source: "laptop", Folder: "Pictures", Sequence: 7, Dest: filepath.Join(dir, "out")}
	if got != want {
		t.Fatalf("sent %+v, want %+v", got, want)
	}
	if polls < 2 {
		t.Fatalf("polled %d times", polls)
	}
	for _, want := range []string{
		"Restored 3 files (3 KB) to " + filepath.Join(dir, "out") + "\n  version #7 (", ") of Pictures from laptop, kept on nas\n",
		"Skipped 7 existing files (--overwrite replaces them):\n  a.jpg\n", "  e.jpg\n  … and 2 more\n",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("summary does not say %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "f.jpg") || strings.Contains(r.out, "Failed") || r.err != "" {
		t.Errorf("summary: %s", r)
	}

	// A failed file: exit 1, listed with its reason, its name cleaned;
	// a device ID in lower case is sent as the app writes it.
	outcome = "failed"
	r = run(t, "restore", strings.ToLower(laptopID.String()), "f1", dir, "--overwrite", "--home", home)
	expectCode(t, r, 1)
	if got.Source != laptopID.String() || !got.Overwrite || got.Server != "" || got.Dest != dir {
		t.Fatalf("sent %+v", got)
	}
	if !strings.Contains(r.out, "Failed 1 file:\n  x/?[31mz.jpg: no providers\n") || !strings.Contains(r.err, "the restore failed: 1 of 10 files could not be restored") {
		t.Fatalf("failed restore: %s", r)
	}
	j := run(t, "restore", "laptop", "f1", dir, "--json", "--home", home)
	expectCode(t, j, 1)
	var back cli.Restore
	if err := json.Unmarshal([]byte(j.out), &back); err != nil || back.Status != "failed" || back.FailedCount != 1 || back.SkippedCount != 6 {
		t.Fatalf("restore --json: %v\n%s", err, j)
	}
}
