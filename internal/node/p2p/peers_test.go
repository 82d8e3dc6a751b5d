package p2p

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

func TestPeersShowsLatencyAgentAndBytes(t *testing.T) {
	a := newHost(t, func(o *Options) { o.AgentString = "agent-A" })
	b := newHost(t, func(o *Options) { o.AgentString = "agent-B/1.2" })
	ctx := testCtx(t, 20*time.Second)
	if err := a.Connect(ctx, b.ID(), b.ListenAddrs()); err != nil {
		t.Fatal(err)
	}
	rtt, err := a.Ping(ctx, b.ID())
	if err != nil || rtt <= 0 {
		t.Fatalf("ping: %v, %v", rtt, err)
	}
	var p PeerInfo
	eventually(t, 10*time.Second, "identify and counters", func() bool {
		peers := a.Peers()
		if len(peers) != 1 {
			return false
		}
		p = peers[0]
		return p.AgentVersion != "" && p.BytesIn > 0 && p.BytesOut > 0
	})
	if p.PeerID != b.ID().String() || p.AgentVersion != "agent-B/1.2" || p.Direction != "outbound" {
		t.Fatalf("peer %+v", p)
	}
	if p.LatencyMs <= 0 {
		t.Fatalf("latency %v ms after a ping", p.LatencyMs)
	}
	if len(p.Addresses) != 1 || p.Addresses[0] != b.ListenAddrs()[0].String() {
		t.Fatalf("addresses %v, want b's listen address", p.Addresses)
	}
	if !slices.Contains(p.Protocols, string(ping.ID)) || !slices.Contains(p.Protocols, "/archivist/kad/1.0.0") {
		t.Fatalf("protocols %v lack ping or the archivist DHT", p.Protocols)
	}
	if p.Muxer != "/yamux/1.0.0" {
		t.Fatalf("muxer between two Go nodes: %q", p.Muxer)
	}
	if time.Since(p.ConnectedSince) > time.Minute || p.ConnectedSince.IsZero() {
		t.Fatalf("connected since %v", p.ConnectedSince)
	}
	if pv, _ := a.h.Peerstore().Get(b.ID(), "ProtocolVersion"); pv != "ipfs/0.1.0" {
		t.Fatalf("identify protocolVersion %v, want nim-libp2p's ipfs/0.1.0", pv)
	}
	bp := b.Peers()
	if len(bp) != 1 || bp[0].Direction != "inbound" || bp[0].AgentVersion != "agent-A" {
		t.Fatalf("b's view: %+v", bp)
	}
	js, _ := json.Marshal(p)
	for _, k := range []string{`"peerId"`, `"latencyMs"`, `"agentVersion"`, `"connectedSince"`, `"bytesIn"`, `"bytesOut"`} {
		if !strings.Contains(string(js), k) {
			t.Fatalf("JSON lacks %s: %s", k, js)
		}
	}
}

func TestSubscribeReportsConnectAndDisconnect(t *testing.T) {
	a, b := newHost(t, nil), newHost(t, nil)
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	events, err := a.Subscribe(sctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t, 20*time.Second)
	if err := a.Connect(ctx, b.ID(), b.ListenAddrs()); err != nil {
		t.Fatal(err)
	}
	next := func() PeerEvent {
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no event")
		}
		return PeerEvent{}
	}
	if ev := next(); ev.Peer != b.ID() || !ev.Connected {
		t.Fatalf("first event %+v", ev)
	}
	b.Close()
	if ev := next(); ev.Peer != b.ID() || ev.Connected {
		t.Fatalf("second event %+v", ev)
	}
	stop()
	select {
	case _, ok := <-events:
		if ok {
			t.Fatal("event after the subscription ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after ctx ended")
	}
}
