package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// connections is the node's GET /peers (an extension): when each peer's
// oldest open connection was opened.
func connections(t *testing.T, n *nodetest.Proc) map[string]time.Time {
	t.Helper()
	got := call(t, "GET", n.URL+"/peers", nil, nil)
	var peers []struct {
		PeerID         string    `json:"peerId"`
		ConnectedSince time.Time `json:"connectedSince"`
	}
	if got.status != 200 || json.Unmarshal([]byte(got.body), &peers) != nil {
		t.Fatalf("GET /peers: %d %q", got.status, got.body)
	}
	m := map[string]time.Time{}
	for _, p := range peers {
		m[p.PeerID] = p.ConnectedSince
	}
	return m
}

func waitPeers(t *testing.T, n *nodetest.Proc, what string, ok func(map[string]time.Time) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conns := connections(t, n)
		if ok(conns) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: connections are %v", what, conns)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closed reports whether the connection to id opened at since is gone:
// none is listed, or only a newer one (the DHT of either node may dial
// again on its own, typically right after two nodes first meet).
func closed(conns map[string]time.Time, id string, since time.Time) bool {
	at, ok := conns[id]
	return !ok || at.After(since)
}

func has(id string) func(map[string]time.Time) bool {
	return func(conns map[string]time.Time) bool { _, ok := conns[id]; return ok }
}

// DELETE /peers/{peerId} (an extension) closes the connections on both
// sides; it is idempotent and refuses what is not a peer ID.
func TestDisconnectPeerExtension(t *testing.T) {
	a := nodetest.Start(t, t.TempDir())
	b := nodetest.Start(t, t.TempDir())
	ai, bi := info(t, a), info(t, b)
	connect(t, a, bi, true)
	waitPeers(t, b, "B sees A", has(ai.ID))
	aSince, bSince := connections(t, a)[bi.ID], connections(t, b)[ai.ID]

	expect(t, "disconnect", call(t, "DELETE", a.URL+"/peers/"+bi.ID, nil, nil), 204, "")
	if conns := connections(t, a); !closed(conns, bi.ID, aSince) {
		t.Fatalf("A still has its connection to B after DELETE: %v", conns)
	}
	waitPeers(t, b, "B's connection to A closed", func(c map[string]time.Time) bool { return closed(c, ai.ID, bSince) })
	expect(t, "disconnect again", call(t, "DELETE", a.URL+"/peers/"+bi.ID, nil, nil), 204, "")
	if got := call(t, "DELETE", a.URL+"/peers/nope", nil, nil); got.status != 400 || got.body == "" {
		t.Fatalf("bad peer ID: %d %q, want 400 with a reason", got.status, got.body)
	}

	// The client's call, from the other side.
	connect(t, a, bi, true)
	waitPeers(t, b, "B sees A again", has(ai.ID))
	aSince, bSince = connections(t, a)[bi.ID], connections(t, b)[ai.ID]
	if err := b.Client.Disconnect(context.Background(), ai.ID); err != nil {
		t.Fatal(err)
	}
	if conns := connections(t, b); !closed(conns, ai.ID, bSince) {
		t.Fatalf("B still has its connection to A after Disconnect: %v", conns)
	}
	waitPeers(t, a, "A's connection to B closed", func(c map[string]time.Time) bool { return closed(c, bi.ID, aSince) })
	if _, err := a.Client.Peers(context.Background()); err != nil {
		t.Fatalf("nodeclient Peers: %v", err)
	}
}
