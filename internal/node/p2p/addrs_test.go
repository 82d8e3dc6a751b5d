package p2p

import (
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

func TestListenAddrsResolvePortAndWildcard(t *testing.T) {
	h := newHost(t, func(o *Options) { o.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/0"} })
	addrs := h.ListenAddrs()
	if len(addrs) == 0 {
		t.Fatal("no listen addresses")
	}
	loopback := false
	for _, a := range addrs {
		if manet.IsIPUnspecified(a) {
			t.Fatalf("wildcard not expanded: %s", a)
		}
		if port, _ := a.ValueForProtocol(ma.P_TCP); port == "0" {
			t.Fatalf("port 0 not resolved: %s", a)
		}
		loopback = loopback || manet.IsIPLoopback(a)
	}
	if !loopback {
		t.Fatalf("wildcard expansion lacks the loopback interface: %v", addrs)
	}
}

func TestSPRHoldsTCPAnnounceAddrsAndVerifies(t *testing.T) {
	h := newHost(t, nil)
	spr := h.SPR()
	if !strings.HasPrefix(spr, "spr:CiUIAhIh") {
		t.Fatalf("spr %.16s… is not an archivist-style record", spr)
	}
	rec, err := identity.DecodeSPR(spr)
	if err != nil {
		t.Fatal(err)
	}
	if rec.PeerID != h.ID() {
		t.Fatalf("record names %s, host is %s", rec.PeerID, h.ID())
	}
	listen := h.ListenAddrs()[0]
	if !hasAddr(rec.Addrs, listen) {
		t.Fatalf("record addrs %v lack the TCP listen address %s", rec.Addrs, listen)
	}
	for _, a := range rec.Addrs {
		if !isTCP(a) {
			t.Fatalf("record holds a non-TCP address %s", a)
		}
	}

	// A new listener changes the announce addresses: the record is
	// re-signed with a higher sequence number.
	extra := ma.StringCast("/ip4/127.0.0.1/tcp/0")
	if err := h.h.Network().Listen(extra); err != nil {
		t.Fatal(err)
	}
	var rec2 = rec
	eventually(t, 15*time.Second, "a re-signed record with the new listener", func() bool {
		r, err := identity.DecodeSPR(h.SPR())
		if err != nil {
			t.Fatal(err)
		}
		rec2 = r
		return len(r.Addrs) == 2
	})
	if rec2.Seq <= rec.Seq {
		t.Fatalf("seq %d after %d", rec2.Seq, rec.Seq)
	}
}

func TestExtIPAnnouncesTheGivenIP(t *testing.T) {
	h := newHost(t, func(o *Options) { o.NAT = "extip:203.0.113.7" })
	port, err := h.ListenAddrs()[0].ValueForProtocol(ma.P_TCP)
	if err != nil {
		t.Fatal(err)
	}
	want := ma.StringCast("/ip4/203.0.113.7/tcp/" + port)
	ann := h.AnnounceAddrs()
	if len(ann) != 1 || !ann[0].Equal(want) {
		t.Fatalf("announce %v, want [%s]", ann, want)
	}
	// The SPR follows within the address manager's refresh (5 s).
	eventually(t, 15*time.Second, "the SPR to carry the external IP", func() bool {
		rec, err := identity.DecodeSPR(h.SPR())
		return err == nil && len(rec.Addrs) == 1 && rec.Addrs[0].Equal(want)
	})
	// Listening is unchanged: the node is still bound to loopback.
	if !manet.IsIPLoopback(h.ListenAddrs()[0]) {
		t.Fatalf("listen %v", h.ListenAddrs())
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	ctx := testCtx(t, 5*time.Second)
	for _, o := range []Options{
		{},
		{Key: newKey(t), NAT: "extip:not-an-ip"},
		{Key: newKey(t), NAT: "sometimes"},
		{Key: newKey(t), ListenAddrs: []string{"/ip4/127.0.0.1/udp/0/quic-v1"}},
		{Key: newKey(t), ListenAddrs: []string{"not a multiaddr"}},
	} {
		if h, err := New(ctx, o); err == nil {
			h.Close()
			t.Errorf("accepted %+v", o)
		}
	}
	for in, want := range map[string]string{"": "any", "UPnP": "upnp", "pmp": "pmp", "none": "none", "extip:::1": "extip"} {
		m, err := parseNAT(in)
		if err != nil || m.kind != want {
			t.Errorf("parseNAT(%q) = %v, %v; want %s", in, m, err, want)
		}
	}
}
