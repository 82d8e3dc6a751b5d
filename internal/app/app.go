// Package app is the desktop backend: it owns the services of one app
// instance (today the event bus and the UI API; the node supervisor, sync and
// backup services join it as they land) and hands the UI API to whoever shows
// it — the desktop shell in-process, or an HTTP listener in headless mode.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/api"
	"github.com/archivist-desktop/archivist/internal/app/backups"
	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/onboarding"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
	"github.com/archivist-desktop/archivist/internal/update"
)

// Options configure an App.
type Options struct {
	Layout       paths.Layout
	UI           fs.FS
	GUIAddress   string   // host:port of the headless listener
	AllowedHosts []string // extra Host names the UI API accepts
	// LinkAddress is the IP the link servers bind and the device code
	// advertises; empty: every interface, advertising each.
	LinkAddress string
	// NodeBinary runs the node as `NodeBinary node …`; empty means this
	// program (tests, which are not this program, name the built binary).
	NodeBinary string
	// Window and Dialogs are the desktop shell's, given to the UI API;
	// nil when headless.
	Window  api.Window
	Dialogs api.Dialogs
	Log     *slog.Logger
}

// App is one running instance of the backend.
type App struct {
	opts  Options
	key   string
	bus   *events.Bus
	cfg   *config.Store
	node  *supervisor.Supervisor
	files *files.Service
	devs  *devices.Service
	sync  *folders.Service
	link  *link.Service
	backs *backups.Service
	upd   *update.Service
	db    *bolt.DB // the app's state database, shared by the services
	log   *slog.Logger

	ctx  context.Context    // the background services' lifetime (set by Start)
	stop context.CancelFunc // ends the background services
	wg   sync.WaitGroup     // the background services
}

