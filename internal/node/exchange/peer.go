package exchange

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// peerState is everything the engine keeps about one remote peer. It is
// split by lock so that no network I/O ever happens under the engine's
// mutex and a slow peer only ever blocks its own goroutines:
//
//   - fetch side (what the peer has, what we asked it for): e.mu;
//   - the control queue (want entries and presences waiting to be sent),
//     drained by a writer goroutine that exists while the queue is not
//     empty: cmu;
//   - the serve queue (blocks the peer asked us for), drained by a serve
//     goroutine that exists while the queue is not empty: smu;
//   - the outbound stream, shared by both writers: wmu.
//
// Read loops never send: they only queue, so two peers that both stop
// reading while they write cannot deadlock each other.
type peerState struct {
	id peer.ID
	e  *Engine

	// Fetch side, guarded by e.mu.
	connected    bool
	has          map[BlockAddress]struct{} // Have presences for wanted addresses
	inflight     int                       // our WantBlocks outstanding here
	lastBlock    time.Time                 // last block, or when inflight left 0
	backoffUntil time.Time                 // went silent: no new requests until then
	silent       bool                      // scratch for one schedule pass
	strikes      int

	// unusableUntil (unix nanoseconds) is set when a stream could not be
	// opened (the peer may not speak block exchange) or a write failed.
	unusableUntil atomic.Int64

	stats counters

	cmu     sync.Mutex
	qWants  []WantListEntry
	qPres   []BlockPresence
	qFull   bool
	writing bool

	smu     sync.Mutex
	wanted  map[BlockAddress]struct{}
	ready   []BlockAddress // FIFO of wanted; may hold cancelled entries
	serving bool

	wmu sync.Mutex
	out network.Stream

	stmu    sync.Mutex
	streams map[network.Stream]bool // open streams → inbound
	inbound int

	// readMu lets one message of this peer be read and handled at a time,
	// which bounds the memory a peer can make us hold to one message
	// however many streams it opens.
	readMu sync.Mutex
}

func newPeerState(e *Engine, id peer.ID) *peerState {
	return &peerState{
		id:      id,
		e:       e,
		has:     make(map[BlockAddress]struct{}),
		wanted:  make(map[BlockAddress]struct{}),
		streams: make(map[network.Stream]bool),
	}
}

// peerLocked returns the state of id, creating it.
func (e *Engine) peerLocked(id peer.ID) *peerState {
	p := e.peers[id]
	if p == nil {
		p = newPeerState(e, id)
		e.peers[id] = p
	}
	return p
}

func (p *peerState) usable(now time.Time) bool {
	return p.connected && p.strikes < p.e.opts.MaxStrikes && now.UnixNano() >= p.unusableUntil.Load()
}

// peerUp sends a newly connected peer our whole want list as WantHave with
// full=true, as the reference does when a peer joins.
func (e *Engine) peerUp(id peer.ID) {
	now := time.Now()
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	p := e.peerLocked(id)
	if p.connected {
		e.mu.Unlock()
		return
	}
	p.connected = true
	p.unusableUntil.Store(0)
	var entries []WantListEntry
	keep := func(w *want) bool {
		return w.state == wantPending && p.strikes < e.opts.MaxStrikes && !e.bannedLocked(w, p)
	}
	for _, w := range e.sortedWantsLocked(keep) {
		entries = append(entries, WantListEntry{Address: w.addr, WantType: WantHave})
		w.asked[id] = w.asked[id].next(now)
	}
	e.mu.Unlock()
	if len(entries) > 0 {
		p.enqueue(entries, nil, true)
	}
	e.kick()
}

// peerDown forgets what a disconnected peer had and was asked, and gives
// its outstanding requests to others. A peer with strikes is remembered so
// that reconnecting does not clear them.
func (e *Engine) peerDown(id peer.ID) {
	e.mu.Lock()
	p := e.peers[id]
	if p == nil {
		e.mu.Unlock()
		return
	}
	p.connected = false
	for _, w := range e.wants {
		if w.peer == p {
			e.unassignLocked(w)
		}
		delete(w.asked, id)
	}
	clear(p.has)
	if p.strikes == 0 {
		delete(e.peers, id)
	}
	e.mu.Unlock()

	p.resetStreams()
	p.clearServe()
	p.cmu.Lock()
	p.qWants, p.qPres, p.qFull = nil, nil, false
	p.cmu.Unlock()
	e.kick()
}

