package repo

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

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
	if err := b.syncPacks(); err != nil {
		return fmt.Errorf("sync packs: %w", err)
	}
	p := b.plan()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return err
	}
	if err := r.apply(p, r.expiryFor(r.now())); err != nil {
		return err
	}
	// Only now, with the blocks in the DB, may deletes touch their files
	// and packs.
	r.unclaimLocked(b, true)
	b.forget()
	return nil
}

// plan is a batch in the order Commit writes it. Every bucket gets its keys
// in ascending order, so bbolt appends to a page instead of shifting its
// entries on every insert (random order made the commit quadratic), and a
// transaction of a staged commit touches a narrow run of pages.
type plan struct {
	b      *Batch
	blocks []int32 // block records, by CID
	leaves []int32 // leaf records, by (tree, index), only the last put of a leaf
	// Set by prepare: the reference count changes the leaves make, by
	// (block, leaf), applied together with the blocks they change.
	refs  []refOp
	extra []byte // CIDs of blocks that replaced leaves pointed to
	fresh []bool // by tree: no leaf of it was stored before
}

// refOp adds (delta +1: the leaf's block) or removes (delta -1: the block
// at off in plan.extra, which the leaf pointed to) one reference.
type refOp struct {
	leaf  int32
	off   uint32
	n     uint16
	delta int8
}

func (p *plan) refBlock(op *refOp) []byte {
	if op.delta > 0 {
		return p.b.leafBlock(&p.b.leaves[op.leaf])
	}
	return p.extra[op.off : op.off+uint32(op.n)]
}

func (p *plan) leafKey(li int32) []byte {
	l := &p.b.leaves[li]
	return leafKey(p.b.leafTree(l), l.index)
}

func (b *Batch) compareLeaves(x, y int32) int {
	lx, ly := &b.leaves[x], &b.leaves[y]
	if lx.tree != ly.tree {
		if c := bytes.Compare(b.leafTree(lx), b.leafTree(ly)); c != 0 {
			return c
		}
	}
	switch {
	case lx.index < ly.index:
		return -1
	case lx.index > ly.index:
		return 1
	}
	return 0
}

// plan sorts the batch. It needs no lock but b.mu: b.blocks only changes
// under b.mu too.
func (b *Batch) plan() *plan {
	p := &plan{b: b, blocks: make([]int32, b.blocks.len())}
	for i := range p.blocks {
		p.blocks[i] = int32(i)
	}
	slices.SortFunc(p.blocks, func(x, y int32) int { return bytes.Compare(b.blocks.key(int(x)), b.blocks.key(int(y))) })
	leaves := make([]int32, len(b.leaves))
	for i := range leaves {
		leaves[i] = int32(i)
	}
	// Stable, so that of several puts of one leaf the last one wins.
	slices.SortStableFunc(leaves, b.compareLeaves)
	for i, li := range leaves {
		if i+1 < len(leaves) && b.compareLeaves(li, leaves[i+1]) == 0 {
			continue
		}
		p.leaves = append(p.leaves, li)
	}
	return p
}

