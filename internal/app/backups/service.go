package backups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
	"github.com/archivist-desktop/archivist/internal/progress"
)

// Options configure a Service.
type Options struct {
	DB     *bolt.DB
	Node   func() (*nodeclient.Client, error)
	Link   *link.Service
	Config *config.Store
	// Connect dials a source's node by its peer ID (the devices service,
	// which knows its addresses); failures are not fatal, as the node may
	// find the content through discovery.
	Connect func(ctx context.Context, nodePeerID string) error
	Bus     *events.Bus
	Log     *slog.Logger
	// RetryBase is the wait before a failed manifest is tried again (30 s
	// when zero), doubled per attempt up to RetryMax (1 h when zero).
	RetryBase, RetryMax time.Duration
	// FileRetryBase is the wait before a file is fetched again within a
	// manifest's attempt (1 s when zero).
	FileRetryBase time.Duration
	// StallTimeout ends a file's transfer that moved no byte for this long
	// (60 s when zero).
	StallTimeout time.Duration
	// DiskFree reads a directory's free space, to tell a full disk from a
	// network failure (paths.DiskFree when nil).
	DiskFree func(dir string) (uint64, error)
	// SweepEvery is the least time between two sweeps (a minute when
	// zero): a sweep reads every kept manifest.
	SweepEvery time.Duration
}

// Event types published on the bus.
const (
	EventState   = "backup-server-state"
	EventRestore = "restore-progress"
)

// Modes of the daemon.
const (
	ModeDisabled = "disabled"
	ModePaused   = "paused"
	ModeRunning  = "running"
)

// Service is the backup server.
type Service struct {
	opts Options
	db   *bolt.DB
	log  *slog.Logger
	wake chan string // a source's device ID, or "" for all; never blocks (see poke)

	mu       sync.Mutex
	busy     map[string]bool      // sources with a cycle in flight
	again    map[string]bool      // woken during its cycle: run once more
	live     map[string]*Manifest // manifests being processed, by key
	pinned   map[string][]string  // CIDs the manifests being processed rely on
	gen      uint64               // counts completed manifests, for the sweep
	rate     progress.Rate
	polling  int // sources being polled now
	restores *restores
	gcWanted chan struct{}
	emit     *time.Timer // pending throttled state event

	// gcMu orders the sweep against a manifest deciding which files it
	// already has: a file counted as present is pinned before the sweep
	// may look at it.
	gcMu sync.RWMutex

	wg sync.WaitGroup
}

// New opens the service's state. Manifests left "downloading" by a crash
// are processed again on the next cycle, without fetching what arrived.
func New(opts Options) (*Service, error) {
	if opts.DB == nil || opts.Node == nil || opts.Link == nil || opts.Config == nil {
		return nil, errors.New("backups: missing options")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Connect == nil {
		opts.Connect = func(context.Context, string) error { return nil }
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 30 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Hour
	}
	if opts.FileRetryBase <= 0 {
		opts.FileRetryBase = time.Second
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = time.Minute
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = time.Minute
	}
	if opts.DiskFree == nil {
		opts.DiskFree = paths.DiskFree
	}
	if err := initBuckets(opts.DB); err != nil {
		return nil, err
	}
	return &Service{
		opts: opts, db: opts.DB, log: opts.Log,
		wake:     make(chan string, 64),
		busy:     map[string]bool{},
		again:    map[string]bool{},
		live:     map[string]*Manifest{},
		pinned:   map[string][]string{},
		restores: newRestores(),
		gcWanted: make(chan struct{}, 1),
	}, nil
}

func (s *Service) config() config.BackupServerConfig { return s.opts.Config.Get().BackupServer }

// Mode is the daemon's mode: disabled (backup_server.enabled off), paused
// (persisted here) or running.
func (s *Service) Mode() string {
	if !s.config().Enabled {
		return ModeDisabled
	}
	if s.paused() {
		return ModePaused
	}
	return ModeRunning
}

func (s *Service) paused() bool {
	var p bool
	s.db.View(func(tx *bolt.Tx) error {
		p = tx.Bucket(bucketMeta).Get(keyPaused) != nil
		return nil
	})
	return p
}

func (s *Service) setPaused(p bool) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if p {
			return tx.Bucket(bucketMeta).Put(keyPaused, []byte("1"))
		}
		return tx.Bucket(bucketMeta).Delete(keyPaused)
	})
	if err != nil {
		return fmt.Errorf("backups: saving the pause: %w", err)
	}
	s.stateChanged()
	return nil
}

