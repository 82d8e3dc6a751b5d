package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

var (
	// ErrBroken is returned by Store.Update while the file on disk could not
	// be loaded. The error also wraps the *LoadError.
	ErrBroken = errors.New("the config file could not be loaded, so it is not overwritten: fix it and reload, or reset to defaults")
	// ErrChangedOnDisk is returned by Store.Update when someone edited the
	// file since the store read or wrote it; saving would discard the edit.
	ErrChangedOnDisk = errors.New("the config file was changed outside the app: reload it before saving")
)

// Store owns the configuration of a running app and its file. One mutex
// guards everything, including the write, so updates are applied, saved and
// announced in one order.
type Store struct {
	path     string
	defaults Config

	mu     sync.Mutex
	cur    Config
	broken *LoadError
	disk   []byte // the file as last read or written by the store; nil if absent
	subs   map[chan Changes]struct{}
}

// Open loads path into a new Store. On a *LoadError the store is returned
// too, holding defaults and in the broken state, so the app can start, show
// the error and offer Reload or ResetToDefaults. Invalid defaults are a
// programming error and return no store.
func Open(path string, defaults Config) (*Store, error) {
	defaults = defaults.Clone()
	if err := defaults.Validate(); err != nil {
		return nil, fmt.Errorf("config: invalid defaults: %w", err)
	}
	s := &Store{path: path, defaults: defaults, cur: defaults.Clone(), subs: map[chan Changes]struct{}{}}
	cfg, data, err := loadFile(path, defaults)
	if err != nil {
		s.broken = err.(*LoadError)
		return s, err
	}
	s.cur, s.disk = cfg, data
	return s, nil
}

// Path is the config file's path.
func (s *Store) Path() string { return s.path }

// Get returns a copy of the current configuration.
func (s *Store) Get() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.Clone()
}

// Broken returns why the file on disk could not be loaded, or nil. While it
// is non-nil the app runs on the configuration it had (defaults, after Open)
// and Update refuses to save.
func (s *Store) Broken() *LoadError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

// Update applies fn to a copy of the configuration, validates the result,
// saves it and tells subscribers what changed. If fn fails, validation fails
// or the file cannot be written, nothing changes. fn runs with the store
// locked and must not call the store.
func (s *Store) Update(fn func(*Config) error) (Changes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return Changes{}, fmt.Errorf("%w: %w", ErrBroken, s.broken)
	}
	next := s.cur.Clone()
	if err := fn(&next); err != nil {
		return Changes{}, err
	}
	next = next.Clone()
	if err := next.Validate(); err != nil {
		return Changes{}, err
	}
	if err := s.checkDisk(); err != nil {
		return Changes{}, err
	}
	return s.save(next)
}

// Save replaces the whole configuration, as the Settings page does; it is
// Update with a function that assigns c.
func (s *Store) Save(c Config) (Changes, error) {
	return s.Update(func(cur *Config) error {
		*cur = c.Clone()
		return nil
	})
}

// save writes c and makes it current. Callers hold s.mu.
func (s *Store) save(c Config) (Changes, error) {
	data, err := Encode(c)
	if err != nil {
		return Changes{}, err
	}
	if err := writeFile(s.path, data); err != nil {
		return Changes{}, fmt.Errorf("saving %s: %w", s.path, err)
	}
	s.disk = data
	ch := newChanges(s.cur, c)
	s.cur = c.Clone()
	s.publish(ch)
	return ch, nil
}

// checkDisk refuses to save over edits made to the file since the store last
// read or wrote it. A file deleted meanwhile holds nothing to lose.
func (s *Store) checkDisk() error {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s before saving: %w", s.path, err)
	}
	if s.disk == nil || !bytes.Equal(data, s.disk) {
		return fmt.Errorf("%s: %w", s.path, ErrChangedOnDisk)
	}
	return nil
}

// Reload reads the file again: after the user fixed a broken file by hand, or
// edited a healthy one. If the file is still (or now) bad, the store becomes
// broken, keeps the configuration it runs on and returns the *LoadError.
func (s *Store) Reload() (Changes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, data, err := loadFile(s.path, s.defaults)
	if err != nil {
		s.broken = err.(*LoadError)
		return Changes{}, err
	}
	s.broken, s.disk = nil, data
	ch := newChanges(s.cur, cfg)
	s.cur = cfg
	s.publish(ch)
	return ch, nil
}

// ResetToDefaults saves the defaults. A file the store cannot vouch for (a
// broken one, or one edited since the store read it) is first renamed to
// <path>.broken-<UTC time>, returned as keptAs, so whatever the user wrote
// survives for them to copy from; the app's own file is simply replaced.
func (s *Store) ResetToDefaults() (ch Changes, keptAs string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil || s.checkDisk() != nil {
		_, err := os.Lstat(s.path)
		switch {
		case err == nil:
			if keptAs, err = moveAside(s.path); err != nil {
				return Changes{}, "", fmt.Errorf("keeping %s: %w", s.path, err)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return Changes{}, "", fmt.Errorf("keeping %s: %w", s.path, err)
		}
		// Nothing left at path to protect.
		s.broken, s.disk = nil, nil
	}
	ch, err = s.save(s.defaults.Clone())
	return ch, keptAs, err
}

// moveAside renames path to a name no earlier reset used: renaming over an
// older copy would lose it (and fails on Windows).
func moveAside(path string) (string, error) {
	base := path + ".broken-" + time.Now().UTC().Format("20060102-150405")
	dst := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", err
	}
	return dst, syncDir(filepath.Dir(path))
}
