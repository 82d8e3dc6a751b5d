//go:build !darwin && !windows

package autostart

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

func openStore(t *testing.T) *config.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := config.Open(filepath.Join(dir, "config.toml"), config.Default(filepath.Join(dir, "node")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func setStartOnBoot(t *testing.T, s *config.Store, on bool) {
	t.Helper()
	if _, err := s.Update(func(c *config.Config) error { c.StartOnBoot = on; return nil }); err != nil {
		t.Fatal(err)
	}
}

func waitFile(t *testing.T, path string, exists bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := os.Stat(path)
		if (err == nil) == exists {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s exists=%v, want %v (err %v)", path, err == nil, exists, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFollowWritesAndRemovesTheXDGEntry(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	entry := filepath.Join(xdg, "autostart", "archivist.desktop")
	if p, _ := Path(); p != entry {
		t.Fatalf("Path() = %s, want %s", p, entry)
	}
	store := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	e := Entry{Exe: "/opt/Archivist Desktop/archivist", Args: []string{"app", "--minimized", "--home", "/home/me/my archive"}}
	go func() { Follow(ctx, store, e, slog.New(slog.NewTextHandler(io.Discard, nil))); close(done) }()

	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(entry); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("start_on_boot is off by default, yet %s: %v", entry, err)
	}
	setStartOnBoot(t, store, true)
	waitFile(t, entry, true)
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"[Desktop Entry]\n", "Type=Application\n", "Name=Archivist\n",
		`Exec="/opt/Archivist Desktop/archivist" app --minimized --home "/home/me/my archive"` + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("entry lacks %q:\n%s", want, got)
		}
	}
	setStartOnBoot(t, store, false)
	waitFile(t, entry, false)

	// A change of another key leaves the entry alone.
	if _, err := store.Update(func(c *config.Config) error { c.Theme = "dark"; return nil }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(entry); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a theme change wrote the entry: %v", err)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not return after its context ended")
	}
}

func TestFollowFixesTheEntryAtStart(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	entry := filepath.Join(xdg, "autostart", "archivist.desktop")
	stale := "[Desktop Entry]\nType=Application\nExec=/old/place/archivist app --minimized\n"
	run := func(on bool) {
		store := openStore(t)
		setStartOnBoot(t, store, on)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			Follow(ctx, store, Entry{Exe: "/new/place/archivist", Args: []string{"app", "--minimized"}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			close(done)
		}()
		time.Sleep(100 * time.Millisecond)
		cancel()
		<-done
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entry, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	run(true)
	b, _ := os.ReadFile(entry)
	if !strings.Contains(string(b), "Exec=/new/place/archivist app --minimized\n") {
		t.Fatalf("the moved binary's entry was not rewritten:\n%s", b)
	}
	run(false)
	if _, err := os.Stat(entry); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("start_on_boot off, yet the entry stayed: %v", err)
	}
}

func TestExecLineQuoting(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"/usr/bin/archivist", "app", "--minimized"}, `/usr/bin/archivist app --minimized`},
		{[]string{"/a b/archivist"}, `"/a b/archivist"`},
		{[]string{"/x", "100%"}, `/x 100%%`},
		{[]string{"/x", `say "hi" $HOME`}, `/x "say \\"hi\\" \\$HOME"`},
		{[]string{"/x", `C:\dir`}, `/x "C:\\\\dir"`},
		{[]string{"/x", ""}, `/x ""`},
		{[]string{"/x", "a\nb"}, `/x "a\nb"`},
	} {
		if got := execLine(c.argv); got != c.want {
			t.Errorf("execLine(%q) = %s, want %s", c.argv, got, c.want)
		}
	}
}
