package folders

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// TestFolderSyncsAndPublishes follows a folder through its life: the
// initial backup, then a modification, a rename, a deletion, a nested
// directory and a file written slowly, each checked in the index, on the
// node and in the manifests.
func TestFolderSyncsAndPublishes(t *testing.T) {
	h := newHarness(t)
	root := filepath.Join(t.TempDir(), "Photos")
	write(t, filepath.Join(root, "a.txt"), "alpha")
	write(t, filepath.Join(root, "sub", "deep", "b.jpg"), "bravo")
	write(t, filepath.Join(root, "empty.txt"), "")
	// Left out: hidden, temporary, the config's patterns, the ignore file's.
	write(t, filepath.Join(root, ".hidden"), "x")
	write(t, filepath.Join(root, "draft.tmp"), "x")
	write(t, filepath.Join(root, "notes.txt~"), "x")
	write(t, filepath.Join(root, "sub", "Thumbs.db"), "x")
	write(t, filepath.Join(root, "build", "out.o"), "x")
	write(t, filepath.Join(root, ".archivistignore"), "build/\n")

	f, err := h.svc.Add(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	f = h.synced(f.ID, 3)
	if f.TotalSizeBytes != 10 || f.Name != "Photos" {
		t.Errorf("folder %+v", f)
	}
	idx := h.index(f.ID)
	if len(idx) != 3 || idx["empty.txt"].CID != "" || idx["a.txt"].CID == "" {
		t.Fatalf("index %+v", idx)
	}
	if got := string(h.content(idx["sub/deep/b.jpg"].CID)); got != "bravo" {
		t.Fatalf("node holds %q", got)
	}

	m := h.manifest(f.ID, 1)
	peer, _ := h.node.Client.PeerID(context.Background())
	if m.Version != "1.0" || m.FolderID != f.ID || m.FolderPath != "Photos" || m.SourcePeerID != peer ||
		m.SequenceNumber != 1 || m.ManifestCID != nil || m.Stats.TotalFiles != 3 || m.Stats.TotalSizeBytes != 10 {
		t.Fatalf("manifest %+v", m)
	}
	files := byPath(m)
	if b := files["sub/deep/b.jpg"]; b.CID != idx["sub/deep/b.jpg"].CID || b.SizeBytes != 5 || b.MimeType == nil || *b.MimeType != "image/jpeg" {
		t.Errorf("b.jpg in the manifest: %+v", b)
	}

	// Modify, rename, delete, a new nested directory, one at a time so
	// each is seen by the watcher.
	write(t, filepath.Join(root, "a.txt"), "alpha, edited")
	if err := os.Rename(filepath.Join(root, "sub", "deep", "b.jpg"), filepath.Join(root, "sub", "b2.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "empty.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "new", "dir", "c.txt"), "charlie")
	h.synced(f.ID, 3)
	m = h.manifest(f.ID, 2)
	files = byPath(m)
	if len(files) != 3 || string(h.content(files["a.txt"].CID)) != "alpha, edited" ||
		files["sub/b2.jpg"].CID == "" || string(h.content(files["new/dir/c.txt"].CID)) != "charlie" {
		t.Fatalf("manifest after changes: %+v", m.Files)
	}
	// Tombstones accumulate over the manifests published since: the first
	// manifest after the changes may hold some of them, so collect.
	tombs := map[string]bool{}
	for seq := uint64(2); seq <= m.SequenceNumber; seq++ {
		for _, d := range h.publishedManifest(f.ID, seq).DeletedFiles {
			tombs[d.Path] = true
		}
	}
	if !tombs["sub/deep/b.jpg"] || !tombs["empty.txt"] || len(tombs) != 2 {
		t.Fatalf("tombstones %v", tombs)
	}

	// A file written slowly is uploaded once complete, not half-written.
	slow := filepath.Join(root, "slow.bin")
	fh, err := os.Create(slow)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 10 {
		chunk := strings.Repeat(string(rune('a'+i)), 1000)
		fh.WriteString(chunk)
		want.WriteString(chunk)
		time.Sleep(60 * time.Millisecond)
	}
	fh.Close()
	h.synced(f.ID, 4)
	if got := string(h.content(h.index(f.ID)["slow.bin"].CID)); got != want.String() {
		t.Fatalf("slow file stored as %d bytes, want the complete %d", len(got), want.Len())
	}
}

// publishedManifest reads a manifest of a given sequence from the node.
func (h *harness) publishedManifest(id string, seq uint64) Manifest {
	h.t.Helper()
	list, err := h.svc.Manifests()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, p := range list {
		if p.FolderID == id && p.SequenceNumber == seq {
			var m Manifest
			if err := json.Unmarshal(h.content(p.ManifestCID), &m); err != nil {
				h.t.Fatal(err)
			}
			return m
		}
	}
	h.t.Fatalf("no manifest %d of %s on offer", seq, id)
	return Manifest{}
}

// TestRestartUploadsNothingUnchanged: after a restart the scan finds
// every file in the index and uploads nothing; a file changed while the
// app was not running is uploaded.
func TestRestartUploadsNothingUnchanged(t *testing.T) {
	h := newHarness(t)
	root := t.TempDir()
	for i := range 20 {
		write(t, filepath.Join(root, "d", string(rune('a'+i))+".txt"), strings.Repeat("x", i+1))
	}
	f, err := h.svc.Add(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	h.synced(f.ID, 20)
	seq := h.manifest(f.ID, 1).SequenceNumber
	before, _ := h.node.Client.List(context.Background())

	h.stop()
	write(t, filepath.Join(root, "d", "a.txt"), "changed while the app was not running")
	restarted := time.Now()
	h.start()
	h.waitFor("the rescan", func() bool {
		g, _ := h.svc.Get(f.ID)
		return g.LastScan != nil && g.LastScan.After(restarted) && g.PendingFiles == 0 && g.Status == "idle"
	})
	st := h.svc.State()
	if len(st.RecentUploads) != 1 || st.RecentUploads[0].Path != "d/a.txt" {
		t.Fatalf("uploads after restart: %+v", st.RecentUploads)
	}
	m := h.manifest(f.ID, seq+1)
	if m.SequenceNumber != seq+1 || len(m.Files) != 20 {
		t.Fatalf("manifest after restart: seq %d, %d files", m.SequenceNumber, len(m.Files))
	}
	after, _ := h.node.Client.List(context.Background())
	// One new version of a.txt and one manifest.
	if len(after) != len(before)+2 {
		t.Fatalf("node datasets %d → %d", len(before), len(after))
	}
}

// TestMissingFolderIsAnErrorNotADeletion: a folder that disappears (an
// unplugged drive) must not tombstone its files.
func TestMissingFolderIsAnErrorNotADeletion(t *testing.T) {
	h := newHarness(t)
	parent := t.TempDir()
	root := filepath.Join(parent, "drive")
	write(t, filepath.Join(root, "keep.txt"), "keep")
	f, _ := h.svc.Add(context.Background(), root)
	h.synced(f.ID, 1)
	h.manifest(f.ID, 1)
	if err := os.Rename(root, filepath.Join(parent, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	h.svc.Rescan(f.ID)
	h.waitFor("the error", func() bool { g, _ := h.svc.Get(f.ID); return g.Status == "error" })
	g, _ := h.svc.Get(f.ID)
	if !strings.Contains(g.Error, "not there") || len(h.index(f.ID)) != 1 {
		t.Fatalf("folder %+v, index %v", g, h.index(f.ID))
	}
	time.Sleep(time.Second)
	if g, _ := h.svc.Get(f.ID); g.ManifestSequence != 1 {
		t.Fatalf("a manifest was published for a missing folder: %+v", g)
	}
	// Back again: synced as before, nothing deleted.
	os.Rename(filepath.Join(parent, "elsewhere"), root)
	h.svc.Rescan(f.ID)
	h.waitFor("recovery", func() bool { g, _ := h.svc.Get(f.ID); return g.Status == "idle" && g.SyncedFiles == 1 })
}

// TestUploadsWaitForTheNodeAndRetry: without a node nothing is lost, and
// the queue drains when it comes back.
func TestUploadsWaitForTheNodeAndRetry(t *testing.T) {
	h := newHarness(t)
	h.down.Store(true)
	root := t.TempDir()
	write(t, filepath.Join(root, "a.txt"), "a")
	write(t, filepath.Join(root, "b.txt"), "b")
	f, _ := h.svc.Add(context.Background(), root)
	h.waitFor("the scan", func() bool { g, _ := h.svc.Get(f.ID); return g.PendingFiles == 2 && g.Status == "syncing" })
	time.Sleep(500 * time.Millisecond)
	if st := h.svc.State(); st.NodeRunning || st.QueueSize != 2 || len(h.index(f.ID)) != 0 {
		t.Fatalf("state without a node: %+v", st)
	}
	h.down.Store(false)
	h.synced(f.ID, 2)

	// A node that answers with errors: the file fails, is listed with the
	// reason, and is uploaded by a retry once the node works again.
	h.node.Stop()
	write(t, filepath.Join(root, "c.txt"), "c")
	h.waitFor("the failure", func() bool { g, _ := h.svc.Get(f.ID); return g.FailedFiles == 1 })
	failed, _ := h.svc.Failed(f.ID)
	if len(failed) != 1 || failed[0].Path != "c.txt" || failed[0].Attempts < 1 || failed[0].Error == "" {
		t.Fatalf("failed %+v", failed)
	}
}

func TestPauseKeepsTheQueue(t *testing.T) {
	h := newHarness(t)
	if err := h.svc.Pause(); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	write(t, filepath.Join(root, "a.txt"), "a")
	f, _ := h.svc.Add(context.Background(), root)
	h.waitFor("the scan", func() bool { g, _ := h.svc.Get(f.ID); return g.PendingFiles == 1 && g.Status == "paused" })
	time.Sleep(500 * time.Millisecond)
	if len(h.index(f.ID)) != 0 {
		t.Fatal("uploaded while paused")
	}
	// Paused survives a restart.
	h.restart()
	if !h.svc.State().Paused {
		t.Fatal("pause not persisted")
	}
	h.svc.Resume()
	h.synced(f.ID, 1)
}

func TestAddRefusesBadFolders(t *testing.T) {
	h := newHarness(t)
	root := t.TempDir()
	write(t, filepath.Join(root, "file.txt"), "x")
	os.Mkdir(filepath.Join(root, "inner"), 0o755)
	if _, err := h.svc.Add(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"relative/path", "not an absolute path"},
		{filepath.Join(root, "missing"), "File not found"},
		{filepath.Join(root, "file.txt"), "is a file"},
		{root, "already being watched"},
		{filepath.Join(root, "inner"), "is inside the watched folder"},
		{filepath.Dir(root), "contains the watched folder"},
	} {
		_, err := h.svc.Add(context.Background(), tc.path)
		var inv *InvalidError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%s): %v, want %q", tc.path, err, tc.want)
		}
	}
}

// TestReAddKeepsIDAndSequence: removing and re-adding the same folder
// continues its sequence, so the backup server sees one folder.
func TestReAddKeepsIDAndSequence(t *testing.T) {
	h := newHarness(t)
	root := t.TempDir()
	write(t, filepath.Join(root, "a.txt"), "a")
	f, _ := h.svc.Add(context.Background(), root)
	h.synced(f.ID, 1)
	h.manifest(f.ID, 1)
	if err := h.svc.Remove(f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Get(f.ID); !errors.Is(err, ErrNoFolder) {
		t.Fatal("still there after Remove")
	}
	g, err := h.svc.Add(context.Background(), root)
	if err != nil || g.ID != f.ID || g.ManifestSequence != 1 {
		t.Fatalf("re-added: %+v %v", g, err)
	}
	if m := h.manifest(g.ID, 2); m.SequenceNumber != 2 {
		t.Fatalf("sequence %d", m.SequenceNumber)
	}
}

// TestThresholdOrQuiet: below the threshold a manifest waits for quiet;
// at the threshold it does not.
func TestThresholdOrQuiet(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Quiet = time.Hour })
	h.setConfig(func(c *config.Config) { c.Sync.ManifestUpdateThreshold = 3 })
	root := t.TempDir()
	write(t, filepath.Join(root, "a.txt"), "a")
	write(t, filepath.Join(root, "b.txt"), "b")
	f, _ := h.svc.Add(context.Background(), root)
	h.synced(f.ID, 2)
	time.Sleep(time.Second)
	if g, _ := h.svc.Get(f.ID); g.ManifestSequence != 0 {
		t.Fatalf("published below the threshold without quiet: %+v", g)
	}
	write(t, filepath.Join(root, "c.txt"), "c")
	if m := h.manifest(f.ID, 1); len(m.Files) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	// Backup off: no manifests at all.
	h.setConfig(func(c *config.Config) { c.Sync.BackupEnabled = false })
	for _, n := range []string{"d", "e", "f"} {
		write(t, filepath.Join(root, n+".txt"), n)
	}
	h.synced(f.ID, 6)
	time.Sleep(time.Second)
	if g, _ := h.svc.Get(f.ID); g.ManifestSequence != 1 {
		t.Fatalf("published with backup off: %+v", g)
	}
}

