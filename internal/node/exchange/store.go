package exchange

import (
	"fmt"
	"sync"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// Store is the local block storage the engine serves from and fetches into.
// Implementations must be safe for concurrent use.
type Store interface {
	// HasBlock reports whether addr can be served now: for a leaf, the
	// (tree, index) record and its block are both stored.
	HasBlock(addr BlockAddress) bool
	// GetForPeer returns what a delivery of addr carries: the block's CID
	// and bytes and, for a leaf, the encoded Merkle proof stored with it.
	// Any error means the block is not served.
	GetForPeer(addr BlockAddress) (blockCid cid.Cid, data []byte, proof []byte, err error)
	// PutVerified stores a block the engine has verified against addr: for
	// a leaf, data hashes to blockCid and proof proves it is leaf
	// addr.Index of addr.TreeCid; otherwise blockCid == addr.Cid. The
	// block must be readable by GetForPeer once PutVerified returns nil.
	// data and proof are only valid during the call.
	PutVerified(addr BlockAddress, blockCid cid.Cid, data, proof []byte) error
}

// RepoStore is the Store of a node's repo.
//
// A repo batch costs one sync and one metadata transaction at commit, which
// dominates the cost of storing one 64 KiB block. PutVerified therefore
// group-commits: a call that finds no commit running commits a batch with
// its block alone, and calls that arrive while a commit runs collect their
// blocks into the next batch, which one of them commits as soon as the
// running commit ends. A lone block costs what a one-block batch costs;
// under load (the engine stores received blocks from several goroutines)
// the sync is shared by all blocks that arrived during the previous one.
type RepoStore struct {
	r *repo.Repo

	mu         sync.Mutex
	cond       sync.Cond
	open       *group // the batch new blocks join, nil if none
	committing bool
}

type group struct {
	b    *repo.Batch
	puts sync.WaitGroup // members still adding their block
	done bool
	err  error
}

// NewRepoStore serves and stores blocks in r.
func NewRepoStore(r *repo.Repo) *RepoStore {
	s := &RepoStore{r: r}
	s.cond.L = &s.mu
	return s
}

// HasBlock implements Store.
func (s *RepoStore) HasBlock(addr BlockAddress) bool {
	if !addr.Leaf {
		return s.r.HasBlock(addr.Cid)
	}
	blockCid, _, err := s.r.GetProof(addr.TreeCid, addr.Index)
	return err == nil && s.r.HasBlock(blockCid)
}

// GetForPeer implements Store.
func (s *RepoStore) GetForPeer(addr BlockAddress) (cid.Cid, []byte, []byte, error) {
	if !addr.Leaf {
		data, err := s.r.GetBlock(addr.Cid)
		return addr.Cid, data, nil, err
	}
	blockCid, proof, err := s.r.GetProof(addr.TreeCid, addr.Index)
	if err != nil {
		return cid.Undef, nil, nil, err
	}
	data, err := s.r.GetBlock(blockCid)
	if err != nil {
		return cid.Undef, nil, nil, err
	}
	return blockCid, data, proof, nil
}

// PutVerified implements Store. A manifest (a CID address with the manifest
// codec) is stored with PutManifest so the dataset is listed, and only if
// it decodes: a manifest CID that names garbage must not end up in the
// list.
func (s *RepoStore) PutVerified(addr BlockAddress, blockCid cid.Cid, data, proof []byte) error {
	isManifest := !addr.Leaf && blockCid.Type() == dag.ManifestCodec
	if isManifest {
		if _, err := dag.DecodeManifest(data); err != nil {
			return fmt.Errorf("exchange: fetched manifest %s: %w", dag.CIDString(blockCid), err)
		}
	}
	s.mu.Lock()
	g := s.open
	if g == nil {
		g = &group{b: s.r.NewBatch()}
		s.open = g
	}
	g.puts.Add(1)
	s.mu.Unlock()

	err := func() error {
		defer g.puts.Done()
		switch {
		case isManifest:
			return g.b.PutManifest(blockCid, data)
		case addr.Leaf:
			if err := g.b.PutBlock(blockCid, data); err != nil {
				return err
			}
			return g.b.PutProof(addr.TreeCid, addr.Index, blockCid, proof)
		default:
			return g.b.PutBlock(blockCid, data)
		}
	}()
	if err != nil {
		// The batch is still good for the other members: a refused put
		// (quota) records nothing, and a failed write fails the commit.
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for !g.done {
		if s.committing {
			s.cond.Wait()
			continue
		}
		s.committing = true
		if s.open == g {
			s.open = nil
		}
		s.mu.Unlock()
		g.puts.Wait()
		cerr := g.b.Commit()
		s.mu.Lock()
		g.err, g.done = cerr, true
		s.committing = false
		s.cond.Broadcast()
	}
	return g.err
}
