package repo

import (
	"iter"
	"os"
	"path/filepath"
	"sync"
)

// syncer makes the block files of one batch durable. It is begun before the
// batch writes its first file, so that it can see every write error since.
// Sync gets the files as a sequence, so that a batch of 163,840 blocks
// need not build a list of paths that syncfs(2) does not even look at.
type syncer interface {
	Sync(files iter.Seq[string]) error
	Close()
}

// fsyncEach makes the given files and, if syncDirs, their directories (which
// hold the renames) durable. Several workers keep the device queue busy; on
// journaling file systems concurrent fsyncs also share journal commits.
func fsyncEach(files []string, syncDirs bool, workers int) error {
	paths := files
	if syncDirs {
		seen := make(map[string]bool)
		for _, f := range files {
			d := filepath.Dir(f)
			if !seen[d] {
				seen[d] = true
				paths = append(paths[:len(paths):len(paths)], d)
			}
		}
	}
	workers = max(1, min(workers, len(paths)))
	work := make(chan string)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for p := range work {
				if err := fsyncPath(p); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	return firstErr
}

func fsyncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