// New prepares the instance's directories and credentials.
func New(opts Options) (*App, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if err := opts.Layout.Create(); err != nil {
		return nil, err
	}
	key, err := api.LoadOrCreateKey(opts.Layout.APIKeyFile())
	if err != nil {
		return nil, err
	}
	// A broken config.toml does not stop the app: it runs on defaults,
	// keeps the user's file untouched, and the UI shows the problem.
	cfg, err := config.Open(opts.Layout.ConfigFile(), config.Default(opts.Layout.NodeDir))
	if broken := (*config.LoadError)(nil); errors.As(err, &broken) {
		opts.Log.Warn("config.toml has problems; running on defaults until they are fixed", "err", err)
	} else if err != nil {
		return nil, err
	}
	self := opts.NodeBinary
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("locating this program (to run the node): %w", err)
		}
	}
	db, err := state.Open(filepath.Join(opts.Layout.DataDir, state.FileName))
	if err != nil {
		return nil, err
	}
	a := &App{opts: opts, key: key, bus: events.NewBus(), cfg: cfg, db: db, log: opts.Log}
	a.node = supervisor.New(supervisor.Options{
		Binary:  self,
		Args:    []string{"node"},
		Config:  func() config.NodeConfig { return a.cfg.Get().Node },
		LogFile: opts.Layout.NodeLog(),
		RunDir:  opts.Layout.DataDir,
		Bus:     a.bus,
		Log:     opts.Log.With("service", "supervisor"),
	})
	a.files = files.New(a.nodeClient, a.bus)
	a.devs, err = devices.New(devices.Options{
		DB:   db,
		Node: a.nodeClient,
		Bus:  a.bus,
		Log:  opts.Log.With("service", "devices"),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.sync, err = folders.New(folders.Options{
		DB:     db,
		Node:   a.nodeClient,
		Config: a.cfg.Get,
		Bus:    a.bus,
		Log:    opts.Log.With("service", "sync"),
		// a.link exists by the time the first manifest is published: the
		// services only run after New.
		OnManifest: func(id string, seq uint64) { a.link.ManifestPublished(id, seq) },
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	ident, err := peerlink.LoadOrCreate(opts.Layout.DeviceKeyFile())
	if err != nil {
		db.Close()
		return nil, err
	}
	var linkHosts func() []string
	if opts.LinkAddress != "" {
		if net.ParseIP(opts.LinkAddress) == nil {
			db.Close()
			return nil, fmt.Errorf("--link-address %q is not an IP address", opts.LinkAddress)
		}
		linkHosts = func() []string { return []string{opts.LinkAddress} }
	}
	a.link, err = link.New(link.Options{
		BindHost: opts.LinkAddress,
		Hosts:    linkHosts,
		DB:       db,
		Identity: ident,
		Config:   cfg,
		Devices:  a.devs,
		Folders:  a.sync,
		Node:     a.nodeClient,
		Bus:      a.bus,
		Log:      opts.Log.With("service", "link"),
		// a.backs exists before the link serves anything (see above).
		OnTrigger: func(p link.Peer) { a.backs.Trigger(p) },
		Catalog:   func() (link.Catalog, error) { return a.backs.Catalog() },
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.backs, err = backups.New(backups.Options{
		DB:     db,
		Node:   a.nodeClient,
		Link:   a.link,
		Config: cfg,
		Connect: func(ctx context.Context, nodePeerID string) error {
			_, err := a.devs.Connect(ctx, nodePeerID)
			return err
		},
		Bus: a.bus,
		Log: opts.Log.With("service", "backups"),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.upd, err = update.New(update.Options{
		Current: buildinfo.Version,
		Config:  func() config.UpdatesConfig { return a.cfg.Get().Updates },
		Bus:     a.bus,
		Log:     opts.Log.With("service", "update"),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// nodeClient is the client of the running node, or ErrNodeNotRunning.
func (a *App) nodeClient() (*nodeclient.Client, error) {
	st := a.node.Status()
	if st.State != supervisor.StateRunning || st.APIURL == "" {
		return nil, files.ErrNodeNotRunning
	}
	return nodeclient.New(st.APIURL), nil
}

// EventConfigChanged tells the UI that settings changed (data: the changed
// keys), whoever changed them — the Settings page, another tab, the CLI or a
// service — so what reads them (notification sounds) can read them again.
const EventConfigChanged = "config-changed"

// Start runs the background services: the node (when node.auto_start is
// on) and the propagation of settings changes to the services they concern.
func (a *App) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stop, a.ctx = cancel, ctx
	changes, unsubscribe := a.cfg.Subscribe()
	a.wg.Add(6)
	go func() {
		defer a.wg.Done()
		a.backs.Run(ctx)
	}()
	go func() {
		defer a.wg.Done()
		a.upd.Run(ctx)
	}()
	go func() {
		defer a.wg.Done()
		a.devs.Run(ctx)
	}()
	go func() {
		defer a.wg.Done()
		a.sync.Run(ctx)
	}()
	go func() {
		defer a.wg.Done()
		a.link.Run(ctx)
	}()
	go func() {
		defer a.wg.Done()
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case ch := <-changes:
				a.bus.Publish(EventConfigChanged, ch.Keys)
				if ch.Has("updates") {
					a.upd.ConfigChanged()
				}
				if err := a.node.Apply(ctx, ch.Old.Node, ch.New.Node); err != nil {
					a.log.Warn("applying node settings", "err", err)
				}
			}
		}
	}()
	if a.cfg.Get().Node.AutoStart {
		go func() {
			if err := a.node.Start(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("the node did not start", "err", err)
			}
		}()
	}
}

// background is the services' lifetime, for work a request starts that
// outlives it; before Start, a context that never ends.
func (a *App) background() context.Context {
	if a.ctx == nil {
		return context.Background()
	}
	return a.ctx
}

// Bus is the app's event bus.
func (a *App) Bus() *events.Bus { return a.bus }

// TrustedHandler serves the UI API to the in-process desktop webview.
func (a *App) TrustedHandler() http.Handler {
	return a.apiServer(0).TrustedHandler()
}

func (a *App) apiServer(port int) *api.Server {
	return api.New(api.Options{
		Key:          a.key,
		Port:         port,
		AllowedHosts: a.opts.AllowedHosts,
		UI:           a.opts.UI,
		Bus:          a.bus,
		Config:       a.cfg,
		Files:        a.files,
		Devices:      a.devs,
		Folders:      a.sync,
		Link:         a.link,
		Backups:      a.backs,
		Onboarding:   onboarding.NewStore(a.db),
		Background:   a.background(),
		Node:         a.node,
		Update:       a.upd,
		Window:       a.opts.Window,
		Dialogs:      a.opts.Dialogs,
		Log:          a.log,
	})
}

// Listener is the headless UI listener, bound but not yet serving, so the
// caller can print the real address (port 0 picks a free one).
type Listener struct {
	ln   net.Listener
	srv  *http.Server
	file string // the instance file, removed when serving ends
	URL  string // login URL with the key, to print for the user
}

// Listen binds the UI API on the configured address. With anyPort (the
// desktop window, whose own UI needs no socket), a taken address falls back
// to a free loopback port, so the CLI and "open in browser" still work. The
// address is recorded in the instance file for the CLI to find.
func (a *App) Listen(anyPort bool) (*Listener, error) {
	ln, err := net.Listen("tcp", a.opts.GUIAddress)
	if err != nil && anyPort && errors.Is(err, errAddrInUse()) {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		if errors.Is(err, errAddrInUse()) {
			return nil, fmt.Errorf("cannot listen on %s: the port is in use (another Archivist running? choose another with --gui-address)", a.opts.GUIAddress)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", a.opts.GUIAddress, err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	srv := &http.Server{
		Handler:           a.apiServer(addr.Port).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Between requests only: an event stream is one long response.
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	l := &Listener{ln: ln, srv: srv, URL: loginURL(addr, a.key), file: a.opts.Layout.InstanceFile()}
	if err := writeInstance(l.file, Instance{URL: baseURL(addr), PID: os.Getpid()}); err != nil {
		ln.Close()
		return nil, err
	}
	return l, nil
}

// loginURL is the address to open, with the key that signs a browser in.
func loginURL(addr *net.TCPAddr, key string) string {
	return baseURL(addr) + "/?token=" + key
}

// baseURL names a wildcard bind by the loopback address, which is what a
// browser or the CLI on the same machine can open.
func baseURL(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Serve serves until ctx ends, then shuts down gracefully.
func (l *Listener) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- l.srv.Serve(l.ln) }()
	select {
	case err := <-errc:
		os.Remove(l.file)
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Event streams never finish on their own; Shutdown waits only for the
	// grace period, then Close cuts them.
	if err := l.srv.Shutdown(shutdownCtx); err != nil {
		l.srv.Close()
	}
	os.Remove(l.file)
	return nil
}

// Close stops the background services and the node, cleanly, then installs
// an update the user asked to install on quit.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
		a.wg.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(a.node.Close(ctx), a.db.Close(), a.upd.Quit())
}
