package folders

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// QuickstartName is the onboarding folder's name in Documents.
const QuickstartName = "Archivist Quickstart"

const welcomeText = `Welcome to Archivist!

This folder is watched: everything you put here is backed up automatically.

How it works:
  * When a file is added or changed, Archivist stores it on your own node,
    addressed by its content (a CID, a fingerprint of the bytes), so the
    same file is never stored twice.
  * When you pair a backup device (Devices → Add Device), each change is
    sent to it over an encrypted peer-to-peer connection. No cloud in
    between.

Next steps:
  1. Drop a few files into this folder and watch them appear on the
     Backups page.
  2. Add the folders you care about (Backups → Add Folder).
  3. Pair your backup machine so your files live in two places.

You can delete this file; Archivist will not recreate it.
`

// Quickstart creates "Archivist Quickstart" in the user's Documents folder
// with a welcome file (written only when missing) and watches it; a
// folder already watched is returned as it is.
func (s *Service) Quickstart(ctx context.Context) (Folder, error) {
	docs, err := s.opts.Documents()
	if err != nil {
		return Folder{}, err
	}
	dir := filepath.Join(docs, QuickstartName)
	s.mu.Lock()
	for id, f := range s.folders {
		if f.rec.Path == dir {
			out := s.folderLocked(id)
			s.mu.Unlock()
			return out, nil
		}
	}
	s.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Folder{}, fmt.Errorf("creating %s: %w", dir, err)
	}
	welcome := filepath.Join(dir, "welcome.txt")
	fh, err := os.OpenFile(welcome, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	switch {
	case errors.Is(err, fs.ErrExist):
	case err != nil:
		return Folder{}, fmt.Errorf("writing %s: %w", welcome, err)
	default:
		_, werr := fh.WriteString(welcomeText)
		if err := errors.Join(werr, fh.Close()); err != nil {
			return Folder{}, fmt.Errorf("writing %s: %w", welcome, err)
		}
	}
	return s.Add(ctx, dir)
}

// DocumentsDir is the user's Documents folder: on Linux the XDG user
// directory (user-dirs.dirs), elsewhere and as the fallback ~/Documents.
func DocumentsDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("Could not find Documents directory: %w", err)
	}
	if runtime.GOOS == "linux" {
		if d := xdgDocuments(home); d != "" {
			return d, nil
		}
	}
	return filepath.Join(home, "Documents"), nil
}

// xdgDocuments reads XDG_DOCUMENTS_DIR from user-dirs.dirs ("" when not
// set there).
func xdgDocuments(home string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	fh, err := os.Open(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || k != "XDG_DOCUMENTS_DIR" {
			continue
		}
		v = strings.Trim(v, `"`)
		v = strings.Replace(v, "$HOME", home, 1)
		if filepath.IsAbs(v) && filepath.Clean(v) != filepath.Clean(home) {
			return filepath.Clean(v)
		}
	}
	return ""
}
