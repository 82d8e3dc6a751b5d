package repo

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Commit makes the upload durable and visible. The new block files are
// synced first, with one call, and only then does a single bbolt transaction
// record blocks, leaves, manifests and totals; a crash before that
// transaction leaves files the DB does not know, which Open removes. On
// failure the batch is aborted.
func (b *Batch) Commit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("repo: commit: %w", ErrBatchDone)
	}
	b.done = true
	if err := b.commit(); err != nil {
		b.release()
		return fmt.Errorf("repo: commit: %w", err)
	}
	return nil
}

func (b *Batch) commit() error {
	r := b.r
	b.writers.Wait()
	if err := b.failed(); err != nil {
		return err
	}
	var written []string
	for _, name := range b.order {
		if b.blocks[name].wrote {
			written = append(written, r.blockPath(name))
		}
	}
	if len(written) > 0 {
		err := b.syncer.Sync(written)
		b.closeSyncer()
		if err != nil {
			return fmt.Errorf("sync block files: %w", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	expiry := r.expiryFor(r.now())
	if err := r.db.Update(func(tx *bolt.Tx) error { return b.apply(tx, expiry) }); err != nil {
		return err
	}
	// Only now, with the blocks in the DB, may deletes touch their files.
	r.unclaimLocked(b.order, b.bytes)
	return nil
}

func (b *Batch) apply(tx *bolt.Tx, expiry int64) error {
	t := readTotals(tx)
	blocks := tx.Bucket(bucketBlocks)
	exp := tx.Bucket(bucketExpiry)
	// New or present is decided here, not at put time: another batch may
	// have committed or a delete removed the same block since.
	for _, name := range b.order {
		bb := b.blocks[name]
		key := bb.c.Bytes()
		m := blockMeta{size: bb.size, expiry: expiry}
		if v := blocks.Get(key); v != nil {
			old, err := decodeBlockMeta(v)
			if err != nil {
				return fmt.Errorf("block %s: %w", cidString(bb.c), err)
			}
			if old.expiry >= expiry {
				continue
			}
			if err := exp.Delete(expiryKey(old.expiry, key)); err != nil {
				return err
			}
			m.size, m.refCount = old.size, old.refCount
		} else {
			t.used += bb.size
			t.blocks++
		}
		if err := blocks.Put(key, m.encode()); err != nil {
			return err
		}
		if err := exp.Put(expiryKey(expiry, key), nil); err != nil {
			return err
		}
	}
	for name, data := range b.manifests {
		if err := tx.Bucket(bucketManifests).Put(b.blocks[name].c.Bytes(), data); err != nil {
			return err
		}
	}
	for k, l := range b.leaves {
		if err := putLeaf(tx, []byte(k), l); err != nil {
			return fmt.Errorf("proof %s/%d: %w", cidString(l.tree), l.index, err)
		}
	}
	return t.write(tx)
}

// putLeaf stores a leaf and counts it on its block the first time the
// (tree, index) pair is seen, as putCidAndProof does in the reference.
func putLeaf(tx *bolt.Tx, key []byte, l batchLeaf) error {
	leaves := tx.Bucket(bucketLeaves)
	block := l.block.Bytes()
	if old := leaves.Get(key); old != nil {
		oldBlock := leafBlock(old)
		if bytes.Equal(oldBlock, block) {
			return leaves.Put(key, encodeLeaf(block, l.proof))
		}
		// A tree CID fixes its leaves, so this only happens with corrupt
		// input; keep the counts right anyway.
		if err := addRef(tx, oldBlock, key, -1); err != nil {
			return err
		}
	}
	if !isEmpty(l.block) {
		if err := addRef(tx, block, key, +1); err != nil {
			return err
		}
	}
	return leaves.Put(key, encodeLeaf(block, l.proof))
}

// addRef adjusts a block's refCount and the reverse index for one leaf.
func addRef(tx *bolt.Tx, block, leaf []byte, delta int64) error {
	blocks := tx.Bucket(bucketBlocks)
	refs := tx.Bucket(bucketRefs)
	v := blocks.Get(block)
	if v == nil {
		if delta < 0 {
			return refs.Delete(refKey(block, leaf))
		}
		return fmt.Errorf("block is not stored: %w", ErrNotFound)
	}
	m, err := decodeBlockMeta(v)
	if err != nil {
		return err
	}
	m.refCount = max(m.refCount+delta, 0)
	if err := blocks.Put(block, m.encode()); err != nil {
		return err
	}
	if delta < 0 {
		return refs.Delete(refKey(block, leaf))
	}
	return refs.Put(refKey(block, leaf), nil)
}
