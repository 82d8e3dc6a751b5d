package p2p

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	mplex "github.com/libp2p/go-libp2p-mplex"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

// mplexOnlyHost stands in for archivist-node: TCP, Noise, mplex and
// nothing else. Its Noise offers no early muxer negotiation, as nim-libp2p
// does not, so the muxer is agreed by multistream-select after the
// handshake, the way a Nim peer agrees it.
func mplexOnlyHost(t *testing.T) host.Host {
	t.Helper()
	noNoiseMuxers := func(id protocol.ID, k crypto.PrivKey) (*noise.Transport, error) {
		return noise.New(id, k, nil)
	}
	h, err := libp2p.New(
		libp2p.Identity(newKey(t)),
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noNoiseMuxers),
		libp2p.Muxer(mplex.ID, mplex.DefaultTransport),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestMplexOnlyPeerConnectsBothWays(t *testing.T) {
	ours := newHost(t, nil)
	ctx := testCtx(t, 20*time.Second)

	// It dials us.
	nim := mplexOnlyHost(t)
	if err := nim.Connect(ctx, addrInfo(ours)); err != nil {
		t.Fatalf("mplex-only peer could not connect: %v", err)
	}
	assertMplex(t, nim.Network().ConnsToPeer(ours.ID()))
	// A stream over the mplex connection works (ping is one).
	if res := <-ping.Ping(ctx, nim, ours.ID()); res.Error != nil {
		t.Fatalf("stream over mplex: %v", res.Error)
	}

	// We dial it.
	nim2 := mplexOnlyHost(t)
	if err := ours.Connect(ctx, nim2.ID(), nim2.Addrs()); err != nil {
		t.Fatalf("dialling a mplex-only peer: %v", err)
	}
	assertMplex(t, ours.h.Network().ConnsToPeer(nim2.ID()))
	eventually(t, 10*time.Second, "Peers to list the mplex peer", func() bool {
		for _, p := range ours.Peers() {
			if p.PeerID == nim2.ID().String() {
				return p.Muxer == mplex.ID
			}
		}
		return false
	})
}

func assertMplex(t *testing.T, conns []network.Conn) {
	t.Helper()
	if len(conns) == 0 {
		t.Fatal("no connection")
	}
	for _, c := range conns {
		if got := c.ConnState().StreamMultiplexer; got != mplex.ID {
			t.Fatalf("muxer %q, want %s", got, mplex.ID)
		}
		if c.ConnState().UsedEarlyMuxerNegotiation {
			t.Fatal("muxer agreed inside Noise; a Nim peer needs multistream-select")
		}
		if got := c.ConnState().Security; got != noise.ID {
			t.Fatalf("security %q, want %s", got, noise.ID)
		}
	}
}
