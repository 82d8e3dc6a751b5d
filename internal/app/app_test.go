package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// startApp runs a whole app instance in a temporary home, with its own
// ports, and its node as a real child process.
func startApp(t *testing.T) (base string, key string, a *App) {
	t.Helper()
	// The node inherits these: tests send nothing beyond loopback.
	t.Setenv("ARCHIVIST_NAT", "none")
	t.Setenv("ARCHIVIST_MDNS", "false")
	home := t.TempDir()
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(layout.ConfigFile(), nodetest.AppConfig(t), 0o600)
	a, err = New(Options{
		Layout:     layout,
		UI:         fstest.MapFS{"index.html": {Data: []byte("ui")}},
		GUIAddress: "127.0.0.1:0",
		NodeBinary: nodetest.Binary(t),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	ln, err := a.Listen(false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { ln.Serve(ctx); close(served) }()
	t.Cleanup(func() {
		cancel()
		<-served
		if err := a.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	base = strings.Split(ln.URL, "/?token=")[0]
	return base, a.key, a
}

func apiCall(t *testing.T, key, method, url string, body io.Reader, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestAppStartsItsNodeAndServesFiles(t *testing.T) {
	base, key, a := startApp(t)
	var st struct {
		State   string `json:"state"`
		PID     int    `json:"pid"`
		Version string `json:"version"`
		Quota   uint64 `json:"storageQuotaBytes"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for st.State != "running" {
		if time.Now().After(deadline) {
			t.Fatalf("node not running after 30 s: %+v; log:\n%s", st, strings.Join(a.node.Tail(50), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
		apiCall(t, key, "GET", base+"/api/node/status", nil, &st)
	}
	if st.PID == 0 || st.Version == "" {
		t.Fatalf("status without real figures: %+v", st)
	}

	var up struct{ CID string }
	if code := apiCall(t, key, "POST", base+"/api/files?name=hello.txt", strings.NewReader("hello, backup"), &up); code != 200 || !strings.HasPrefix(up.CID, "zDv") {
		t.Fatalf("upload: %d %+v", code, up)
	}
	var list []struct {
		CID, Filename string
		Size          int
	}
	apiCall(t, key, "GET", base+"/api/files", nil, &list)
	if len(list) != 1 || list[0].CID != up.CID || list[0].Filename != "hello.txt" || list[0].Size != 13 {
		t.Fatalf("list %+v", list)
	}
	dest := t.TempDir()
	var got struct{ Path string }
	body, _ := json.Marshal(map[string]string{"cid": up.CID, "destination": dest})
	if code := apiCall(t, key, "POST", base+"/api/files/download", bytes.NewReader(body), &got); code != 200 {
		t.Fatalf("download: %d", code)
	}
	if b, _ := os.ReadFile(got.Path); string(b) != "hello, backup" || filepath.Dir(got.Path) != dest {
		t.Fatalf("downloaded %q to %s", b, got.Path)
	}
	var bad map[string]string
	if code := apiCall(t, key, "DELETE", base+"/api/files/not-a-cid", nil, &bad); code != 400 || bad["error"] == "" {
		t.Fatalf("bad cid: %d %v", code, bad)
	}

	var logs struct{ Lines []string }
	apiCall(t, key, "GET", base+"/api/node/logs?lines=50", nil, &logs)
	if len(logs.Lines) == 0 {
		t.Fatal("no node log lines")
	}

	if code := apiCall(t, key, "POST", base+"/api/node/stop", nil, &st); code != 200 || st.State != "stopped" {
		t.Fatalf("stop: %d %+v", code, st)
	}
	var e map[string]string
	if code := apiCall(t, key, "GET", base+"/api/files", nil, &e); code != 503 || e["error"] != "Node not running" {
		t.Fatalf("files with the node stopped: %d %v", code, e)
	}
}

// Settings changed through the store (by the API, the CLI or a service)
// reach the event stream, so the UI's notification sounds follow them
// without polling.
func TestConfigChangesArePublished(t *testing.T) {
	home := t.TempDir()
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(layout.ConfigFile(), append(nodetest.AppConfig(t), "auto_start = false\n"...), 0o600)
	a, err := New(Options{Layout: layout, UI: fstest.MapFS{}, NodeBinary: "/nonexistent", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ch, unsubscribe := a.Bus().Subscribe()
	defer unsubscribe()
	a.Start()
	t.Cleanup(func() { a.Close() })

	if _, err := a.cfg.Update(func(c *config.Config) error {
		c.Notifications.SoundVolume = 0.25
		c.Notifications.DesktopEnabled = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Type != EventConfigChanged {
				continue
			}
			keys, _ := ev.Data.([]string)
			keys = slices.Sorted(slices.Values(keys))
			if !slices.Equal(keys, []string{"notifications.desktop_enabled", "notifications.sound_volume"}) {
				t.Fatalf("config-changed data %v, want the two changed keys", ev.Data)
			}
			return
		case <-timeout:
			t.Fatal("no config-changed event within 5 s of a saved change")
		}
	}
}
