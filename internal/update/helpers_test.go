package update

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

const testPlatform = "linux-amd64"

// program is a stand-in executable: a script that prints its version.
func program(version string) []byte {
	return []byte("#!/bin/sh\necho archivist " + version + "\n")
}

// release is a local release host: it serves a feed and the files it names,
// and lets a test break either.
type release struct {
	t      *testing.T
	srv    *httptest.Server
	pub    minisign.PublicKey
	priv   minisign.PrivateKey
	dir    string
	feeds  atomic.Int64 // how many times the feed was fetched
	mu     sync.Mutex
	feed   []byte                                            // served at /latest.json
	files  map[string][]byte                                 // served at /files/{name}
	handle func(w http.ResponseWriter, r *http.Request) bool // a test's override; true when it answered
}

func newRelease(t *testing.T) *release {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &release{t: t, pub: pub, priv: priv, dir: t.TempDir(), files: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *release) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	handle, feed := r.handle, r.feed
	file, ok := r.files[strings.TrimPrefix(req.URL.Path, "/files/")]
	r.mu.Unlock()
	if req.URL.Path == "/latest.json" {
		r.feeds.Add(1)
	}
	if handle != nil && handle(w, req) {
		return
	}
	switch {
	case req.URL.Path == "/latest.json":
		w.Header().Set("Content-Type", "application/json")
		w.Write(feed)
	case ok && strings.HasPrefix(req.URL.Path, "/files/"):
		http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(file))
	default:
		http.NotFound(w, req)
	}
}

func (r *release) setHandle(h func(w http.ResponseWriter, r *http.Request) bool) {
	r.mu.Lock()
	r.handle = h
	r.mu.Unlock()
}

func (r *release) setFile(name string, content []byte) {
	r.mu.Lock()
	r.files[name] = content
	r.mu.Unlock()
}

func (r *release) feedURL() string { return r.srv.URL + "/latest.json" }

// publish signs content as version's build for platform with key and
// serves it, returning its feed entry.
func (r *release) sign(key minisign.PrivateKey, name string, content []byte, version, platform string) Build {
	r.t.Helper()
	path := filepath.Join(r.dir, name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		r.t.Fatal(err)
	}
	b, err := SignBuild(key, path, r.srv.URL+"/files/"+name, version, platform)
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.files[name] = content
	r.mu.Unlock()
	return b
}

// setFeed serves a feed offering version with the given builds.
func (r *release) setFeed(version string, builds map[string]Build) {
	r.t.Helper()
	data, err := json.Marshal(Feed{Version: version, Notes: "What's new in " + version, PubDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Platforms: builds})
	if err != nil {
		r.t.Fatal(err)
	}
	r.setRawFeed(data)
}

func (r *release) setRawFeed(data []byte) {
	r.mu.Lock()
	r.feed = data
	r.mu.Unlock()
}

// publish is the usual release: version's program, signed by the test key.
func (r *release) publish(version string) Build {
	b := r.sign(r.priv, "archivist-"+version, program(version), version, testPlatform)
	r.setFeed(version, map[string]Build{testPlatform: b})
	return b
}

// installed is an installed program: dir/archivist at version.
type installed struct {
	dir, exe string
}

func newInstall(t *testing.T, version string) installed {
	t.Helper()
	dir := t.TempDir()
	exe := filepath.Join(dir, "archivist")
	if err := os.WriteFile(exe, program(version), 0o750); err != nil {
		t.Fatal(err)
	}
	return installed{dir: dir, exe: exe}
}

// assertUntouched checks that a failed update changed nothing: the program
// is the same, no previous version was set aside, and no download remains.
func (in installed) assertUntouched(t *testing.T, version string) {
	t.Helper()
	got, err := os.ReadFile(in.exe)
	if err != nil || !bytes.Equal(got, program(version)) {
		t.Fatalf("the program changed: %q, %v", got, err)
	}
	if st, err := os.Stat(in.exe); err != nil || st.Mode().Perm() != 0o750 {
		t.Fatalf("the program's mode changed: %v, %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(in.dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("the directory holds %v, want only the program", names)
	}
}

type service struct {
	*Service
	cfg atomic.Pointer[config.UpdatesConfig]
	bus *events.Bus
}

func newService(t *testing.T, r *release, in installed, current string) *service {
	t.Helper()
	s := &service{bus: events.NewBus()}
	s.cfg.Store(&config.UpdatesConfig{Enabled: true, FeedURL: r.feedURL()})
	svc, err := New(Options{
		Current:    current,
		Platform:   testPlatform,
		Executable: in.exe,
		Config:     func() config.UpdatesConfig { return *s.cfg.Load() },
		Key:        &r.pub,
		Bus:        s.bus,
		Log:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Service = svc
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
