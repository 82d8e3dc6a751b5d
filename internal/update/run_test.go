package update

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunChecksAtStartAndPeriodically(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	s.opts.Interval = 150 * time.Millisecond
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(c); close(done) }()
	defer func() { cancel(); <-done }()

	waitFor(t, "the check at start", func() bool { return s.State().Available })
	waitFor(t, "periodic checks", func() bool { return r.feeds.Load() >= 3 })
}

func TestRunDisabledAndDevelopmentBuildsDoNotCheck(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	for _, tc := range []struct {
		name, current string
		enabled       bool
	}{
		{"disabled", "1.0.0", false},
		{"development build", "0.1.0-dev", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := r.feeds.Load()
			in := newInstall(t, "1.0.0")
			s := newService(t, r, in, tc.current)
			s.cfg.Store(&config.UpdatesConfig{Enabled: tc.enabled, FeedURL: r.feedURL()})
			// Disabled: an hour, so that only the settings change can
			// explain a check after it; a development build: short, so
			// that many ticks pass without one.
			s.opts.Interval = 20 * time.Millisecond
			if !tc.enabled {
				s.opts.Interval = time.Hour
			}
			c, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(c); close(done) }()
			time.Sleep(200 * time.Millisecond)
			if n := r.feeds.Load() - before; n != 0 {
				t.Fatalf("the feed was fetched %d times", n)
			}
			// On demand still works.
			if st, err := s.Check(ctx(t)); err != nil || st.Latest == nil {
				t.Fatalf("check on demand: %+v, %v", st, err)
			}
			if tc.name == "disabled" {
				// Turning checks on checks at once, not in an hour.
				before = r.feeds.Load()
				s.cfg.Store(&config.UpdatesConfig{Enabled: true, FeedURL: r.feedURL()})
				s.ConfigChanged()
				waitFor(t, "a check after enabling", func() bool { return r.feeds.Load() > before })
			}
			cancel()
			<-done
		})
	}
}

// The whole path with real programs: two builds of one Go program, the newer
// served signed; after the install the program at the same path is the new
// one, and after the rollback the old one again.
func TestInstallRealProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go programs")
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(`package main

import "fmt"

var version = "unset"

func main() { fmt.Println("archivist", version) }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func(version, out string) {
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", out, ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
	}
	platform := Platform(runtime.GOOS, runtime.GOARCH)
	dir := t.TempDir()
	exe := filepath.Join(dir, "archivist")
	build("1.0.0", exe)
	r := newRelease(t)
	newBuild := filepath.Join(r.dir, "archivist-1.1.0")
	build("1.1.0", newBuild)
	content, err := os.ReadFile(newBuild)
	if err != nil {
		t.Fatal(err)
	}
	b := r.sign(r.priv, "archivist-1.1.0", content, "1.1.0", platform)
	r.setFeed("1.1.0", map[string]Build{platform: b})

	s := newService(t, r, installed{dir: dir, exe: exe}, "1.0.0")
	s.opts.Platform = platform
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Install(ctx(t), WhenNow); err != nil {
		t.Fatal(err)
	}
	if out := run(t, exe); out != "archivist 1.1.0" {
		t.Fatalf("after the update the program prints %q", out)
	}
	if _, err := s.Rollback(); err != nil {
		t.Fatal(err)
	}
	if out := run(t, exe); out != "archivist 1.0.0" {
		t.Fatalf("after the rollback the program prints %q", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("left behind: %s", strings.Join(names, ", "))
	}
}
