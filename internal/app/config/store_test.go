package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Default("/data/node"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func setAPIPort(p int) func(*Config) error {
	return func(c *Config) error { c.Node.APIPort = p; return nil }
}

func TestStoreMissingFileFirstSaveCreatesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.toml")
	s := openStore(t, path)
	if s.Broken() != nil {
		t.Fatal("broken on a missing file")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Open wrote the file")
	}
	if _, err := s.Update(setAPIPort(9000)); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, Default("/elsewhere"))
	if err != nil || got.Node.APIPort != 9000 || got.Node.DataDirectory != "/data/node" {
		t.Fatalf("file holds %+v, %v", got.Node, err)
	}
}

func TestStoreSaveReplacesWholeConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	s := openStore(t, path)
	c := s.Get()
	c.Theme = "light"
	c.ManifestServer.AllowedIPs = []string{"192.168.1.0/24"}
	ch, err := s.Save(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"theme", "manifest_server.allowed_ips"}; !reflect.DeepEqual(ch.Keys, want) || ch.NodeRestart {
		t.Fatalf("changes %v restart=%v", ch.Keys, ch.NodeRestart)
	}
	c.ManifestServer.AllowedIPs[0] = "mutated after Save"
	if got, _ := Load(path, Default("/x")); !reflect.DeepEqual(got, s.Get()) || got.ManifestServer.AllowedIPs[0] != "192.168.1.0/24" {
		t.Fatalf("file %+v, store %+v", got, s.Get())
	}
}

func TestStoreGetReturnsACopy(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "config.toml"))
	c := s.Get()
	c.Sync.ExcludePatterns[0] = "mutated"
	c.Node.APIPort = 1
	if got := s.Get(); got.Sync.ExcludePatterns[0] != "*.tmp" || got.Node.APIPort != 8080 {
		t.Fatalf("Get shares state: %+v", got)
	}
}

func TestStoreBrokenFileIsNeverOverwritten(t *testing.T) {
	body := "theme = \"dark\"\n[node\napi_port = 9000\n" // syntax error on line 2
	path := writeConfig(t, body)
	s, err := Open(path, Default("/data/node"))
	var le *LoadError
	if !errors.As(err, &le) || s == nil {
		t.Fatalf("Open = %v, %v; want a store and a *LoadError", s, err)
	}
	if s.Broken() != le || le.Problems[0].Line != 2 {
		t.Fatalf("Broken() = %v", s.Broken())
	}
	if !reflect.DeepEqual(s.Get(), Default("/data/node")) {
		t.Fatal("a broken store must run on the defaults")
	}
	_, err = s.Update(setAPIPort(9001))
	if !errors.Is(err, ErrBroken) || !errors.As(err, &le) {
		t.Fatalf("Update on a broken store = %v, want ErrBroken wrapping the LoadError", err)
	}
	if got, _ := os.ReadFile(path); string(got) != body {
		t.Fatalf("file changed:\n%s", got)
	}
	if s.Get().Node.APIPort != 8080 {
		t.Fatal("refused update still changed the config in memory")
	}
}

func TestStoreResetToDefaultsKeepsBrokenFile(t *testing.T) {
	body := "[node]\napi_port = 70000\n"
	path := writeConfig(t, body)
	s, _ := Open(path, Default("/data/node"))
	if s.Broken() == nil {
		t.Fatal("not broken")
	}
	_, kept, err := s.ResetToDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if s.Broken() != nil {
		t.Fatal("still broken after reset")
	}
	if !strings.HasPrefix(filepath.Base(kept), "config.toml.broken-") || filepath.Dir(kept) != filepath.Dir(path) {
		t.Fatalf("kept as %q", kept)
	}
	if got, _ := os.ReadFile(kept); string(got) != body {
		t.Fatalf("kept copy holds %q, want the user's file", got)
	}
	got, err := Load(path, Default("/elsewhere"))
	if err != nil || !reflect.DeepEqual(got, Default("/data/node")) {
		t.Fatalf("file after reset = %+v, %v; want defaults", got, err)
	}
	// Saving works again.
	if _, err := s.Update(setAPIPort(9000)); err != nil {
		t.Fatal(err)
	}

	// A second reset of a second broken file within the same second keeps both copies.
	if err := os.WriteFile(path, []byte("oops ="), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(); err == nil {
		t.Fatal("Reload of a broken file succeeded")
	}
	_, kept2, err := s.ResetToDefaults()
	if err != nil || kept2 == kept {
		t.Fatalf("second reset kept as %q (first %q), %v", kept2, kept, err)
	}
	if got, _ := os.ReadFile(kept); string(got) != body {
		t.Fatal("second reset overwrote the first kept copy")
	}
}

func TestStoreResetHealthyFileReplacesIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	s := openStore(t, path)
	if _, err := s.Update(func(c *Config) error { c.Node.MaxStorageGB = 99; return nil }); err != nil {
		t.Fatal(err)
	}
	ch, kept, err := s.ResetToDefaults()
	if err != nil || kept != "" {
		t.Fatalf("reset: kept %q, %v", kept, err)
	}
	if !reflect.DeepEqual(ch.Keys, []string{"node.max_storage_gb"}) || s.Get().Node.MaxStorageGB != 10 {
		t.Fatalf("changes %v, config %+v", ch.Keys, s.Get().Node)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %v, want only config.toml", entries)
	}
}

