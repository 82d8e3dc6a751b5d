package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app"
)

func TestFormatBytesLikeTheUI(t *testing.T) {
	// The cases of web/src/lib/format.ts.
	for n, want := range map[int64]string{
		-1:                   "—",
		0:                    "0 B",
		1023:                 "1023 B",
		1024:                 "1 KB",
		1536:                 "1.5 KB",
		1 << 20:              "1 MB",
		1<<20 - 1:            "1 MB", // 1023.999 KB rounds to 1 MB
		3<<20 + 12345:        "3.01 MB",
		10 << 30:             "10 GB",
		5 << 40:              "5 TB",
		2048 << 40:           "2048 TB",
		1<<30 + 1<<30/100*25: "1.25 GB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	if got := FormatUptime(3723 * time.Second); got != "1h 2m 3s" {
		t.Errorf("uptime %q", got)
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Unix(1e9, 0)} }
func lines(s string) []string            { return strings.Split(strings.TrimSpace(s), "\n") }
func bar(w io.Writer, m ProgressMode, total int64, c *fakeClock) *Bar {
	return newBar(w, m, "upload a.bin", total, c.now)
}

func TestPlainProgressLines(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := bar(&buf, ProgressLines, 10<<20, c)
	for i := 1; i <= 10; i++ {
		c.add(500 * time.Millisecond)
		b.Set(int64(i) << 20)
	}
	b.Finish(10<<20, nil)
	got := lines(buf.String())
	// The first report, one every LineInterval (2 s) after it, the end.
	want := []string{
		"upload a.bin:  10%, 1 MB / 10 MB, 2 MB/s, ETA 5s",
		"upload a.bin:  50%, 5 MB / 10 MB, 2 MB/s, ETA 3s",
		"upload a.bin:  90%, 9 MB / 10 MB, 2 MB/s, ETA 1s",
		"upload a.bin: 100%, 10 MB / 10 MB, 2 MB/s, in 5.0s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(buf.String(), "\r") {
		t.Fatal("carriage return in plain lines")
	}
}

func TestProgressBarOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := bar(&buf, ProgressBar, 4<<20, c)
	c.add(time.Second)
	b.Set(1 << 20)
	c.add(time.Second)
	b.Set(2 << 20)
	b.Finish(4<<20, nil)
	frames := strings.Split(buf.String(), "\r")[1:]
	if len(frames) != 3 || !strings.HasSuffix(buf.String(), "\n") {
		t.Fatalf("frames %q", frames)
	}
	if !strings.Contains(frames[0], "[=====>              ]   25%  1 MB / 4 MB  1 MB/s  ETA 3s") {
		t.Fatalf("first frame %q", frames[0])
	}
	if !strings.Contains(frames[2], "[====================]  100%  4 MB / 4 MB  2 MB/s  in 2.0s") {
		t.Fatalf("last frame %q", frames[2])
	}
}

func TestProgressUnknownSizeFailureAndQuiet(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := bar(&buf, ProgressLines, -1, c)
	c.add(time.Second)
	b.Set(3 << 20)
	b.Finish(-1, errors.New("boom"))
	if got := lines(buf.String()); len(got) != 2 || got[0] != "upload a.bin: 3 MB, 3 MB/s" || got[1] != "upload a.bin: failed after 3 MB" {
		t.Fatalf("%q", got)
	}
	buf.Reset()
	b = bar(&buf, ProgressNone, 10, c)
	b.Set(5)
	b.Finish(10, nil)
	b = bar(&buf, ProgressLines, 10, c)
	b.Finish(-1, errors.New("refused")) // never shown: nothing to add to the error
	if buf.Len() != 0 {
		t.Fatalf("quiet wrote %q", buf.String())
	}
	if ModeFor(&buf, false) != ProgressLines || ModeFor(&buf, true) != ProgressNone {
		t.Fatal("modes")
	}
}

