package folders

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// TestScanSnapshotStale: a scan walks with the index as it was when it
// began; a file uploaded (and indexed) while the walk went on must not be
// queued again as new. Found by bench/scalebench: during a 100,000-file
// first backup the periodic scan queued ~500 already uploaded files, and
// the folder showed 100,496 files and as many pending until they drained.
func TestScanSnapshotStale(t *testing.T) {
	root := t.TempDir()
	db, err := state.Open(filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default(t.TempDir())
	s, err := New(Options{DB: db, Config: func() config.Config { return cfg },
		Node: func() (*nodeclient.Client, error) { return nil, errors.New("no node") }})
	if err != nil {
		t.Fatal(err)
	}
	s.ctx = context.Background()
	r := record{ID: "f", Path: root, Enabled: true}
	s.folders[r.ID] = &folder{rec: r}

	p := filepath.Join(root, "photo.jpg")
	if err := os.WriteFile(p, []byte("pixels"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return state.PutJSON(tx.Bucket(bucketFolders), []byte(r.ID), r)
	}); err != nil {
		t.Fatal(err)
	}
	// The upload finished after the scan loaded its snapshot: the index
	// has the file (commit also counts it), the snapshot does not.
	if err := s.commit(jobKey{r.ID, "photo.jpg"}, entry{Size: fi.Size(), ModNs: fi.ModTime().UnixNano(), CID: "zDvZ", UploadedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.consider(r.ID, "photo.jpg", entry{}, false, fi, time.Now())
	if n := s.q.waiting(); n != 0 {
		t.Errorf("an indexed, unchanged file was queued again: %d waiting", n)
	}
	f, err := s.Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.FileCount != 1 || f.SyncedFiles != 1 || f.PendingFiles != 0 {
		t.Errorf("folder shows %d files, %d synced, %d pending; want 1, 1, 0", f.FileCount, f.SyncedFiles, f.PendingFiles)
	}

	// A file that did change since it was indexed is still queued.
	if err := os.WriteFile(p, []byte("more pixels"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Lstat(p)
	s.consider(r.ID, "photo.jpg", entry{}, false, fi, time.Now())
	if n := s.q.waiting(); n != 1 {
		t.Errorf("a changed file: %d waiting, want 1", n)
	}
}
