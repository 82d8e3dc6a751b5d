package p2p

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/routing"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// Errors of Connect. The REST API answers with archivist-node's texts,
// which are these errors' messages; test with errors.Is, since the
// returned errors wrap them with the cause. (The capital and the "!" are
// archivist-node's.)
var (
	ErrPeerNotFound = errors.New("Unable to find Peer!")
	ErrDialFailed   = errors.New("Unable to dial peer")
	ErrInvalidSPR   = errors.New("invalid signed peer record")
)

// lookupTimeout bounds a DHT peer lookup, as archivist-node's 1 min.
const lookupTimeout = time.Minute

// Connect connects to a peer. With addrs it dials those (a /p2p/ suffix
// naming the same peer is accepted). Without, it uses the addresses the
// node already knows (mDNS, identify, an earlier lookup) and then looks the
// peer up in the DHT. It returns nil at once when already connected.
func (n *Host) Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error {
	if err := id.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrPeerNotFound, err)
	}
	if id == n.h.ID() {
		return fmt.Errorf("%w: it is this node", ErrDialFailed)
	}
	if n.h.Network().Connectedness(id) == network.Connected {
		return nil
	}
	if len(addrs) > 0 {
		clean, err := stripPeer(id, addrs)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrDialFailed, err)
		}
		return n.dial(ctx, peer.AddrInfo{ID: id, Addrs: clean})
	}
	var known error
	if len(n.h.Peerstore().Addrs(id)) > 0 {
		if known = n.dial(ctx, peer.AddrInfo{ID: id}); known == nil {
			return nil
		}
	}
	if n.dht == nil {
		if known != nil {
			return known
		}
		return fmt.Errorf("%w: no known addresses and the DHT is off", ErrPeerNotFound)
	}
	ai, err := n.findPeer(ctx, id)
	if n.h.Network().Connectedness(id) == network.Connected {
		// The peer dialled us meanwhile (the DHT then answers from the
		// connection, possibly before identify has told us its addresses).
		return nil
	}
	if err != nil || len(ai.Addrs) == 0 {
		if known != nil {
			// Its old addresses failed and nobody knows newer ones: the
			// peer exists but cannot be reached.
			return known
		}
		if err == nil {
			err = errors.New("no addresses")
		}
		return fmt.Errorf("%w: %v", ErrPeerNotFound, err)
	}
	return n.dial(ctx, ai)
}

// findPeer looks id up in the DHT, twice if the first lookup ends without
// it: a lookup stops once the closest peers it heard of were asked, which,
// while routing tables still settle (a node that just started or just
// lost the peer), can be before anyone named the peer.
func (n *Host) findPeer(ctx context.Context, id peer.ID) (peer.AddrInfo, error) {
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	ai, err := n.dht.FindPeer(lctx, id)
	if errors.Is(err, routing.ErrNotFound) && n.h.Network().Connectedness(id) != network.Connected {
		select {
		case <-time.After(lookupRetryPause):
			ai, err = n.dht.FindPeer(lctx, id)
		case <-lctx.Done():
		}
	}
	return ai, err
}

// lookupRetryPause is the wait before the second lookup.
const lookupRetryPause = 500 * time.Millisecond

// dial connects to ai. It skips the swarm's dial backoff: a Connect asked
// for by a user or a pairing is a deliberate retry, which should not fail
// only because an earlier attempt did.
func (n *Host) dial(ctx context.Context, ai peer.AddrInfo) error {
	direct := true
	for _, a := range ai.Addrs {
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err == nil {
			direct = false // force-direct would drop relay addresses
		}
	}
	if direct {
		ctx = network.WithForceDirectDial(ctx, "explicit connect")
	}
	if err := n.h.Connect(ctx, ai); err != nil {
		return fmt.Errorf("%w: %v", ErrDialFailed, err)
	}
	return nil
}

// stripPeer removes a trailing /p2p/<id> from each address, refusing one
// that names another peer: dialling it would fail the security handshake
// anyway, with a less clear error.
func stripPeer(id peer.ID, addrs []ma.Multiaddr) ([]ma.Multiaddr, error) {
	out := make([]ma.Multiaddr, 0, len(addrs))
	for _, a := range addrs {
		if len(a) == 0 {
			continue
		}
		transport, pid := peer.SplitAddr(a)
		if pid != "" && pid != id {
			return nil, fmt.Errorf("address %s names peer %s, not %s", a, pid, id)
		}
		if len(transport) > 0 {
			out = append(out, transport)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no addresses to dial")
	}
	return out, nil
}

// ConnectSPR verifies a Signed Peer Record and connects to the peer it
// names at the addresses it holds. A record whose signature does not
// verify is refused with ErrInvalidSPR before anything is dialled.
func (n *Host) ConnectSPR(ctx context.Context, spr string) (peer.ID, error) {
	rec, err := identity.DecodeSPR(spr)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidSPR, err)
	}
	if len(rec.Addrs) == 0 {
		return rec.PeerID, n.Connect(ctx, rec.PeerID, nil)
	}
	return rec.PeerID, n.Connect(ctx, rec.PeerID, rec.Addrs)
}

// parseBootstrap verifies the --bootstrap-node records. A record without a
// TCP address (archivist-node's /spr, which holds only its UDP discovery
// address) is kept, since its peer ID can still be looked up, with a note
// that it cannot be dialled as given.
func parseBootstrap(sprs []string) ([]peer.AddrInfo, []string, error) {
	var out []peer.AddrInfo
	var notes []string
	for _, s := range sprs {
		rec, err := identity.DecodeSPR(s)
		if err != nil {
			return nil, nil, fmt.Errorf("--bootstrap-node %s: %w", abbreviate(s), err)
		}
		tcp := tcpOnly(rec.Addrs)
		if len(tcp) == 0 {
			notes = append(notes, fmt.Sprintf("--bootstrap-node %s (peer %s) has no TCP address, only %v: "+
				"it looks like archivist-node's UDP discovery record, which this node cannot dial; "+
				"use the record of a node that lists its TCP address", abbreviate(s), rec.PeerID, rec.Addrs))
		}
		out = append(out, peer.AddrInfo{ID: rec.PeerID, Addrs: tcp})
	}
	return out, notes, nil
}

func abbreviate(s string) string {
	if len(s) > 24 {
		return s[:20] + "…"
	}
	return s
}

// Disconnect closes every connection to a peer. It is not an error when
// there are none. The peer may dial again; closing only ends what is open
// now.
func (n *Host) Disconnect(id peer.ID) error {
	if err := id.Validate(); err != nil {
		return fmt.Errorf("disconnect: %w", err)
	}
	if err := n.h.Network().ClosePeer(id); err != nil {
		return fmt.Errorf("disconnecting %s: %w", id, err)
	}
	return nil
}
