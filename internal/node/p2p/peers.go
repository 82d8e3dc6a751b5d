package p2p

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// PeerInfo describes one connected peer for the app's peers view. It is
// the REST API's wire type, defined once in nodeclient.
type PeerInfo = nodeclient.PeerInfo

// Peers lists the connected peers, sorted by peer ID.
func (n *Host) Peers() []PeerInfo {
	ids := n.h.Network().Peers()
	slices.Sort(ids)
	out := make([]PeerInfo, 0, len(ids))
	for _, id := range ids {
		conns := n.h.Network().ConnsToPeer(id)
		if len(conns) == 0 {
			continue // disconnected since Peers() was read
		}
		slices.SortFunc(conns, func(a, b network.Conn) int { return a.Stat().Opened.Compare(b.Stat().Opened) })
		first := conns[0]
		info := PeerInfo{
			PeerID:         id.String(),
			Direction:      direction(first.Stat().Direction),
			Muxer:          string(first.ConnState().StreamMultiplexer),
			ConnectedSince: first.Stat().Opened,
			LatencyMs:      float64(n.h.Peerstore().LatencyEWMA(id)) / float64(time.Millisecond),
			Protocols:      []string{},
		}
		for _, c := range conns {
			info.Addresses = append(info.Addresses, c.RemoteMultiaddr().String())
		}
		if v, err := n.h.Peerstore().Get(id, "AgentVersion"); err == nil {
			info.AgentVersion, _ = v.(string)
		}
		if protos, err := n.h.Peerstore().GetProtocols(id); err == nil {
			for _, p := range protos {
				info.Protocols = append(info.Protocols, string(p))
			}
			slices.Sort(info.Protocols)
		}
		bw := n.bw.GetBandwidthForPeer(id)
		info.BytesIn, info.BytesOut, info.RateIn, info.RateOut = bw.TotalIn, bw.TotalOut, bw.RateIn, bw.RateOut
		out = append(out, info)
	}
	return out
}

func direction(d network.Direction) string {
	switch d {
	case network.DirInbound:
		return "inbound"
	case network.DirOutbound:
		return "outbound"
	}
	return "unknown"
}

// Ping measures one round trip to a connected peer and records it in the
// peerstore's latency average.
func (n *Host) Ping(ctx context.Context, id peer.ID) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	res, ok := <-ping.Ping(ctx, n.h, id)
	if !ok {
		return 0, ctx.Err()
	}
	return res.RTT, res.Error
}

const (
	pingInterval  = 30 * time.Second
	pingTimeout   = 10 * time.Second
	pingParallel  = 8
	bandwidthIdle = time.Hour
)

// pingLoop keeps LatencyEWMA current: it pings a peer as soon as identify
// says it speaks the ping protocol, then every peer every 30 s. Peers
// without the protocol (archivist-node mounts none) are skipped rather than
// sent a stream they will refuse. The loop itself never waits for a ping:
// it also drains an event subscription, and a full subscription would
// stall libp2p's identify, which emits into it.
func (n *Host) pingLoop(ctx context.Context) {
	sub, err := n.h.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		n.log.Warn("latency measurement off", "err", err)
		return
	}
	defer sub.Close()
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	sem := make(chan struct{}, pingParallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	pingOne := func(id peer.ID) {
		defer wg.Done()
		defer func() { <-sem }()
		if _, err := n.Ping(ctx, id); err != nil && ctx.Err() == nil {
			n.log.Debug("ping failed", "peer", id.String(), "err", err)
		}
	}
	var round atomic.Bool
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-sub.Out():
			ev, ok := e.(event.EvtPeerIdentificationCompleted)
			if !ok || !slices.Contains(ev.Protocols, ping.ID) {
				continue
			}
			select {
			case sem <- struct{}{}:
				wg.Add(1)
				go pingOne(ev.Peer)
			default: // busy; the next round measures it
			}
		case <-t.C:
			if round.Swap(true) {
				continue // the previous round is still going
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer round.Store(false)
				for _, id := range n.h.Network().Peers() {
					if !n.speaksPing(id) {
						continue
					}
					select {
					case sem <- struct{}{}:
					case <-ctx.Done():
						return
					}
					wg.Add(1)
					go pingOne(id)
				}
			}()
		}
	}
}

func (n *Host) speaksPing(id peer.ID) bool {
	p, err := n.h.Peerstore().FirstSupportedProtocol(id, ping.ID)
	return err == nil && p == ping.ID
}

// trimBandwidthLoop forgets the counters of peers idle for an hour, which
// the bandwidth counter would otherwise keep for every peer ever seen.
func (n *Host) trimBandwidthLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.bw.TrimIdle(time.Now().Add(-bandwidthIdle))
		}
	}
}
