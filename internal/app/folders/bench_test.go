package folders

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// BenchmarkRescan scans a folder of 100,000 unchanged files after a
// restart (index loaded from the database, every file compared), next to a
// bare walk with lstat of the same tree, the least any scan must do. It
// reports files/s and the ratio scan/walk.
func BenchmarkRescan(b *testing.B) {
	const n = 100_000
	root := b.TempDir()
	db, err := state.Open(filepath.Join(b.TempDir(), state.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default(b.TempDir())
	s, err := New(Options{DB: db, Config: func() config.Config { return cfg },
		Node: func() (*nodeclient.Client, error) { return nil, errors.New("no node") }})
	if err != nil {
		b.Fatal(err)
	}
	s.ctx = context.Background()
	r := record{ID: "bench", Path: root, Enabled: true}
	s.folders[r.ID] = &folder{rec: r}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := state.PutJSON(tx.Bucket(bucketFolders), []byte(r.ID), r); err != nil {
			return err
		}
		idx, err := sub(tx, bucketIndex, r.ID, true)
		if err != nil {
			return err
		}
		for i := range n {
			rel := fmt.Sprintf("d%03d/f%06d.txt", i/1000, i)
			p := filepath.Join(root, filepath.FromSlash(rel))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
				return err
			}
			fi, _ := os.Lstat(p)
			e := entry{Size: 1, ModNs: fi.ModTime().UnixNano(), CID: "zDvZ", UploadedAt: time.Now()}
			if err := state.PutJSON(idx, []byte(rel), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	walk := func() time.Duration {
		start := time.Now()
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				d.Info()
			}
			return nil
		})
		return time.Since(start)
	}
	walk() // warm the cache for both
	var walked, scanned time.Duration
	b.ResetTimer()
	for range b.N {
		walked += walk()
		start := time.Now()
		s.scan(r.ID)
		scanned += time.Since(start)
	}
	b.StopTimer()
	if q := s.q.waiting(); q != 0 {
		b.Fatalf("the rescan queued %d unchanged files", q)
	}
	b.ReportMetric(float64(n*b.N)/scanned.Seconds(), "files/s")
	b.ReportMetric(scanned.Seconds()/walked.Seconds(), "x-walk")
}
