package repo

import (
	"os"
	"sync"
)

// fsyncEach makes the given files or directories durable. Several workers
// keep the device queue busy; on journaling file systems concurrent fsyncs
// also share journal commits.
func fsyncEach(paths []string, workers int) error {
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
