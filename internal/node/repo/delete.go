package repo

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// deleteChunk bounds the leaves one DeleteDataset transaction removes, so a
// dataset of millions of blocks does not build one huge dirty transaction.
// Every chunk is self-consistent; the manifest goes in the last one, so a
// crash in between leaves the dataset listed and a repeated delete finishes
// it.
const deleteChunk = 16384

// DeleteDataset deletes a dataset as DELETE /data/{cid} does: each leaf of
// treeCid is dropped and its block's refCount decremented, a block is
// deleted when that reaches 0 or it has expired, and finally the manifest
// block is deleted. All leaves stored under treeCid are visited, which is
// what the reference reaches by iterating the manifest's block count. An
// absent dataset is not an error.
func (r *Repo) DeleteDataset(manifestCid, treeCid cid.Cid) error {
	for {
		finished, err := r.deleteDatasetChunk(manifestCid, treeCid)
		if err != nil {
			return fmt.Errorf("repo: delete dataset %s: %w", cidString(manifestCid), err)
		}
		if finished {
			return nil
		}
	}
}

func (r *Repo) deleteDatasetChunk(manifestCid, treeCid cid.Cid) (finished bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return false, err
	}
	var f *freed
	now := r.now().Unix()
	err = r.db.Update(func(tx *bolt.Tx) error {
		f = newFreed()
		t := readTotals(tx)
		prefix := treeCid.Bytes()
		var keys [][]byte
		cur := tx.Bucket(bucketLeaves).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(keys) < deleteChunk; k, _ = cur.Next() {
			if len(k) == len(prefix)+8 {
				keys = append(keys, bytes.Clone(k))
			}
		}
		for _, k := range keys {
			if err := dropLeaf(tx, k, now, &t, f); err != nil {
				return err
			}
		}
		finished = len(keys) < deleteChunk
		if finished {
			if _, err := deleteBlockTx(tx, manifestCid.Bytes(), &t, f); err != nil {
				return err
			}
		}
		return r.closeDelete(tx, t, f)
	})
	if err != nil {
		return false, err
	}
	r.removeFreedLocked(f)
	return finished, nil
}

// dropLeaf removes one leaf and releases its block, which is deleted too
// when nothing else holds it.
func dropLeaf(tx *bolt.Tx, leaf []byte, now int64, t *totals, f *freed) error {
	leaves := tx.Bucket(bucketLeaves)
	v := leaves.Get(leaf)
	if v == nil {
		// Already gone with an expired block earlier in this chunk.
		return nil
	}
	block := bytes.Clone(leafBlock(v))
	if err := leaves.Delete(leaf); err != nil {
		return err
	}
	if bytes.Equal(block, emptyCID.Bytes()) {
		return nil
	}
	if err := tx.Bucket(bucketRefs).Delete(refKey(block, leaf)); err != nil {
		return err
	}
	blocks := tx.Bucket(bucketBlocks)
	mv := blocks.Get(block)
	if mv == nil {
		return nil
	}
	m, err := decodeBlockMeta(mv)
	if err != nil {
		return err
	}
	m.refCount = max(m.refCount-1, 0)
	if m.refCount > 0 && m.expiry >= now {
		return blocks.Put(block, m.encode())
	}
	if _, err := cid.Cast(block); err != nil {
		return err
	}
	_, err = deleteBlockTx(tx, block, t, f)
	return err
}

// DeleteBlock deletes a single block. A block that still belongs to a
// dataset (refCount > 0 and not expired) is refused with ErrBlockInDataset;
// an absent block is not an error.
func (r *Repo) DeleteBlock(c cid.Cid) error {
	if isEmpty(c) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return fmt.Errorf("repo: delete block %s: %w", cidString(c), err)
	}
	var f *freed
	now := r.now().Unix()
	err := r.db.Update(func(tx *bolt.Tx) error {
		f = newFreed()
		v := tx.Bucket(bucketBlocks).Get(c.Bytes())
		if v == nil {
			return nil
		}
		m, err := decodeBlockMeta(v)
		if err != nil {
			return err
		}
		if m.refCount > 0 && m.expiry >= now {
			return ErrBlockInDataset
		}
		t := readTotals(tx)
		if _, err = deleteBlockTx(tx, c.Bytes(), &t, f); err != nil {
			return err
		}
		return r.closeDelete(tx, t, f)
	})
	if errors.Is(err, ErrBlockInDataset) {
		return ErrBlockInDataset
	}
	if err != nil {
		return fmt.Errorf("repo: delete block %s: %w", cidString(c), err)
	}
	r.removeFreedLocked(f)
	return nil
}

// deleteBlockTx removes a block's metadata, its expiry entry, its manifest
// listing and every leaf that still points to it, and takes it off the
// totals and its pack's live bytes (in f, written by closeDelete). Its
// bytes are removed by the caller after the commit (removeFreedLocked).
func deleteBlockTx(tx *bolt.Tx, block []byte, t *totals, f *freed) (bool, error) {
	blocks := tx.Bucket(bucketBlocks)
	v := blocks.Get(block)
	if v == nil {
		return false, nil
	}
	m, err := decodeBlockMeta(v)
	if err != nil {
		return false, err
	}
	refs := tx.Bucket(bucketRefs)
	var stale [][]byte
	cur := refs.Cursor()
	for k, _ := cur.Seek(block); k != nil && bytes.HasPrefix(k, block); k, _ = cur.Next() {
		stale = append(stale, bytes.Clone(k))
	}
	for _, k := range stale {
		if err := tx.Bucket(bucketLeaves).Delete(k[len(block):]); err != nil {
			return false, err
		}
		if err := refs.Delete(k); err != nil {
			return false, err
		}
	}
	for _, del := range []struct {
		bucket, key []byte
	}{
		{bucketBlocks, block},
		{bucketExpiry, expiryKey(m.expiry, block)},
		{bucketManifests, block},
	} {
		if err := tx.Bucket(del.bucket).Delete(del.key); err != nil {
			return false, err
		}
	}
	t.used -= m.size
	t.blocks--
	f.block(block, m)
	return true, nil
}

// freed collects what one delete transaction frees.
type freed struct {
	packs packDeltas // live bytes taken from packs
	files [][]byte   // blocks of schema version 1, one file each
	dead  []uint64   // packs left without live bytes (closeDelete)
}

func newFreed() *freed { return &freed{packs: packDeltas{}} }

func (f *freed) block(key []byte, m blockMeta) {
	if m.loc.pack == 0 {
		f.files = append(f.files, key)
		return
	}
	f.packs.add(m.loc.pack, -m.loc.n)
}

// closeDelete ends a delete transaction: the totals and the packs' live
// bytes. r.mu must be held (the pins decide which dead packs may go).
func (r *Repo) closeDelete(tx *bolt.Tx, t totals, f *freed) error {
	dead, err := f.packs.apply(tx, r.pins, func(uint64) int64 { return 0 })
	if err != nil {
		return err
	}
	f.dead = dead
	return t.write(tx)
}

// removeFreedLocked removes, after the delete committed, the packs left
// without live bytes and the block files of deleted version 1 blocks,
// except those an open batch has claimed: that batch will commit the block
// again, or its Abort removes the file. r.mu must be held, so no commit can
// re-add one of these blocks between the check and the removal.
func (r *Repo) removeFreedLocked(f *freed) {
	for _, id := range f.dead {
		r.removePackFile(id)
	}
	for _, key := range f.files {
		if !r.claimedLocked(key) {
			r.removeBlockFile(hexName(key))
		}
	}
}
