package update

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OldSuffix names the previous executable kept for rollback.
const OldSuffix = ".old"

// ErrNoRollback means there is no previous executable to go back to.
var ErrNoRollback = errors.New("there is no previous version to roll back to")

// canRollback reports whether exe has a previous version beside it.
func canRollback(exe string) bool {
	st, err := os.Lstat(exe + OldSuffix)
	return err == nil && st.Mode().IsRegular()
}

// rollback puts exe.old back in place of exe.
func rollback(exe string) error {
	if !canRollback(exe) {
		return ErrNoRollback
	}
	if err := restoreOld(exe); err != nil {
		return fmt.Errorf("rolling back to %s: %w", exe+OldSuffix, err)
	}
	return syncDir(filepath.Dir(exe))
}

// install puts the verified staged file in place of exe and keeps exe as
// exe.old. The platform's replace never leaves exe missing or half
// written: staged is complete and in the same directory, so the final step
// is one rename.
func install(exe, staged string) error {
	if err := replaceExe(exe, staged); err != nil {
		return fmt.Errorf("installing the update over %s: %w", exe, err)
	}
	return syncDir(filepath.Dir(exe))
}

// cleanStale removes what an earlier run left in dir: downloads cut short by
// a crash or a quit. A day's grace keeps a download another instance of the
// same program is making right now.
func cleanStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), stagePrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// executablePath is the running program's real path: an update replaces
// the file, not a symlink to it.
func executablePath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating this program: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", fmt.Errorf("locating this program: %w", err)
	}
	return exe, nil
}

// exeMode is the mode the new executable gets: the running one's.
func exeMode(exe string) (fs.FileMode, error) {
	st, err := os.Stat(exe)
	if err != nil {
		return 0, fmt.Errorf("reading this program's mode: %w", err)
	}
	return st.Mode().Perm(), nil
}
