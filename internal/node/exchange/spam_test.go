package exchange

import (
	"bufio"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"google.golang.org/protobuf/encoding/protowire"
)

// spamMessage is valid, well-formed and useless: blocks of a dataset
// nobody asked for (with their real proofs, so they would verify), Have
// presences for it and cancels of wants that do not exist.
func spamMessage(t *testing.T, sd *dataset, round int) *Message {
	var m Message
	for k := 0; k < 8; k++ {
		i := (round*8 + k) % sd.leaves
		leaf, _ := sd.tree.LeafCID(i)
		proof, err := sd.tree.Proof(i)
		if err != nil {
			t.Error(err)
		}
		a := LeafAddress(sd.treeCid, i)
		m.Payload = append(m.Payload, BlockDelivery{BlockCid: leaf, Data: sd.block(i), Address: a, Proof: proof.Encode()})
		m.BlockPresences = append(m.BlockPresences, BlockPresence{Address: a, Type: Have})
		m.WantList.Entries = append(m.WantList.Entries, WantListEntry{Address: a, Cancel: true})
	}
	return &m
}

// TestSpamPeer: a peer that pushes an endless stream of unsolicited blocks
// and noise while we fetch from an honest peer gets nothing stored, costs
// bounded memory, does not stop the fetch, and a frame above
// MaxMessageSize ends its stream.
func TestSpamPeer(t *testing.T) {
	honest := newNode(t, Options{})
	d := storeDataset(t, honest.r, randomBytes(4<<20, 11))
	sd := makeDataset(t, randomBytes(1<<20, 12)) // stored nowhere
	b := newNode(t, Options{})
	spammer := newHost(t)
	spammer.SetStreamHandler(ProtocolID, func(s network.Stream) {}) // never answers
	connect(t, spammer, b.h)
	s, err := spammer.NewStream(fetchCtx(t), b.h.ID(), ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Reset()

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ctx, stop := context.WithCancel(context.Background())
	spamDone := make(chan int)
	go func() {
		sent := 0
		for round := 0; ctx.Err() == nil && round < 400; round++ { // up to 200 MiB
			if WriteMessage(s, spamMessage(t, sd, round)) != nil {
				break
			}
			sent += 8 * len(sd.block(0))
		}
		spamDone <- sent
	}()

	connect(t, b.h, honest.h)
	if err := b.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, b.r, d)
	stop()
	sent := <-spamDone
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)

	st := b.e.Stats()
	ps, _ := st.Peer(spammer.ID())
	t.Logf("spam sent %d MiB; spurious %d; spammer %+v; heap %d → %d MiB", sent>>20, st.Spurious, ps, before.HeapAlloc>>20, after.HeapAlloc>>20)
	if sent == 0 || st.Spurious == 0 {
		t.Fatalf("the spam did not arrive: sent %d, spurious %d", sent, st.Spurious)
	}
	if ps.BlocksReceived != 0 {
		t.Errorf("%d unsolicited blocks were taken", ps.BlocksReceived)
	}
	for i := 0; i < sd.leaves; i++ {
		if leaf, _ := sd.tree.LeafCID(i); b.r.HasBlock(leaf) {
			t.Fatalf("unsolicited block %d was stored", i)
		}
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("the heap grew by %d MiB under %d MiB of spam", grew>>20, sent>>20)
	}

	// A length prefix above the limit: the engine resets the stream.
	if _, err := s.Write(protowire.AppendVarint(nil, MaxMessageSize+1)); err != nil {
		t.Fatal(err)
	}
	s.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = bufio.NewReader(s).ReadByte()
	if err == nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		t.Fatalf("the stream is still open after an oversized frame: %v", err)
	}
	// The engine still serves: the honest peer fetches back from b.
	c := newNode(t, Options{})
	connect(t, c.h, b.h)
	if err := c.e.FetchDataset(fetchCtx(t), d.treeCid, d.leaves, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// TestStreamFlood: a peer that opens far more block-exchange streams than
// the reference allows (maxInboundStreams) gets the excess reset, so its
// streams cannot pile up read loops here. With libp2p's default resource
// limits (these test hosts') its per-protocol stream limit resets them
// first; the engine's own cap is for hosts configured more loosely.
func TestStreamFlood(t *testing.T) {
	a := newNode(t, Options{})
	raw := newHost(t)
	raw.SetStreamHandler(ProtocolID, func(s network.Stream) {})
	connect(t, raw, a.h)
	const opened = maxInboundStreams + 50
	streams := make([]network.Stream, 0, opened)
	for range opened {
		s, err := raw.NewStream(fetchCtx(t), a.h.ID(), ProtocolID)
		if err != nil {
			break // libp2p's own per-peer stream limit came first
		}
		defer s.Reset()
		// An empty message: the stream reaches the engine's handler.
		if err := WriteMessage(s, &Message{}); err != nil {
			break
		}
		streams = append(streams, s)
	}
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	var open atomic.Int32
	for _, s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.SetReadDeadline(deadline)
			if _, err := s.Read(make([]byte, 1)); isTimeout(err) {
				open.Add(1)
			}
		}()
	}
	wg.Wait()
	a.e.mu.Lock()
	p := a.e.peers[raw.ID()]
	a.e.mu.Unlock()
	p.stmu.Lock()
	inbound := p.inbound
	p.stmu.Unlock()
	t.Logf("%d streams opened, %d still open, %d held by the engine", len(streams), open.Load(), inbound)
	if inbound > maxInboundStreams || int(open.Load()) > maxInboundStreams {
		t.Fatalf("%d inbound streams kept (%d open), cap %d", inbound, open.Load(), maxInboundStreams)
	}
	if inbound == 0 {
		t.Fatal("no stream was kept: the test did not reach the engine")
	}
}
