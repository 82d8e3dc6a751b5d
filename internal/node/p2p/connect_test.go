package p2p

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

func TestConnectByMultiaddr(t *testing.T) {
	a, b := newHost(t, nil), newHost(t, nil)
	ctx := testCtx(t, 20*time.Second)

	// A /p2p/ suffix naming the same peer is accepted.
	withID := b.ListenAddrs()[0].Encapsulate(ma.StringCast("/p2p/" + b.ID().String()))
	if err := a.Connect(ctx, b.ID(), []ma.Multiaddr{withID}); err != nil {
		t.Fatal(err)
	}
	if a.h.Network().Connectedness(b.ID()) != network.Connected {
		t.Fatal("a is not connected to b")
	}
	eventually(t, 5*time.Second, "b to see a", func() bool { return b.h.Network().Connectedness(a.ID()) == network.Connected })

	// Connecting again is a no-op.
	if err := a.Connect(ctx, b.ID(), nil); err != nil {
		t.Fatalf("second connect: %v", err)
	}
}

func TestConnectFailures(t *testing.T) {
	a, b := newHost(t, nil), newHost(t, nil)
	ctx := testCtx(t, 20*time.Second)

	// An address that names a different peer is refused before dialling.
	other := b.ListenAddrs()[0].Encapsulate(ma.StringCast("/p2p/" + a.ID().String()))
	if err := a.Connect(ctx, b.ID(), []ma.Multiaddr{other}); !errors.Is(err, ErrDialFailed) {
		t.Fatalf("mismatched /p2p/: err = %v, want ErrDialFailed", err)
	}
	// b's address, but a record claiming another peer is there: the Noise
	// handshake proves who answers, so the dial fails.
	stranger := newKey(t)
	strangerID, _ := peer.IDFromPrivateKey(stranger)
	if err := a.Connect(ctx, strangerID, b.ListenAddrs()); !errors.Is(err, ErrDialFailed) {
		t.Fatalf("wrong peer at address: err = %v, want ErrDialFailed", err)
	}
	// A port nobody listens on.
	dead := newHost(t, nil)
	deadAddrs, deadID := dead.ListenAddrs(), dead.ID()
	dead.Close()
	if err := a.Connect(ctx, deadID, deadAddrs); !errors.Is(err, ErrDialFailed) {
		t.Fatalf("closed port: err = %v, want ErrDialFailed", err)
	}
	if ErrDialFailed.Error() != "Unable to dial peer" || ErrPeerNotFound.Error() != "Unable to find Peer!" {
		t.Fatal("error texts differ from archivist-node's")
	}
	if err := a.Connect(ctx, a.ID(), b.ListenAddrs()); !errors.Is(err, ErrDialFailed) {
		t.Fatalf("self: err = %v", err)
	}
}

func TestConnectBySPR(t *testing.T) {
	a, b := newHost(t, nil), newHost(t, nil)
	ctx := testCtx(t, 20*time.Second)

	spr := b.SPR()
	id, err := a.ConnectSPR(ctx, spr)
	if err != nil {
		t.Fatal(err)
	}
	if id != b.ID() || a.h.Network().Connectedness(b.ID()) != network.Connected {
		t.Fatalf("ConnectSPR returned %s, connectedness %v", id, a.h.Network().Connectedness(b.ID()))
	}

	// A tampered record is refused and nothing is dialled.
	c := newHost(t, nil)
	raw := []byte(c.SPR())
	i := len(raw) - 90 // inside the signed payload
	raw[i] = map[bool]byte{true: 'B', false: 'A'}[raw[i] == 'A']
	if _, err := a.ConnectSPR(ctx, string(raw)); !errors.Is(err, ErrInvalidSPR) {
		t.Fatalf("tampered spr: err = %v, want ErrInvalidSPR", err)
	}
	if _, err := a.ConnectSPR(ctx, "spr:not-a-record"); !errors.Is(err, ErrInvalidSPR) {
		t.Fatalf("garbage spr: err = %v", err)
	}
	if a.h.Network().Connectedness(c.ID()) == network.Connected {
		t.Fatal("a connected to the peer of a tampered record")
	}
}

// TestConnectByPeerIDThroughDHT: A and B bootstrap from C; A knows nothing
// of B but its ID and must learn B's address from the DHT.
func TestConnectByPeerIDThroughDHT(t *testing.T) {
	c := newHost(t, nil)
	boot := func(o *Options) { o.BootstrapNodes = []string{c.SPR()} }
	a, b := newHost(t, boot), newHost(t, boot)
	eventually(t, 15*time.Second, "A and B in C's routing table", func() bool {
		return c.dht.RoutingTable().Find(a.ID()) != "" && c.dht.RoutingTable().Find(b.ID()) != ""
	})
	eventually(t, 15*time.Second, "C in A's routing table", func() bool { return a.dht.RoutingTable().Find(c.ID()) != "" })

	// A's own routing-table refresh may already have met B through C:
	// forget B so that only a lookup can find it again.
	a.h.Network().ClosePeer(b.ID())
	a.h.Peerstore().ClearAddrs(b.ID())
	a.dht.RoutingTable().RemovePeer(b.ID())
	eventually(t, 5*time.Second, "A to be disconnected from B", func() bool {
		return a.h.Network().Connectedness(b.ID()) != network.Connected
	})
	if len(a.h.Peerstore().Addrs(b.ID())) != 0 {
		t.Fatal("A still knows B's addresses")
	}

	ctx := testCtx(t, 30*time.Second)
	if err := a.Connect(ctx, b.ID(), nil); err != nil {
		t.Fatalf("connect by peer ID: %v", err)
	}
	if a.h.Network().Connectedness(b.ID()) != network.Connected {
		t.Fatal("not connected after Connect")
	}

	// A peer nobody knows.
	unknown, _ := peer.IDFromPrivateKey(newKey(t))
	err := a.Connect(ctx, unknown, nil)
	if !errors.Is(err, ErrPeerNotFound) {
		t.Fatalf("unknown peer: err = %v, want ErrPeerNotFound", err)
	}
}

func TestBootstrapRecordWithoutTCPIsNoted(t *testing.T) {
	key := newKey(t)
	udpOnly, err := identity.EncodeSPR(key, []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/udp/8090")}, 1)
	if err != nil {
		t.Fatal(err)
	}
	h := newHost(t, func(o *Options) { o.BootstrapNodes = []string{udpOnly}; o.DiscPort = 8090 })
	notes := strings.Join(h.Notes(), "\n")
	if !strings.Contains(notes, "--disc-port 8090 is not used") || !strings.Contains(notes, "no TCP address") {
		t.Fatalf("notes:\n%s", notes)
	}
	if _, err := New(testCtx(t, 5*time.Second), Options{Key: newKey(t), BootstrapNodes: []string{"spr:garbage"}}); err == nil {
		t.Fatal("New accepted an invalid bootstrap record")
	}
}
