package exchange

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// minSchedulePass spaces scheduler passes: every stored block kicks the
// scheduler, and one pass per burst is enough.
const minSchedulePass = 2 * time.Millisecond

// scheduleLoop runs the scheduler when kicked (a presence, a block, a new
// want, a peer) and every scheduleTick, which is what notices timeouts.
func (e *Engine) scheduleLoop() {
	tick := time.NewTicker(scheduleTick)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.kickCh:
		case <-tick.C:
		}
		if d := minSchedulePass - time.Since(last); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-e.ctx.Done():
				t.Stop()
				return
			}
		}
		last = time.Now()
		e.schedule(last)
	}
}

// schedule makes one pass over the pending wants, most urgent and lowest
// index first:
//
//   - a request that timed out (the peer went silent, or left this one
//     unanswered for BlockTimeout while answering others) is cancelled
//     there and the peer is passed over for that block for a while;
//   - an unrequested want goes as WantBlock to the peer with the fewest
//     requests outstanding among those that reported Have and have room in
//     their PeerWindow, which spreads a download over every peer that has
//     the data and keeps many requests in flight at each;
//   - usable peers not yet asked (or asked a while ago, see ask, and not
//     answering Have) get a WantHave;
//   - when no connected peer has a block, Discovery is asked for providers
//     of its dataset, at most every discoveryInterval per dataset.
//
// Messages are only queued here; the peers' writer goroutines send them.
func (e *Engine) schedule(now time.Time) {
	type batch struct{ cancels, blocks, haves []BlockAddress }
	out := make(map[*peerState]*batch)
	get := func(p *peerState) *batch {
		b := out[p]
		if b == nil {
			b = &batch{}
			out[p] = b
		}
		return b
	}
	var lookups []cid.Cid

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	var peers []*peerState
	for _, p := range e.peers {
		if !p.usable(now) || !e.speaksBlockexc(p.id) {
			continue
		}
		p.silent = p.inflight > 0 && now.Sub(p.lastBlock) > e.opts.PeerTimeout
		if p.silent {
			p.backoffUntil = now.Add(e.opts.PeerTimeout)
			e.log.Debug("peer went silent, requests go elsewhere", "peer", p.id, "outstanding", p.inflight)
		}
		peers = append(peers, p)
	}
	needLookup := make(map[cid.Cid]struct{})
	for _, w := range e.sortedWantsLocked(func(w *want) bool { return w.state == wantPending }) {
		if q := w.peer; q != nil {
			if q.usable(now) && !q.silent && now.Sub(w.sentAt) <= e.opts.BlockTimeout {
				continue
			}
			w.failed[q.id] = now
			get(q).cancels = append(get(q).cancels, w.addr)
			e.unassignLocked(w)
		}
		var best *peerState
		anyHas := false
		for _, p := range peers {
			if e.bannedLocked(w, p) || now.Sub(w.failed[p.id]) < e.opts.PeerTimeout {
				continue
			}
			if _, ok := p.has[w.addr]; ok {
				anyHas = true
				if p.inflight < e.opts.PeerWindow && !now.Before(p.backoffUntil) &&
					(best == nil || p.inflight < best.inflight) {
					best = p
				}
				continue
			}
			if a := w.asked[p.id]; a.due(now) {
				w.asked[p.id] = a.next(now)
				get(p).haves = append(get(p).haves, w.addr)
			}
		}
		if best != nil {
			e.assignLocked(w, best, now)
			get(best).blocks = append(get(best).blocks, w.addr)
			continue
		}
		// With peers connected, give their answers a moment first.
		if !anyHas && (len(peers) == 0 || now.Sub(w.created) >= discoveryDelay) {
			needLookup[w.key] = struct{}{}
		}
	}
	if e.opts.Discovery != nil {
		for key := range needLookup {
			if e.lookups >= maxDiscoveries {
				break
			}
			if t, ok := e.discovering[key]; ok && now.Sub(t) < discoveryInterval {
				continue
			}
			e.discovering[key] = now
			e.lookups++
			lookups = append(lookups, key)
		}
	}
	e.mu.Unlock()

	for p, b := range out {
		entries := make([]WantListEntry, 0, len(b.cancels)+len(b.blocks)+len(b.haves))
		for _, a := range b.cancels {
			entries = append(entries, WantListEntry{Address: a, Cancel: true, WantType: WantBlock})
		}
		for _, a := range b.blocks {
			entries = append(entries, WantListEntry{Address: a, WantType: WantBlock})
		}
		for _, a := range b.haves {
			entries = append(entries, WantListEntry{Address: a, WantType: WantHave})
		}
		p.enqueue(entries, nil, false)
	}
	for _, key := range lookups {
		if !e.spawn(func() { e.discover(key) }) {
			e.mu.Lock()
			e.lookups--
			e.mu.Unlock()
		}
	}
}

// speaksBlockexc is false for a peer whose identify did not list the
// protocol (a DHT-only peer, say); before identify it is true.
func (e *Engine) speaksBlockexc(id peer.ID) bool {
	protos, err := e.h.Peerstore().GetProtocols(id)
	if err != nil || len(protos) == 0 {
		return true
	}
	return slices.Contains(protos, ProtocolID)
}

// discover asks Discovery for providers of key and connects to them; a
// new connection then gets our want list (peerUp).
func (e *Engine) discover(key cid.Cid) {
	defer func() {
		e.mu.Lock()
		e.lookups--
		e.mu.Unlock()
		e.kick()
	}()
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	infos, err := e.opts.Discovery.FindProviders(ctx, key, 10)
	if err != nil {
		e.log.Debug("provider lookup failed", "cid", dag.CIDString(key), "err", err)
		return
	}
	var wg sync.WaitGroup
	for _, ai := range infos {
		if ai.ID == e.h.ID() || e.h.Network().Connectedness(ai.ID) == network.Connected {
			continue
		}
		wg.Go(func() {
			if err := e.h.Connect(ctx, ai); err != nil {
				e.log.Debug("connecting to provider failed", "peer", ai.ID, "err", err)
			}
		})
	}
	wg.Wait()
}
