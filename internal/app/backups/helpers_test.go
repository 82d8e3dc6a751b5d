package backups

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// device is one app's backend: a real node, and the devices, folders,
// link and backup services on one state database, as the app wires them.
type device struct {
	t       *testing.T
	name    string
	node    *nodetest.Proc
	db      *bolt.DB
	cfg     *config.Store
	devs    *devices.Service
	folders *folders.Service
	link    *link.Service
	backups *Service
	log     *slog.Logger

	mu     sync.Mutex
	nodeUp bool
	cancel context.CancelFunc // stops the backup service
	wg     sync.WaitGroup
}

func newDevice(t *testing.T, name string, backupServer bool) *device {
	t.Helper()
	d := &device{t: t, name: name, nodeUp: true}
	d.node = nodetest.Start(t, t.TempDir())
	var err error
	d.db, err = state.Open(filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.db.Close() })
	def := config.Default(t.TempDir())
	def.ManifestServer.Port = nodetest.FreePort(t)
	def.BackupServer.TriggerPort = nodetest.FreePort(t)
	def.BackupServer.Enabled = backupServer
	def.BackupServer.PollIntervalSecs = 2
	def.Sync.ManifestRetryIntervalSecs = 1
	d.cfg, err = config.Open(filepath.Join(t.TempDir(), "config.toml"), def)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BACKUPS_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("dev", name)
	}
	d.log = log
	d.devs, err = devices.New(devices.Options{DB: d.db, Node: d.nodeClient, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	d.folders, err = folders.New(folders.Options{DB: d.db, Node: d.nodeClient, Config: d.cfg.Get, Log: log,
		Settle: 50 * time.Millisecond, Quiet: 100 * time.Millisecond, ManifestInterval: 100 * time.Millisecond,
		OnManifest: func(id string, seq uint64) { d.link.ManifestPublished(id, seq) }})
	if err != nil {
		t.Fatal(err)
	}
	ident, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	d.link, err = link.New(link.Options{DB: d.db, Identity: ident, Config: d.cfg, Devices: d.devs, Folders: d.folders,
		Node: d.nodeClient, Log: log, BindHost: "127.0.0.1", Hosts: func() []string { return []string{"127.0.0.1"} },
		RetryBase: 200 * time.Millisecond,
		OnTrigger: func(p link.Peer) { d.backups.Trigger(p) },
		Catalog:   func() (link.Catalog, error) { return d.backups.Catalog() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.folders.Run(ctx) }()
	go func() { defer wg.Done(); d.link.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	d.startBackups()
	t.Cleanup(d.stopBackups)
	return d
}

// startBackups runs a backup service on the device's database, as a
// (re)started app does.
func (d *device) startBackups() {
	d.t.Helper()
	var err error
	d.backups, err = New(Options{DB: d.db, Node: d.nodeClient, Link: d.link, Config: d.cfg,
		Connect: func(ctx context.Context, id string) error { _, err := d.devs.Connect(ctx, id); return err },
		Log:     d.log, RetryBase: 300 * time.Millisecond, RetryMax: 2 * time.Second,
		FileRetryBase: 100 * time.Millisecond, StallTimeout: 10 * time.Second, SweepEvery: 100 * time.Millisecond})
	if err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.wg.Add(1)
	go func() { defer d.wg.Done(); d.backups.Run(ctx) }()
}

// stopBackups stops the backup service as a crash would: whatever it was
// doing stays as it was in the database.
func (d *device) stopBackups() {
	if d.cancel != nil {
		d.cancel()
		d.wg.Wait()
		d.cancel = nil
	}
}

func (d *device) nodeClient() (*nodeclient.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.nodeUp {
		return nil, os.ErrClosed
	}
	return d.node.Client, nil
}

func (d *device) code() string {
	d.t.Helper()
	c, err := d.link.Code(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return c.String()
}

// pairAsSource makes d a source backing up to server, both sides approved.
func (d *device) pairAsSource(server *device) {
	d.t.Helper()
	ctx := context.Background()
	if _, err := d.link.Pair(ctx, server.code(), d.name); err != nil {
		d.t.Fatal(err)
	}
	st, err := d.link.Status(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := server.link.Approve(ctx, st.Device); err != nil {
		d.t.Fatal(err)
	}
}

// watch adds a folder on the source.
func (d *device) watch(root string) folders.Folder {
	d.t.Helper()
	f, err := d.folders.Add(context.Background(), root)
	if err != nil {
		d.t.Fatal(err)
	}
	return f
}

func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readTree reads every regular file under root, by slash path.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
