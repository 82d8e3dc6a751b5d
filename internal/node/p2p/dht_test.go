package p2p

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// dhtTrio starts C and two hosts that bootstrap from it, and waits until
// C routes for both.
func dhtTrio(t *testing.T) (a, b, c *Host) {
	c = newHost(t, nil)
	boot := func(o *Options) { o.BootstrapNodes = []string{c.SPR()} }
	a, b = newHost(t, boot), newHost(t, boot)
	eventually(t, 15*time.Second, "A and B in C's routing table", func() bool {
		return c.dht.RoutingTable().Find(a.ID()) != "" && c.dht.RoutingTable().Find(b.ID()) != ""
	})
	eventually(t, 15*time.Second, "C in A's and B's routing tables", func() bool {
		return a.dht.RoutingTable().Find(c.ID()) != "" && b.dht.RoutingTable().Find(c.ID()) != ""
	})
	return a, b, c
}

func TestProvideFindProviders(t *testing.T) {
	a, b, _ := dhtTrio(t)
	ctx := testCtx(t, 30*time.Second)
	manifest := dag.ManifestCID([]byte("a manifest"))
	tree := dag.TreeCID([32]byte{1, 2, 3})

	if err := a.Provide(ctx, manifest); err != nil {
		t.Fatal(err)
	}
	provs, err := b.FindProviders(ctx, manifest, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(provs) != 1 || provs[0].ID != a.ID() {
		t.Fatalf("providers of the manifest: %v, want only A", provs)
	}
	if len(provs[0].Addrs) == 0 && len(b.h.Peerstore().Addrs(a.ID())) == 0 {
		t.Fatal("B learnt no address of the provider")
	}
	// The provider itself is left out of its own lookups.
	if own, err := a.FindProviders(ctx, manifest, 5); err != nil || len(own) != 0 {
		t.Fatalf("A's own lookup: %v, %v", own, err)
	}
	if none, err := b.FindProviders(ctx, tree, 5); err != nil || len(none) != 0 {
		t.Fatalf("unannounced CID: %v, %v", none, err)
	}

	// Reprovide announces what list returns, at once and again each round.
	var rounds atomic.Int32
	rctx := testCtx(t, 30*time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Reprovide(rctx, 50*time.Millisecond, func() []cid.Cid {
			rounds.Add(1)
			return []cid.Cid{manifest, tree}
		})
	}()
	eventually(t, 20*time.Second, "two re-announce rounds", func() bool { return rounds.Load() >= 2 })
	provs, err = b.FindProviders(ctx, tree, 5)
	if err != nil || len(provs) != 1 || provs[0].ID != a.ID() {
		t.Fatalf("providers of the tree after Reprovide: %v, %v", provs, err)
	}
	a.Close() // Reprovide stops when its host closes
	<-done
}

func TestProvideWithoutDHT(t *testing.T) {
	h := newHost(t, func(o *Options) { o.DisableDHT = true })
	ctx := testCtx(t, 5*time.Second)
	c := dag.BlockCID([]byte("x"))
	if err := h.Provide(ctx, c); !errors.Is(err, ErrDHTDisabled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := h.FindProviders(ctx, c, 1); !errors.Is(err, ErrDHTDisabled) {
		t.Fatalf("err = %v", err)
	}
}

func TestProvideAloneKeepsTheRecordLocally(t *testing.T) {
	h := newHost(t, nil)
	ctx := testCtx(t, 5*time.Second)
	c := dag.BlockCID([]byte("alone"))
	if err := h.Provide(ctx, c); err != nil {
		t.Fatalf("a node without peers: %v", err)
	}
	provs, err := h.dht.ProviderStore().GetProviders(ctx, c.Hash())
	if err != nil || len(provs) != 1 || provs[0].ID != h.ID() {
		t.Fatalf("local provider record: %v, %v", provs, err)
	}
}
