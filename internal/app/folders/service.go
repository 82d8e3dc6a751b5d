package folders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/progress"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/ignore"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Options configure a Service. Zero durations take the defaults noted.
type Options struct {
	DB     *bolt.DB
	Node   func() (*nodeclient.Client, error)
	Config func() config.Config
	Bus    *events.Bus // nil publishes nothing
	Log    *slog.Logger

	// Settle is how long a file must be left alone before it is uploaded
	// (500 ms).
	Settle time.Duration
	// Quiet is how long a folder must be without changes for its pending
	// changes to be published in a manifest below the threshold (250 ms).
	Quiet time.Duration
	// ManifestInterval is the least time between two manifests of a
	// folder (2 s).
	ManifestInterval time.Duration
	// Workers bounds the concurrent uploads (8). Small files are
	// bound by the syncs of their commits, which the node shares between
	// the commits that arrive together: 8 at once back up 10,000 small
	// files a third faster than 3 (bench/syncbench).
	Workers int
	// RetryBase and RetryMax bound the backoff of failed uploads (5 s,
	// 10 min).
	RetryBase, RetryMax time.Duration
	// OnManifest is called after a folder published a manifest.
	OnManifest func(folderID string, sequence uint64)
	// Documents locates the user's Documents folder (DocumentsDir).
	Documents func() (string, error)
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Settle, 500*time.Millisecond)
	def(&o.Quiet, 250*time.Millisecond)
	def(&o.ManifestInterval, 2*time.Second)
	def(&o.RetryBase, 5*time.Second)
	def(&o.RetryMax, 10*time.Minute)
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Documents == nil {
		o.Documents = DocumentsDir
	}
}

// Service is the folder sync service. The mutex guards everything in
// memory; the database has its own transactions, and every write that
// depends on a folder existing checks it inside its transaction, so a
// folder removed while one of its files uploads is not resurrected.
type Service struct {
	opts Options
	db   *bolt.DB
	log  *slog.Logger

	mu      sync.Mutex
	folders map[string]*folder
	q       queue
	uploads map[jobKey]*inflight
	paused  bool
	recent  []RecentUpload
	rate    progress.Rate
	changed bool // the state changed since it was last published

	wake    chan struct{} // a job may have become ready
	watch   *watcher
	ctx     context.Context // Run's; nil before Run
	scanWG  sync.WaitGroup
	peerID  string // the node's, cached for manifests
	stateCh chan struct{}
}

// folder is a watched folder's state in memory.
type folder struct {
	rec     record
	matcher *ignore.Matcher
	// ignoreErr is why the folder's ignore file could not be used.
	ignoreErr string
	err       string // why the folder cannot be synced now ("" when it can)

	scanning, rescan bool
	watchLimited     bool

	indexFiles int // entries in the index
	indexBytes int64

	lastChange      time.Time // last index change or queued file
	lastManifestTry time.Time

	pendingRetry bool
	notifyError  string
}

// New opens the service's buckets and loads the watched folders.
func New(opts Options) (*Service, error) {
	if opts.DB == nil || opts.Node == nil || opts.Config == nil {
		return nil, errors.New("folders: a database, a node and a config are required")
	}
	opts.defaults()
	if err := initBuckets(opts.DB); err != nil {
		return nil, err
	}
	s := &Service{
		opts:    opts,
		db:      opts.DB,
		log:     opts.Log,
		folders: map[string]*folder{},
		uploads: map[jobKey]*inflight{},
		wake:    make(chan struct{}, 1),
		stateCh: make(chan struct{}, 1),
		paused:  loadPaused(opts.DB),
	}
	s.q.init()
	recs, err := loadRecords(opts.DB)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		f := &folder{rec: r}
		idx, err := loadIndex(opts.DB, r.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range idx {
			f.indexFiles++
			f.indexBytes += e.Size
		}
		s.folders[r.ID] = f
	}
	return s, nil
}

