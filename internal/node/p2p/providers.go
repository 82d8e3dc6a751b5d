package p2p

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// ErrDHTDisabled is returned by the provider functions of a host built
// with DisableDHT.
var ErrDHTDisabled = errors.New("p2p: the DHT is disabled")

// ReprovideInterval is how often archivist-node re-announces what it holds.
const ReprovideInterval = 30 * time.Minute

// provideTimeout bounds one announcement; a slow peer must not hold up the
// rest of a re-announce round.
const provideTimeout = time.Minute

// Provide announces in the DHT that this node holds c. The record is kept
// locally at once, so peers that ask this node learn it even when the
// announcement cannot reach anyone; a node without DHT peers returns nil
// (there is nobody to tell yet, and Reprovide will tell them later).
func (n *Host) Provide(ctx context.Context, c cid.Cid) error {
	if n.dht == nil {
		return ErrDHTDisabled
	}
	if !c.Defined() {
		return errors.New("p2p: provide: undefined CID")
	}
	broadcast := n.dht.RoutingTable().Size() > 0
	ctx, cancel := context.WithTimeout(ctx, provideTimeout)
	defer cancel()
	if err := n.dht.Provide(ctx, c, broadcast); err != nil {
		return fmt.Errorf("p2p: announcing %s: %w", dag.CIDString(c), err)
	}
	return nil
}

// FindProviders looks up at most max peers (other than this node) that
// announced c, with their addresses. It stops at max or when ctx ends; an
// empty result with a nil error means nobody is known to hold c.
func (n *Host) FindProviders(ctx context.Context, c cid.Cid, max int) ([]peer.AddrInfo, error) {
	if n.dht == nil {
		return nil, ErrDHTDisabled
	}
	if !c.Defined() {
		return nil, errors.New("p2p: find providers: undefined CID")
	}
	if max <= 0 {
		max = 20
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	var out []peer.AddrInfo
	// Ask for one more, since this node may be among the providers.
	for ai := range n.dht.FindProvidersAsync(ctx, c, max+1) {
		if ai.ID == n.h.ID() {
			continue
		}
		out = append(out, ai)
		if len(out) == max {
			break
		}
	}
	return out, nil
}

// Reprovide announces every CID that list returns, now and then every
// interval (0 means ReprovideInterval), until ctx ends or the host closes.
// archivist-node
// announces a dataset's manifest CID and its treeCid; list should return
// both. One failed announcement is logged and the round goes on.
func (n *Host) Reprovide(ctx context.Context, interval time.Duration, list func() []cid.Cid) {
	if interval <= 0 {
		interval = ReprovideInterval
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(n.ctx, cancel)()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		cids := list()
		failed := 0
		for _, c := range cids {
			if ctx.Err() != nil {
				return
			}
			if err := n.Provide(ctx, c); err != nil {
				failed++
				n.log.Debug("re-announce failed", "cid", dag.CIDString(c), "err", err)
			}
		}
		n.log.Debug("re-announced local content", "cids", len(cids), "failed", failed)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
