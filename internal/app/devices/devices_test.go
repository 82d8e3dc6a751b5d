package devices

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// Real node processes on loopback; each test's app side is a devices
// Service on its own state database.

var ctx = context.Background()

// expectConnected checks a device as the service reports it against
// what both nodes say.
func expectConnected(t *testing.T, a, b *device, dev Device) {
	t.Helper()
	if dev.PeerID != b.info.ID || !dev.Connected {
		t.Fatalf("device %+v: want %s connected", dev, b.info.ID)
	}
	if _, ok := a.nodePeers()[b.info.ID]; !ok {
		t.Fatalf("A's node does not list B")
	}
	waitFor(t, "B's node to list A", 5*time.Second, func() bool { _, ok := b.nodePeers()[a.info.ID]; return ok })
}

func TestPairBySPRShowsWhatTheNodeSays(t *testing.T) {
	a, b := newDevice(t), newDevice(t)
	dev, err := a.svc.Add(ctx, "  "+b.info.SPR+"\n", " Office\x07 PC\u202e\n")
	if err != nil {
		t.Fatal(err)
	}
	expectConnected(t, a, b, dev)
	if dev.Nickname != "Office PC" {
		t.Fatalf("nickname %q, want control characters stripped", dev.Nickname)
	}
	if len(dev.Addresses) == 0 || !strings.HasPrefix(dev.Addresses[0], "/ip4/127.0.0.1/tcp/") {
		t.Fatalf("addresses %v, want B's from its SPR", dev.Addresses)
	}
	if dev.PairedAt.IsZero() || dev.FirstSeen.IsZero() || dev.LastSeen.IsZero() || dev.Direction != "outbound" {
		t.Fatalf("device %+v", dev)
	}
	// Latency comes from the node's pings, once one answered.
	var got Device
	waitFor(t, "a latency from the node", 10*time.Second, func() bool {
		got, _ = a.find(b.info.ID)
		return got.LatencyMs != nil
	})
	want := a.nodePeers()[b.info.ID]
	if *got.LatencyMs <= 0 || want.LatencyMs <= 0 || got.AgentVersion == "" || got.AgentVersion != want.AgentVersion {
		t.Fatalf("device %+v, node says %+v", got, want)
	}
	l := a.list()
	if !l.Live || !l.NodeRunning || len(l.Devices) != 1 || len(l.OtherPeers) != 0 {
		t.Fatalf("list %+v", l)
	}
	// B did not pair A, but is connected to it: an other peer there.
	lb := b.list()
	if len(lb.Devices) != 0 || len(lb.OtherPeers) != 1 || lb.OtherPeers[0].PeerID != a.info.ID || !lb.OtherPeers[0].Connected {
		t.Fatalf("B's list %+v", lb)
	}
	if !a.rec.has(EventPeerConnected, b.info.ID) || !a.rec.has(EventDevicesChanged, nil) {
		t.Fatal("no peer-connected / devices-changed event")
	}
	// The desktop's notifications name paired devices only.
	if name, ok := a.svc.Nickname(b.info.ID); !ok || name != got.Nickname {
		t.Fatalf("A's Nickname(B) = %q %v, want %q", name, ok, got.Nickname)
	}
	if _, ok := b.svc.Nickname(a.info.ID); ok {
		t.Fatal("B names A, which it did not pair")
	}
}