// Run watches and uploads until ctx ends: it scans every enabled folder,
// then keeps the watcher, the upload workers, the periodic rescan and the
// manifest publisher going.
func (s *Service) Run(ctx context.Context) {
	w, err := newWatcher(s)
	if err != nil {
		s.log.Warn("no file system watcher; changes are found by the periodic rescan only", "err", err)
	}
	s.mu.Lock()
	s.ctx = ctx
	s.watch = w
	ids := s.enabledIDs()
	s.mu.Unlock()

	var wg sync.WaitGroup
	if w != nil {
		wg.Add(1)
		go func() { defer wg.Done(); w.run(ctx) }()
	}
	for range s.opts.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); s.worker(ctx) }()
	}
	wg.Add(2)
	go func() { defer wg.Done(); s.tick(ctx) }()
	go func() { defer wg.Done(); s.publishState(ctx) }()
	for _, id := range ids {
		s.startScan(id)
	}
	<-ctx.Done()
	wg.Wait()
	s.scanWG.Wait()
	if w != nil {
		w.close()
	}
}

func (s *Service) enabledIDs() []string {
	var ids []string
	for id, f := range s.folders {
		if f.rec.Enabled {
			ids = append(ids, id)
		}
	}
	return ids
}

// tick runs the periodic work: manifests five times a second (a new file's
// manifest should not wait long), a rescan of every folder at the
// configured interval.
func (s *Service) tick(ctx context.Context) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	lastRescan := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.publishDue(ctx)
		cfg := s.opts.Config().Sync
		interval := time.Duration(cfg.SyncIntervalSeconds) * time.Second
		if cfg.AutoSync && interval > 0 && time.Since(lastRescan) >= interval {
			lastRescan = time.Now()
			s.RescanAll()
		}
		s.mu.Lock()
		if s.q.retryDue(time.Now()) {
			s.signal()
		}
		s.mu.Unlock()
	}
}

// Add starts watching the directory at path.
func (s *Service) Add(ctx context.Context, path string) (Folder, error) {
	path, err := checkFolderPath(path)
	if err != nil {
		return Folder{}, err
	}
	s.mu.Lock()
	for _, f := range s.folders {
		if err := overlap(f.rec.Path, path); err != nil {
			s.mu.Unlock()
			return Folder{}, err
		}
	}
	s.mu.Unlock()
	r := record{ID: uuid.NewString(), Path: path, Enabled: true, AddedAt: time.Now().UTC()}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var old removedPath
		if ok, err := state.GetJSON(tx.Bucket(bucketPaths), []byte(path), &old); err != nil {
			return err
		} else if ok {
			r.ID, r.Sequence = old.ID, old.Sequence
			if err := tx.Bucket(bucketPaths).Delete([]byte(path)); err != nil {
				return err
			}
		}
		return state.PutJSON(tx.Bucket(bucketFolders), []byte(r.ID), r)
	})
	if err != nil {
		return Folder{}, err
	}
	s.mu.Lock()
	s.folders[r.ID] = &folder{rec: r}
	f := s.folderLocked(r.ID)
	s.mu.Unlock()
	s.log.Info("watching folder", "folder", r.ID, "path", path)
	s.startScan(r.ID)
	s.stateChanged()
	return f, nil
}

// checkFolderPath cleans path and checks that it is a directory. A leading
// "~" is the home directory, as the UI's path completion offers it.
func checkFolderPath(path string) (string, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", invalidf("no folder given")
	}
	if path == "~" || strings.HasPrefix(path, "~/") || strings.HasPrefix(path, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", invalidf("cannot expand ~: %v", err)
		}
		path = home + path[1:]
	}
	if !filepath.IsAbs(path) {
		return "", invalidf("%q is not an absolute path: give the full path of the folder", path)
	}
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", invalidf("File not found: %s", path)
	}
	if err != nil {
		return "", invalidf("cannot read %s: %v", path, err)
	}
	if !fi.IsDir() {
		return "", invalidf("%s is a file, not a folder", path)
	}
	return path, nil
}

