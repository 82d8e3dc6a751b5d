package folders

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// harness is a folder service on a real node, with fast timings.
type harness struct {
	t    *testing.T
	node *nodetest.Proc
	db   *bolt.DB
	cfg  atomic.Pointer[config.Config]
	down atomic.Bool // the node counts as not running
	bus  *events.Bus
	docs string

	mu        sync.Mutex
	manifests []uint64 // OnManifest calls

	tune   func(*Options)
	svc    *Service
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, tune ...func(*Options)) *harness {
	h := &harness{t: t, tune: func(*Options) {}, node: nodetest.Start(t, t.TempDir()), bus: events.NewBus(), docs: t.TempDir()}
	db, err := state.Open(filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h.db = db
	cfg := config.Default(t.TempDir())
	cfg.Sync.BackupEnabled = true
	cfg.Sync.ManifestUpdateThreshold = 1000
	h.cfg.Store(&cfg)
	if len(tune) > 0 {
		h.tune = tune[0]
	}
	h.start()
	return h
}

func (h *harness) setConfig(change func(*config.Config)) {
	c := *h.cfg.Load()
	change(&c)
	h.cfg.Store(&c)
}

// start runs a new service on the harness's database.
func (h *harness) start() {
	opts := Options{
		DB: h.db,
		Node: func() (*nodeclient.Client, error) {
			if h.down.Load() {
				return nil, files.ErrNodeNotRunning
			}
			return h.node.Client, nil
		},
		Config:           func() config.Config { return *h.cfg.Load() },
		Bus:              h.bus,
		Settle:           150 * time.Millisecond,
		Quiet:            300 * time.Millisecond,
		ManifestInterval: 300 * time.Millisecond,
		RetryBase:        100 * time.Millisecond,
		RetryMax:         time.Second,
		Documents:        func() (string, error) { return h.docs, nil },
		OnManifest: func(_ string, seq uint64) {
			h.mu.Lock()
			h.manifests = append(h.manifests, seq)
			h.mu.Unlock()
		},
	}
	h.tune(&opts)
	svc, err := New(opts)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.svc, h.cancel, h.done = svc, cancel, make(chan struct{})
	go func() { defer close(h.done); svc.Run(ctx) }()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
}

func (h *harness) restart() {
	h.stop()
	h.start()
}

// waitFor polls cond for up to 20 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; state %+v", what, h.svc.State())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// synced waits until a folder has no pending work and has fileCount files
// uploaded.
func (h *harness) synced(id string, files int) Folder {
	h.t.Helper()
	var f Folder
	h.waitFor("the folder to sync", func() bool {
		f, _ = h.svc.Get(id)
		return f.Status == "idle" && f.PendingFiles == 0 && f.SyncedFiles == files && f.FileCount == files
	})
	return f
}

// manifest waits for the folder's manifest of at least sequence seq, with
// no unpublished changes, and reads it from the node.
func (h *harness) manifest(id string, seq uint64) Manifest {
	h.t.Helper()
	var f Folder
	h.waitFor("a manifest", func() bool {
		f, _ = h.svc.Get(id)
		h.svc.mu.Lock()
		changes := h.svc.folders[id].rec.Changes
		h.svc.mu.Unlock()
		return f.ManifestSequence >= seq && changes == 0 && f.PendingFiles == 0
	})
	var m Manifest
	if err := json.Unmarshal(h.content(f.ManifestCID), &m); err != nil {
		h.t.Fatal(err)
	}
	return m
}

// content reads a dataset from the node.
func (h *harness) content(cid string) []byte {
	h.t.Helper()
	c, err := h.node.Client.Download(context.Background(), cid)
	if err != nil {
		h.t.Fatalf("download %s: %v", cid, err)
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

func (h *harness) index(id string) map[string]entry {
	h.t.Helper()
	idx, err := loadIndex(h.db, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return idx
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

func byPath(m Manifest) map[string]ManifestFile {
	out := map[string]ManifestFile{}
	for _, f := range m.Files {
		out[f.Path] = f
	}
	return out
}
