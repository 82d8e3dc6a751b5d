package supervisor

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/events"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: time.Minute}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 32 * time.Second, 7: time.Minute, 50: time.Minute} {
		if got := b.delay(n); got != want {
			t.Errorf("delay(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestRotatingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.log")
	r, err := openRotating(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := r.write(fmt.Sprintf("line %02d padding padding pad\n", i)); err != nil { // 30 bytes
			t.Fatal(err)
		}
	}
	r.close()
	for _, p := range []string{path, path + ".1", path + ".2"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 100 {
			t.Errorf("%s is %d bytes, over the 100-byte limit", p, fi.Size())
		}
	}
	if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
		t.Errorf("a third old file was kept: %v", err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(b), "line 19 padding padding pad\n") {
		t.Errorf("the newest line is not in node.log: %q", b)
	}
	// Reopening continues the file instead of truncating it.
	r, _ = openRotating(path, 100, 2)
	r.write("more\n")
	r.close()
	b2, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b2), string(b)) {
		t.Error("reopening lost the existing log")
	}
}

func TestCaptureRingAndBatchedEvents(t *testing.T) {
	bus := events.NewBus()
	rec := record(t, bus)
	dir := t.TempDir()
	c := newCapture(Options{LogFile: filepath.Join(dir, "node.log"), LogMaxBytes: 2048, LogKeep: 3, LogLines: 50,
		LogFlushInterval: 100 * time.Millisecond, Bus: bus}, slog.Default())
	tail := &tailBuf{max: 3}
	r, w, _ := os.Pipe()
	done := make(chan struct{})
	go func() { c.pump(r, tail); close(done) }()
	for i := range 500 {
		fmt.Fprintf(w, "output line %03d\n", i)
	}
	fmt.Fprint(w, "last line without newline")
	w.Close()
	<-done
	c.close()
	got := c.tail(3)
	want := []string{"output line 498", "output line 499", "last line without newline"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tail %q, want %q", got, want)
	}
	if n := len(c.tail(1000)); n != 50 {
		t.Errorf("ring holds %d lines, want 50", n)
	}
	if !strings.Contains(tail.explain(), "last line without newline") {
		t.Errorf("run tail: %s", tail.explain())
	}
	if _, err := os.Stat(filepath.Join(dir, "node.log.1")); err != nil {
		t.Errorf("no rotation at 2 KiB: %v", err)
	}
	// Batches, not one event per line; every line accounted for.
	evs := rec.of("node-log")
	lines := 0
	time.Sleep(200 * time.Millisecond)
	evs = rec.of("node-log")
	for _, e := range evs {
		b := e.Data.(LogBatch)
		lines += len(b.Lines) + b.Dropped
	}
	if len(evs) == 0 || len(evs) > 10 || lines != 501 {
		t.Errorf("%d node-log events carrying %d lines; want a few events carrying 501", len(evs), lines)
	}
}

func TestAddressScopesAndNAT(t *testing.T) {
	for addr, want := range map[string]scope{
		"/ip4/127.0.0.1/tcp/8070":   scopeLoopback,
		"/ip4/192.168.1.5/tcp/8070": scopePrivate,
		"/ip4/10.0.0.2/tcp/8070":    scopePrivate,
		"/ip4/100.72.1.1/tcp/8070":  scopePrivate,
		"/ip6/::1/tcp/8070":         scopeLoopback,
		"/ip6/fe80::1/tcp/8070":     scopePrivate,
		"/ip4/203.0.113.9/tcp/8070": scopePublic,
		"/dns4/example.org/tcp/1":   scopePublic,
	} {
		if got := addrScope(addr); got != want {
			t.Errorf("addrScope(%s) = %d, want %d", addr, got, want)
		}
	}
	lan := []string{"/ip4/192.168.1.5/tcp/8070"}
	c := reachabilityChecks(lan, lan, 8070)
	if c[0].Status != CheckOK || c[1].Status != CheckWarn || !strings.Contains(c[1].Tip, "8070") {
		t.Errorf("LAN only: %+v", c)
	}
	c = reachabilityChecks(lan, []string{"/ip4/203.0.113.9/tcp/8070"}, 8070)
	if c[1].Status != CheckOK || !strings.Contains(c[1].Detail, "mapped") {
		t.Errorf("public announce: %+v", c)
	}
	c = reachabilityChecks([]string{"/ip4/127.0.0.1/tcp/1"}, []string{"/ip4/127.0.0.1/tcp/1"}, 1)
	if c[0].Status != CheckFail {
		t.Errorf("loopback only: %+v", c)
	}
	zero := 0
	if p := peersCheck(&zero, 8070); p.Status != CheckWarn || !strings.Contains(p.Tip, "8070") {
		t.Errorf("no peers: %+v", p)
	}
}

// recorder collects events of some types.
type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func record(t *testing.T, bus *events.Bus) *recorder {
	ch, cancel := bus.Subscribe()
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			r.mu.Lock()
			r.evs = append(r.evs, ev)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *recorder) of(typ string) []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}
