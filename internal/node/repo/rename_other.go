//go:build !linux

package repo

import (
	"errors"
	"io/fs"
	"os"
)

// renameNoReplace moves a finished temp file into place unless a file is
// already there, returning an error matching fs.ErrExist in that case.
// Replacing would swap a block that another batch has already synced and
// committed for an unsynced copy that a crash could lose. A hard link is
// the portable way to fail on an existing name.
func renameNoReplace(from, to string) error {
	err := os.Link(from, to)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		// No hard links on this file system (FAT): the earlier existence
		// check in writeBlockFile has to do.
		return os.Rename(from, to)
	}
	return os.Remove(from)
}
