package repo

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkSync64MiB compares ways to make 1024 freshly written 64 KiB block
// files durable; the timer covers only the sync. beginSync uses the winner
// (syncfs).
func BenchmarkSync64MiB(b *testing.B) {
	strategies := []struct {
		name string
		sync func(r *Repo, files []string) error
	}{
		{"syncfs", func(r *Repo, f []string) error {
			s, err := beginSync(r.blocksDir)
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Sync(slices.Values(f))
		}},
		{"fsync-each-1", func(_ *Repo, f []string) error { return fsyncEach(f, true, 1) }},
		{"fsync-each-8", func(_ *Repo, f []string) error { return fsyncEach(f, true, 8) }},
		{"fsync-each-32", func(_ *Repo, f []string) error { return fsyncEach(f, true, 32) }},
	}
	data := make([]byte, testBlockSize)
	for _, s := range strategies {
		b.Run(s.name, func(b *testing.B) {
			r := openTest(b, b.TempDir(), Options{Quota: 1 << 50})
			b.SetBytes(1024 * testBlockSize)
			it := 0
			for b.Loop() {
				b.StopTimer()
				// Start clean, or a strategy pays for the dirty pages the
				// previous one left.
				unix.Sync()
				cids := benchBlocks(it, 1024)
				it++
				paths := make([]string, len(cids))
				for i, c := range cids {
					name := fileName(c)
					if err := r.writeBlockFile(name, data); err != nil {
						b.Fatal(err)
					}
					paths[i] = r.blockPath(name)
				}
				b.StartTimer()
				if err := s.sync(r, paths); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
