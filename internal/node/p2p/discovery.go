package p2p

import (
	"context"
	"fmt"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
)

// Discovery constants.
const (
	// DHTProtocolPrefix keeps our DHT apart from IPFS's: with "/ipfs" the
	// node would join the public Amino DHT and route for it.
	DHTProtocolPrefix = "/archivist"
	// MDNSServiceName is announced and browsed on the LAN.
	MDNSServiceName = "archivist"

	bootstrapInterval = time.Minute
	mdnsDialTimeout   = 30 * time.Second
	mdnsYield         = 3 * time.Second
)

func (n *Host) startDHT(ctx context.Context) error {
	opts := []dht.Option{
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(DHTProtocolPrefix),
		// Only the --bootstrap-node records, never IPFS's public
		// bootstrappers; the DHT falls back to these when its routing
		// table runs empty.
		dht.BootstrapPeersFunc(func() []peer.AddrInfo { return n.bootstrap }),
		// The node only finds peers and providers; storing arbitrary
		// values for other peers would be memory spent for nothing.
		dht.DisableValues(),
	}
	if n.opts.Datastore != nil {
		opts = append(opts, dht.Datastore(n.opts.Datastore))
	}
	d, err := dht.New(n.h, opts...)
	if err != nil {
		return fmt.Errorf("p2p: starting the DHT: %w", err)
	}
	n.dht = d
	if err := d.Bootstrap(ctx); err != nil {
		return fmt.Errorf("p2p: bootstrapping the DHT: %w", err)
	}
	return nil
}

// bootstrapLoop keeps the node connected to its bootstrap nodes: it dials
// them at start and again every minute while they are disconnected, and
// protects their connections from the connection manager's trimming, as
// archivist-node never evicts bootstrap nodes. Each reconnection also
// refreshes the DHT's routing table from the peers it learns through them.
func (n *Host) bootstrapLoop(ctx context.Context) {
	if len(n.bootstrap) == 0 {
		return
	}
	for _, ai := range n.bootstrap {
		n.h.ConnManager().Protect(ai.ID, "bootstrap")
		n.h.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
	}
	t := time.NewTicker(bootstrapInterval)
	defer t.Stop()
	for {
		connected := 0
		for _, ai := range n.bootstrap {
			if n.h.Network().Connectedness(ai.ID) == network.Connected {
				connected++
				continue
			}
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			// Without a TCP address the peer may still be found by
			// its ID (DHT, mDNS); Connect with nil addresses tries that.
			err := n.Connect(dctx, ai.ID, ai.Addrs)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				n.log.Warn("bootstrap node unreachable", "peer", ai.ID.String(), "err", err)
				continue
			}
			connected++
			n.log.Info("connected to bootstrap node", "peer", ai.ID.String())
		}
		if n.dht != nil && connected > 0 {
			n.dht.Bootstrap(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startMDNS announces the node on the LAN and connects to the archivist
// nodes it hears of. A failure (no multicast interface) is logged, not
// fatal: the node still works through the DHT and explicit connects.
func (n *Host) startMDNS() {
	s := mdns.NewMdnsService(n.h, MDNSServiceName, mdnsNotifee{n})
	if err := s.Start(); err != nil {
		n.log.Warn("mDNS discovery unavailable", "err", err)
		return
	}
	n.mdns = s
}

type mdnsNotifee struct{ n *Host }

// HandlePeerFound runs on the mDNS resolver's goroutine, which must not
// block for the length of a dial: the dial runs in the background, once per
// peer at a time.
func (m mdnsNotifee) HandlePeerFound(ai peer.AddrInfo) {
	n := m.n
	if ai.ID == n.h.ID() || n.ctx.Err() != nil {
		return
	}
	n.h.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.TempAddrTTL)
	if n.h.Network().Connectedness(ai.ID) == network.Connected || !n.mdnsDials.start(ai.ID) {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer n.mdnsDials.done(ai.ID)
		// Two nodes usually hear each other within milliseconds, and
		// libp2p dials from the listening port (SO_REUSEPORT for NAT
		// traversal): if both dial at once, the two SYNs form one TCP
		// connection on which both sides start the Noise handshake as
		// initiator, and both dials fail. So the node with the larger
		// ID waits, and dials only if the other has not dialled it.
		if n.h.ID() > ai.ID {
			select {
			case <-time.After(mdnsYield):
			case <-n.ctx.Done():
				return
			}
			if n.h.Network().Connectedness(ai.ID) == network.Connected {
				return
			}
		}
		ctx, cancel := context.WithTimeout(n.ctx, mdnsDialTimeout)
		defer cancel()
		if err := n.h.Connect(ctx, ai); err != nil {
			n.log.Debug("mDNS peer not reachable", "peer", ai.ID.String(), "err", err)
			return
		}
		n.log.Info("connected to LAN peer found by mDNS", "peer", ai.ID.String())
	}()
}

// dialSet is the set of peers being dialled, so that repeated mDNS
// answers for one peer start one dial.
type dialSet struct {
	mu sync.Mutex
	m  map[peer.ID]bool
}

func (d *dialSet) start(id peer.ID) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m[id] {
		return false
	}
	if d.m == nil {
		d.m = map[peer.ID]bool{}
	}
	d.m[id] = true
	return true
}

func (d *dialSet) done(id peer.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, id)
}
