package peerlink

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// Peer connections must not hold up Shutdown when idle, nor be cut off by
// it when busy.
func TestShutdownWithIdleConnection(t *testing.T) {
	server, client := testIdentity(t), testIdentity(t)
	srv, addr := serve(t, server, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	c := client.Client(server.DeviceID(), 5*time.Second)
	if _, err := get(c, "https://"+addr+"/"); err != nil {
		t.Fatal(err)
	}
	// The client keeps the connection open and idle.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v after %v", err, time.Since(start))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Shutdown took %v with one idle connection", d)
	}
}

func TestShutdownLetsRequestFinish(t *testing.T) {
	server, client := testIdentity(t), testIdentity(t)
	entered, release := make(chan struct{}), make(chan struct{})
	srv, addr := serve(t, server, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	}))
	c := client.Client(server.DeviceID(), 10*time.Second)
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		body, err := get(c, "https://"+addr+"/")
		got <- result{body, err}
	}()
	<-entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned during a request: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Fatalf("request during Shutdown: %q, %v", r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// Started by mistake without TLS, the server must refuse rather than hand
// handlers requests with no device ID.
func TestServerWithoutTLSFailsClosed(t *testing.T) {
	var hits atomic.Int32
	srv := testIdentity(t).NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }), slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || hits.Load() != 0 {
		t.Fatalf("status %s, handler ran %d times", resp.Status, hits.Load())
	}
}
