package update

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

// EventState is the bus event carrying a State after every change.
const EventState = "update-state"

// DefaultInterval is how often a running app looks for a new release.
const DefaultInterval = 12 * time.Hour

// Options configure a Service.
type Options struct {
	// Current is the running version (buildinfo.Version).
	Current string
	// Platform is GOOS-GOARCH; empty: this binary's.
	Platform string
	// Executable is the file an update replaces; empty: this program.
	Executable string
	// Config is read for every check: whether checks run, and the feed.
	Config func() config.UpdatesConfig
	// Key verifies builds; nil: the project's release key. Tests set
	// their own.
	Key *minisign.PublicKey
	// Client fetches the feed and builds; nil: one that honours the
	// environment's proxy and refuses redirects to plain http.
	Client   *http.Client
	Interval time.Duration // 0: DefaultInterval
	Bus      *events.Bus   // may be nil
	Log      *slog.Logger
}

// Release is what the feed says about the newest release.
type Release struct {
	Version string    `json:"version"`
	Notes   string    `json:"notes"`
	PubDate time.Time `json:"pubDate"`
}

// State is what the UI and the CLI show. Times are nil until they happened.
type State struct {
	Enabled  bool   `json:"enabled"`
	FeedURL  string `json:"feedUrl"`
	Current  string `json:"current"`
	Platform string `json:"platform"`
	// DevelopmentBuild: not checked automatically (see DevelopmentBuild).
	DevelopmentBuild bool       `json:"developmentBuild"`
	Latest           *Release   `json:"latest"`
	Available        bool       `json:"available"` // Latest is newer and has a build for Platform
	CheckedAt        *time.Time `json:"checkedAt"`
	Checking         bool       `json:"checking"`
	Error            string     `json:"error"`
	Downloading      bool       `json:"downloading"`
	Downloaded       int64      `json:"downloaded"`
	Total            int64      `json:"total"`
	// Ready: a verified build of Latest is staged, waiting to be installed.
	Ready bool `json:"ready"`
	// Installed is the version put in place of the program; it runs from
	// the next start.
	Installed     string `json:"installed"`
	InstallOnQuit bool   `json:"installOnQuit"`
	RolledBack    bool   `json:"rolledBack"` // the previous version runs from the next start
	CanRollback   bool   `json:"canRollback"`
	Executable    string `json:"executable"`
}

// Service checks the feed, downloads, installs and rolls back.
type Service struct {
	opts Options
	kick chan struct{}

	op sync.Mutex // one check, download, install or rollback at a time

	mu        sync.Mutex
	st        State
	build     Build  // Latest's build for this platform, when Available
	staged    string // the verified download of build, when Ready
	lastEvent time.Time
}

// New returns a service; it does nothing until Run or a request.
func New(opts Options) (*Service, error) {
	if opts.Config == nil {
		return nil, errors.New("update: Options.Config is required")
	}
	if opts.Platform == "" {
		opts.Platform = Platform(runtime.GOOS, runtime.GOARCH)
	}
	if opts.Executable == "" {
		exe, err := executablePath()
		if err != nil {
			return nil, err
		}
		opts.Executable = exe
	}
	if opts.Key == nil {
		k := ReleaseKey()
		opts.Key = &k
	}
	if opts.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 30 * time.Second
		opts.Client = &http.Client{Transport: tr}
	}
	if opts.Client.CheckRedirect == nil {
		c := *opts.Client
		c.CheckRedirect = checkRedirect
		opts.Client = &c
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	s := &Service{opts: opts, kick: make(chan struct{}, 1)}
	s.st = State{
		Current:          opts.Current,
		Platform:         opts.Platform,
		DevelopmentBuild: DevelopmentBuild(opts.Current),
		Executable:       opts.Executable,
		CanRollback:      canRollback(opts.Executable),
	}
	return s, nil
}

// State returns the current state.
func (s *Service) State() State {
	cfg := s.opts.Config()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Enabled, st.FeedURL = cfg.Enabled, cfg.FeedURL
	if st.Latest != nil {
		l := *st.Latest
		st.Latest = &l
	}
	return st
}