func TestCleanStopsTerminalEscapes(t *testing.T) {
	if got := Clean("evil\x1b[2Jname\twith\nbreaks"); got != "evil?[2Jname?with?breaks" {
		t.Fatalf("%q", got)
	}
}

func TestExitCodes(t *testing.T) {
	for err, want := range map[error]int{
		nil:                                ExitOK,
		errors.New("x"):                    ExitFailed,
		Usagef("bad"):                      ExitUsage,
		fmt.Errorf("w: %w", Usagef("bad")): ExitUsage,
		&NotRunningError{File: "f"}:        ExitNotRunning,
		&APIError{Status: 503, Message: "Node not running"}:                      ExitNodeNotRunning,
		fmt.Errorf("removing: %w", &APIError{Status: 404, Message: "not found"}): ExitNotFound,
		&APIError{Status: 404, Message: "no such API endpoint: GET /api/x"}:      ExitFailed,
		&APIError{Status: 400, Message: "bad"}:                                   ExitFailed,
		&APIError{Status: 409, Message: "node already running"}:                  ExitFailed,
	} {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
	if !errors.Is(&NotRunningError{}, app.ErrNotRunning) {
		t.Error("NotRunningError is not ErrNotRunning")
	}
}

// TestClientAgainstAFakeAPI checks the wire: the key header, error bodies,
// raw JSON kept for --json, and the event stream.
func TestClientAgainstAFakeAPI(t *testing.T) {
	const key = "k3y"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/files", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"cid":"zDv1","filename":"a","size":3,"extra":true}]`))
	})
	mux.HandleFunc("DELETE /api/files/{cid}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		w.Write([]byte(`{"error":"Node not running"}`))
	})
	mux.HandleFunc("POST /api/backup-server/manifests/{source}/{folder}/{seq}/retry", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("source") != "DEV-1" || r.PathValue("folder") != "f/1" || r.PathValue("seq") != "7" {
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"no such manifest"}`))
			return
		}
		w.WriteHeader(202)
		w.Write([]byte(`{"status":"retrying"}`))
	})
	mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: hello\ndata: {\"type\":\"hello\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{}}\n\n")
		fmt.Fprint(w, ": ping\n\n")
		fmt.Fprint(w, "event: download-progress\r\ndata: {\"type\":\"download-progress\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"id\":\"download-1\",\"cid\":\"zDv1\",\"bytesDone\":5,\"totalBytes\":10,\"percent\":50,\"done\":false}}\r\n\r\n")
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != key {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"missing or invalid credentials"}`))
			return
		}
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()

	c := New(srv.URL, key, "instance.json")
	l, err := c.Files(ctx)
	if err != nil || len(l.Files) != 1 || l.Files[0].Size != 3 || !strings.Contains(string(l.Raw), `"extra":true`) {
		t.Fatalf("files %+v %s %v", l.Files, l.Raw, err)
	}
	err = c.DeleteFile(ctx, "zDv1")
	if ExitCode(err) != ExitNodeNotRunning || err.Error() != "Node not running" {
		t.Fatalf("delete: %v", err)
	}
	_, err = New(srv.URL, "wrong", "instance.json").Files(ctx)
	if ExitCode(err) != ExitFailed || !strings.Contains(err.Error(), "refused the API key") {
		t.Fatalf("wrong key: %v", err)
	}
	if err := c.RetryManifest(ctx, "DEV-1", "f/1", 7); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if err := c.RetryManifest(ctx, "DEV-1", "f/1", 8); ExitCode(err) != ExitNotFound {
		t.Fatalf("retry of an unknown manifest: %v", err)
	}
	evs, err := c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer evs.Close()
	var types []string
	for {
		ev, err := evs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		if ev.Type == EventDownloadProgress && !strings.Contains(string(ev.Data), `"bytesDone":5`) {
			t.Fatalf("data %s", ev.Data)
		}
	}
	if strings.Join(types, ",") != "hello,download-progress" {
		t.Fatalf("events %v", types)
	}
}
