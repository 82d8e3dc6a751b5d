package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// defaultStageChunk is how many records (blocks, reference changes, leaves)
// one transaction of a commit writes at most; a larger batch is staged over
// several transactions (stage.go). bbolt keeps every page a transaction
// touches in memory until it commits, so this bounds the memory of a
// commit, at roughly 1 KiB a record: the figure was chosen with
// BenchmarkCommitLarge.
const defaultStageChunk = 8192

// Commit makes the upload durable and visible. The batch's packs are synced
// first, and only then is the metadata recorded: blocks, leaves, manifests,
// packs and totals. A batch of up to stageChunk records takes one bbolt
// transaction; a larger one is staged over several and published by the
// last (stage.go), so readers see all of it or nothing either way, and a
// crash before the publishing transaction leaves pack bytes the DB does not
// point to and staged changes, both of which Open removes. On failure the
// batch is aborted.
func (b *Batch) Commit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("repo: commit: %w", ErrBatchDone)
	}
	b.done = true
	if err := b.commit(); err != nil {
		if errors.Is(err, errSimulatedCrash) {
			return err // a test's kill -9: leave everything as it is
		}
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
	for _, tree := range b.trees {
		if tree == "" {
			return errors.New("the upload's tree was never named (SetTree)")
		}
	}
	if b.small(r.stageChunk) {
		return r.commitGrouped(b)
	}
	if err := b.syncPacks(); err != nil {
		return fmt.Errorf("sync packs: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return err
	}
	if err := r.apply(b, r.expiryFor(r.now())); err != nil {
		return err
	}
	// Only now, with the blocks in the DB, may deletes touch their files
	// and packs.
	r.unclaimLocked(b, true)
	b.forget()
	return nil
}

// apply records the batch: in one transaction if it is small, else staged.
// Every bucket gets its keys in ascending order, so bbolt appends to a page
// instead of shifting its entries on every insert (random order made the
// commit quadratic), and a transaction of a staged commit touches a narrow
// run of pages. r.mu must be held.
func (r *Repo) apply(b *Batch, expiry int64) error {
	w, err := r.newWriter(b, expiry)
	if err != nil {
		return err
	}
	if b.small(r.stageChunk) {
		return r.db.Update(w.writeAll)
	}
	return r.applyStaged(w)
}

// records is about how many records the batch's commit writes: a fresh
// tree's leaves each add a reference, so twice the leaves.
func (b *Batch) records() int { return b.blocks.len() + 2*b.leaves.n }

// small reports whether the batch is committed in one transaction.
func (b *Batch) small(stageChunk int) bool {
	return len(b.blockRuns) == 0 && !b.leaves.spilled() && b.records() <= stageChunk
}

func (r *Repo) newWriter(b *Batch, expiry int64) (*writer, error) {
	w := &writer{b: b, expiry: expiry, pins: r.pins, packs: packDeltas{}}
	w.refs = sorter{file: &b.spill, limit: r.spillBytes}
	if err := w.leaves.start(b.leaves.all()); err != nil {
		return nil, err
	}
	return w, nil
}

// writeAll writes the whole batch in tx.
func (w *writer) writeAll(tx *bolt.Tx) error {
	w.begin(tx, nil)
	w.t = readTotals(tx)
	w.findFresh(tx)
	if _, err := w.run(-1); err != nil {
		return err
	}
	return w.publish()
}

// cursor is a source with its current record at hand.
type cursor struct {
	src      source
	key, val []byte
	ok       bool
}

func (c *cursor) start(src source) error {
	c.src = src
	return c.advance()
}

func (c *cursor) advance() error {
	var err error
	c.key, c.val, c.ok, err = c.src.next()
	return err
}

// at reports whether the current record has key k.
func (c *cursor) at(k []byte) bool { return c.ok && bytes.Equal(c.key, k) }

// writer applies a batch, possibly over several transactions: it keeps its
// position and the running totals between them. It writes the leaves first,
// in key order, deciding against the DB what each changes (nothing, its
// proof, or its block, which moves a reference) and collecting the
// reference changes in refs; then the blocks, in CID order, each with the
// reference changes that name it. A reference is only written once its
// leaf is, so undoing the leaves (stage.go) finds every reference to undo.
type writer struct {
	b      *Batch
	expiry int64
	t      totals
	// packs collects the live bytes the new block records add to packs;
	// publish writes them, so a staged commit that is undone never touched
	// a pack record.
	packs packDeltas
	pins  map[uint64]int
	fresh []bool // by tree position: no leaf of it was stored before

	leaves cursor // over b.leaves
	// refs are the reference changes the leaves make: key the block, value
	// the leaf key and a last byte, refAdd or refDrop.
	refs           sorter
	inBlocks       bool   // the leaves are written; blocks and refRecs are open
	blocks         cursor // over the batch's blocks, in CID order
	refRecs        cursor // over refs
	curKey, curVal []byte // the current leaf's sort key and value (scratch)
	// partial: the reference changes of one block did not fit in the last
	// transaction; the block's first part wrote its undo record.
	partial bool

	tx                                *bolt.Tx
	blkB, exp, leafB, refB, manifestB *bolt.Bucket
	// undo, in a staged commit, receives the old value of every key before
	// the writer changes it (stage.go); blockUndo collects those of the
	// blocks for one record per transaction.
	undo      *bolt.Bucket
	blockUndo undoList
}

const (
	refDrop byte = 0
	refAdd  byte = 1
)

func (w *writer) begin(tx *bolt.Tx, undo *bolt.Bucket) {
	w.tx, w.undo = tx, undo
	w.blkB = tx.Bucket(bucketBlocks)
	w.exp = tx.Bucket(bucketExpiry)
	w.leafB = tx.Bucket(bucketLeaves)
	w.refB = tx.Bucket(bucketRefs)
	w.manifestB = tx.Bucket(bucketManifests)
	// These two only ever grow at the end of a run of keys (the expiry
	// index by time, the leaves of one tree by index), so full pages cost
	// nothing later and halve what a commit writes.
	w.exp.FillPercent = 0.9
	w.leafB.FillPercent = 0.9
}

// findFresh decides, in the first transaction, which trees had no leaf.
func (w *writer) findFresh(tx *bolt.Tx) {
	leaves := tx.Bucket(bucketLeaves)
	w.fresh = make([]bool, len(w.b.trees))
	for t, tree := range w.b.trees {
		k, _ := leaves.Cursor().Seek([]byte(tree))
		w.fresh[t] = k == nil || !bytes.HasPrefix(k, []byte(tree))
	}
}

// run writes up to about budget records (all with a negative budget) and
// reports whether the batch is done.
func (w *writer) run(budget int) (bool, error) {
	for budget != 0 {
		n := 1
		var err error
		switch {
		case w.leaves.ok:
			err = w.leaf()
		case !w.inBlocks:
			n, err = 0, w.startBlocks()
		case w.blocks.ok || w.refRecs.ok:
			n, err = w.block(budget)
		default:
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if budget > 0 {
			budget = max(budget-n, 0)
		}
	}
	return w.done(), nil
}

func (w *writer) done() bool {
	return !w.leaves.ok && w.inBlocks && !w.blocks.ok && !w.refRecs.ok
}

func (w *writer) startBlocks() error {
	w.inBlocks = true
	b := w.b
	if err := w.blocks.start(b.spill.merge(b.blockRuns, b.blocks.sorted())); err != nil {
		return err
	}
	return w.refRecs.start(w.refs.all())
}

// ref is the current queued reference change: the leaf key and the op.
func (w *writer) ref() (leaf []byte, op byte) {
	v := w.refRecs.val
	return v[:len(v)-1], v[len(v)-1]
}

// addRef queues a reference change of block by leaf.
func (w *writer) addRef(block, leaf []byte, op byte) error {
	v := append(append(make([]byte, 0, len(leaf)+1), leaf...), op)
	return w.refs.add(block, v)
}

// block writes the next block in CID order: the batch's record of it, the
// reference changes of the leaves that name it, or both. New or present is
// decided here, against the DB: another batch may have committed or a
// delete removed the same block since the put. A block named by more leaves
// than the budget allows (a file of zeros is one block, many times) is
// continued in the next transaction.
func (w *writer) block(budget int) (int, error) {
	var (
		key []byte
		rec *blockRec
	)
	if w.blocks.ok && (!w.refRecs.ok || bytes.Compare(w.blocks.key, w.refRecs.key) <= 0) {
		r, err := decodeBlockRec(w.blocks.val)
		if err != nil {
			return 0, err
		}
		rec = &r
		key = bytes.Clone(w.blocks.key)
		// A block put again after it left the window is recorded once;
		// the later copies are dead bytes in their packs.
		for w.blocks.at(key) {
			if err := w.blocks.advance(); err != nil {
				return 0, err
			}
		}
	} else {
		key = bytes.Clone(w.refRecs.key)
	}
	first := !w.partial
	limit := func(n int) bool { return budget < 0 || n < max(budget-1, 1) }

	v := w.blkB.Get(key)
	if v == nil && rec == nil {
		// Only references to a block that is not stored: a leaf replaced
		// away from it, or a leaf naming a block neither put nor stored.
		n := 0
		for ; w.refRecs.at(key) && limit(n); n++ {
			leaf, op := w.ref()
			if op == refAdd {
				tree, index := splitLeafKey(leaf)
				return 0, fmt.Errorf("proof %s/%d: block %s is not stored: %w", cidString(castCid(tree)), index, cidString(castCid(key)), ErrNotFound)
			}
			if err := w.refB.Delete(refKey(key, leaf)); err != nil {
				return 0, err
			}
			if err := w.refRecs.advance(); err != nil {
				return 0, err
			}
		}
		w.partial = w.refRecs.at(key)
		return 1 + n, nil
	}
	var m blockMeta
	newExpiry := false
	if v == nil {
		m = blockMeta{size: rec.size, expiry: w.expiry, loc: rec.loc}
		w.packs.add(m.loc.pack, m.loc.n)
		w.t.used += m.size
		w.t.blocks++
		newExpiry = true
	} else {
		var err error
		if m, err = decodeBlockMeta(v); err != nil {
			return 0, fmt.Errorf("block %s: %w", cidString(castCid(key)), err)
		}
		if rec != nil && m.expiry < w.expiry {
			if err := w.exp.Delete(expiryKey(m.expiry, key)); err != nil {
				return 0, err
			}
			m.expiry = w.expiry
			newExpiry = true
		}
	}
	if !newExpiry && !w.refRecs.at(key) {
		return 1, nil
	}
	if first {
		if err := w.record(stagedBlock, key, v); err != nil {
			return 0, err
		}
	}
	n := 0
	for ; w.refRecs.at(key) && limit(n); n++ {
		leaf, op := w.ref()
		var err error
		if op == refAdd {
			m.refCount++
			err = w.refB.Put(refKey(key, leaf), nil)
		} else {
			m.refCount = max(m.refCount-1, 0)
			err = w.refB.Delete(refKey(key, leaf))
		}
		if err != nil {
			return 0, err
		}
		if err := w.refRecs.advance(); err != nil {
			return 0, err
		}
	}
	w.partial = w.refRecs.at(key)
	if err := w.blkB.Put(key, m.encode()); err != nil {
		return 0, err
	}
	if newExpiry {
		if err := w.exp.Put(expiryKey(w.expiry, key), nil); err != nil {
			return 0, err
		}
	}
	return 1 + n, nil
}

// leaf writes the next leaf in key order, if it changes anything, and
// queues the reference changes it makes. Of several puts of one leaf the
// last wins.
func (w *writer) leaf() error {
	w.curKey = append(w.curKey[:0], w.leaves.key...)
	w.curVal = append(w.curVal[:0], w.leaves.val...)
	for {
		if err := w.leaves.advance(); err != nil {
			return err
		}
		if !w.leaves.at(w.curKey) {
			break
		}
		w.curVal = append(w.curVal[:0], w.leaves.val...)
	}
	pos, index := leafSortKey(w.curKey)
	tree := []byte(w.b.trees[pos])
	key := leafKey(tree, index)
	block, proof := leafBlock(w.curVal), leafProof(w.curVal)
	if block == nil {
		return fmt.Errorf("leaf %s/%d: %w", cidString(castCid(tree)), index, errCorruptSpill)
	}
	if !w.fresh[pos] {
		old := w.leafB.Get(key)
		if old != nil {
			ob := leafBlock(old)
			if bytes.Equal(ob, block) {
				if len(proof) == 0 || bytes.Equal(leafProof(old), proof) {
					return nil
				}
				// A new proof: the value changes, the reference does not.
				if err := w.record(stagedLeaf, key, old); err != nil {
					return err
				}
				return w.leafB.Put(key, bytes.Clone(w.curVal))
			}
			// A tree CID fixes its leaves, so this only happens with
			// corrupt input; keep the counts right anyway.
			if err := w.addRef(ob, key, refDrop); err != nil {
				return err
			}
		}
		// A fresh tree is undone as a whole (stagedTree).
		if err := w.record(stagedLeaf, key, old); err != nil {
			return err
		}
	}
	if err := w.leafB.Put(key, bytes.Clone(w.curVal)); err != nil {
		return err
	}
	if string(block) == emptyKey {
		return nil
	}
	return w.addRef(block, key, refAdd)
}

// splitLeafKey is leafKey's inverse.
func splitLeafKey(k []byte) (tree []byte, index uint64) {
	if len(k) < 8 {
		return nil, 0
	}
	return k[:len(k)-8], binary.BigEndian.Uint64(k[len(k)-8:])
}

// publish ends the last transaction: manifests, packs and totals. Every
// pack a new record points into is pinned by this batch, so none is found
// dead here; packs that no record needs go when the batch unpins them.
func (w *writer) publish() error {
	for k, data := range w.b.manifests {
		if err := w.manifestB.Put([]byte(k), data); err != nil {
			return err
		}
	}
	if _, err := w.packs.apply(w.tx, w.pins, w.b.packEnd); err != nil {
		return err
	}
	return w.t.write(w.tx)
}
