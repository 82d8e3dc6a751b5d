package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	bolt "go.etcd.io/bbolt"
)

// GetBlock returns a committed block's bytes, checked against its CID. An
// uncommitted upload's blocks are not visible. A block deleted while it is
// being read gives ErrNotFound, never a partial result.
func (r *Repo) GetBlock(c cid.Cid) ([]byte, error) {
	if isEmpty(c) {
		return []byte{}, nil
	}
	data, err := r.getBlock(c)
	if err != nil {
		return nil, fmt.Errorf("repo: get block %s: %w", cidString(c), err)
	}
	if err := verify(c, data); err != nil {
		return nil, fmt.Errorf("repo: get block %s: %w", cidString(c), err)
	}
	return data, nil
}

func (r *Repo) getBlock(c cid.Cid) ([]byte, error) {
	key := []byte(c.KeyString())
	var last packLoc
	for {
		var m blockMeta
		err := r.db.View(func(tx *bolt.Tx) error {
			v := committedBlock(tx, key)
			if v == nil {
				return ErrNotFound
			}
			var err error
			m, err = decodeBlockMeta(v)
			return err
		})
		if err != nil {
			return nil, err
		}
		var data []byte
		if m.loc.pack == 0 {
			// Version 1 files are only ever renamed into place complete,
			// so the read sees either the whole block or no file.
			data, err = os.ReadFile(r.blockPath(fileName(c)))
		} else {
			data, err = r.readPacked(m.loc, m.size)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return data, err
		}
		// Deleted since the record was read, or moved by compaction: the
		// record says which, unless it still names the same place.
		if m.loc == last {
			return nil, ErrNotFound
		}
		last = m.loc
	}
}

// verify catches bit rot before it is served, as the reference does on every
// read. Hash functions go-multihash does not know are trusted.
func verify(c cid.Cid, data []byte) error {
	p := c.Prefix()
	if p.MhType != mh.SHA2_256 {
		return nil
	}
	got, err := p.Sum(data)
	if err != nil {
		return err
	}
	if !got.Equals(c) {
		return ErrCorrupt
	}
	return nil
}

// HasBlock reports whether c is committed. Like the reference it is true
// for the empty block, which is never stored.
func (r *Repo) HasBlock(c cid.Cid) bool {
	if isEmpty(c) {
		return true
	}
	ok, err := r.has(c)
	return err == nil && ok
}

func (r *Repo) has(c cid.Cid) (ok bool, err error) {
	err = r.db.View(func(tx *bolt.Tx) error {
		ok = committedBlock(tx, []byte(c.KeyString())) != nil
		return nil
	})
	return ok, err
}

// GetProof returns the block CID and encoded proof of one dataset leaf. The
// proof is nil when none was stored with the leaf: proofs are optional
// (the node can regenerate them from the tree's leaves, see Leaves).
func (r *Repo) GetProof(treeCid cid.Cid, index int) (cid.Cid, []byte, error) {
	var (
		block cid.Cid
		proof []byte
	)
	err := r.db.View(func(tx *bolt.Tx) error {
		if index < 0 {
			return ErrNotFound
		}
		v := committedLeaf(tx, []byte(treeCid.KeyString()), uint64(index))
		if v == nil {
			return ErrNotFound
		}
		var err error
		block, proof, err = decodeLeaf(v)
		return err
	})
	if err != nil {
		return cid.Undef, nil, fmt.Errorf("repo: get proof %s/%d: %w", cidString(treeCid), index, err)
	}
	return block, proof, nil
}

// maxLeafGap bounds the run of missing leaves Leaves fills with cid.Undef,
// so that a corrupt or hostile index cannot make it allocate without limit.
const maxLeafGap = 1 << 20

// Leaves returns the block CIDs of a tree's leaves in index order, from one
// range scan, for the node to rebuild the tree (and so its proofs). Element
// i is leaf i. A leaf that is missing although later ones are stored (its
// block expired or was deleted, taking the leaf with it) is cid.Undef, so
// the caller can tell that the tree cannot be rebuilt; a tree without any
// stored leaf gives ErrNotFound.
func (r *Repo) Leaves(treeCid cid.Cid) ([]cid.Cid, error) {
	var out []cid.Cid
	err := r.db.View(func(tx *bolt.Tx) error {
		tree := []byte(treeCid.KeyString())
		if _, ok := staged(tx, stagedTree, tree); ok {
			return ErrNotFound // all its leaves belong to an unpublished commit
		}
		st := tx.Bucket(bucketStaged)
		c := tx.Bucket(bucketLeaves).Cursor()
		for k, v := c.Seek(tree); k != nil && bytes.HasPrefix(k, tree); k, v = c.Next() {
			if len(k) != len(tree)+8 {
				continue
			}
			if st != nil {
				if old, ok := staged(tx, stagedLeaf, k); ok {
					if old == nil {
						continue
					}
					v = old
				}
			}
			index := binary.BigEndian.Uint64(k[len(tree):])
			if index-uint64(len(out)) > maxLeafGap {
				return fmt.Errorf("leaf %d after %d leaves: %w", index, len(out), errLeafGap)
			}
			for uint64(len(out)) < index {
				out = append(out, cid.Undef)
			}
			block, err := cid.Cast(leafBlock(v))
			if err != nil {
				return fmt.Errorf("leaf %d: corrupt leaf metadata: %w", index, err)
			}
			out = append(out, block)
		}
		if len(out) == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repo: leaves of %s: %w", cidString(treeCid), err)
	}
	return out, nil
}

var errLeafGap = errors.New("too many leaves missing")

// Manifests calls fn for every stored manifest, in CID byte order, and stops
// at fn's first error. fn runs after the read transaction has ended, so a
// slow consumer (an HTTP response) cannot hold up the DB.
func (r *Repo) Manifests(fn func(c cid.Cid, data []byte) error) error {
	type item struct {
		c    cid.Cid
		data []byte
	}
	var items []item
	err := r.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketManifests).ForEach(func(k, v []byte) error {
			c, err := cid.Cast(k)
			if err != nil {
				return fmt.Errorf("corrupt manifest key %x: %w", k, err)
			}
			items = append(items, item{c, append([]byte(nil), v...)})
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("repo: list manifests: %w", err)
	}
	for _, it := range items {
		if err := fn(it.c, it.data); err != nil {
			return err
		}
	}
	return nil
}

// Space is the body of GET /space.
type Space struct {
	TotalBlocks        int64 `json:"totalBlocks"`
	QuotaMaxBytes      int64 `json:"quotaMaxBytes"`
	QuotaUsedBytes     int64 `json:"quotaUsedBytes"`
	QuotaReservedBytes int64 `json:"quotaReservedBytes"`
}

// Space reports committed usage; bytes of uploads in progress are not
// included, as in the reference.
func (r *Repo) Space() Space {
	var t totals
	_ = r.db.View(func(tx *bolt.Tx) error {
		t = readCommittedTotals(tx)
		return nil
	})
	return Space{TotalBlocks: t.blocks, QuotaMaxBytes: r.quota, QuotaUsedBytes: t.used, QuotaReservedBytes: t.reserved}
}
