package exchange

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
)

// A want is one block the engine is fetching, shared by every fetch that
// needs it: a FetchBlock for a block that a running FetchDataset already
// wants waits for the same request instead of sending another. It lives in
// e.wants from the first fetch that needs it until it is stored or no
// fetch needs it any more; all fields are guarded by e.mu.
type want struct {
	addr    BlockAddress
	key     cid.Cid // addr.Key(): the dataset it belongs to
	seq     uint64  // request order within a priority
	urgent  bool    // FetchBlock: ahead of dataset read-ahead
	created time.Time
	state   wantState
	err     error
	done    chan struct{} // closed when state becomes wantDone
	refs    int
	subs    []*session // fetches to tell when done

	peer   *peerState // WantBlock outstanding there, or nil
	sentAt time.Time
	asked  map[peer.ID]ask       // WantHave sent
	failed map[peer.ID]time.Time // peers that let a request for it time out
}

type wantState uint8

const (
	wantPending wantState = iota // looking for it or requested
	wantStoring                  // verified, being stored
	wantDone
)

// ask records the WantHaves sent to one peer for one want. A peer that
// does not answer Have is asked again after haveRetry, doubling up to 16
// times that, so peers without the data are not asked for every pending
// block every few seconds.
type ask struct {
	at time.Time
	n  uint8
}

func (a ask) due(now time.Time) bool {
	return a.n == 0 || now.Sub(a.at) >= haveRetry<<min(a.n-1, 4)
}

func (a ask) next(now time.Time) ask { return ask{at: now, n: min(a.n+1, 8)} }

// session is one fetch; its wants report completion to it.
type session struct {
	kick      chan struct{}
	completed []*want // guarded by e.mu
}

func newSession() *session { return &session{kick: make(chan struct{}, 1)} }

// acquireLocked registers s's interest in addr and returns its want.
func (e *Engine) acquireLocked(s *session, addr BlockAddress, urgent bool) *want {
	w := e.wants[addr]
	if w == nil {
		e.seq++
		w = &want{
			addr:    addr,
			key:     addr.Key(),
			seq:     e.seq,
			created: time.Now(),
			done:    make(chan struct{}),
			asked:   make(map[peer.ID]ask),
			failed:  make(map[peer.ID]time.Time),
		}
		e.wants[addr] = w
		e.keyWants[w.key]++
	}
	w.urgent = w.urgent || urgent
	w.refs++
	if s != nil {
		w.subs = append(w.subs, s)
	}
	return w
}

// releaseLocked drops s's interest in w. The last fetch to let go of a
// pending want withdraws it: the peer it was requested from gets a cancel.
func (e *Engine) releaseLocked(s *session, w *want) (cancel *peerState) {
	w.refs--
	if i := slices.Index(w.subs, s); s != nil && i >= 0 {
		w.subs = slices.Delete(w.subs, i, i+1)
	}
	if w.refs > 0 || w.state != wantPending {
		return nil
	}
	cancel = w.peer
	e.unassignLocked(w)
	e.removeLocked(w)
	return cancel
}

// release is releaseLocked for a fetch that is ending.
func (e *Engine) release(s *session, ws ...*want) {
	cancels := make(map[*peerState][]BlockAddress)
	e.mu.Lock()
	for _, w := range ws {
		if p := e.releaseLocked(s, w); p != nil {
			cancels[p] = append(cancels[p], w.addr)
		}
	}
	e.mu.Unlock()
	sendCancels(cancels)
}

func sendCancels(cancels map[*peerState][]BlockAddress) {
	for p, addrs := range cancels {
		entries := make([]WantListEntry, len(addrs))
		for i, a := range addrs {
			entries[i] = WantListEntry{Address: a, Cancel: true, WantType: WantBlock}
		}
		p.enqueue(entries, nil, false)
	}
}

// removeLocked takes w out of the table and forgets presences for it.
func (e *Engine) removeLocked(w *want) {
	if e.wants[w.addr] != w {
		return
	}
	delete(e.wants, w.addr)
	for _, p := range e.peers {
		delete(p.has, w.addr)
	}
	if e.keyWants[w.key]--; e.keyWants[w.key] <= 0 {
		// The download is over: a peer banned for it may serve the next
		// one (its strikes still count).
		delete(e.keyWants, w.key)
		delete(e.banned, w.key)
		delete(e.discovering, w.key)
	}
}

