package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/update"
)

// updateFixture is a UI API with a real updater, a program at 1.0.0 and a
// local release host offering 1.1.0, signed with a key of the test's own.
type updateFixture struct {
	ts   *httptest.Server
	exe  string
	feed atomic.Pointer[[]byte]
}

func newUpdateFixture(t *testing.T) *updateFixture {
	t.Helper()
	f := &updateFixture{}
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	newBuild := filepath.Join(dir, "archivist-1.1.0")
	if err := os.WriteFile(newBuild, []byte("#!/bin/sh\necho 1.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/latest.json":
			w.Write(*f.feed.Load())
		case "/archivist-1.1.0":
			http.ServeFile(w, r, newBuild)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(host.Close)
	b, err := update.SignBuild(priv, newBuild, host.URL+"/archivist-1.1.0", "1.1.0", "linux-amd64")
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := json.Marshal(update.Feed{Version: "1.1.0", Notes: "<b>faster</b>", Platforms: map[string]update.Build{"linux-amd64": b}})
	f.feed.Store(&feed)

	f.exe = filepath.Join(t.TempDir(), "archivist")
	if err := os.WriteFile(f.exe, []byte("#!/bin/sh\necho 1.0.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	store, err := config.Open(filepath.Join(dir, "config.toml"), config.Default(filepath.Join(dir, "node")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(func(c *config.Config) error { c.Updates.FeedURL = host.URL + "/latest.json"; return nil }); err != nil {
		t.Fatal(err)
	}
	upd, err := update.New(update.Options{
		Current: "1.0.0", Platform: "linux-amd64", Executable: f.exe, Key: &pub,
		Config: func() config.UpdatesConfig { return store.Get().Updates },
		Log:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{
		Config: store, Key: testKey, Port: 1420, Bus: events.NewBus(), Update: upd,
		UI:         fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}},
		Background: context.Background(),
	})
	f.ts = httptest.NewServer(s.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// call sends a request with the API key and decodes the answer.
func (f *updateFixture) call(t *testing.T, method, path, body string) (int, update.State, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, rd)
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var st update.State
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(raw, &st)
	json.Unmarshal(raw, &e)
	return resp.StatusCode, st, e.Error
}

func TestUpdateAPI(t *testing.T) {
	f := newUpdateFixture(t)

	code, st, _ := f.call(t, "GET", "/api/update", "")
	if code != 200 || st.Current != "1.0.0" || !st.Enabled || !strings.HasSuffix(st.FeedURL, "/latest.json") || st.Latest != nil || st.CheckedAt != nil {
		t.Fatalf("GET /api/update: %d %+v", code, st)
	}
	code, st, _ = f.call(t, "POST", "/api/update/check", "")
	if code != 200 || !st.Available || st.Latest.Version != "1.1.0" || st.Latest.Notes != "<b>faster</b>" {
		t.Fatalf("check: %d %+v", code, st)
	}

	for _, bad := range []struct{ body, msg string }{
		{`{"when":"later"}`, `when must be "now" or "quit", not "later"`},
		{`{"when":"now","force":true}`, `unknown field "force"`},
		{`not json`, "invalid request body"},
	} {
		if code, _, msg := f.call(t, "POST", "/api/update/install", bad.body); code != 400 || !strings.Contains(msg, bad.msg) {
			t.Fatalf("install %s: %d %q, want 400 %q", bad.body, code, msg, bad.msg)
		}
	}

	code, st, _ = f.call(t, "POST", "/api/update/install", `{"when":"quit"}`)
	if code != 200 || !st.InstallOnQuit || !st.Ready {
		t.Fatalf("install on quit: %d %+v", code, st)
	}
	code, st, _ = f.call(t, "DELETE", "/api/update/install", "")
	if code != 200 || st.InstallOnQuit || !st.Ready {
		t.Fatalf("cancel install on quit: %d %+v", code, st)
	}
	code, st, _ = f.call(t, "POST", "/api/update/install", `{"when":"now"}`)
	if code != 200 || st.Installed != "1.1.0" || !st.CanRollback {
		t.Fatalf("install now: %d %+v", code, st)
	}
	if b, _ := os.ReadFile(f.exe); !strings.Contains(string(b), "1.1.0") {
		t.Fatalf("the program was not replaced: %q", b)
	}
	if code, _, msg := f.call(t, "POST", "/api/update/install", `{"when":"now"}`); code != 409 || msg != "no newer version is available" {
		t.Fatalf("install again: %d %q", code, msg)
	}

	code, st, _ = f.call(t, "POST", "/api/update/rollback", "")
	if code != 200 || !st.RolledBack || st.CanRollback {
		t.Fatalf("rollback: %d %+v", code, st)
	}
	if b, _ := os.ReadFile(f.exe); !strings.Contains(string(b), "1.0.0") {
		t.Fatalf("the program was not rolled back: %q", b)
	}
	if code, _, msg := f.call(t, "POST", "/api/update/rollback", ""); code != 409 || !strings.Contains(msg, "no previous version") {
		t.Fatalf("second rollback: %d %q", code, msg)
	}
}

func TestUpdateAPICheckErrors(t *testing.T) {
	f := newUpdateFixture(t)
	bad := []byte(`{"version": 1}`)
	f.feed.Store(&bad)
	code, _, msg := f.call(t, "POST", "/api/update/check", "")
	if code != http.StatusBadGateway || !strings.Contains(msg, "the release feed is not valid JSON") {
		t.Fatalf("check of a bad feed: %d %q", code, msg)
	}
	// The state says so too, for the UI.
	if _, st, _ := f.call(t, "GET", "/api/update", ""); st.Error != msg || st.CheckedAt == nil {
		t.Fatalf("state after a failed check: %+v", st)
	}
	// Nothing was found, so nothing can be installed.
	if code, _, _ := f.call(t, "POST", "/api/update/install", `{"when":"now"}`); code != http.StatusConflict {
		t.Fatalf("install with nothing found: %d", code)
	}
}

func TestUpdateAPIWithoutUpdater(t *testing.T) {
	_, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/api/update", nil)
	req.Header.Set("X-API-Key", testKey)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusServiceUnavailable || body["error"] != "updates are not available in this instance" {
		t.Fatalf("GET /api/update without an updater: %d %v", resp.StatusCode, body)
	}
}