func TestQuickstart(t *testing.T) {
	h := newHarness(t)
	f, err := h.svc.Quickstart(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != filepath.Join(h.docs, QuickstartName) {
		t.Fatalf("path %s", f.Path)
	}
	h.synced(f.ID, 1)
	if !strings.Contains(string(h.content(h.index(f.ID)["welcome.txt"].CID)), "Welcome to Archivist!") {
		t.Fatal("welcome.txt not stored")
	}
	// Again: the same folder, and a welcome.txt the user edited is kept.
	write(t, filepath.Join(f.Path, "welcome.txt"), "mine")
	g, err := h.svc.Quickstart(context.Background())
	if err != nil || g.ID != f.ID {
		t.Fatalf("second quickstart %+v %v", g, err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.Path, "welcome.txt")); string(b) != "mine" {
		t.Fatal("welcome.txt overwritten")
	}
}

// TestOldManifestsArePruned: a folder keeps its last keepManifests
// manifests on offer and on the node, no more.
func TestOldManifestsArePruned(t *testing.T) {
	h := newHarness(t)
	root := t.TempDir()
	f, _ := h.svc.Add(context.Background(), root)
	var first string
	for i := range keepManifests + 3 {
		write(t, filepath.Join(root, "n.txt"), strings.Repeat("x", i+1))
		h.manifest(f.ID, uint64(i+1))
		if i == 0 {
			g, _ := h.svc.Get(f.ID)
			first = g.ManifestCID
		}
	}
	list, err := h.svc.Manifests()
	if err != nil || len(list) != keepManifests || list[0].SequenceNumber != keepManifests+3 {
		t.Fatalf("on offer: %d, newest %+v, %v", len(list), list[0], err)
	}
	if _, err := h.node.Client.Download(context.Background(), first); err == nil {
		t.Fatal("the oldest manifest is still on the node")
	}
}
