package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

func waitNode(t *testing.T, base, key string, a *App) {
	t.Helper()
	var st struct{ State string }
	deadline := time.Now().Add(30 * time.Second)
	for st.State != "running" {
		if time.Now().After(deadline) {
			t.Fatalf("node not running after 30 s: %+v; log:\n%s", st, strings.Join(a.node.Tail(50), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
		apiCall(t, key, "GET", base+"/api/node/status", nil, &st)
	}
}

// The app pairs a device through its UI API, keeps it in its state
// database, and reconnects it by itself when its node restarts.
func TestAppPairsAndReconnectsDevicesWhenItsNodeRestarts(t *testing.T) {
	base, key, a := startApp(t)
	waitNode(t, base, key, a)
	b := nodetest.Start(t, t.TempDir())
	bi, err := b.Client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var dev devices.Device
	if code := apiCall(t, key, "POST", base+"/api/devices", strings.NewReader(`{"code":"`+bi.SPR+`","nickname":"B"}`), &dev); code != 200 || !dev.Connected {
		t.Fatalf("pair: %d %+v", code, dev)
	}

	if code := apiCall(t, key, "POST", base+"/api/node/restart", nil, nil); code != 200 {
		t.Fatalf("restart: %d", code)
	}
	waitNode(t, base, key, a)
	var list devices.List
	deadline := time.Now().Add(20 * time.Second)
	for len(list.Devices) != 1 || !list.Devices[0].Connected {
		if time.Now().After(deadline) {
			t.Fatalf("B not reconnected after the node restarted: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
		apiCall(t, key, "GET", base+"/api/devices", nil, &list)
	}
	if list.Devices[0].PeerID != bi.ID || list.Devices[0].Nickname != "B" {
		t.Fatalf("device %+v", list.Devices[0])
	}
	peers, err := b.Client.Peers(context.Background())
	if err != nil || len(peers) != 1 {
		t.Fatalf("B's node peers: %+v %v", peers, err)
	}
}

// A second instance on the same home is refused: the state database says
// which one holds it.
func TestSecondInstanceOnTheSameHomeIsRefused(t *testing.T) {
	home := t.TempDir()
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Layout:     layout,
		UI:         fstest.MapFS{"index.html": {Data: []byte("ui")}},
		GUIAddress: "127.0.0.1:0",
		NodeBinary: "/nonexistent",
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	first, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := New(opts); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second instance: %v", err)
	}
}