func TestShareCodeAndPairByMultiaddr(t *testing.T) {
	a, b := newDevice(t), newDevice(t)
	code, err := b.svc.Code(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code.PeerID != b.info.ID || code.SPR != b.info.SPR || len(code.Addresses) == 0 ||
		!strings.HasPrefix(code.Multiaddr, "/ip4/127.0.0.1/tcp/") || !strings.HasSuffix(code.Multiaddr, "/p2p/"+b.info.ID) {
		t.Fatalf("share code %+v", code)
	}
	raw, err := base64.StdEncoding.DecodeString(code.QRPng)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range [][]byte{raw, must(b.svc.QR(ctx))} {
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width < 100 || cfg.Width != cfg.Height {
			t.Fatalf("QR code PNG: %+v %v", cfg, err)
		}
	}
	dev, err := a.svc.Add(ctx, code.Multiaddr, "")
	if err != nil {
		t.Fatal(err)
	}
	expectConnected(t, a, b, dev)
	if dev.Nickname != ShortID(b.info.ID) {
		t.Fatalf("default nickname %q, want the short peer ID", dev.Nickname)
	}
	if !strings.HasPrefix(code.Multiaddr, dev.Addresses[0]+"/p2p/") {
		t.Fatalf("stored addresses %v, want the multiaddr's transport part first", dev.Addresses)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPairByPeerIDThroughTheDHT(t *testing.T) {
	hub := nodetest.Start(t, t.TempDir())
	spr := must(hub.Client.Info(ctx)).SPR
	a, b := newDevice(t, "--bootstrap-node", spr), newDevice(t, "--bootstrap-node", spr)
	var dev Device
	var err error
	waitFor(t, "A to find B by its peer ID", 40*time.Second, func() bool {
		dev, err = a.svc.Add(ctx, b.info.ID, "found")
		if err != nil && !errors.Is(err, ErrConnectFailed) {
			t.Fatal(err)
		}
		return err == nil
	})
	expectConnected(t, a, b, dev)
	// No address was given. The DHT may have connected B to A already
	// (an inbound connection, whose remote port is not one to dial), so
	// an address is learned only from a connection A dialled.
	if dev.Direction == "outbound" && len(dev.Addresses) == 0 || dev.Direction == "inbound" && len(dev.Addresses) != 0 {
		t.Fatalf("%s connection, addresses %v", dev.Direction, dev.Addresses)
	}
	settle()
	if err := a.svc.Disconnect(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	if dev, err = a.svc.Connect(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	if dev.Direction != "outbound" || len(dev.Addresses) == 0 || !strings.HasPrefix(dev.Addresses[0], "/ip4/127.0.0.1/tcp/") {
		t.Fatalf("after reconnecting by peer ID: %s, addresses %v", dev.Direction, dev.Addresses)
	}
	l := a.list()
	if len(l.OtherPeers) != 1 || l.OtherPeers[0].PeerID != must(hub.Client.PeerID(ctx)) {
		t.Fatalf("other peers %+v, want the hub", l.OtherPeers)
	}
}

func tamper(t *testing.T, spr string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(spr, "spr:"))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0x01 // inside the signature, the envelope's last field
	return "spr:" + base64.RawURLEncoding.EncodeToString(b)
}

func TestRefusesBadCodesAndPersistsNothing(t *testing.T) {
	a, b := newDevice(t), newDevice(t)
	for _, tc := range []struct {
		code, nickname string
		kind           error
		says           string
	}{
		{tamper(t, b.info.SPR), "", ErrInvalid, "not a valid SPR"},
		{"spr:AAAA", "", ErrInvalid, "not a valid SPR"},
		{"", "", ErrInvalid, "no device code"},
		{"hello", "", ErrInvalid, "expected the other device's SPR"},
		{"/ip4/127.0.0.1/tcp/8070", "", ErrInvalid, "does not end in /p2p/"},
		{"/ip4/999.0.0.1/tcp/1/p2p/" + b.info.ID, "", ErrInvalid, "not a valid multiaddr"},
		{b.info.ID, strings.Repeat("x", 65), ErrInvalid, "at most 64"},
		{a.info.SPR, "", ErrOwnDevice, "belongs to this device"},
		{a.info.ID, "", ErrOwnDevice, "belongs to this device"},
		{a.info.Addrs[0] + "/p2p/" + a.info.ID, "", ErrOwnDevice, "belongs to this device"},
	} {
		_, err := a.svc.Add(ctx, tc.code, tc.nickname)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Add(%.40q): %v, want %v saying %q", tc.code, err, tc.kind, tc.says)
		}
	}
	// A peer that is not there: the node's refusal, nothing saved.
	key, _, _ := crypto.GenerateSecp256k1Key(nil)
	ghost, _ := peer.IDFromPrivateKey(key)
	_, err := a.svc.Add(ctx, "/ip4/127.0.0.1/tcp/"+strconv.Itoa(nodetest.FreePort(t))+"/p2p/"+ghost.String(), "")
	var ce *ConnectError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConnectFailed) || !strings.Contains(err.Error(), "Unable to dial peer") {
		t.Fatalf("unreachable peer: %v", err)
	}
	if l := a.list(); len(l.Devices) != 0 {
		t.Fatalf("refused codes left devices: %+v", l.Devices)
	}
	// Without a node: the node's absence, after the input checks.
	a.running.Store(false)
	if _, err := a.svc.Add(ctx, b.info.SPR, ""); !errors.Is(err, errNotRunning) {
		t.Fatalf("node not running: %v", err)
	}
	if _, err := a.svc.Add(ctx, "junk", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("junk without a node: %v", err)
	}
	if l := a.list(); l.NodeRunning || l.Live || len(l.Devices) != 0 {
		t.Fatalf("list without a node: %+v", l)
	}
}

func TestDisconnectReconnectRenameRemoveAndPersistence(t *testing.T) {
	a, b := newDevice(t), newDevice(t)
	if _, err := a.svc.Add(ctx, b.info.SPR, "B"); err != nil {
		t.Fatal(err)
	}
	settle()
	if err := a.svc.Disconnect(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	if dev, _ := a.find(b.info.ID); dev.Connected || dev.LatencyMs != nil {
		t.Fatalf("after Disconnect: %+v", dev)
	}
	if _, ok := a.nodePeers()[b.info.ID]; ok {
		t.Fatal("A's node still lists B")
	}
	waitFor(t, "B's node to drop A", 5*time.Second, func() bool { _, ok := b.nodePeers()[a.info.ID]; return !ok })
	if !a.rec.has(EventPeerDisconnected, b.info.ID) {
		t.Fatal("no peer-disconnected event")
	}

	dev, err := a.svc.Connect(ctx, b.info.ID)
	if err != nil {
		t.Fatal(err)
	}
	expectConnected(t, a, b, dev)
	if dev, err = a.svc.Rename(ctx, b.info.ID, "  Backup box\t2 "); err != nil || dev.Nickname != "Backup box 2" {
		t.Fatalf("rename: %+v %v", dev, err)
	}
	for _, bad := range []string{"", " \x01 ", strings.Repeat("é", 65)} {
		if _, err := a.svc.Rename(ctx, b.info.ID, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("rename to %q: %v", bad, err)
		}
	}
	if _, err := a.svc.Rename(ctx, "nope", "x"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("rename a bad ID: %v", err)
	}
	if _, err := a.svc.Rename(ctx, a.info.ID, "x"); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("rename an unpaired ID: %v", err)
	}

	// Reopening the database keeps everything.
	before := dev
	a.db.Close()
	a.open()
	after, ok := a.find(b.info.ID)
	if !ok || after.Nickname != "Backup box 2" || !after.PairedAt.Equal(before.PairedAt) || len(after.Addresses) != len(before.Addresses) || !after.Connected {
		t.Fatalf("after reopening: %+v, before %+v", after, before)
	}

	if err := a.svc.Remove(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	if l := a.list(); len(l.Devices) != 0 {
		t.Fatalf("after Remove: %+v", l)
	}
	waitFor(t, "B's node to drop A", 5*time.Second, func() bool { _, ok := b.nodePeers()[a.info.ID]; return !ok })
	if _, err := a.svc.Get(ctx, b.info.ID); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("Get after Remove: %v", err)
	}
	if err := a.svc.Remove(ctx, b.info.ID); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("Remove twice: %v", err)
	}
	if _, err := a.svc.Connect(ctx, b.info.ID); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("Connect after Remove: %v", err)
	}
	a.db.Close()
	a.open()
	if l := a.list(); len(l.Devices) != 0 {
		t.Fatalf("after Remove and reopening: %+v", l)
	}
}

