package folders

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/ignore"
)

// startScan scans a folder in the background; a scan asked for while one
// runs makes that one run again when it ends.
func (s *Service) startScan(id string) {
	s.mu.Lock()
	f := s.folders[id]
	if f == nil || !f.rec.Enabled || s.ctx == nil {
		s.mu.Unlock()
		return
	}
	if f.scanning {
		f.rescan = true
		s.mu.Unlock()
		return
	}
	f.scanning = true
	s.scanWG.Add(1)
	s.mu.Unlock()
	s.stateChanged()
	go func() {
		defer s.scanWG.Done()
		for {
			s.scan(id)
			s.mu.Lock()
			f := s.folders[id]
			again := f != nil && f.rescan && s.ctx.Err() == nil
			if f != nil {
				f.rescan = false
				f.scanning = again
			}
			s.mu.Unlock()
			s.stateChanged()
			if !again {
				return
			}
		}
	}()
}

// matcher compiles the folder's ignore rules: the config's exclude
// patterns, then the folder's own ignore file.
func (s *Service) matcher(root string) (*ignore.Matcher, error) {
	srcs := []ignore.Source{{Name: "sync.exclude_patterns", Lines: s.opts.Config().Sync.ExcludePatterns}}
	data, err := os.ReadFile(filepath.Join(root, ignore.FileName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", ignore.FileName, err)
	default:
		src, err := ignore.ParseFile(ignore.FileName, data)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
	}
	return ignore.New(srcs...)
}

// skip reports whether a file or directory is left out of the backup.
func skip(m *ignore.Matcher, rel string, isDir bool) bool {
	return ignore.Builtin(filepath.Base(rel)) || m.Match(rel, isDir)
}

// scan compares the folder's files with its index: changed and new files
// are queued, files gone from disk become tombstones. A folder that is not
// there (an unplugged drive, a renamed folder) is an error, never a mass
// deletion.
func (s *Service) scan(id string) { s.scanTree(id, "") }

// scanTree scans the part of a folder under prefix (relative; "" for all).
func (s *Service) scanTree(id, prefix string) {
	s.mu.Lock()
	f := s.folders[id]
	if f == nil {
		s.mu.Unlock()
		return
	}
	root := f.rec.Path
	s.mu.Unlock()

	setErr := func(msg string) {
		s.mu.Lock()
		if f := s.folders[id]; f != nil {
			f.err = msg
		}
		s.mu.Unlock()
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		msg := fmt.Sprintf("the folder %s is not there (moved, renamed, or on a drive that is not connected); nothing is deleted from the backup", root)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("cannot read the folder %s: %v", root, err)
		}
		setErr(msg)
		return
	}
	m, err := s.matcher(root)
	if err != nil {
		setErr(fmt.Sprintf("the ignore rules are broken, so nothing is synced until they are fixed: %v", err))
		return
	}
	idx, err := loadIndex(s.db, id)
	if err != nil {
		setErr(err.Error())
		return
	}
	if prefix != "" {
		for k := range idx {
			if k != prefix && !strings.HasPrefix(k, prefix+"/") {
				delete(idx, k)
			}
		}
	}
	s.mu.Lock()
	if f := s.folders[id]; f != nil {
		f.matcher = m
		f.err = ""
	}
	s.mu.Unlock()

	seen := make(map[string]bool, len(idx))
	var walkErrs int
	now := time.Now()
	start := filepath.Join(root, filepath.FromSlash(prefix))
	err = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		rel, relErr := filepath.Rel(root, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == start {
				return err
			}
			walkErrs++
			s.log.Warn("cannot read a path in a watched folder", "folder", id, "path", rel, "err", err)
			// Unreadable: do not take what the index has under it for
			// deleted.
			markSeen(seen, idx, rel)
			return nil
		}
		if rel == "." {
			s.watchDir(id, p)
			return nil
		}
		isDir := d.IsDir()
		if skip(m, rel, isDir) {
			if isDir {
				return filepath.SkipDir
			}
			return nil
		}
		if isDir {
			s.watchDir(id, p)
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // links, devices, sockets: not backed up
		}
		fi, err := d.Info()
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				walkErrs++
				markSeen(seen, idx, rel)
			}
			return nil
		}
		seen[rel] = true
		s.consider(id, rel, idx[rel], idx[rel] != (entry{}), fi, now)
		return nil
	})
	if err != nil {
		if s.ctx.Err() == nil && prefix == "" {
			setErr(fmt.Sprintf("scanning %s: %v", root, err))
		}
		return
	}
	for rel := range idx {
		if !seen[rel] {
			// Check again: it may have been created since the walk passed.
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); errors.Is(err, fs.ErrNotExist) || skipNow(m, rel) {
				s.gone(id, rel)
			}
		}
	}
	if prefix != "" {
		s.signal()
		return
	}
	if _, err := updateRecord(s.db, id, func(r *record) { r.LastScan = time.Now().UTC() }); err == nil {
		s.mu.Lock()
		if f := s.folders[id]; f != nil {
			f.rec.LastScan = time.Now().UTC()
		}
		s.mu.Unlock()
	}
	if walkErrs > 0 {
		s.log.Warn("scan finished with unreadable paths", "folder", id, "unreadable", walkErrs)
	}
	s.signal()
}

// skipNow reports whether an indexed path is now excluded (a new ignore
// pattern): it leaves the backup like a deleted file.
func skipNow(m *ignore.Matcher, rel string) bool {
	parts := strings.Split(rel, "/")
	for i := range parts {
		if skip(m, strings.Join(parts[:i+1], "/"), i < len(parts)-1) {
			return true
		}
	}
	return false
}

// markSeen keeps the index entries at or under rel from being taken for
// deleted.
func markSeen(seen map[string]bool, idx map[string]entry, rel string) {
	prefix := rel + "/"
	for k := range idx {
		if k == rel || strings.HasPrefix(k, prefix) {
			seen[k] = true
		}
	}
}

// consider queues a file unless its index entry says it is uploaded as it
// is.
func (s *Service) consider(id, rel string, e entry, indexed bool, fi fs.FileInfo, now time.Time) {
	size, mod := fi.Size(), fi.ModTime().UnixNano()
	if !indexed {
		// A scan compares with the index as it was when its walk began.
		// During a big first backup the walk takes minutes and uploads
		// index files meanwhile: queued again as new, such a file was
		// counted twice (in the index and as a new file) until its
		// duplicate job drained, so the folder showed more files than it
		// has. One point lookup per file the snapshot did not know.
		if cur, ok, err := getEntry(s.db, id, rel); err == nil && ok {
			e, indexed = cur, true
		}
	}
	if indexed && e.matches(size, mod) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.folders[id]
	if f == nil || !f.rec.Enabled {
		return
	}
	// A file is stable since its last modification, when that is in the
	// past: a file closed just before its event was handled has already
	// waited that long.
	since := now
	if mt := fi.ModTime(); mt.Before(now) {
		since = mt
	}
	s.q.add(jobKey{id, rel}, size, mod, !indexed, since, since.Add(s.opts.Settle))
	f.lastChange = now
}