// ConfigChanged tells Run that the [updates] settings changed: turning
// checks on, or pointing at another feed, checks at once.
func (s *Service) ConfigChanged() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run checks at start and every Interval while checks are enabled, until
// ctx ends. Development builds are only checked on demand. A failed check
// is retried sooner (retryAfter), since it says nothing about the feed.
func (s *Service) Run(ctx context.Context) {
	cleanStale(filepath.Dir(s.opts.Executable))
	force := true
	for {
		wait := s.opts.Interval
		if s.opts.Config().Enabled && !DevelopmentBuild(s.opts.Current) {
			last := s.State().CheckedAt
			if force || last == nil || time.Since(*last) >= wait {
				if _, err := s.Check(ctx); err != nil && ctx.Err() == nil {
					s.opts.Log.Info("update check failed", "err", err)
					wait = min(wait, retryAfter)
				}
			} else {
				wait -= time.Since(*last)
			}
		}
		force = false
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.kick:
			// Checks turned on, or another feed: worth a check now.
			force = true
		case <-t.C:
		}
		t.Stop()
	}
}

// retryAfter is when a failed automatic check is tried again.
const retryAfter = time.Hour

// Check reads the feed and records what it offers.
func (s *Service) Check(ctx context.Context) (State, error) {
	s.op.Lock()
	defer s.op.Unlock()
	cfg := s.opts.Config()
	s.update(func(st *State) { st.Checking = true }, true)
	feed, err := fetchFeed(ctx, s.opts.Client, cfg.FeedURL)
	now := time.Now().UTC()
	if err != nil {
		s.update(func(st *State) { st.Checking, st.Error, st.CheckedAt = false, err.Error(), &now }, true)
		return s.State(), err
	}
	b, hasBuild := feed.Platforms[s.opts.Platform]
	newer := Newer(feed.Version, s.baseline())
	s.mu.Lock()
	if s.staged != "" && (!newer || s.st.Latest == nil || s.st.Latest.Version != feed.Version || s.build != b) {
		// The feed moved on (or was withdrawn): the staged build is stale.
		os.Remove(s.staged)
		s.staged, s.st.Ready, s.st.InstallOnQuit = "", false, false
	}
	s.build = b
	s.mu.Unlock()
	var note string
	if newer && !hasBuild {
		note = fmt.Sprintf("version %s has no build for %s", feed.Version, s.opts.Platform)
	}
	s.update(func(st *State) {
		st.Checking, st.CheckedAt, st.Error = false, &now, note
		st.Latest = &Release{Version: feed.Version, Notes: feed.Notes, PubDate: feed.PubDate}
		st.Available = newer && hasBuild
	}, true)
	return s.State(), nil
}

// baseline is the version an update must beat: the running one, or the one
// already installed for the next start.
func (s *Service) baseline() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Installed != "" && Newer(s.st.Installed, s.opts.Current) {
		return s.st.Installed
	}
	return s.opts.Current
}

// When an update is installed.
const (
	WhenNow  = "now"
	WhenQuit = "quit"
)

// Install downloads and verifies the available update (unless it already
// is), then installs it now, or marks it to be installed when the app quits
// (see Quit).
func (s *Service) Install(ctx context.Context, when string) (State, error) {
	if when != WhenNow && when != WhenQuit {
		return s.State(), fmt.Errorf("%w: when must be %q or %q, not %q", ErrInvalidReq, WhenNow, WhenQuit, when)
	}
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	available, latest := s.st.Available, s.st.Latest
	s.mu.Unlock()
	// Checked again here, not only when the feed was read: an install
	// since then may have raised the baseline.
	if !available || latest == nil || !Newer(latest.Version, s.baseline()) {
		return s.State(), ErrNoUpdate
	}
	staged, err := s.stage(ctx, latest.Version)
	if err != nil {
		s.update(func(st *State) { st.Error = err.Error() }, true)
		return s.State(), err
	}
	if when == WhenQuit {
		s.update(func(st *State) { st.InstallOnQuit, st.Error = true, "" }, true)
		return s.State(), nil
	}
	if err := s.put(staged, latest.Version); err != nil {
		return s.State(), err
	}
	return s.State(), nil
}

