//go:build !linux

package repo

import (
	"iter"
	"runtime"
	"slices"
)

// eachSyncer fsyncs every new file (and, where the OS allows, its
// directory, which holds the rename), since only Linux has syncfs(2).
type eachSyncer struct{}

func beginSync(string) (syncer, error) { return eachSyncer{}, nil }

func (eachSyncer) Sync(files iter.Seq[string]) error {
	// Windows cannot open a directory for flushing; NTFS journals renames.
	return fsyncEach(slices.Collect(files), runtime.GOOS != "windows", 8)
}

func (eachSyncer) Close() {}
