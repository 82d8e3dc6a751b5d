package repo

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace moves a finished temp file into place unless a file is
// already there, returning an error matching fs.ErrExist in that case.
// Replacing would swap a block that another batch has already synced and
// committed for an unsynced copy that a crash could lose.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		// File system without RENAME_NOREPLACE: the earlier existence check
		// in writeBlockFile has to do.
		return os.Rename(from, to)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
