//go:build windows

package update

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// replaceExe moves exe aside as exe.old, then staged into its place. Windows
// cannot replace a running executable, but it can rename it; if the second
// rename fails the first is undone, so exe is never left missing.
func replaceExe(exe, staged string) error {
	old := exe + OldSuffix
	if err := os.Remove(old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing the previous %s (still running?): %w", old, err)
	}
	if err := os.Rename(exe, old); err != nil {
		return fmt.Errorf("keeping the current version: %w", err)
	}
	if err := os.Rename(staged, exe); err != nil {
		if undo := os.Rename(old, exe); undo != nil {
			return fmt.Errorf("%w (and putting the current version back failed: %v)", err, undo)
		}
		return err
	}
	return nil
}

// restoreOld moves the running exe aside (it cannot be deleted while it
// runs; cleanStale removes it later) and exe.old into its place.
func restoreOld(exe string) error {
	aside := filepath.Join(filepath.Dir(exe), stagePrefix+"rolledback-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(exe, aside); err != nil {
		return err
	}
	if err := os.Rename(exe+OldSuffix, exe); err != nil {
		if undo := os.Rename(aside, exe); undo != nil {
			return fmt.Errorf("%w (and putting the current version back failed: %v)", err, undo)
		}
		return err
	}
	return nil
}

// syncDir is a no-op: Windows has no directory fsync, and its renames are
// journaled by NTFS.
func syncDir(string) error { return nil }
