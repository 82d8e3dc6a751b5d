package backups

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/node/dag"
)

const testNode = "16Uiu2HAmPeerOfTheSource"

var testCID = dag.CIDString(dag.ManifestCID([]byte("x")))

func manifestJSON(t *testing.T, change func(m *folders.Manifest)) []byte {
	t.Helper()
	m := folders.Manifest{Version: folders.ManifestVersion, FolderID: "f1", FolderPath: "Docs", SourcePeerID: testNode,
		SequenceNumber: 3, LastUpdated: time.Now(),
		Files:        []folders.ManifestFile{{Path: "a.txt", CID: testCID, SizeBytes: 5}, {Path: "dir/empty", SizeBytes: 0}},
		DeletedFiles: []folders.ManifestTomb{{Path: "gone.txt", CID: testCID}}}
	if change != nil {
		change(&m)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseManifestAcceptsAGoodOne(t *testing.T) {
	m, err := parseManifest(manifestJSON(t, nil), expect{FolderID: "f1", Sequence: 3, NodePeerID: testNode})
	if err != nil || len(m.Files) != 2 {
		t.Fatalf("%v %+v", err, m)
	}
	// Names legal on Unix stay legal.
	for _, p := range []string{`back\slash`, "10:30 meeting.txt", "ünï/cödé", ".hidden"} {
		if err := checkPath(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}

// TestParseManifestRefuses: whatever a hostile or confused source sends
// that would land a file outside the folder, or that is not the manifest
// announced by the device paired, is refused.
func TestParseManifestRefuses(t *testing.T) {
	want := expect{FolderID: "f1", Sequence: 3, NodePeerID: testNode}
	file := func(p string) func(m *folders.Manifest) {
		return func(m *folders.Manifest) { m.Files[0].Path = p }
	}
	cases := map[string]func(m *folders.Manifest){
		"parent":         file("../etc/passwd"),
		"nested parent":  file("a/../../b"),
		"absolute":       file("/etc/passwd"),
		"dot":            file("./a"),
		"trailing slash": file("a/"),
		"double slash":   file("a//b"),
		"empty":          file(""),
		"nul":            file("a\x00b"),
		"too long":       file(strings.Repeat("x", maxPathBytes+1)),
		"tombstone path": func(m *folders.Manifest) { m.DeletedFiles[0].Path = "../x" },
		"duplicate":      func(m *folders.Manifest) { m.Files[1] = m.Files[0] },
		"negative size":  func(m *folders.Manifest) { m.Files[0].SizeBytes = -1 },
		"bad cid":        func(m *folders.Manifest) { m.Files[0].CID = "zNotACid" },
		"size no cid":    func(m *folders.Manifest) { m.Files[1].SizeBytes = 10 },
		"forged source":  func(m *folders.Manifest) { m.SourcePeerID = "16Uiu2HAmSomeoneElse" },
		"other folder":   func(m *folders.Manifest) { m.FolderID = "f2" },
		"other sequence": func(m *folders.Manifest) { m.SequenceNumber = 2 },
		"version":        func(m *folders.Manifest) { m.Version = "2.0" },
	}
	for name, change := range cases {
		if _, err := parseManifest(manifestJSON(t, change), want); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := parseManifest([]byte(`{"files": [`), want); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":"1.0","folder_id":"f1","source_peer_id":"p","sequence_number":3,"files":[{"path":"a","cid":"","size_bytes":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data, expect{FolderID: "f1", Sequence: 3, NodePeerID: "p"})
		if err != nil {
			return
		}
		for _, file := range m.Files {
			if !filepath.IsLocal(filepath.FromSlash(file.Path)) && !strings.ContainsAny(file.Path, `\:`) {
				t.Fatalf("accepted a path that leaves the folder: %q", file.Path)
			}
		}
	})
}

// TestKeep follows restic's policy: the newest N, then the newest of each
// hour, day and week.
func TestKeep(t *testing.T) {
	base := time.Date(2026, 11, 20, 12, 0, 0, 0, time.Local)
	var versions []Manifest // newest first
	for i := range 100 {
		versions = append(versions, Manifest{Sequence: uint64(100 - i), VersionAt: base.Add(-time.Duration(i) * 30 * time.Minute)})
	}
	got := keep(versions, config.BackupServerConfig{KeepLast: 3})
	if len(got) != 3 || !got[100] || !got[98] {
		t.Fatalf("keep last 3: %v", got)
	}
	got = keep(versions, config.BackupServerConfig{KeepHourly: 4})
	// Versions at 12:00, 11:30, 11:00, 10:30…: the newest of each of the
	// last 4 hours.
	if len(got) != 4 || !got[100] || !got[99] || !got[97] || !got[95] {
		t.Fatalf("keep hourly 4: %v", got)
	}
	got = keep(versions, config.BackupServerConfig{KeepDaily: 3})
	if len(got) != 3 {
		t.Fatalf("keep daily 3: %v", got)
	}
	got = keep(versions, config.BackupServerConfig{})
	if len(got) != 1 || !got[100] {
		t.Fatalf("the newest is always kept: %v", got)
	}
}

// TestRestoreFileStaysInside: a symlink in the destination pointing out
// does not carry a restored file with it.
func TestRestoreFileStaysInside(t *testing.T) {
	dest, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dest, "link")); err != nil {
		t.Skip(err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, err = restoreFile(t.Context(), root, nil, folders.ManifestFile{Path: "link/evil.txt"}, false)
	if err == nil {
		t.Fatal("wrote through a symlink that leaves the destination")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("written outside: %v", entries)
	}
}

// TestParseManifestHugeCounts: a manifest listing more files or deletions
// than the server accepts is refused with the reason, and refusing it
// costs memory for the accepted maximum, not for what the source sent:
// here 5 million 3-byte entries against a limit of 1000.
func TestParseManifestHugeCounts(t *testing.T) {
	defer func(n int) { maxManifestFiles = n }(maxManifestFiles)
	maxManifestFiles = 1000
	want := expect{FolderID: "f1", Sequence: 3, NodePeerID: testNode}
	head := `{"version":"1.0","folder_id":"f1","source_peer_id":"` + testNode + `","sequence_number":3,`
	entries := strings.Repeat(`{},`, 5_000_000) + `{}`
	for _, list := range []string{"files", "deleted_files"} {
		data := []byte(head + `"` + list + `":[` + entries + `]}`)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := parseManifest(data, want)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "more than the 1000 files") {
			t.Fatalf("%s: %v", list, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
			t.Errorf("%s: refusing %d MiB of entries allocated %d MiB", list, len(data)>>20, n>>20)
		}
	}
	// At the limit it is a manifest like any other.
	var files []string
	for i := range maxManifestFiles {
		files = append(files, fmt.Sprintf(`{"path":"f%d","size_bytes":0}`, i))
	}
	m, err := parseManifest([]byte(head+`"files":[`+strings.Join(files, ",")+`]}`), want)
	if err != nil || len(m.Files) != maxManifestFiles {
		t.Fatalf("a manifest at the limit: %v", err)
	}
}