// overlap refuses a folder inside (or around) one already watched: its
// files would be uploaded and published twice.
func overlap(have, add string) error {
	switch {
	case have == add:
		return invalidf("Folder already being watched: %s", add)
	case within(add, have):
		return invalidf("%s is inside the watched folder %s", add, have)
	case within(have, add):
		return invalidf("%s contains the watched folder %s: remove that one first", add, have)
	}
	return nil
}

// within reports whether path is strictly inside dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Remove stops watching a folder. Nothing is deleted from disk or from the
// node; the folder's ID and sequence are remembered for a re-add.
func (s *Service) Remove(id string) error {
	s.mu.Lock()
	f, ok := s.folders[id]
	if !ok {
		s.mu.Unlock()
		return ErrNoFolder
	}
	delete(s.folders, id)
	s.q.dropFolder(id)
	if s.watch != nil {
		s.watch.removeTree(f.rec.Path)
	}
	s.mu.Unlock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		var r record
		if _, err := state.GetJSON(tx.Bucket(bucketFolders), []byte(id), &r); err != nil {
			return err
		}
		if err := state.PutJSON(tx.Bucket(bucketPaths), []byte(r.Path), removedPath{ID: id, Sequence: r.Sequence}); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketIndex, bucketTombs, bucketManifests} {
			if err := tx.Bucket(b).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
		}
		return tx.Bucket(bucketFolders).Delete([]byte(id))
	})
	s.log.Info("stopped watching folder", "folder", id, "path", f.rec.Path)
	s.stateChanged()
	return err
}

// SetEnabled pauses or resumes one folder. Disabling drops its queued
// uploads; enabling scans it, which queues what changed meanwhile.
func (s *Service) SetEnabled(id string, enabled bool) (Folder, error) {
	r, err := updateRecord(s.db, id, func(r *record) { r.Enabled = enabled })
	if err != nil {
		return Folder{}, err
	}
	s.mu.Lock()
	f, ok := s.folders[id]
	if !ok {
		s.mu.Unlock()
		return Folder{}, ErrNoFolder
	}
	f.rec = r
	if !enabled {
		s.q.dropFolder(id)
	}
	out := s.folderLocked(id)
	s.mu.Unlock()
	if enabled {
		s.startScan(id)
	}
	s.stateChanged()
	return out, nil
}

// Pause stops uploads (persisted); the queue is kept.
func (s *Service) Pause() error { return s.setPaused(true) }

// Resume lets uploads go on.
func (s *Service) Resume() error { return s.setPaused(false) }

func (s *Service) setPaused(p bool) error {
	if err := savePaused(s.db, p); err != nil {
		return err
	}
	s.mu.Lock()
	s.paused = p
	s.signal()
	s.mu.Unlock()
	s.stateChanged()
	return nil
}

// RescanAll scans every enabled folder ("Sync Now").
func (s *Service) RescanAll() {
	s.mu.Lock()
	ids := s.enabledIDs()
	s.mu.Unlock()
	for _, id := range ids {
		s.startScan(id)
	}
}

// Rescan scans one folder.
func (s *Service) Rescan(id string) error {
	s.mu.Lock()
	f, ok := s.folders[id]
	s.mu.Unlock()
	if !ok {
		return ErrNoFolder
	}
	if !f.rec.Enabled {
		return invalidf("the folder is paused: enable it to scan it")
	}
	s.startScan(id)
	return nil
}

// Retry makes the folder's failed uploads due now.
func (s *Service) Retry(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.folders[id]; !ok {
		return ErrNoFolder
	}
	s.q.retryNow(id)
	s.signal()
	return nil
}

// signal wakes a worker; s.mu held or not, it never blocks.
func (s *Service) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// InvalidError is a request the service refuses (the UI shows its text).
type InvalidError struct{ msg string }

func (e *InvalidError) Error() string { return e.msg }

func invalidf(format string, args ...any) error {
	return &InvalidError{msg: fmt.Sprintf(format, args...)}
}
