package exchange

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	"testing"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

func TestFetchDataset(t *testing.T) {
	a := newNode(t, Options{})
	b := newNode(t, Options{})
	d := storeDataset(t, a.r, randomBytes(4<<20+1000, 1)) // 65 blocks, the last padded
	connect(t, b.h, a.h)

	var got atomic.Int64
	err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, func(int) { got.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if got.Load() != int64(d.leaves) {
		t.Fatalf("onBlock called %d times for %d blocks", got.Load(), d.leaves)
	}
	checkDataset(t, b.r, d)

	bs, as := b.e.Stats(), a.e.Stats()
	if bs.BlocksReceived != uint64(d.leaves) || bs.BytesReceived != uint64(len(d.data)) {
		t.Errorf("B received %d blocks, %d bytes; want %d, %d", bs.BlocksReceived, bs.BytesReceived, d.leaves, len(d.data))
	}
	if as.BlocksSent != uint64(d.leaves) {
		t.Errorf("A sent %d blocks, want %d", as.BlocksSent, d.leaves)
	}
	if bs.Pending != 0 {
		t.Errorf("%d wants left pending", bs.Pending)
	}

	// Everything is local now: nothing is requested.
	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := b.e.Stats().BlocksReceived; n != uint64(d.leaves) {
		t.Errorf("second fetch received %d more blocks", n-uint64(d.leaves))
	}
}

func TestFetchManifest(t *testing.T) {
	a := newNode(t, Options{})
	b := newNode(t, Options{})
	d := storeDataset(t, a.r, randomBytes(300_000, 2))
	connect(t, b.h, a.h)

	if err := b.e.FetchBlock(fetchCtx(t), CidAddress(d.manifest)); err != nil {
		t.Fatal(err)
	}
	var listed int
	err := b.r.Manifests(func(c cid.Cid, data []byte) error {
		if !c.Equals(d.manifest) {
			t.Errorf("unexpected manifest %s", dag.CIDString(c))
		}
		m, err := dag.DecodeManifest(data)
		if err != nil {
			t.Fatal(err)
		}
		if !m.TreeCid.Equals(d.treeCid) || int(m.BlocksCount()) != d.leaves {
			t.Errorf("manifest names %s with %d blocks", dag.CIDString(m.TreeCid), m.BlocksCount())
		}
		listed++
		return nil
	})
	if err != nil || listed != 1 {
		t.Fatalf("manifests listed: %d, %v", listed, err)
	}

	// The rest of what the node does for /data/{cid}/network.
	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, b.r, d)

	// A single leaf, as a streaming reader asks for one.
	c := newNode(t, Options{})
	connect(t, c.h, a.h)
	if err := c.e.FetchBlock(fetchCtx(t), LeafAddress(d.treeCid, 3)); err != nil {
		t.Fatal(err)
	}
	if !c.store.HasBlock(LeafAddress(d.treeCid, 3)) || c.store.HasBlock(LeafAddress(d.treeCid, 2)) {
		t.Fatal("FetchBlock stored the wrong blocks")
	}
}

func TestFetchBlockUnsupported(t *testing.T) {
	b := newNode(t, Options{})
	err := b.e.FetchBlock(context.Background(), CidAddress(cid.Undef))
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
}

func TestFetchFromTwoSeeders(t *testing.T) {
	content := randomBytes(8<<20, 3)
	a1 := newNode(t, Options{})
	a2 := newNode(t, Options{})
	b := newNode(t, Options{PeerWindow: 16})
	d := storeDataset(t, a1.r, content)
	storeDataset(t, a2.r, content)
	connect(t, b.h, a1.h)
	connect(t, b.h, a2.h)

	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, b.r, d)
	s1, s2 := a1.e.Stats().BlocksSent, a2.e.Stats().BlocksSent
	t.Logf("seeder 1 sent %d blocks, seeder 2 sent %d", s1, s2)
	if s1 == 0 || s2 == 0 {
		t.Fatalf("one seeder was not used: %d and %d blocks sent", s1, s2)
	}
	bs := b.e.Stats()
	for _, id := range []peer.ID{a1.h.ID(), a2.h.ID()} {
		ps, ok := bs.Peer(id)
		if !ok || ps.BlocksReceived == 0 {
			t.Errorf("B's stats for %s: %+v", id, ps)
		}
	}
	if bs.BlocksReceived != uint64(d.leaves) {
		t.Errorf("B stored %d blocks, want %d", bs.BlocksReceived, d.leaves)
	}
}

