package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/exchange"
)

// Provider announces content on the DHT.
type Provider interface {
	Provide(ctx context.Context, c cid.Cid) error
}

// network is the node's peer-to-peer side, attached once the host runs.
type network struct {
	ex       *exchange.Engine
	provider Provider

	mu        sync.Mutex
	downloads map[cid.Cid]struct{} // trees being fetched in the background
	bg        context.Context      // lives as long as the node serves
	wg        sync.WaitGroup
	// announcing are the CIDs waiting for a DHT announcement, drained by
	// announcers workers; skipped counts those left to the reprovide round.
	announcing []cid.Cid
	announcers int
	skipped    int
}

// manifestTimeout bounds the wait for a dataset's manifest from peers.
const manifestTimeout = 60 * time.Second

// ErrNoNetwork is returned by network operations before AttachNetwork.
var ErrNoNetwork = errors.New("the node is not connected to a network")

// AttachNetwork gives the node its block exchange and DHT announcer; bg
// bounds the background downloads it starts.
func (n *Node) AttachNetwork(bg context.Context, ex *exchange.Engine, p Provider) {
	n.net = &network{ex: ex, provider: p, downloads: map[cid.Cid]struct{}{}, bg: bg}
}

// ExchangeStore is the store the block exchange serves from and stores
// into: the repo, with verified blocks committed under the same lock as
// uploads so a concurrent delete cannot interleave.
func (n *Node) ExchangeStore() exchange.Store {
	return &exchangeStore{n: n, RepoStore: exchange.NewRepoStore(n.repo)}
}

type exchangeStore struct {
	n *Node
	*exchange.RepoStore
}

func (s *exchangeStore) PutVerified(addr exchange.BlockAddress, c cid.Cid, data, proof []byte) error {
	s.n.datasets.RLock()
	defer s.n.datasets.RUnlock()
	return s.RepoStore.PutVerified(addr, c, data, proof)
}

// announce provides a dataset's manifest and tree CIDs on the DHT, in the
// background: a slow DHT must not hold up an upload's answer. A first
// backup uploads hundreds of datasets a second, and one DHT announcement
// can take seconds, so they wait in a queue that a few workers drain (a
// goroutine each would pile up by the thousand); past announceBacklog the
// CIDs are left to the next reprovide round, which announces everything
// stored.
func (n *Node) announce(manifest, tree cid.Cid) {
	if n.net == nil || n.net.provider == nil {
		return
	}
	nt := n.net
	nt.mu.Lock()
	defer nt.mu.Unlock()
	if len(nt.announcing) >= announceBacklog {
		nt.skipped += 2
		if nt.skipped == 2 {
			n.log.Info("announcements are behind; the next reprovide round announces the rest", "backlog", len(nt.announcing))
		}
		return
	}
	nt.announcing = append(nt.announcing, manifest, tree)
	if nt.announcers < announceWorkers {
		nt.announcers++
		nt.wg.Go(func() { n.announceQueued() })
	}
}

const (
	announceWorkers = 4
	// announceBacklog bounds the queue: about 60 bytes a CID.
	announceBacklog = 200_000
)

func (n *Node) announceQueued() {
	nt := n.net
	for {
		nt.mu.Lock()
		if len(nt.announcing) == 0 || nt.bg.Err() != nil {
			nt.announcing = nil
			nt.announcers--
			nt.mu.Unlock()
			return
		}
		c := nt.announcing[0]
		nt.announcing = nt.announcing[1:]
		nt.mu.Unlock()
		ctx, cancel := context.WithTimeout(nt.bg, time.Minute)
		if err := nt.provider.Provide(ctx, c); err != nil && ctx.Err() == nil {
			n.log.Debug("announce failed", "cid", dag.CIDString(c), "err", err)
		}
		cancel()
	}
}

// ProvidedCIDs lists what this node announces: every manifest and tree.
func (n *Node) ProvidedCIDs() []cid.Cid {
	var out []cid.Cid
	n.Datasets(func(c cid.Cid, m *dag.Manifest) error {
		out = append(out, c, m.TreeCid)
		return nil
	})
	return out
}

// FetchManifest returns a dataset's manifest, from the repo or, when
// absent, from peers (stored on arrival).
func (n *Node) FetchManifest(ctx context.Context, c cid.Cid) (*dag.Manifest, error) {
	m, err := n.Manifest(c)
	if !errors.Is(err, ErrNotFound) {
		return m, err
	}
	if n.net == nil {
		return nil, ErrNoNetwork
	}
	ctx, cancel := context.WithTimeout(ctx, manifestTimeout)
	defer cancel()
	if err := n.net.ex.FetchBlock(ctx, exchange.CidAddress(c)); err != nil {
		return nil, fmt.Errorf("fetching manifest %s: %w", dag.CIDString(c), err)
	}
	if m, err = n.Manifest(c); err != nil {
		return nil, err
	}
	n.announce(c, m.TreeCid)
	return m, nil
}

// Download fetches every block of the dataset m in the background (once per
// tree at a time). Blocks already stored are not fetched again, so a
// download cut short by a restart or a lost peer resumes where it stopped.
func (n *Node) Download(m *dag.Manifest) {
	if n.net == nil {
		return
	}
	nw := n.net
	nw.mu.Lock()
	if _, running := nw.downloads[m.TreeCid]; running {
		nw.mu.Unlock()
		return
	}
	nw.downloads[m.TreeCid] = struct{}{}
	nw.mu.Unlock()
	nw.wg.Add(1)
	go func() {
		defer nw.wg.Done()
		defer func() {
			nw.mu.Lock()
			delete(nw.downloads, m.TreeCid)
			nw.mu.Unlock()
		}()
		start := time.Now()
		err := nw.ex.FetchDataset(nw.bg, m.TreeCid, int(m.BlocksCount()), nil, nil)
		if err != nil {
			n.log.Warn("network download stopped", "treeCid", dag.CIDString(m.TreeCid), "err", err)
			return
		}
		n.log.Info("network download complete", "treeCid", dag.CIDString(m.TreeCid), "bytes", m.DatasetSize, "took", time.Since(start).Round(time.Millisecond))
	}()
}

// StreamNetwork writes the dataset m to w in order, fetching blocks from
// peers as needed: a read-ahead download runs alongside, and each block is
// waited for (or requested ahead of it) when its turn comes.
func (n *Node) StreamNetwork(ctx context.Context, w io.Writer, m *dag.Manifest) error {
	if n.net == nil {
		return n.WriteDataset(ctx, w, m)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go n.net.ex.FetchDataset(ctx, m.TreeCid, int(m.BlocksCount()), nil, nil)
	return n.writeLeaves(ctx, w, m, func(i int) error {
		return n.net.ex.FetchBlock(ctx, exchange.LeafAddress(m.TreeCid, i))
	})
}

// Wait waits for background network work to end (its context ended).
func (n *Node) Wait() {
	if n.net != nil {
		n.net.wg.Wait()
	}
}