// prepare decides, against the committed state, what each leaf changes:
// nothing (the same block, and no new proof), its value only (a new proof),
// or its block, which moves a reference. It fails before anything is
// written if a leaf names a block that is neither in the batch nor stored.
// r.mu must be held from here to the end of apply.
func (r *Repo) prepare(p *plan) error {
	b := p.b
	err := r.db.View(func(tx *bolt.Tx) error {
		leaves := tx.Bucket(bucketLeaves)
		blocks := tx.Bucket(bucketBlocks)
		p.fresh = make([]bool, len(b.trees))
		for t, tree := range b.trees {
			k, _ := leaves.Cursor().Seek([]byte(tree))
			p.fresh[t] = k == nil || !bytes.HasPrefix(k, []byte(tree))
		}
		for _, li := range p.leaves {
			l := &b.leaves[li]
			l.flags &^= leafWrite | leafFresh
			block := b.leafBlock(l)
			if p.fresh[l.tree] {
				l.flags |= leafFresh
			} else if old := leaves.Get(p.leafKey(li)); old != nil {
				ob := leafBlock(old)
				if bytes.Equal(ob, block) {
					if proof := b.leafProof(li); len(proof) > 0 && !bytes.Equal(leafProof(old), proof) {
						l.flags |= leafWrite
					}
					continue
				}
				// A tree CID fixes its leaves, so this only happens with
				// corrupt input; keep the counts right anyway.
				if len(p.extra)+len(ob) > 1<<32-1 {
					return errBatchTooBig
				}
				p.refs = append(p.refs, refOp{leaf: li, off: uint32(len(p.extra)), n: uint16(len(ob)), delta: -1})
				p.extra = append(p.extra, ob...)
			}
			l.flags |= leafWrite
			if string(block) == emptyKey {
				continue
			}
			if b.blocks.find(string(block)) < 0 && blocks.Get(block) == nil {
				return fmt.Errorf("proof %s/%d: block is not stored: %w", cidString(castCid(b.leafTree(l))), l.index, ErrNotFound)
			}
			p.refs = append(p.refs, refOp{leaf: li, delta: +1})
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(p.refs, func(x, y refOp) int {
		if c := bytes.Compare(p.refBlock(&x), p.refBlock(&y)); c != 0 {
			return c
		}
		return b.compareLeaves(x.leaf, y.leaf)
	})
	return nil
}

// apply records the plan: in one transaction if it is small, else staged.
func (r *Repo) apply(p *plan, expiry int64) error {
	if err := r.prepare(p); err != nil {
		return err
	}
	w := &writer{p: p, expiry: expiry, pins: r.pins, packs: packDeltas{}}
	if len(p.blocks)+len(p.refs)+len(p.leaves) <= r.stageChunk {
		return r.db.Update(func(tx *bolt.Tx) error {
			w.begin(tx, nil)
			w.t = readTotals(tx)
			if _, err := w.run(-1); err != nil {
				return err
			}
			return w.publish()
		})
	}
	return r.applyStaged(w)
}

// writer applies a plan, possibly over several transactions: it keeps its
// position and the running totals between them.
type writer struct {
	p      *plan
	expiry int64
	t      totals
	// packs collects the live bytes the new block records add to packs;
	// publish writes them, so a staged commit that is undone never touched
	// a pack record.
	packs packDeltas
	pins  map[uint64]int
	i     int // next of p.blocks
	j     int // next of p.refs
	k     int // next of p.leaves
	// partial: the reference changes of one block did not fit in the last
	// transaction; the block's first part wrote its undo record.
	partial bool

	tx                                   *bolt.Tx
	blocks, exp, leaves, refs, manifests *bolt.Bucket
	// undo, in a staged commit, receives the old value of every key before
	// the writer changes it (stage.go); blockUndo collects those of the
	// blocks for one record per transaction.
	undo      *bolt.Bucket
	blockUndo undoList
}

func (w *writer) begin(tx *bolt.Tx, undo *bolt.Bucket) {
	w.tx, w.undo = tx, undo
	w.blocks = tx.Bucket(bucketBlocks)
	w.exp = tx.Bucket(bucketExpiry)
	w.leaves = tx.Bucket(bucketLeaves)
	w.refs = tx.Bucket(bucketRefs)
	w.manifests = tx.Bucket(bucketManifests)
	// These two only ever grow at the end of a run of keys (the expiry
	// index by time, the leaves of one tree by index), so full pages cost
	// nothing later and halve what a commit writes.
	w.exp.FillPercent = 0.9
	w.leaves.FillPercent = 0.9
}

// run writes up to about budget records (all with a negative budget) and
// reports whether the plan is done.
func (w *writer) run(budget int) (bool, error) {
	for budget != 0 {
		var n int
		var err error
		// Leaves first: a reference is only written once its leaf is, so
		// undoing the leaves (stage.go) finds every reference to undo.
		switch {
		case w.k < len(w.p.leaves):
			n, err = 1, w.leaf()
		case w.i < len(w.p.blocks) || w.j < len(w.p.refs):
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
	return w.i == len(w.p.blocks) && w.j == len(w.p.refs) && w.k == len(w.p.leaves)
}

// block writes the next block in CID order: the batch's record of it, the
// reference changes of the leaves that name it, or both. New or present is
// decided here, against the DB: another batch may have committed or a
// delete removed the same block since the put. A block named by more leaves
// than the budget allows (a file of zeros is one block, many times) is
// continued in the next transaction.
func (w *writer) block(budget int) (int, error) {
	p, b := w.p, w.p.b
	var key []byte
	rec := -1
	if w.i < len(p.blocks) {
		rec = int(p.blocks[w.i])
		key = b.blocks.key(rec)
	}
	if w.j < len(p.refs) {
		if rk := p.refBlock(&p.refs[w.j]); rec < 0 || bytes.Compare(rk, key) < 0 {
			key, rec = rk, -1
		}
	}
	if rec >= 0 {
		w.i++
	}
	j := w.j
	for j < len(p.refs) && bytes.Equal(p.refBlock(&p.refs[j]), key) && (budget < 0 || j-w.j < max(budget-1, 1)) {
		j++
	}
	ops := p.refs[w.j:j]
	w.j = j
	first := !w.partial
	w.partial = j < len(p.refs) && bytes.Equal(p.refBlock(&p.refs[j]), key)

	v := w.blocks.Get(key)
	if v == nil && rec < 0 {
		// Only references to a block that is not stored: a leaf replaced
		// away from it (prepare rejects adding one).
		for _, op := range ops {
			if op.delta > 0 {
				return 0, fmt.Errorf("block %s is not stored: %w", cidString(castCid(key)), ErrNotFound)
			}
			if err := w.refs.Delete(refKey(key, p.leafKey(op.leaf))); err != nil {
				return 0, err
			}
		}
		return 1 + len(ops), nil
	}
	var m blockMeta
	newExpiry := false
	if v == nil {
		br := &b.blocks.recs[rec]
		m = blockMeta{size: br.size, expiry: w.expiry, loc: br.loc}
		w.packs.add(m.loc.pack, m.size)
		w.t.used += m.size
		w.t.blocks++
		newExpiry = true
	} else {
		var err error
		if m, err = decodeBlockMeta(v); err != nil {
			return 0, fmt.Errorf("block %s: %w", cidString(castCid(key)), err)
		}
		if rec >= 0 && m.expiry < w.expiry {
			if err := w.exp.Delete(expiryKey(m.expiry, key)); err != nil {
				return 0, err
			}
			m.expiry = w.expiry
			newExpiry = true
		}
	}
	if !newExpiry && len(ops) == 0 {
		return 1, nil
	}
	if first {
		if err := w.record(stagedBlock, key, v); err != nil {
			return 0, err
		}
	}
	for _, op := range ops {
		m.refCount = max(m.refCount+int64(op.delta), 0)
		var err error
		if op.delta > 0 {
			err = w.refs.Put(refKey(key, p.leafKey(op.leaf)), nil)
		} else {
			err = w.refs.Delete(refKey(key, p.leafKey(op.leaf)))
		}
		if err != nil {
			return 0, err
		}
	}
	if err := w.blocks.Put(key, m.encode()); err != nil {
		return 0, err
	}
	if newExpiry {
		if err := w.exp.Put(expiryKey(w.expiry, key), nil); err != nil {
			return 0, err
		}
	}
	return 1 + len(ops), nil
}

// leaf writes the next leaf in key order, if prepare found it changed.
func (w *writer) leaf() error {
	p, b := w.p, w.p.b
	li := p.leaves[w.k]
	w.k++
	l := &b.leaves[li]
	if l.flags&leafWrite == 0 {
		return nil
	}
	key := p.leafKey(li)
	if w.undo != nil && l.flags&leafFresh == 0 {
		// A fresh tree is undone as a whole (stagedTree).
		if err := w.record(stagedLeaf, key, w.leaves.Get(key)); err != nil {
			return err
		}
	}
	return w.leaves.Put(key, encodeLeaf(b.leafBlock(l), b.leafProof(li)))
}

// publish ends the last transaction: manifests, packs and totals. Every
// pack a new record points into is pinned by this batch, so none is found
// dead here; packs that no record needs go when the batch unpins them.
func (w *writer) publish() error {
	for k, data := range w.p.b.manifests {
		if err := w.manifests.Put([]byte(k), data); err != nil {
			return err
		}
	}
	if _, err := w.packs.apply(w.tx, w.pins, w.p.b.packEnd); err != nil {
		return err
	}
	return w.t.write(w.tx)
}
