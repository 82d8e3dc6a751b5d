//go:build unix

package supervisor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// harness is one supervisor over a real node (or a fake binary) in a
// temporary directory, with short intervals so the suite stays quick.
type harness struct {
	t    *testing.T
	dir  string
	opts Options
	bus  *events.Bus
	sup  *Supervisor

	mu  sync.Mutex
	cfg config.NodeConfig
}

func newHarness(t *testing.T, mod func(h *harness)) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, bus: events.NewBus()}
	h.cfg = config.NodeConfig{
		DataDirectory: filepath.Join(dir, "node"),
		APIPort:       nodetest.FreePort(t),
		DiscoveryPort: nodetest.FreePort(t),
		ListenPort:    nodetest.FreePort(t),
		MaxStorageGB:  1,
		LogLevel:      "INFO",
	}
	h.opts = Options{
		Binary: nodetest.Binary(t),
		Args:   []string{"node"},
		// No UPnP or NAT-PMP probing of the test machine's network.
		ExtraArgs:      []string{"--nat=none", "--mdns=false"}, // tests stay on loopback
		Config:         h.config,
		LogFile:        filepath.Join(dir, "logs", "node.log"),
		RunDir:         filepath.Join(dir, "run"),
		Bus:            h.bus,
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Backoff:        Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond, GiveUpAfter: 3, Window: time.Minute},
		ReadyTimeout:   20 * time.Second,
		HealthInterval: 200 * time.Millisecond,
		HealthTimeout:  time.Second,
		HungAfter:      3,
		StopTimeout:    5 * time.Second,
	}
	if mod != nil {
		mod(h)
	}
	return h
}

// start creates the supervisor (New runs the orphan check at once).
func (h *harness) start() *Supervisor {
	h.t.Helper()
	h.sup = New(h.opts)
	h.t.Cleanup(func() {
		if h.t.Failed() {
			h.t.Logf("supervisor status: %+v\nlast output:\n%s", h.sup.Status(), strings.Join(h.sup.Tail(40), "\n"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.sup.Close(ctx); err != nil {
			h.t.Errorf("Close: %v", err)
		}
	})
	return h.sup
}

func (h *harness) config() config.NodeConfig {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg
}

func (h *harness) setConfig(f func(*config.NodeConfig)) (old, new config.NodeConfig) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old = h.cfg
	f(&h.cfg)
	return old, h.cfg
}

func (h *harness) pidPath() string { return filepath.Join(h.opts.RunDir, "node.pid") }

// script writes an executable shell script standing in for a node binary.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-node")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	_, zombie, err := processStart(pid)
	return err == nil && !zombie
}

func tailHas(s *Supervisor, sub string) bool {
	for _, l := range s.Tail(1000) {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
