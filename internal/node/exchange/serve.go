package exchange

// zeroPrice is what the reference sends while payments are off: a UInt256
// zero in 32 big-endian bytes. Shared and never written.
var zeroPrice = make([]byte, 32)

// serveBatch is how many queued wants a serve pass takes at once; blocks
// are read one at a time and sent whenever MaxDeliveryBytes are collected.
const serveBatch = 64

// handleWants answers a peer's want list: WantHave with a presence (Have if
// the block is here, DontHave only if asked to), WantBlock by queueing the
// block for the peer's serve goroutine, cancel by removing it. Everything
// a peer can make us hold is capped: MaxPeerWants queued blocks and
// maxQueuedControl queued presences; what does not fit is ignored, which
// the requester's retries cope with. The full flag is ignored, as the
// reference ignores it.
func (e *Engine) handleWants(p *peerState, entries []WantListEntry) {
	var pres []BlockPresence
	room := p.controlRoom()
	queued := false
	for i := range entries {
		en := &entries[i]
		if en.Cancel {
			p.cancelWant(en.Address)
			continue
		}
		switch en.WantType {
		case WantHave:
			if len(pres) >= room {
				continue
			}
			if e.store.HasBlock(en.Address) {
				pres = append(pres, BlockPresence{Address: en.Address, Type: Have, Price: zeroPrice})
			} else if en.SendDontHave {
				pres = append(pres, BlockPresence{Address: en.Address, Type: DontHave, Price: zeroPrice})
			}
		case WantBlock:
			if p.addWant(en.Address, e.opts.MaxPeerWants) {
				queued = true
			}
		}
	}
	if len(pres) > 0 {
		p.enqueue(nil, pres, false)
	}
	if queued {
		p.startServing()
	}
}

func (p *peerState) addWant(a BlockAddress, limit int) bool {
	p.smu.Lock()
	defer p.smu.Unlock()
	if _, ok := p.wanted[a]; ok {
		return false
	}
	if len(p.wanted) >= limit {
		p.stats.wantsDropped.Add(1)
		return false
	}
	p.wanted[a] = struct{}{}
	p.ready = append(p.ready, a)
	if len(p.ready) > 2*limit {
		// Cancel and want again, repeatedly, leaves stale entries behind.
		live := p.ready[:0]
		seen := make(map[BlockAddress]struct{}, len(p.wanted))
		for _, r := range p.ready {
			if _, ok := p.wanted[r]; ok {
				if _, dup := seen[r]; !dup {
					seen[r] = struct{}{}
					live = append(live, r)
				}
			}
		}
		clear(p.ready[len(live):])
		p.ready = live
	}
	return true
}

func (p *peerState) cancelWant(a BlockAddress) {
	p.smu.Lock()
	delete(p.wanted, a)
	p.smu.Unlock()
}

func (p *peerState) clearServe() {
	p.smu.Lock()
	clear(p.wanted)
	p.ready = nil
	p.smu.Unlock()
}

func (p *peerState) queuedWants() int {
	p.smu.Lock()
	defer p.smu.Unlock()
	return len(p.wanted)
}

func (p *peerState) startServing() {
	p.smu.Lock()
	start := !p.serving && len(p.wanted) > 0
	if start {
		p.serving = true
	}
	p.smu.Unlock()
	if start && !p.e.spawn(func() { p.e.serveLoop(p) }) {
		p.smu.Lock()
		p.serving = false
		p.smu.Unlock()
	}
}

// takeWants removes up to n queued wants, oldest first. When none are left
// it ends the serve goroutine's turn.
func (p *peerState) takeWants(n int) []BlockAddress {
	p.smu.Lock()
	defer p.smu.Unlock()
	var out []BlockAddress
	for len(out) < n && len(p.ready) > 0 {
		a := p.ready[0]
		p.ready[0] = BlockAddress{}
		p.ready = p.ready[1:]
		if _, ok := p.wanted[a]; ok {
			delete(p.wanted, a)
			out = append(out, a)
		}
	}
	if len(p.ready) == 0 {
		p.ready = nil
	}
	if len(out) == 0 {
		p.serving = false
	}
	return out
}

// serveLoop sends a peer the blocks it asked for. It runs while the peer's
// queue is not empty and holds at most one message of MaxDeliveryBytes;
// maxServing bounds how many peers are served at once.
func (e *Engine) serveLoop(p *peerState) {
	for {
		batch := p.takeWants(serveBatch)
		if batch == nil {
			return
		}
		select {
		case e.serveSlots <- struct{}{}:
		case <-e.ctx.Done():
			return
		}
		err := e.serveBatch(p, batch)
		<-e.serveSlots
		if err != nil {
			// The peer cannot be reached; it asks again when it can.
			e.log.Debug("sending blocks failed", "peer", p.id, "err", err)
			p.clearServe()
			p.smu.Lock()
			p.serving = false
			p.smu.Unlock()
			return
		}
	}
}

// serveBatch sends the blocks of batch that are here, leaves with their
// stored proofs, in messages of about MaxDeliveryBytes. Blocks that are
// not here are dropped: a requester only sends WantBlock after a Have, so
// this means the block was deleted meanwhile.
func (e *Engine) serveBatch(p *peerState, batch []BlockAddress) error {
	var m Message
	size := 0
	flush := func() error {
		if len(m.Payload) == 0 {
			return nil
		}
		if err := p.send(&m); err != nil {
			return err
		}
		n := uint64(len(m.Payload))
		e.stats.blocksSent.Add(n)
		p.stats.blocksSent.Add(n)
		e.stats.bytesSent.Add(uint64(size))
		p.stats.bytesSent.Add(uint64(size))
		m.Payload, size = nil, 0
		return nil
	}
	for _, a := range batch {
		blockCid, data, proof, err := e.store.GetForPeer(a)
		if err != nil || (a.Leaf && len(proof) == 0) {
			e.log.Debug("not serving a wanted block", "peer", p.id, "address", a.String(), "err", err)
			continue
		}
		m.Payload = append(m.Payload, BlockDelivery{BlockCid: blockCid, Data: data, Address: a, Proof: proof})
		size += len(data)
		if size >= e.opts.MaxDeliveryBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