// finishLocked ends w with err (nil: stored) and tells its fetches.
func (e *Engine) finishLocked(w *want, err error) {
	if w.state == wantDone {
		return
	}
	e.unassignLocked(w)
	w.state, w.err = wantDone, err
	e.removeLocked(w)
	for _, s := range w.subs {
		s.completed = append(s.completed, w)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	close(w.done)
}

func (e *Engine) assignLocked(w *want, p *peerState, now time.Time) {
	if p.inflight == 0 {
		p.lastBlock = now
	}
	p.inflight++
	w.peer, w.sentAt = p, now
}

func (e *Engine) unassignLocked(w *want) {
	if w.peer != nil {
		w.peer.inflight--
		w.peer = nil
	}
}

// sortedWantsLocked returns the wants that pass keep, most urgent first,
// then in the order they were requested (dataset blocks by index).
func (e *Engine) sortedWantsLocked(keep func(*want) bool) []*want {
	var ws []*want
	for _, w := range e.wants {
		if keep(w) {
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b *want) int {
		if a.urgent != b.urgent {
			if a.urgent {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return ws
}

func (e *Engine) bannedLocked(w *want, p *peerState) bool {
	_, ok := e.banned[w.key][p.id]
	return ok
}

// handlePresences records which wanted blocks a peer has; the scheduler
// then sends it WantBlocks. Presences for blocks we do not want are
// dropped, so a peer cannot grow our memory with them.
func (e *Engine) handlePresences(p *peerState, ps []BlockPresence) {
	e.mu.Lock()
	for i := range ps {
		pr := &ps[i]
		w := e.wants[pr.Address]
		if w == nil || w.state != wantPending || len(pr.Price) > 32 {
			continue
		}
		if pr.Type == Have {
			p.has[pr.Address] = struct{}{}
		} else {
			delete(p.has, pr.Address)
		}
	}
	e.mu.Unlock()
	e.kick()
}

// storeJob holds a copy of the delivery, not a pointer into the message,
// so that it keeps alive only its own block's bytes.
type storeJob struct {
	w    *want
	d    BlockDelivery
	from *peerState
}

// handleDeliveries verifies every block against its pending want and hands
// the good ones to the store workers. The read loop waits while the store
// queue is full, which is what slows a sender down to our disk's speed.
//
// The blocks alias the message buffer, which stays alive while any of them
// waits for the store. When the message is mostly something else (a peer
// can pad it with unknown fields up to MaxMessageSize), the blocks are
// copied out so that the buffer can go.
func (e *Engine) handleDeliveries(p *peerState, ds []BlockDelivery, frameLen int) {
	blockBytes := 0
	for i := range ds {
		blockBytes += len(ds[i].Data) + len(ds[i].Proof)
	}
	detach := frameLen > 2*blockBytes+(64<<10)
	cancels := make(map[*peerState][]BlockAddress)
	defer func() {
		sendCancels(cancels)
		e.kick()
	}()
	for i := range ds {
		d := &ds[i]
		e.mu.Lock()
		w := e.wants[d.Address]
		pending := w != nil && w.state == wantPending
		// A peer that lied about this dataset is not heard again: its
		// blocks would only cost verification and log lines.
		ignored := pending && (e.bannedLocked(w, p) || p.strikes >= e.opts.MaxStrikes)
		e.mu.Unlock()
		if !pending || ignored {
			// Not asked for, already received, or cancelled meanwhile.
			p.stats.spurious.Add(1)
			e.stats.spurious.Add(1)
			continue
		}
		if err := verifyDelivery(d); err != nil {
			e.strike(p, w, err, cancels)
			continue
		}
		e.mu.Lock()
		if e.wants[d.Address] != w || w.state != wantPending {
			e.mu.Unlock()
			continue
		}
		w.state = wantStoring
		if q := w.peer; q != nil && q != p {
			cancels[q] = append(cancels[q], w.addr)
		}
		e.unassignLocked(w)
		p.lastBlock = time.Now()
		e.mu.Unlock()
		if detach {
			d.Data = append([]byte(nil), d.Data...)
			d.Proof = append([]byte(nil), d.Proof...)
		}
		select {
		case e.storeQ <- storeJob{w: w, d: *d, from: p}:
		case <-e.ctx.Done():
			return
		}
	}
}

// strike records a bad block: the peer is not asked for anything of that
// dataset again during this download, and after MaxStrikes not at all.
func (e *Engine) strike(p *peerState, w *want, err error, cancels map[*peerState][]BlockAddress) {
	e.stats.bad.Add(1)
	p.stats.bad.Add(1)
	e.mu.Lock()
	p.strikes++
	strikes := p.strikes
	ban := e.banned[w.key]
	if ban == nil {
		ban = make(map[peer.ID]struct{})
		e.banned[w.key] = ban
	}
	ban[p.id] = struct{}{}
	for _, o := range e.wants {
		if o.peer == p && (o.key == w.key || strikes >= e.opts.MaxStrikes) {
			e.unassignLocked(o)
			cancels[p] = append(cancels[p], o.addr)
		}
	}
	e.mu.Unlock()
	e.log.Warn("peer sent a bad block", "peer", p.id, "address", w.addr.String(), "strikes", strikes, "err", err)
}

func (e *Engine) storeLoop() {
	for {
		var job storeJob
		select {
		case job = <-e.storeQ:
		case <-e.ctx.Done():
			return
		}
		d := &job.d
		err := e.store.PutVerified(d.Address, d.BlockCid, d.Data, d.Proof)
		if err == nil {
			n := uint64(len(d.Data))
			e.stats.blocksReceived.Add(1)
			e.stats.bytesReceived.Add(n)
			job.from.stats.blocksReceived.Add(1)
			job.from.stats.bytesReceived.Add(n)
		} else {
			e.log.Warn("storing a fetched block failed", "address", d.Address.String(), "err", err)
			err = fmt.Errorf("exchange: storing %s: %w", d.Address, err)
		}
		e.mu.Lock()
		e.finishLocked(job.w, err)
		e.mu.Unlock()
		e.kick()
	}
}

// sendFailed gives the requests outstanding at p to other peers.
func (e *Engine) sendFailed(p *peerState) {
	until := time.Now().Add(haveRetry).UnixNano()
	if p.unusableUntil.Load() < until {
		p.unusableUntil.Store(until)
	}
	e.mu.Lock()
	for _, w := range e.wants {
		if w.peer == p {
			e.unassignLocked(w)
		}
		delete(w.asked, p.id)
	}
	e.mu.Unlock()
	e.kick()
}