// Enable turns the backup server on (backup_server.enabled) and unpauses it.
func (s *Service) Enable() error {
	if err := s.setPaused(false); err != nil {
		return err
	}
	_, err := s.opts.Config.Update(func(c *config.Config) error { c.BackupServer.Enabled = true; return nil })
	s.poke("")
	return err
}

// Disable turns the backup server off; work in flight stops at the next
// file. Its backups stay and can be restored.
func (s *Service) Disable() error {
	_, err := s.opts.Config.Update(func(c *config.Config) error { c.BackupServer.Enabled = false; return nil })
	return err
}

// Pause stops processing until Resume, across restarts.
func (s *Service) Pause() error { return s.setPaused(true) }

// Resume undoes Pause and polls at once.
func (s *Service) Resume() error {
	if err := s.setPaused(false); err != nil {
		return err
	}
	s.poke("")
	return nil
}

// Trigger is the link's hook: a paired source has a new manifest.
func (s *Service) Trigger(from link.Peer) { s.poke(from.Device.String()) }

// PollNow polls every source at once.
func (s *Service) PollNow() { s.poke("") }

// poke wakes the loop without ever blocking: a full channel already holds
// a wake-up, and every wake-up polls the source it names again.
func (s *Service) poke(device string) {
	select {
	case s.wake <- device:
	default:
	}
}

// Run is the daemon: it polls the sources on the poll interval, on
// triggers and when a retry is due, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	changes, unsubscribe := s.opts.Config.Subscribe()
	defer unsubscribe()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sweeper(ctx)
	}()
	defer s.wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		only := ""
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case only = <-s.wake:
		case ch := <-changes:
			if reflect.DeepEqual(ch.Old.BackupServer, ch.New.BackupServer) {
				continue
			}
			s.stateChanged()
		}
		if s.Mode() == ModeRunning {
			s.pollSources(ctx, only)
		}
		timer.Reset(s.nextWake())
	}
}

// nextWake is the time to the next poll or due retry.
func (s *Service) nextWake() time.Duration {
	wait := time.Duration(s.config().PollIntervalSecs) * time.Second
	now := time.Now()
	s.db.View(func(tx *bolt.Tx) error {
		return allManifests(tx, func(m Manifest) error {
			if m.Status == StatusFailed && !m.NextRetry.IsZero() {
				wait = min(wait, max(m.NextRetry.Sub(now), 100*time.Millisecond))
			}
			return nil
		})
	})
	return wait
}

// pollSources starts a cycle for every paired device (or the one named)
// that has none in flight; one in flight runs once more when it ends.
func (s *Service) pollSources(ctx context.Context, only string) {
	peers, err := s.opts.Link.Paired()
	if err != nil {
		s.log.Warn("listing the paired devices", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range peers {
		dev := p.Device.String()
		if only != "" && dev != only {
			continue
		}
		if s.busy[dev] {
			s.again[dev] = true
			continue
		}
		s.busy[dev] = true
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				s.cycle(ctx, p)
				s.mu.Lock()
				again := s.again[dev] && ctx.Err() == nil && s.Mode() == ModeRunning
				delete(s.again, dev)
				if !again {
					delete(s.busy, dev)
				}
				s.mu.Unlock()
				if !again {
					return
				}
			}
		}()
	}
}

// errStopped ends a cycle: the daemon was paused or disabled, or the app
// is closing. The manifest in hand stays where it was, to resume.
var errStopped = errors.New("the backup server stopped")

// stopped reports whether work should stop now.
func (s *Service) stopped(ctx context.Context) bool {
	return ctx.Err() != nil || s.Mode() != ModeRunning
}
