package exchange

import (
	"bufio"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
)

type evilMode int

const (
	corruptData    evilMode = iota // right CID and proof, one bit of data flipped
	otherLeafProof                 // right block, the proof of the next leaf
	tamperedProof                  // right block, right index, a path node flipped
	silent                         // says Have to everything, never delivers
)

// evilSeeder is a peer that claims to have every block of d and answers
// WantBlock according to mode. It answers on the stream it is asked on,
// which the engine reads like any other.
func evilSeeder(t *testing.T, d *dataset, mode evilMode, asked chan<- struct{}) host.Host {
	h := newHost(t)
	h.SetStreamHandler(ProtocolID, func(s network.Stream) {
		defer s.Reset()
		br := bufio.NewReader(s)
		for {
			m, err := ReadMessage(br)
			if err != nil {
				return
			}
			var out Message
			for _, en := range m.WantList.Entries {
				a := en.Address
				if en.Cancel || !a.Leaf || !a.TreeCid.Equals(d.treeCid) || a.Index >= d.leaves {
					continue
				}
				switch en.WantType {
				case WantHave:
					out.BlockPresences = append(out.BlockPresences, BlockPresence{Address: a, Type: Have})
				case WantBlock:
					select {
					case asked <- struct{}{}:
					default:
					}
					if mode != silent {
						out.Payload = append(out.Payload, evilDelivery(t, d, a.Index, mode))
					}
				}
			}
			if len(out.Payload)+len(out.BlockPresences) > 0 {
				if err := WriteMessage(s, &out); err != nil {
					return
				}
			}
		}
	})
	return h
}

func evilDelivery(t *testing.T, d *dataset, i int, mode evilMode) BlockDelivery {
	leaf, _ := d.tree.LeafCID(i)
	data := append([]byte(nil), d.block(i)...)
	proofIndex := i
	if mode == otherLeafProof {
		proofIndex = (i + 1) % d.leaves
	}
	proof, err := d.tree.Proof(proofIndex)
	if err != nil {
		t.Error(err)
	}
	switch mode {
	case corruptData:
		data[100] ^= 1
	case tamperedProof:
		proof.Path[len(proof.Path)-1][5] ^= 0x80
	}
	return BlockDelivery{BlockCid: leaf, Data: data, Address: LeafAddress(d.treeCid, i), Proof: proof.Encode()}
}

// TestBadSeeder: the fetcher meets a lying peer first; its blocks are
// rejected, it gets strikes, and the download completes from an honest
// peer that connects later (and so receives the want list on connect).
func TestBadSeeder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mode       evilMode
		maxStrikes int
	}{
		{"corrupt data", corruptData, 0},
		{"proof of another leaf", otherLeafProof, 0},
		{"tampered proof", tamperedProof, 0},
		{"excluded after one strike", corruptData, 1},
		{"silent", silent, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := randomBytes(2<<20, 6)
			honest := newNode(t, Options{})
			d := storeDataset(t, honest.r, content)
			asked := make(chan struct{}, 1)
			evil := evilSeeder(t, d, tc.mode, asked)
			b := newNode(t, Options{PeerWindow: 8, MaxStrikes: tc.maxStrikes, PeerTimeout: 300 * time.Millisecond})
			connect(t, b.h, evil)

			done := make(chan error, 1)
			go func() { done <- b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil) }()
			select {
			case <-asked:
			case err := <-done:
				t.Fatalf("fetch ended before asking the evil peer: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("the evil peer was never asked for a block")
			}
			connect(t, b.h, honest.h)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			checkDataset(t, b.r, d)

			st := b.e.Stats()
			ps, _ := st.Peer(evil.ID())
			t.Logf("evil peer: %+v", ps)
			if ps.BlocksReceived != 0 {
				t.Errorf("%d blocks from the evil peer were stored", ps.BlocksReceived)
			}
			if tc.mode == silent {
				if ps.Strikes != 0 {
					t.Errorf("a silent peer got %d strikes", ps.Strikes)
				}
				return
			}
			if ps.Strikes < 1 || st.BadBlocks < 1 {
				t.Errorf("no strike recorded: peer %d, engine %d", ps.Strikes, st.BadBlocks)
			}
			if tc.maxStrikes == 1 && !ps.Excluded {
				t.Error("peer not excluded after MaxStrikes")
			}
		})
	}
}

// gateStore blocks serving until the gate is closed, so a peer's queue of
// wanted blocks cannot drain.
type gateStore struct {
	Store
	gate    chan struct{}
	waiting atomic.Int32 // GetForPeer calls blocked on the gate
}

func (g *gateStore) HasBlock(BlockAddress) bool { return false }

func (g *gateStore) GetForPeer(a BlockAddress) (cid.Cid, []byte, []byte, error) {
	g.waiting.Add(1)
	<-g.gate
	return g.Store.GetForPeer(a)
}

// TestWantFlood: a raw peer sends far more WantBlock and WantHave entries
// than the engine queues, and never reads what it is sent; the engine's
// queues for it stay at their caps.
func TestWantFlood(t *testing.T) {
	const maxWants = 100
	gate := &gateStore{gate: make(chan struct{})}
	a := newNode(t, Options{MaxPeerWants: maxWants}, func(s Store) Store { gate.Store = s; return gate })
	t.Cleanup(func() { close(gate.gate) }) // runs before a's engine is closed

	raw := newHost(t)
	raw.SetStreamHandler(ProtocolID, func(s network.Stream) {}) // accepts, never reads
	connect(t, raw, a.h)
	s, err := raw.NewStream(fetchCtx(t), a.h.ID(), ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Reset()

	tree := makeDataset(t, []byte("flood")).treeCid
	const perMessage, messages = 1000, 60
	for m := 0; m < messages; m++ {
		var msg Message
		for i := 0; i < perMessage; i++ {
			kind := WantBlock
			if m%2 == 1 {
				kind = WantHave
			}
			msg.WantList.Entries = append(msg.WantList.Entries, WantListEntry{
				Address: LeafAddress(tree, m*perMessage+i), WantType: kind, SendDontHave: true,
			})
		}
		if err := WriteMessage(s, &msg); err != nil {
			t.Fatal(err)
		}
	}
	const wantBlocks = perMessage * messages / 2
	var ps PeerStats
	eventually(t, "the flood to be processed", func() bool {
		ps, _ = a.e.Stats().Peer(raw.ID())
		// A serve pass has taken at most serveBatch entries off the queue.
		return ps.Wants == maxWants && ps.WantsDropped >= wantBlocks-maxWants-serveBatch &&
			ps.QueuedControl > 0
	})
	time.Sleep(200 * time.Millisecond)
	ps, _ = a.e.Stats().Peer(raw.ID())
	t.Logf("after the flood: %+v", ps)
	if ps.Wants > maxWants {
		t.Errorf("%d wants queued, cap %d", ps.Wants, maxWants)
	}
	if ps.QueuedControl > maxQueuedControl {
		t.Errorf("%d control entries queued, cap %d", ps.QueuedControl, maxQueuedControl)
	}
}
