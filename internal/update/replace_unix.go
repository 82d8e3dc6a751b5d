//go:build !windows

package update

import (
	"fmt"
	"io"
	"os"
)

// replaceExe keeps a hard link of exe as exe.old (a copy where the file
// system has no hard links), then renames staged over exe: on Unix a rename
// atomically replaces the name while the running program keeps its inode,
// so at every moment exe is either the whole old or the whole new program.
func replaceExe(exe, staged string) error {
	old := exe + OldSuffix
	tmp := old + ".tmp"
	os.Remove(tmp)
	if err := os.Link(exe, tmp); err != nil {
		if err := copyFile(exe, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("keeping the current version: %w", err)
		}
	}
	if err := os.Rename(tmp, old); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keeping the current version: %w", err)
	}
	return os.Rename(staged, exe)
}

// restoreOld renames exe.old over exe, atomically.
func restoreOld(exe string) error {
	return os.Rename(exe+OldSuffix, exe)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