// TestFetchResume cancels a download midway and starts it again: the second
// run asks only for the blocks the first did not store.
func TestFetchResume(t *testing.T) {
	rec := &recordStore{}
	a := newNode(t, Options{}, func(s Store) Store { rec.Store = s; return rec })
	bRec := &recordStore{}
	b := newNode(t, Options{PeerWindow: 8, DatasetWindow: 16}, func(s Store) Store { bRec.Store = s; return bRec })
	d := storeDataset(t, a.r, randomBytes(8<<20, 4))
	connect(t, b.h, a.h)

	ctx, cancel := context.WithCancel(fetchCtx(t))
	var got atomic.Int64
	err := b.e.FetchDataset(ctx, d.treeCid, d.leaves, nil, func(int) {
		if got.Add(1) == int64(d.leaves/3) {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch returned %v", err)
	}
	eventually(t, "the cancelled fetch to settle", func() bool { return b.e.Stats().Pending == 0 })

	have := make(map[int]bool)
	for i := 0; i < d.leaves; i++ {
		if b.store.HasBlock(LeafAddress(d.treeCid, i)) {
			have[i] = true
		}
	}
	if len(have) < d.leaves/3 || len(have) == d.leaves {
		t.Fatalf("after the cancel %d of %d blocks are stored", len(have), d.leaves)
	}
	rec.reset()
	bRec.reset()

	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, b.r, d)
	served, _ := rec.snapshot()
	for _, addr := range served {
		if have[addr.Index] {
			t.Errorf("block %d was stored before the resume but served again", addr.Index)
		}
	}
	_, stored := bRec.snapshot()
	seen := make(map[int]bool)
	for _, addr := range stored {
		if have[addr.Index] || seen[addr.Index] {
			t.Errorf("block %d stored twice", addr.Index)
		}
		seen[addr.Index] = true
	}
	if len(seen) != d.leaves-len(have) {
		t.Errorf("resume stored %d blocks, %d were missing", len(seen), d.leaves-len(have))
	}
	t.Logf("first run stored %d of %d blocks, the resume %d", len(have), d.leaves, len(seen))
}

type staticDiscovery struct {
	infos []peer.AddrInfo
	calls atomic.Int64
}

func (s *staticDiscovery) FindProviders(_ context.Context, _ cid.Cid, _ int) ([]peer.AddrInfo, error) {
	s.calls.Add(1)
	return s.infos, nil
}

func TestFetchDiscovery(t *testing.T) {
	a := newNode(t, Options{})
	d := storeDataset(t, a.r, randomBytes(1<<20, 5))
	disc := &staticDiscovery{infos: []peer.AddrInfo{{ID: a.h.ID(), Addrs: a.h.Addrs()}}}
	b := newNode(t, Options{Discovery: disc})

	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, b.r, d)
	if disc.calls.Load() == 0 {
		t.Fatal("discovery was not asked")
	}
}

// TestStreamRecipe is what GET /data/{cid}/network/stream does: the whole
// dataset in the background for read-ahead, FetchBlock for the next block
// to write, blocks read from the repo in order.
func TestStreamRecipe(t *testing.T) {
	a := newNode(t, Options{})
	b := newNode(t, Options{DatasetWindow: 32})
	d := storeDataset(t, a.r, randomBytes(6<<20, 7))
	connect(t, b.h, a.h)

	ctx, cancel := context.WithCancel(fetchCtx(t))
	defer cancel()
	bg := make(chan error, 1)
	go func() { bg <- b.e.FetchDataset(ctx, d.treeCid, d.leaves, nil, nil) }()
	var out []byte
	for i := 0; i < d.leaves; i++ {
		if err := b.e.FetchBlock(ctx, LeafAddress(d.treeCid, i)); err != nil {
			t.Fatal(err)
		}
		blockCid, _, err := b.r.GetProof(d.treeCid, i)
		if err != nil {
			t.Fatal(err)
		}
		data, err := b.r.GetBlock(blockCid)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data...)
	}
	if !bytes.Equal(out, d.data) {
		t.Fatal("streamed bytes differ")
	}
	if err := <-bg; err != nil {
		t.Fatal(err)
	}
	if n := b.e.Stats().BlocksReceived; n != uint64(d.leaves) {
		t.Fatalf("%d blocks received for %d: a block was fetched twice", n, d.leaves)
	}
}