// enqueue queues control entries for the writer goroutine, which merges
// everything queued into as few messages as possible. Our own wants go
// first and presences fill what room is left: a peer that floods us with
// WantHave only ever gets maxQueuedControl answers queued.
func (p *peerState) enqueue(wants []WantListEntry, pres []BlockPresence, full bool) {
	p.cmu.Lock()
	room := maxQueuedControl - len(p.qWants) - len(p.qPres)
	wants = wants[:min(len(wants), max(room, 0))]
	p.qWants = append(p.qWants, wants...)
	room -= len(wants)
	pres = pres[:min(len(pres), max(room, 0))]
	p.qPres = append(p.qPres, pres...)
	p.qFull = p.qFull || full
	start := !p.writing && len(p.qWants)+len(p.qPres) > 0
	if start {
		p.writing = true
	}
	p.cmu.Unlock()
	if start && !p.e.spawn(p.writeLoop) {
		p.cmu.Lock()
		p.writing = false
		p.cmu.Unlock()
	}
}

// controlRoom is how many more entries the control queue takes.
func (p *peerState) controlRoom() int {
	p.cmu.Lock()
	defer p.cmu.Unlock()
	return maxQueuedControl - len(p.qWants) - len(p.qPres)
}

func (p *peerState) queuedControl() int {
	p.cmu.Lock()
	defer p.cmu.Unlock()
	return len(p.qWants) + len(p.qPres)
}

func (p *peerState) writeLoop() {
	for {
		p.cmu.Lock()
		nw := min(len(p.qWants), maxControlBatch)
		np := min(len(p.qPres), maxControlBatch-nw)
		if nw+np == 0 {
			p.writing = false
			p.cmu.Unlock()
			return
		}
		m := Message{
			WantList:       WantList{Entries: p.qWants[:nw:nw], Full: p.qFull},
			BlockPresences: p.qPres[:np:np],
		}
		p.qWants, p.qPres, p.qFull = p.qWants[nw:], p.qPres[np:], false
		if len(p.qWants) == 0 {
			p.qWants = nil
		}
		if len(p.qPres) == 0 {
			p.qPres = nil
		}
		p.cmu.Unlock()
		if len(m.WantList.Entries) == 0 {
			m.WantList = WantList{}
		}
		if err := p.send(&m); err != nil {
			p.e.log.Debug("sending control message failed", "peer", p.id, "err", err)
			p.cmu.Lock()
			p.qWants, p.qPres, p.qFull = nil, nil, false
			p.writing = false
			p.cmu.Unlock()
			p.e.sendFailed(p)
			return
		}
	}
}

// send writes m on the peer's outbound stream, opening it if needed. A
// write that fails on a stream opened earlier is retried once on a new
// stream: the old one may simply have been closed by the remote.
func (p *peerState) send(m *Message) error {
	buf, err := AppendFrame(nil, m)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for {
		fresh := false
		if p.out == nil {
			if err := p.openLocked(); err != nil {
				return err
			}
			fresh = true
		}
		s := p.out
		_ = s.SetWriteDeadline(time.Now().Add(transferTimeout(len(buf))))
		_, err = s.Write(buf)
		if err == nil {
			_ = s.SetWriteDeadline(time.Time{})
			return nil
		}
		_ = s.Reset()
		p.out = nil
		p.removeStream(s)
		if fresh {
			return err
		}
	}
}

func (p *peerState) openLocked() error {
	e := p.e
	ctx, cancel := context.WithTimeout(e.ctx, openTimeout)
	defer cancel()
	s, err := e.h.NewStream(ctx, p.id, ProtocolID)
	if err != nil {
		p.unusableUntil.Store(time.Now().Add(noProtoBackoff).UnixNano())
		return err
	}
	if !p.addStream(s, false) {
		_ = s.Reset()
		return ErrClosed
	}
	if !e.spawn(func() { e.readLoop(p, s, false) }) {
		_ = s.Reset()
		p.removeStream(s)
		return ErrClosed
	}
	p.out = s
	return nil
}

