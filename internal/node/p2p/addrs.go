package p2p

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// ListenAddrs are the addresses the host is bound to, with port 0 resolved
// to the real port and a wildcard (0.0.0.0, ::) expanded to the address of
// every interface. The relay client's /p2p-circuit pseudo-listener is left
// out: it is no socket and cannot be dialled as it stands.
func (n *Host) ListenAddrs() []ma.Multiaddr {
	addrs, err := n.h.Network().InterfaceListenAddresses()
	if err != nil {
		n.log.Warn("listing interface addresses", "err", err)
		addrs = n.h.Network().ListenAddresses()
	}
	return tcpOnly(addrs)
}

// AnnounceAddrs are the addresses peers are told to dial (identify, the
// DHT, the SPR): the listen addresses plus NAT port mappings and addresses
// peers observed, or with --nat=extip only the external IP.
func (n *Host) AnnounceAddrs() []ma.Multiaddr {
	return sortDialable(n.h.Addrs())
}

// extIPAddrs is the AddrsFactory of --nat=extip:IP: like archivist-node, it
// announces the given IP with each TCP listen port instead of the local
// addresses, because the user said that is where the node can be reached.
// Relay addresses pass through. Ports come from the bound listeners, not
// from the factory's input, which also holds observed addresses whose ports
// a NAT may have rewritten.
func (n *Host) extIPAddrs(in []ma.Multiaddr) []ma.Multiaddr {
	hp := n.built.Load()
	if hp == nil {
		// libp2p.New is still building the host. What it announces now is
		// replaced within seconds: the address manager re-applies the
		// factory every 5 s and announces the change.
		return in
	}
	var out []ma.Multiaddr
	seen := map[int]bool{}
	for _, l := range (*hp).Network().ListenAddresses() {
		port, err := l.ValueForProtocol(ma.P_TCP)
		if err != nil {
			continue
		}
		p, err := strconv.Atoi(port)
		if err != nil || p == 0 || seen[p] {
			continue
		}
		seen[p] = true
		a, err := manet.FromNetAddr(&net.TCPAddr{IP: n.nat.ip, Port: p})
		if err == nil {
			out = append(out, a)
		}
	}
	for _, a := range in {
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// sprState is the current SPR; the record is re-signed whenever the host's
// addresses change, with a strictly increasing sequence number so peers
// replace an older record with it.
type sprState struct {
	mu    sync.Mutex
	text  string
	seq   uint64
	addrs []ma.Multiaddr
}

// SPR is the node's Signed Peer Record ("spr:…") over its TCP announce
// addresses. Unlike archivist-node's /spr record, which holds only its UDP
// discovery address, this one is dialable: another node can connect with it.
func (n *Host) SPR() string {
	n.spr.mu.Lock()
	defer n.spr.mu.Unlock()
	return n.spr.text
}

func (n *Host) startSPR() error {
	// Subscribe before signing the first record so that no change slips
	// between the two.
	sub, err := n.h.EventBus().Subscribe(new(event.EvtLocalAddressesUpdated))
	if err != nil {
		return fmt.Errorf("p2p: subscribing to address changes: %w", err)
	}
	if err := n.resignSPR(); err != nil {
		sub.Close()
		return err
	}
	n.goLoop(func(ctx context.Context) {
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Out():
				if err := n.resignSPR(); err != nil {
					n.log.Warn("re-signing the SPR", "err", err)
				}
			}
		}
	})
	return nil
}

// resignSPR signs a new record when the TCP announce addresses differ from
// the signed ones.
func (n *Host) resignSPR() error {
	addrs := tcpOnly(n.AnnounceAddrs())
	n.spr.mu.Lock()
	defer n.spr.mu.Unlock()
	if n.spr.text != "" && slices.EqualFunc(addrs, n.spr.addrs, ma.Multiaddr.Equal) {
		return nil
	}
	// archivist-node uses the unix time; +1 keeps it increasing when the
	// addresses change twice within a second.
	seq := max(uint64(time.Now().Unix()), n.spr.seq+1)
	text, err := identity.EncodeSPR(n.key, addrs, seq)
	if err != nil {
		return err
	}
	n.spr.text, n.spr.seq, n.spr.addrs = text, seq, addrs
	n.log.Debug("signed peer record updated", "seq", seq, "addrs", addrStrings(addrs))
	return nil
}

func tcpOnly(addrs []ma.Multiaddr) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, a := range addrs {
		if isTCP(a) {
			out = append(out, a)
		}
	}
	return out
}

// sortDialable puts the addresses most peers can reach first: public, then
// private (LAN), then loopback. Peers that try addresses in order (and
// archivist-node takes the first /ip4 of a record for its routing table)
// then try the useful ones first.
func sortDialable(addrs []ma.Multiaddr) []ma.Multiaddr {
	rank := func(a ma.Multiaddr) int {
		switch {
		case manet.IsIPLoopback(a):
			return 2
		case manet.IsPublicAddr(a):
			return 0
		}
		return 1
	}
	out := slices.Clone(addrs)
	slices.SortStableFunc(out, func(a, b ma.Multiaddr) int { return rank(a) - rank(b) })
	return out
}

func addrStrings(addrs []ma.Multiaddr) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
