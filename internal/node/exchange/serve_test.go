package exchange

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// rawPeer is a host that speaks the protocol by hand: it sends on a stream
// it opens and collects what the engine sends on the stream it opens.
type rawPeer struct {
	h    host.Host
	out  network.Stream
	msgs chan Message
}

func newRawPeer(t *testing.T, to host.Host) *rawPeer {
	r := &rawPeer{h: newHost(t), msgs: make(chan Message, 100)}
	r.h.SetStreamHandler(ProtocolID, func(s network.Stream) {
		defer s.Reset()
		br := bufio.NewReader(s)
		for {
			m, err := ReadMessage(br)
			if err != nil {
				return
			}
			r.msgs <- m
		}
	})
	connect(t, r.h, to)
	s, err := r.h.NewStream(fetchCtx(t), to.ID(), ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Reset() })
	r.out = s
	return r
}

func (r *rawPeer) send(t *testing.T, entries ...WantListEntry) {
	t.Helper()
	if err := WriteMessage(r.out, &Message{WantList: WantList{Entries: entries}}); err != nil {
		t.Fatal(err)
	}
}

func (r *rawPeer) next(t *testing.T) Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message from the engine")
		return Message{}
	}
}

func (r *rawPeer) quiet(t *testing.T) {
	t.Helper()
	select {
	case m := <-r.msgs:
		t.Fatalf("unexpected message %+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestServe checks the serving rules of spec §4 from the wire.
func TestServe(t *testing.T) {
	a := newNode(t, Options{})
	d := storeDataset(t, a.r, randomBytes(3*dag.BlockSize, 11))
	r := newRawPeer(t, a.h)
	missing := makeDataset(t, []byte("not stored")).treeCid

	r.send(t,
		WantListEntry{Address: LeafAddress(d.treeCid, 0), WantType: WantHave},
		WantListEntry{Address: LeafAddress(missing, 0), WantType: WantHave},
		WantListEntry{Address: LeafAddress(missing, 1), WantType: WantHave, SendDontHave: true},
		WantListEntry{Address: CidAddress(d.manifest), WantType: WantHave},
	)
	m := r.next(t)
	want := []BlockPresence{
		{Address: LeafAddress(d.treeCid, 0), Type: Have, Price: make([]byte, 32)},
		{Address: LeafAddress(missing, 1), Type: DontHave, Price: make([]byte, 32)},
		{Address: CidAddress(d.manifest), Type: Have, Price: make([]byte, 32)},
	}
	if len(m.BlockPresences) != len(want) || len(m.Payload) != 0 {
		t.Fatalf("presences %+v", m)
	}
	for i := range want {
		got := m.BlockPresences[i]
		if got.Address != want[i].Address || got.Type != want[i].Type || !bytes.Equal(got.Price, want[i].Price) {
			t.Errorf("presence %d: %+v, want %+v", i, got, want[i])
		}
	}

	r.send(t,
		WantListEntry{Address: LeafAddress(d.treeCid, 1), WantType: WantBlock},
		WantListEntry{Address: CidAddress(d.manifest), WantType: WantBlock},
		WantListEntry{Address: LeafAddress(missing, 0), WantType: WantBlock},
	)
	var got []BlockDelivery
	for len(got) < 2 {
		got = append(got, r.next(t).Payload...)
	}
	for _, del := range got {
		if err := verifyDelivery(&del); err != nil {
			t.Errorf("%s: %v", del.Address, err)
		}
		switch del.Address {
		case LeafAddress(d.treeCid, 1):
			if !bytes.Equal(del.Data, d.block(1)) || del.Proof == nil {
				t.Error("leaf delivery without its data or proof")
			}
		case CidAddress(d.manifest):
			if del.Proof != nil || !del.BlockCid.Equals(d.manifest) {
				t.Error("manifest delivery with a proof or another CID")
			}
		default:
			t.Errorf("unexpected delivery %s", del.Address)
		}
	}
	r.quiet(t)
	st := a.e.Stats()
	if st.BlocksSent != 2 {
		t.Errorf("stats: %d blocks sent", st.BlocksSent)
	}
}

func TestServeCancel(t *testing.T) {
	gate := &gateStore{gate: make(chan struct{})}
	a := newNode(t, Options{}, func(s Store) Store { gate.Store = s; return gate })
	d := storeDataset(t, a.r, randomBytes(3*dag.BlockSize, 12))
	r := newRawPeer(t, a.h)

	// The serve goroutine takes the first entry and blocks on the gate;
	// the second waits in the queue and is cancelled there.
	r.send(t, WantListEntry{Address: LeafAddress(d.treeCid, 0), WantType: WantBlock})
	// Wants is 0 before the entry arrives too: wait for the serve goroutine
	// to be blocked on the gate with it.
	eventually(t, "the first want to be taken", func() bool { return gate.waiting.Load() == 1 })
	wants := func() int {
		ps, _ := a.e.Stats().Peer(r.h.ID())
		return ps.Wants
	}
	// Each step waits for the engine to have handled the message, so the
	// cancel cannot be checked before the want it cancels has even arrived.
	r.send(t, WantListEntry{Address: LeafAddress(d.treeCid, 1), WantType: WantBlock})
	eventually(t, "the second want to be queued", func() bool { return wants() == 1 })
	r.send(t, WantListEntry{Address: LeafAddress(d.treeCid, 1), WantType: WantBlock, Cancel: true})
	eventually(t, "the cancel", func() bool { return wants() == 0 })
	close(gate.gate)
	m := r.next(t)
	if len(m.Payload) != 1 || m.Payload[0].Address != LeafAddress(d.treeCid, 0) {
		t.Fatalf("got %+v", m)
	}
	r.quiet(t)
}

// TestWantListOnConnect: a peer that connects while blocks are wanted gets
// them all as WantHave with full=true.
func TestWantListOnConnect(t *testing.T) {
	b := newNode(t, Options{})
	d := makeDataset(t, randomBytes(5*dag.BlockSize, 13))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.e.FetchDataset(ctx, d.treeCid, d.leaves, nil, nil)
	eventually(t, "the wants", func() bool { return b.e.Stats().Pending == d.leaves })

	r := newRawPeer(t, b.h)
	m := r.next(t)
	if !m.WantList.Full || len(m.WantList.Entries) != d.leaves {
		t.Fatalf("first message %+v", m.WantList)
	}
	for i, e := range m.WantList.Entries {
		if e.WantType != WantHave || e.Cancel || e.Address != LeafAddress(d.treeCid, i) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
}

func TestFetchEnds(t *testing.T) {
	t.Run("stalled", func(t *testing.T) {
		b := newNode(t, Options{StallTimeout: 200 * time.Millisecond})
		d := makeDataset(t, []byte("nobody has this"))
		err := b.e.FetchDataset(context.Background(), d.treeCid, d.leaves, nil, nil)
		if !errors.Is(err, ErrStalled) {
			t.Fatalf("FetchDataset: %v", err)
		}
		if err := b.e.FetchBlock(context.Background(), CidAddress(d.manifest)); !errors.Is(err, ErrStalled) {
			t.Fatalf("FetchBlock: %v", err)
		}
		if n := b.e.Stats().Pending; n != 0 {
			t.Fatalf("%d wants left", n)
		}
	})
	t.Run("closed", func(t *testing.T) {
		b := newNode(t, Options{})
		d := makeDataset(t, []byte("nobody has this"))
		errc := make(chan error, 1)
		go func() { errc <- b.e.FetchDataset(context.Background(), d.treeCid, d.leaves, nil, nil) }()
		eventually(t, "the want", func() bool { return b.e.Stats().Pending == 1 })
		b.e.Close()
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Fatalf("got %v", err)
		}
		if err := b.e.FetchBlock(context.Background(), CidAddress(d.manifest)); !errors.Is(err, ErrClosed) {
			t.Fatalf("FetchBlock after Close: %v", err)
		}
	})
	t.Run("quota", func(t *testing.T) {
		a := newNode(t, Options{})
		d := storeDataset(t, a.r, randomBytes(2<<20, 14))
		h := newHost(t)
		r, err := repo.Open(t.TempDir(), repo.Options{Quota: 1 << 20, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		e := New(h, NewRepoStore(r), testLogger(), Options{})
		defer e.Close()
		connect(t, h, a.h)
		err = e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil)
		if !errors.Is(err, repo.ErrQuotaExceeded) {
			t.Fatalf("got %v", err)
		}
	})
}
