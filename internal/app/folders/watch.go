package folders

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/archivist-desktop/archivist/internal/app/ignore"
)

// coalesce is how long a path's events are gathered before it is checked:
// an editor's save is several events, one check is enough.
const coalesce = 200 * time.Millisecond

// watcher turns file system events into checks of the paths they name.
// Directories are watched one by one (the OS watchers are not recursive);
// the scans add them as they walk. Lock order: Service.mu before
// watcher.mu, never the reverse.
type watcher struct {
	s *Service
	w *fsnotify.Watcher

	mu    sync.Mutex
	dirs  map[string]string    // watched directory → folder ID
	dirty map[jobKey]time.Time // path → its last event
}

func newWatcher(s *Service) (*watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	return &watcher{s: s, w: w, dirs: map[string]string{}, dirty: map[jobKey]time.Time{}}, nil
}

func (w *watcher) close() { w.w.Close() }

// watchDir watches one directory of a folder, unless auto-sync is off.
// Hitting the OS limit marks the folder: its changes are then found by the
// periodic rescan only, and the UI says so.
func (s *Service) watchDir(id, dir string) {
	s.mu.Lock()
	w := s.watch
	s.mu.Unlock()
	if w == nil || !s.opts.Config().Sync.AutoSync {
		return
	}
	w.mu.Lock()
	_, have := w.dirs[dir]
	w.mu.Unlock()
	if have {
		return
	}
	err := w.w.Add(dir)
	switch {
	case err == nil:
		w.mu.Lock()
		w.dirs[dir] = id
		w.mu.Unlock()
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE):
		s.mu.Lock()
		f := s.folders[id]
		first := f != nil && !f.watchLimited
		if f != nil {
			f.watchLimited = true
		}
		s.mu.Unlock()
		if first {
			s.log.Warn("the system's limit of watched folders is reached; changes in this folder are found by the periodic rescan only (on Linux, raise fs.inotify.max_user_watches)", "folder", id, "err", err)
			s.stateChanged()
		}
	case errors.Is(err, fsnotify.ErrClosed):
	default:
		s.log.Debug("cannot watch a directory", "dir", dir, "err", err)
	}
}

// removeTree stops watching dir and everything under it.
func (w *watcher) removeTree(dir string) {
	w.mu.Lock()
	var drop []string
	for d := range w.dirs {
		if d == dir || strings.HasPrefix(d, dir+string(filepath.Separator)) {
			drop = append(drop, d)
			delete(w.dirs, d)
		}
	}
	w.mu.Unlock()
	for _, d := range drop {
		w.w.Remove(d)
	}
}

// run receives events and checks the paths once their events stopped for
// a moment.
func (w *watcher) run(ctx context.Context) {
	t := time.NewTicker(coalesce)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			w.event(ev)
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: only a full scan knows what changed.
				w.s.log.Warn("file system events were lost; rescanning every folder")
				w.s.RescanAll()
			} else {
				w.s.log.Debug("file system watcher", "err", err)
			}
		case now := <-t.C:
			w.flush(now)
		}
	}
}

// event marks the path an event names as dirty.
func (w *watcher) event(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return // permission changes do not change content
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.dirs[filepath.Dir(ev.Name)]
	if !ok {
		if id, ok = w.dirs[ev.Name]; !ok {
			return
		}
	}
	w.dirty[jobKey{id, ev.Name}] = time.Now()
}

// flush checks the paths whose events have stopped.
func (w *watcher) flush(now time.Time) {
	w.mu.Lock()
	var due []jobKey
	for k, at := range w.dirty {
		if now.Sub(at) >= coalesce {
			due = append(due, k)
			delete(w.dirty, k)
		}
	}
	w.mu.Unlock()
	for _, k := range due {
		w.s.check(k.folder, k.rel)
	}
}

// check looks at one path an event named (absolute) and brings the index
// up to date with it: queue a changed file, scan a new directory, record a
// deletion.
func (s *Service) check(id, abs string) {
	s.mu.Lock()
	f := s.folders[id]
	if f == nil || !f.rec.Enabled {
		s.mu.Unlock()
		return
	}
	root, m := f.rec.Path, f.matcher
	s.mu.Unlock()
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return
	}
	rel = filepath.ToSlash(rel)
	if rel == "." || rel == ignore.FileName || m == nil {
		// The folder itself, or its rules changed: only a scan can say
		// what that means.
		s.startScan(id)
		return
	}
	fi, err := os.Lstat(abs)
	if errors.Is(err, os.ErrNotExist) {
		if s.watch != nil {
			s.watch.removeTree(abs)
		}
		s.gone(id, rel)
		return
	}
	if err != nil || skipNow(m, rel) {
		return
	}
	switch {
	case fi.IsDir():
		s.scanTree(id, rel)
	case fi.Mode().IsRegular():
		e, indexed, err := getEntry(s.db, id, rel)
		if err != nil {
			s.log.Warn("reading the index", "folder", id, "path", rel, "err", err)
			return
		}
		s.consider(id, rel, e, indexed, fi, time.Now())
		s.stateChanged()
	}
}