// transferTimeout allows for a slow link: 30 s plus 64 KiB/s.
func transferTimeout(n int) time.Duration {
	return 30*time.Second + time.Duration(n/(64<<10))*time.Second
}

func (p *peerState) addStream(s network.Stream, inbound bool) bool {
	p.stmu.Lock()
	defer p.stmu.Unlock()
	if inbound && p.inbound >= maxInboundStreams {
		return false
	}
	e := p.e
	e.streamMu.Lock()
	defer e.streamMu.Unlock()
	if e.ctx.Err() != nil {
		return false
	}
	e.streams[s] = struct{}{}
	p.streams[s] = inbound
	if inbound {
		p.inbound++
	}
	return true
}

func (p *peerState) removeStream(s network.Stream) {
	p.stmu.Lock()
	defer p.stmu.Unlock()
	inbound, ok := p.streams[s]
	if !ok {
		return
	}
	delete(p.streams, s)
	if inbound {
		p.inbound--
	}
	p.e.streamMu.Lock()
	delete(p.e.streams, s)
	p.e.streamMu.Unlock()
}

func (p *peerState) resetStreams() {
	p.stmu.Lock()
	streams := make([]network.Stream, 0, len(p.streams))
	for s := range p.streams {
		streams = append(streams, s)
	}
	p.stmu.Unlock()
	for _, s := range streams {
		_ = s.Reset()
	}
}

// handleStream serves a stream a peer opened to us.
func (e *Engine) handleStream(s network.Stream) {
	id := s.Conn().RemotePeer()
	e.life.RLock()
	if e.stopping {
		e.life.RUnlock()
		_ = s.Reset()
		return
	}
	e.wg.Add(1)
	e.life.RUnlock()
	defer e.wg.Done()

	e.mu.Lock()
	p := e.peerLocked(id)
	e.mu.Unlock()
	if !p.addStream(s, true) {
		e.log.Debug("refusing inbound stream", "peer", id)
		_ = s.Reset()
		return
	}
	e.readLoop(p, s, true)
}

// readLoop reads messages from one stream until it fails. Like the
// reference, it reads our outbound stream too: a peer may answer on it.
// An undecodable message ends the stream, as it does in the reference.
func (e *Engine) readLoop(p *peerState, s network.Stream, inbound bool) {
	br := bufio.NewReaderSize(s, 16<<10)
	for {
		n, err := readLength(br)
		if err != nil {
			if errors.Is(err, io.EOF) {
				// The remote closed its side. Our outbound stream stays
				// ours to write on (send drops it when a write fails);
				// an inbound one is finished.
				if inbound {
					_ = s.Close()
					p.removeStream(s)
				}
				return
			}
			e.log.Debug("blockexc stream ended", "peer", p.id, "err", err)
			_ = s.Reset()
			p.removeStream(s)
			return
		}
		p.readMu.Lock()
		_ = s.SetReadDeadline(time.Now().Add(transferTimeout(n)))
		body, err := readBody(br, n)
		_ = s.SetReadDeadline(time.Time{})
		var m Message
		if err == nil {
			m, err = Decode(body)
		}
		if err != nil {
			p.readMu.Unlock()
			e.log.Debug("blockexc stream failed", "peer", p.id, "err", err)
			_ = s.Reset()
			p.removeStream(s)
			return
		}
		e.handleMessage(p, &m, n)
		p.readMu.Unlock()
	}
}

// handleMessage dispatches one message. Account and payment fields are
// ignored: payments are off.
func (e *Engine) handleMessage(p *peerState, m *Message, frameLen int) {
	if len(m.WantList.Entries) > 0 {
		e.handleWants(p, m.WantList.Entries)
	}
	if len(m.BlockPresences) > 0 {
		e.handlePresences(p, m.BlockPresences)
	}
	if len(m.Payload) > 0 {
		e.handleDeliveries(p, m.Payload, frameLen)
	}
}