// stage returns the verified download of version, downloading it first if
// needed. The caller holds op.
func (s *Service) stage(ctx context.Context, version string) (string, error) {
	s.mu.Lock()
	staged, b := s.staged, s.build
	s.mu.Unlock()
	if staged != "" {
		return staged, nil
	}
	exe := s.opts.Executable
	mode, err := exeMode(exe)
	if err != nil {
		return "", err
	}
	s.update(func(st *State) { st.Downloading, st.Downloaded, st.Total, st.Error = true, 0, b.Size, "" }, true)
	path, err := fetchBuild(ctx, s.opts.Client, *s.opts.Key, b, version, s.opts.Platform, filepath.Dir(exe), mode,
		func(done, total int64) {
			s.update(func(st *State) { st.Downloaded, st.Total = done, total }, done == total)
		})
	s.update(func(st *State) { st.Downloading = false }, true)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.staged = path
	s.st.Ready = true
	s.mu.Unlock()
	return path, nil
}

// put installs the staged file. The caller holds op.
func (s *Service) put(staged, version string) error {
	if err := install(s.opts.Executable, staged); err != nil {
		os.Remove(staged)
		s.update(func(st *State) { st.Error, st.Ready, st.InstallOnQuit = err.Error(), false, false }, true)
		s.mu.Lock()
		s.staged = ""
		s.mu.Unlock()
		return err
	}
	s.opts.Log.Info("update installed; it runs from the next start", "version", version, "path", s.opts.Executable)
	s.mu.Lock()
	s.staged = ""
	s.mu.Unlock()
	s.update(func(st *State) {
		st.Installed, st.Ready, st.InstallOnQuit, st.RolledBack, st.Error = version, false, false, false, ""
		st.Available = false
		st.CanRollback = canRollback(s.opts.Executable)
	}, true)
	return nil
}

// Quit installs an update the user asked to install on quit. The app calls
// it as it exits, after its services stopped (which cuts a download still
// under way: only a verified, staged build is installed).
func (s *Service) Quit() error {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	onQuit, staged, latest := s.st.InstallOnQuit, s.staged, s.st.Latest
	s.mu.Unlock()
	if !onQuit || staged == "" || latest == nil {
		return nil
	}
	return s.put(staged, latest.Version)
}

// CancelInstallOnQuit undoes "install when I quit"; the download stays
// staged for a later install.
func (s *Service) CancelInstallOnQuit() State {
	s.update(func(st *State) { st.InstallOnQuit = false }, true)
	return s.State()
}

// Rollback puts the previous version back in place; it runs from the next
// start.
func (s *Service) Rollback() (State, error) {
	s.op.Lock()
	defer s.op.Unlock()
	if err := rollback(s.opts.Executable); err != nil {
		if !errors.Is(err, ErrNoRollback) {
			s.update(func(st *State) { st.Error = err.Error() }, true)
		}
		return s.State(), err
	}
	s.opts.Log.Info("rolled back to the previous version; it runs from the next start", "path", s.opts.Executable)
	s.update(func(st *State) {
		st.RolledBack, st.Installed, st.CanRollback, st.Error = true, "", false, ""
		// What the feed offers is worth offering again.
		st.Available = st.Latest != nil && Newer(st.Latest.Version, s.opts.Current) && s.build.URL != ""
	}, true)
	return s.State(), nil
}

// progressEvery throttles progress events: a fast download would
// otherwise publish thousands.
const progressEvery = 250 * time.Millisecond

// update changes the state and publishes it; progress (force false) is
// published at most every progressEvery.
func (s *Service) update(change func(*State), force bool) {
	s.mu.Lock()
	change(&s.st)
	publish := force || time.Since(s.lastEvent) >= progressEvery
	if publish {
		s.lastEvent = time.Now()
	}
	s.mu.Unlock()
	if publish && s.opts.Bus != nil {
		s.opts.Bus.Publish(EventState, s.State())
	}
}
