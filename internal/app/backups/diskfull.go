package backups

import (
	"fmt"
)

// explainFetchError says so when a fetch failed because the disk under the
// node's data directory cannot hold the file: the node cuts the stream
// when it cannot store a block, and all the app receives of that is a
// short body ("unexpected EOF"), which tells a user nothing. free reads a
// directory's free space; when it cannot, or there is room, err is
// returned as it is.
func explainFetchError(err error, need int64, dir string, free func(string) (uint64, error)) error {
	if err == nil || dir == "" || free == nil {
		return err
	}
	left, ferr := free(dir)
	if ferr != nil || left >= uint64(max(need, 0)) {
		return err
	}
	return fmt.Errorf("no space left on the backup disk: %s free in %s, the file needs %s; free some space (or give the node a bigger disk), then retry: %w",
		mib(int64(left)), dir, mib(need), err)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
