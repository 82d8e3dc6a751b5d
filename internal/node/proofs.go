package node

import (
	"fmt"
	"sync"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/exchange"
)

// Uploads store no Merkle proofs: a 4 GiB file would need 40 MiB of them,
// held until the commit. A peer asking for a leaf gets a proof built from
// the tree, which is rebuilt from the stored leaf CIDs (32 bytes a block)
// and kept for the few datasets being served at a time. Blocks that
// arrive from peers keep the proof they came with.

// treeCacheSize is how many trees are kept for proofs: each costs about 64
// bytes a block (10 MiB for a 10 GiB dataset).
const treeCacheSize = 4

type treeCache struct {
	mu    sync.Mutex
	trees []*dag.Tree // most recently used last
}

func (c *treeCache) get(root cid.Cid) *dag.Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range c.trees {
		if t.CID().Equals(root) {
			c.trees = append(append(c.trees[:i:i], c.trees[i+1:]...), t)
			return t
		}
	}
	return nil
}

func (c *treeCache) put(t *dag.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.trees) == treeCacheSize {
		c.trees = c.trees[1:]
	}
	c.trees = append(c.trees, t)
}

// proof returns the encoded proof of leaf index of tree root.
func (n *Node) proof(root cid.Cid, index int) ([]byte, error) {
	t := n.trees.get(root)
	if t == nil {
		leaves, err := n.repo.Leaves(root)
		if err != nil {
			return nil, fmt.Errorf("leaves of %s: %w", dag.CIDString(root), err)
		}
		digests := make([][32]byte, len(leaves))
		for i, c := range leaves {
			if !c.Defined() {
				return nil, fmt.Errorf("tree %s lacks leaf %d: no proof can be made", dag.CIDString(root), i)
			}
			if digests[i], err = dag.Digest(c); err != nil {
				return nil, err
			}
		}
		if t, err = dag.NewTree(digests); err != nil {
			return nil, err
		}
		if !t.CID().Equals(root) {
			return nil, fmt.Errorf("the stored leaves of %s give another root", dag.CIDString(root))
		}
		n.trees.put(t)
	}
	p, err := t.Proof(index)
	if err != nil {
		return nil, err
	}
	return p.Encode(), nil
}

// GetForPeer serves a block with its proof, building the proof when the
// block was stored without one.
func (s *exchangeStore) GetForPeer(addr exchange.BlockAddress) (cid.Cid, []byte, []byte, error) {
	c, data, proof, err := s.RepoStore.GetForPeer(addr)
	if err != nil || !addr.Leaf || len(proof) > 0 {
		return c, data, proof, err
	}
	if proof, err = s.n.proof(addr.TreeCid, addr.Index); err != nil {
		return cid.Undef, nil, nil, err
	}
	return c, data, proof, nil
}