func TestStoreResetKeepsAnOutsideEdit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	s := openStore(t, path)
	if _, err := s.Update(setAPIPort(9000)); err != nil {
		t.Fatal(err)
	}
	edited := "# mine\n[node]\nlisten_port = 9070\n"
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	_, kept, err := s.ResetToDefaults()
	if err != nil || kept == "" {
		t.Fatalf("reset: kept %q, %v", kept, err)
	}
	if got, _ := os.ReadFile(kept); string(got) != edited {
		t.Fatalf("kept %q", got)
	}
}

func TestStoreReloadFixedFile(t *testing.T) {
	path := writeConfig(t, "[node]\napi_port = 1\n")
	s, _ := Open(path, Default("/data/node"))
	if err := os.WriteFile(path, []byte("[node]\napi_port = 9100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Reload()
	if err != nil || s.Broken() != nil {
		t.Fatalf("Reload: %v, broken %v", err, s.Broken())
	}
	if !ch.NodeRestart || s.Get().Node.APIPort != 9100 {
		t.Fatalf("changes %+v", ch.Keys)
	}
	if _, err := s.Update(setAPIPort(9200)); err != nil {
		t.Fatal(err)
	}
}

func TestStoreRefusesToClobberOutsideEdits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	s := openStore(t, path)
	if _, err := s.Update(setAPIPort(9000)); err != nil {
		t.Fatal(err)
	}
	edited := "[node]\nlisten_port = 9070\n"
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(setAPIPort(9001)); !errors.Is(err, ErrChangedOnDisk) {
		t.Fatalf("Update over an outside edit = %v, want ErrChangedOnDisk", err)
	}
	if got, _ := os.ReadFile(path); string(got) != edited {
		t.Fatal("outside edit overwritten")
	}
	if _, err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(setAPIPort(9001)); err != nil {
		t.Fatal(err)
	}
	if c := s.Get(); c.Node.ListenPort != 9070 || c.Node.APIPort != 9001 {
		t.Fatalf("node = %+v", c.Node)
	}
}

func TestStoreUpdateRejectsInvalidAndKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	s := openStore(t, path)
	_, err := s.Update(setAPIPort(70000))
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "node.api_port: 70000 is not a port (1024–65535)") {
		t.Fatalf("Update = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("invalid update wrote the file")
	}
	fnErr := errors.New("no")
	if _, err := s.Update(func(c *Config) error { c.Node.APIPort = 9000; return fnErr }); err != fnErr {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if s.Get().Node.APIPort != 8080 {
		t.Fatal("failed update changed the config")
	}
}

func TestStoreAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	s := openStore(t, path)
	for i := range 5 {
		if _, err := s.Update(setAPIPort(9000 + i)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "config.toml" {
		t.Fatalf("dir holds %v, want only config.toml (no temp files)", entries)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	data, _ := os.ReadFile(path)
	want, _ := Encode(s.Get())
	if !bytes.Equal(data, want) {
		t.Fatalf("file differs from Encode(Get()):\n%s", data)
	}
}

func TestStoreFailedSaveChangesNothing(t *testing.T) {
	// The config's directory turns out to be a regular file: no write can
	// succeed there, not even as root.
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	s := openStore(t, filepath.Join(blocker, "config.toml"))
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ch, unsub := s.Subscribe()
	defer unsub()
	if _, err := s.Update(setAPIPort(9000)); err == nil {
		t.Fatal("Update succeeded where the file cannot be written")
	}
	if s.Get().Node.APIPort != 8080 {
		t.Fatal("failed write changed the config")
	}
	select {
	case c := <-ch:
		t.Fatalf("notified of a failed write: %v", c.Keys)
	default:
	}
}

// A write that fails at the rename leaves the old file and no temp file.
func TestWriteFileFailureLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	// A non-empty directory at path: the rename over it must fail.
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(path, []byte("theme = 'dark'\n")); err == nil {
		t.Fatal("writeFile renamed over a directory")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "config.toml" || !entries[0].IsDir() {
		t.Fatalf("dir holds %v, want only the original", entries)
	}
}

func receive(t *testing.T, ch <-chan Changes) Changes {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no Changes delivered")
	}
	return Changes{}
}

func TestStoreSubscribers(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "config.toml"))
	a, unsubA := s.Subscribe()
	b, unsubB := s.Subscribe()
	defer unsubB()

	if _, err := s.Update(setAPIPort(9000)); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []<-chan Changes{a, b} {
		c := receive(t, ch)
		if !c.NodeRestart || !reflect.DeepEqual(c.Keys, []string{"node.api_port"}) || c.New.Node.APIPort != 9000 || c.Old.Node.APIPort != 8080 {
			t.Fatalf("changes = %+v", c.Keys)
		}
	}

	if _, err := s.Update(func(c *Config) error { c.Node.LogLevel = "INFO"; return nil }); err != nil {
		t.Fatal(err)
	}
	c := receive(t, a)
	if c.NodeRestart || !c.Has("node") || !c.Has("node.log_level") || c.Has("sync") {
		t.Fatalf("log_level change: restart=%v keys=%v", c.NodeRestart, c.Keys)
	}
	receive(t, b)

	// Saving without a change notifies nobody.
	if _, err := s.Update(func(*Config) error { return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-a:
		t.Fatalf("notified of no change: %v", c.Keys)
	default:
	}

	unsubA()
	unsubA() // idempotent
	if _, ok := <-a; ok {
		t.Fatal("channel not closed after unsubscribe")
	}
	if _, err := s.Update(setAPIPort(9001)); err != nil { // must not panic on the closed channel
		t.Fatal(err)
	}
	receive(t, b)
}

// A subscriber that does not read never blocks an update, and when it reads
// it gets everything that changed meanwhile, against the state it last saw.
func TestStoreSlowSubscriberGetsMergedChanges(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "config.toml"))
	ch, unsub := s.Subscribe()
	defer unsub()
	updates := []func(*Config) error{
		setAPIPort(9000),
		func(c *Config) error { c.Node.LogLevel = "WARN"; return nil },
		func(c *Config) error { c.Theme = "dark"; return nil },
		setAPIPort(9001),
	}
	done := make(chan error)
	go func() {
		for _, u := range updates {
			if _, err := s.Update(u); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("updates blocked on a subscriber that does not read")
	}
	c := receive(t, ch)
	if want := []string{"theme", "node.api_port", "node.log_level"}; !reflect.DeepEqual(c.Keys, want) {
		t.Fatalf("keys = %v, want %v", c.Keys, want)
	}
	if c.Old.Node.APIPort != 8080 || c.New.Node.APIPort != 9001 || !c.NodeRestart {
		t.Fatalf("merged changes old=%d new=%d restart=%v", c.Old.Node.APIPort, c.New.Node.APIPort, c.NodeRestart)
	}
	select {
	case c := <-ch:
		t.Fatalf("extra delivery %v", c.Keys)
	default:
	}
}

func TestStoreConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	s := openStore(t, path)
	ch, unsub := s.Subscribe()
	defer unsub()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() { // a service applying changes as they come
		defer readers.Done()
		for {
			select {
			case <-ch:
			case <-stop:
				return
			}
		}
	}()

	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := s.Update(func(c *Config) error {
					c.Sync.ManifestMaxRetries++
					c.Sync.ExcludePatterns = append(c.Sync.ExcludePatterns, "w")
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if got := s.Get(); got.Sync.ManifestMaxRetries < 5 {
					t.Errorf("worker %d read %d", w, got.Sync.ManifestMaxRetries)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	want := 5 + workers*each
	if got := s.Get().Sync.ManifestMaxRetries; got != want {
		t.Fatalf("manifest_max_retries = %d, want %d (lost updates)", got, want)
	}
	onDisk, err := Load(path, Default("/data/node"))
	if err != nil || onDisk.Sync.ManifestMaxRetries != want || len(onDisk.Sync.ExcludePatterns) != 4+workers*each {
		t.Fatalf("file holds %d retries, %d patterns, %v", onDisk.Sync.ManifestMaxRetries, len(onDisk.Sync.ExcludePatterns), err)
	}
}

func TestOpenRejectsInvalidDefaults(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "config.toml"), Default("relative"))
	if s != nil || err == nil || !strings.Contains(err.Error(), "node.data_directory") {
		t.Fatalf("Open = %v, %v", s, err)
	}
}
