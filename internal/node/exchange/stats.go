package exchange

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/peer"
)

// counters are updated without the engine lock.
type counters struct {
	bytesReceived, bytesSent   atomic.Uint64
	blocksReceived, blocksSent atomic.Uint64
	bad, spurious              atomic.Uint64
	wantsDropped               atomic.Uint64
}

// Stats is a snapshot of the engine's traffic for the app. Bytes count
// block data only, and a received block counts once it is verified and
// stored.
type Stats struct {
	BytesReceived  uint64
	BytesSent      uint64
	BlocksReceived uint64
	BlocksSent     uint64
	BadBlocks      uint64 // rejected by verification (strikes)
	Spurious       uint64 // blocks that were not, or no longer, wanted
	Pending        int    // blocks being fetched
	Peers          []PeerStats
}

// PeerStats is one peer's share. Peers are listed while connected, and
// afterwards if they have strikes.
type PeerStats struct {
	ID             peer.ID
	Connected      bool
	BytesReceived  uint64
	BytesSent      uint64
	BlocksReceived uint64
	BlocksSent     uint64
	Strikes        int  // bad blocks received from the peer
	Excluded       bool // Strikes reached MaxStrikes: never asked again
	Requested      int  // our WantBlocks outstanding at the peer
	Wants          int  // the peer's WantBlocks queued here
	WantsDropped   uint64
	QueuedControl  int // want entries and presences waiting to be sent
}

// Stats returns a snapshot, peers sorted by ID.
func (e *Engine) Stats() Stats {
	s := Stats{
		BytesReceived:  e.stats.bytesReceived.Load(),
		BytesSent:      e.stats.bytesSent.Load(),
		BlocksReceived: e.stats.blocksReceived.Load(),
		BlocksSent:     e.stats.blocksSent.Load(),
		BadBlocks:      e.stats.bad.Load(),
		Spurious:       e.stats.spurious.Load(),
	}
	e.mu.Lock()
	s.Pending = len(e.wants)
	peers := make([]*peerState, 0, len(e.peers))
	for _, p := range e.peers {
		peers = append(peers, p)
		s.Peers = append(s.Peers, PeerStats{
			ID:        p.id,
			Connected: p.connected,
			Strikes:   p.strikes,
			Excluded:  p.strikes >= e.opts.MaxStrikes,
			Requested: p.inflight,
		})
	}
	e.mu.Unlock()
	for i, p := range peers {
		ps := &s.Peers[i]
		ps.BytesReceived = p.stats.bytesReceived.Load()
		ps.BytesSent = p.stats.bytesSent.Load()
		ps.BlocksReceived = p.stats.blocksReceived.Load()
		ps.BlocksSent = p.stats.blocksSent.Load()
		ps.WantsDropped = p.stats.wantsDropped.Load()
		ps.Wants = p.queuedWants()
		ps.QueuedControl = p.queuedControl()
	}
	slices.SortFunc(s.Peers, func(a, b PeerStats) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return s
}

// Peer returns the stats of one peer, or false if the engine has none.
func (s Stats) Peer(id peer.ID) (PeerStats, bool) {
	for _, p := range s.Peers {
		if p.ID == id {
			return p, true
		}
	}
	return PeerStats{}, false
}
