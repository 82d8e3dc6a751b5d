package api

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func newDevicesServer(t *testing.T, node func() (*nodeclient.Client, error)) *httptest.Server {
	t.Helper()
	db, err := state.Open(filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bus := events.NewBus()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := devices.New(devices.Options{DB: db, Node: node, Bus: bus, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{
		Key:     testKey,
		Port:    1420,
		UI:      fstest.MapFS{"index.html": {Data: []byte("ui")}},
		Bus:     bus,
		Devices: svc,
		Log:     log,
	})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if !strings.HasPrefix(a.ctype, "application/json") {
		t.Fatalf("content type %q, want JSON: %s", a.ctype, a.body)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
}

func (a answer) errorText(t *testing.T) string {
	t.Helper()
	var e map[string]string
	a.json(t, &e)
	if e["error"] == "" {
		t.Fatalf("no error message in %s", a.body)
	}
	return e["error"]
}

func send(t *testing.T, ts *httptest.Server, method, path, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ts.URL+path, r)
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

func expectStatus(t *testing.T, what string, got answer, status int, says string) {
	t.Helper()
	if got.status != status {
		t.Fatalf("%s: status %d (%s), want %d", what, got.status, got.body, status)
	}
	if says != "" {
		if msg := got.errorText(t); !strings.Contains(msg, says) {
			t.Fatalf("%s: error %q, want it to say %q", what, msg, says)
		}
	}
}

func newPeerID(t *testing.T) string {
	t.Helper()
	key, _, err := crypto.GenerateSecp256k1Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	return id.String()
}

func TestDevicesRoutesWithoutANode(t *testing.T) {
	ts := newDevicesServer(t, func() (*nodeclient.Client, error) { return nil, files.ErrNodeNotRunning })
	id := newPeerID(t)

	got := send(t, ts, "GET", "/api/devices", "")
	var list struct {
		Devices     []any `json:"devices"`
		OtherPeers  []any `json:"otherPeers"`
		NodeRunning bool  `json:"nodeRunning"`
		Live        bool  `json:"live"`
	}
	got.json(t, &list)
	if got.status != 200 || list.Devices == nil || list.OtherPeers == nil || list.NodeRunning || list.Live {
		t.Fatalf("list without a node: %d %s", got.status, got.body)
	}
	// Input is checked before the node is needed.
	expectStatus(t, "garbage code", send(t, ts, "POST", "/api/devices", `{"code":"hello"}`), 400, "expected the other device's SPR")
	expectStatus(t, "no /p2p/", send(t, ts, "POST", "/api/devices", `{"code":"/ip4/1.2.3.4/tcp/8070"}`), 400, "/p2p/")
	expectStatus(t, "long nickname", send(t, ts, "POST", "/api/devices", `{"code":"`+id+`","nickname":"`+strings.Repeat("n", 65)+`"}`), 400, "at most 64")
	expectStatus(t, "unknown field", send(t, ts, "POST", "/api/devices", `{"code":"`+id+`","nick":"x"}`), 400, "invalid request body")
	expectStatus(t, "not JSON", send(t, ts, "POST", "/api/devices", `code=x`), 400, "invalid request body")
	expectStatus(t, "valid code, no node", send(t, ts, "POST", "/api/devices", `{"code":"`+id+`"}`), 503, "Node not running")

	expectStatus(t, "get a bad ID", send(t, ts, "GET", "/api/devices/nope", ""), 400, "not a peer ID")
	expectStatus(t, "get unknown", send(t, ts, "GET", "/api/devices/"+id, ""), 404, "no paired device")
	expectStatus(t, "rename a bad ID", send(t, ts, "PATCH", "/api/devices/nope", `{"nickname":"x"}`), 400, "not a peer ID")
	expectStatus(t, "rename unknown", send(t, ts, "PATCH", "/api/devices/"+id, `{"nickname":"x"}`), 404, "no paired device")
	expectStatus(t, "rename without nickname", send(t, ts, "PATCH", "/api/devices/"+id, `{}`), 400, "nickname")
	expectStatus(t, "remove unknown", send(t, ts, "DELETE", "/api/devices/"+id, ""), 404, "no paired device")
	expectStatus(t, "connect unknown", send(t, ts, "POST", "/api/devices/"+id+"/connect", ""), 404, "no paired device")
	expectStatus(t, "disconnect, no node", send(t, ts, "POST", "/api/devices/"+id+"/disconnect", ""), 503, "Node not running")
	expectStatus(t, "disconnect a bad ID", send(t, ts, "POST", "/api/devices/x/disconnect", ""), 400, "not a peer ID")
	expectStatus(t, "code, no node", send(t, ts, "GET", "/api/devices/code", ""), 503, "Node not running")
	expectStatus(t, "QR, no node", send(t, ts, "GET", "/api/devices/code/qr.png", ""), 503, "Node not running")
	expectStatus(t, "wrong method", send(t, ts, "PUT", "/api/devices/"+id, `{}`), 404, "no such API endpoint")
}

func TestDevicesRoutesWithRealNodes(t *testing.T) {
	a := nodetest.Start(t, t.TempDir())
	b := nodetest.Start(t, t.TempDir())
	ts := newDevicesServer(t, func() (*nodeclient.Client, error) { return a.Client, nil })
	bi, err := b.Client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var dev devices.Device
	got := send(t, ts, "POST", "/api/devices", `{"code":"`+bi.SPR+`","nickname":"B"}`)
	expectStatus(t, "pair", got, 200, "")
	got.json(t, &dev)
	if dev.PeerID != bi.ID || dev.Nickname != "B" || !dev.Connected {
		t.Fatalf("paired: %s", got.body)
	}
	var list devices.List
	send(t, ts, "GET", "/api/devices", "").json(t, &list)
	if len(list.Devices) != 1 || !list.Devices[0].Connected || !list.Live {
		t.Fatalf("list: %+v", list)
	}
	got = send(t, ts, "PATCH", "/api/devices/"+bi.ID, `{"nickname":"<b>Server</b>\u0000"}`)
	got.json(t, &dev)
	if got.status != 200 || dev.Nickname != "<b>Server</b>" {
		t.Fatalf("rename: %d %s", got.status, got.body)
	}
	// Let the DHT's first contact between the nodes end, or it may dial
	// again right after the disconnection (see the devices tests).
	time.Sleep(3 * time.Second)
	expectStatus(t, "disconnect", send(t, ts, "POST", "/api/devices/"+bi.ID+"/disconnect", ""), 204, "")
	send(t, ts, "GET", "/api/devices/"+bi.ID, "").json(t, &dev)
	if dev.Connected {
		t.Fatalf("connected after disconnect: %+v", dev)
	}
	got = send(t, ts, "POST", "/api/devices/"+bi.ID+"/connect", "")
	got.json(t, &dev)
	if got.status != 200 || !dev.Connected {
		t.Fatalf("connect: %d %s", got.status, got.body)
	}

	var code devices.ShareCode
	got = send(t, ts, "GET", "/api/devices/code", "")
	got.json(t, &code)
	if got.status != 200 || !strings.Contains(code.Multiaddr, "/p2p/") || code.SPR == "" || code.QRPng == "" {
		t.Fatalf("code: %d %s", got.status, got.body)
	}
	got = send(t, ts, "GET", "/api/devices/code/qr.png", "")
	if got.status != 200 || got.ctype != "image/png" {
		t.Fatalf("QR: %d %q", got.status, got.ctype)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(got.body)); err != nil {
		t.Fatalf("QR PNG: %v", err)
	}

	expectStatus(t, "own code", send(t, ts, "POST", "/api/devices", `{"code":"`+code.SPR+`"}`), 400, "belongs to this device")
	expectStatus(t, "unreachable", send(t, ts, "POST", "/api/devices",
		`{"code":"/ip4/127.0.0.1/tcp/`+itoa(nodetest.FreePort(t))+`/p2p/`+newPeerID(t)+`"}`), 502, "Unable to dial peer")
	expectStatus(t, "remove", send(t, ts, "DELETE", "/api/devices/"+bi.ID, ""), 204, "")
	send(t, ts, "GET", "/api/devices", "").json(t, &list)
	if len(list.Devices) != 0 {
		t.Fatalf("after remove: %+v", list)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// archivist-node has no peers extension: pairing works, connection facts
// are reported unknown, disconnecting is "not implemented".
func TestDevicesAgainstANodeWithoutThePeersExtension(t *testing.T) {
	self, good, bad := newPeerID(t), newPeerID(t), newPeerID(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/archivist/v1/peerid", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, self) })
	mux.HandleFunc("GET /api/archivist/v1/connect/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == bad {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "Unable to find Peer!")
			return
		}
		io.WriteString(w, "Successfully connected to peer")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	fake := httptest.NewServer(mux)
	defer fake.Close()
	ts := newDevicesServer(t, func() (*nodeclient.Client, error) { return nodeclient.New(fake.URL), nil })

	var dev devices.Device
	got := send(t, ts, "POST", "/api/devices", `{"code":"`+good+`"}`)
	got.json(t, &dev)
	if got.status != 200 || dev.Connected {
		t.Fatalf("pair: %d %s (connected must not be assumed)", got.status, got.body)
	}
	var list devices.List
	send(t, ts, "GET", "/api/devices", "").json(t, &list)
	if !list.NodeRunning || list.Live || !strings.Contains(list.LiveError, "does not list its peers") || len(list.Devices) != 1 {
		t.Fatalf("list: %+v", list)
	}
	expectStatus(t, "disconnect", send(t, ts, "POST", "/api/devices/"+good+"/disconnect", ""), 501, "no peers extension")
	expectStatus(t, "not found", send(t, ts, "POST", "/api/devices", `{"code":"`+bad+`"}`), 502, "Unable to find Peer!")
	expectStatus(t, "remove", send(t, ts, "DELETE", "/api/devices/"+good, ""), 204, "")
}
