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
	var gone [][]byte
	now := r.now().Unix()
	err = r.db.Update(func(tx *bolt.Tx) error {
		gone = gone[:0]
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
			block, err := dropLeaf(tx, k, now, &t)
			if err != nil {
				return err
			}
			if block != nil {
				gone = append(gone, block)
			}
		}
		finished = len(keys) < deleteChunk
		if finished {
			ok, err := deleteBlockTx(tx, manifestCid.Bytes(), &t)
			if err != nil {
				return err
			}
			if ok {
				gone = append(gone, manifestCid.Bytes())
			}
		}
		return t.write(tx)
	})
	if err != nil {
		return false, err
	}
	r.removeFilesLocked(gone)
	return finished, nil
}

// dropLeaf removes one leaf and releases its block; it returns the block
// CID if that was deleted too.
func dropLeaf(tx *bolt.Tx, leaf []byte, now int64, t *totals) ([]byte, error) {
	leaves := tx.Bucket(bucketLeaves)
	v := leaves.Get(leaf)
	if v == nil {
		// Already gone with an expired block earlier in this chunk.
		return nil, nil
	}
	block := bytes.Clone(leafBlock(v))
	if err := leaves.Delete(leaf); err != nil {
		return nil, err
	}
	if bytes.Equal(block, emptyCID.Bytes()) {
		return nil, nil
	}
	if err := tx.Bucket(bucketRefs).Delete(refKey(block, leaf)); err != nil {
		return nil, err
	}
	blocks := tx.Bucket(bucketBlocks)
	mv := blocks.Get(block)
	if mv == nil {
		return nil, nil
	}
	m, err := decodeBlockMeta(mv)
	if err != nil {
		return nil, err
	}
	m.refCount = max(m.refCount-1, 0)
	if m.refCount > 0 && m.expiry >= now {
		return nil, blocks.Put(block, m.encode())
	}
	if _, err := deleteBlockTx(tx, block, t); err != nil {
		return nil, err
	}
	if _, err := cid.Cast(block); err != nil {
		return nil, err
	}
	return block, nil
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
	var deleted bool
	now := r.now().Unix()
	err := r.db.Update(func(tx *bolt.Tx) error {
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
		if deleted, err = deleteBlockTx(tx, c.Bytes(), &t); err != nil {
			return err
		}
		return t.write(tx)
	})
	if errors.Is(err, ErrBlockInDataset) {
		return ErrBlockInDataset
	}
	if err != nil {
		return fmt.Errorf("repo: delete block %s: %w", cidString(c), err)
	}
	if deleted {
		r.removeFilesLocked([][]byte{c.Bytes()})
	}
	return nil
}

// deleteBlockTx removes a block's metadata, its expiry entry, its manifest
// listing and every leaf that still points to it, and takes it off the
// totals. The file is removed by the caller after the commit.
func deleteBlockTx(tx *bolt.Tx, block []byte, t *totals) (bool, error) {
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
	return true, nil
}

// removeFilesLocked deletes the files of blocks whose metadata is gone,
// except those an open batch has claimed: that batch will commit the block
// again, or its Abort removes the file. r.mu must be held, so no commit can
// re-add one of these blocks between the check and the removal.
func (r *Repo) removeFilesLocked(blocks [][]byte) {
	for _, key := range blocks {
		if !r.claimedLocked(key) {
			r.removeBlockFile(hexName(key))
		}
	}
}