// When the node starts, every paired device is reconnected in the
// background; one that cannot be reached keeps its error.
func TestReconnectsPairedDevicesWhenTheNodeStarts(t *testing.T) {
	a, b := newDevice(t), newDevice(t)
	// Paired in an earlier run of the app: B, and one that is gone.
	key, _, _ := crypto.GenerateSecp256k1Key(nil)
	ghost, _ := peer.IDFromPrivateKey(key)
	paired := time.Now().Add(-time.Hour).UTC()
	err := a.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(Bucket))
		return errors.Join(
			putRecord(bk, record{PeerID: b.info.ID, Nickname: "B", Addresses: b.info.Addrs, PairedAt: paired, FirstSeen: paired, LastSeen: paired}),
			putRecord(bk, record{PeerID: ghost.String(), Nickname: "gone", PairedAt: paired, FirstSeen: paired, LastSeen: paired,
				Addresses: []string{"/ip4/127.0.0.1/tcp/" + strconv.Itoa(nodetest.FreePort(t))}}))
	})
	if err != nil {
		t.Fatal(err)
	}

	// The app restarts: the node is not running yet when the service
	// starts watching.
	a.running.Store(false)
	a.run()
	b.run()
	time.Sleep(300 * time.Millisecond)
	if _, ok := a.nodePeers()[b.info.ID]; ok {
		t.Fatal("reconnected before the node started")
	}
	a.running.Store(true)
	a.bus.Publish(supervisor.EventStarted, nil)
	waitFor(t, "B to be reconnected", 15*time.Second, func() bool { dev, _ := a.find(b.info.ID); return dev.Connected })
	expectConnected(t, a, b, must(a.svc.Get(ctx, b.info.ID)))
	waitFor(t, "the unreachable device's error", 15*time.Second, func() bool {
		dev, _ := a.find(ghost.String())
		return strings.Contains(dev.LastError, "Unable to dial peer")
	})
	if dev, _ := a.find(ghost.String()); dev.Connected {
		t.Fatalf("unreachable device: %+v", dev)
	}
	// B's watcher noticed A by polling its node.
	waitFor(t, "B's peer-connected event for A", 5*time.Second, func() bool { return b.rec.has(EventPeerConnected, a.info.ID) })
	if a.rec.count(EventPeerConnected, b.info.ID) != 1 {
		t.Fatalf("A published peer-connected for B %d times, want once per connection", a.rec.count(EventPeerConnected, b.info.ID))
	}

	if dev, _ := a.find(b.info.ID); !dev.LastSeen.After(paired) || !dev.PairedAt.Equal(paired) {
		t.Fatalf("reconnected device: %+v", dev)
	}

	// A disconnects: B's watcher sees it go.
	settle()
	if err := a.svc.Disconnect(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's peer-disconnected event for A", 5*time.Second, func() bool { return b.rec.has(EventPeerDisconnected, a.info.ID) })

	// The node stops: every peer is reported gone.
	if _, err := a.svc.Connect(ctx, b.info.ID); err != nil {
		t.Fatal(err)
	}
	n := a.rec.count(EventPeerDisconnected, b.info.ID)
	a.running.Store(false)
	waitFor(t, "peer-disconnected when the node stops", 5*time.Second, func() bool { return a.rec.count(EventPeerDisconnected, b.info.ID) > n })
	if dev, _ := a.find(b.info.ID); dev.Connected || dev.LastSeen.IsZero() {
		t.Fatalf("with the node stopped: %+v", dev)
	}
}
