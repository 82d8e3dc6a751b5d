package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A commit too large for one transaction of bounded size is staged: it
// writes its changes straight into the real buckets, stageChunk records per
// transaction, and records in bucketStaged, before it changes a key, what
// that key held before (an undo record). Readers look through the undo
// records (committedBlock, committedLeaf, readCommittedTotals), so they see
// the repo as it was until the last transaction, which writes the manifests
// and deletes bucketStaged: that is the moment the whole upload becomes
// visible, exactly as with a single transaction. Every other writer is held
// off by r.mu for the whole commit. If the commit fails half way, or the
// process dies, rollbackStaged restores the undo records, again in bounded
// transactions, at once or in the next Open.
//
// Undo records are keyed kind ‖ key and processed in that order: leaves
// before the blocks whose reference counts they hold, totals last.
const (
	// tree CID → stagedAbsent: the tree had no leaves before the commit, so
	// all its leaves are new; one record hides (and undoes) them all.
	stagedTree byte = 1 + iota
	// leaf key → the leaf's value before, or stagedAbsent
	stagedLeaf
	// first block CID → an undoList of the blocks one transaction changed.
	// Blocks are written in CID order, so the lists cover disjoint,
	// ascending ranges, and a reader finds a block's list with one seek.
	// One large value per transaction rather than a record per block keeps
	// the staged records few: dropping them reads one page per list, not
	// one per 60 blocks (bbolt reads every leaf page of a deleted bucket).
	stagedBlock
	// (no key) → the totals before
	stagedTotals
)

// An undo value is one byte, 0 for "absent" or 1 followed by the old value.
var stagedAbsent = []byte{0}

func stagedKey(kind byte, key []byte) []byte {
	return append(append(make([]byte, 0, 1+len(key)), kind), key...)
}

// errSimulatedCrash, returned by Repo.afterStage, stops a commit as kill -9
// would: nothing is undone and the batch is not released.
var errSimulatedCrash = errors.New("repo: simulated crash")

// record saves the value key held before this commit (nil: absent). It is
// called once per key and commit, before the key changes. Blocks are
// collected in w.blockUndo and written by flushBlockUndo.
func (w *writer) record(kind byte, key, old []byte) error {
	if w.undo == nil {
		return nil
	}
	if kind == stagedBlock {
		w.blockUndo.add(key, old)
		return nil
	}
	v := stagedAbsent
	if old != nil {
		v = append([]byte{1}, old...)
	}
	return w.undo.Put(stagedKey(kind, key), v)
}

// flushBlockUndo writes the undo list of this transaction's blocks.
func (w *writer) flushBlockUndo() error {
	if w.undo == nil || w.blockUndo.len() == 0 {
		return nil
	}
	err := w.undo.Put(stagedKey(stagedBlock, w.blockUndo.first), w.blockUndo.encode())
	w.blockUndo = undoList{}
	return err
}

// undoList is the value of a stagedBlock record: n uint32, then n+1 uint32
// offsets into the entries, then n entries in key order, each
// uvarint(len(key)) ‖ key ‖ 0 (absent before) or 1 ‖ old value.
type undoList struct {
	first []byte // the first key
	offs  []uint32
	data  []byte
}

func (u *undoList) len() int { return len(u.offs) }

func (u *undoList) add(key, old []byte) {
	if len(u.offs) == 0 {
		u.first = bytes.Clone(key)
	}
	u.offs = append(u.offs, uint32(len(u.data)))
	u.data = binary.AppendUvarint(u.data, uint64(len(key)))
	u.data = append(u.data, key...)
	if old == nil {
		u.data = append(u.data, 0)
	} else {
		u.data = append(append(u.data, 1), old...)
	}
}

func (u *undoList) encode() []byte {
	v := make([]byte, 0, 4+4*(len(u.offs)+1)+len(u.data))
	v = binary.BigEndian.AppendUint32(v, uint32(len(u.offs)))
	for _, o := range u.offs {
		v = binary.BigEndian.AppendUint32(v, o)
	}
	v = binary.BigEndian.AppendUint32(v, uint32(len(u.data)))
	return append(v, u.data...)
}

func parseUndoEntry(e []byte) (key, old []byte) {
	n, w := binary.Uvarint(e)
	if w <= 0 || uint64(len(e)-w) < n+1 {
		return nil, nil
	}
	key, rest := e[w:w+int(n)], e[w+int(n):]
	if rest[0] == 1 {
		old = rest[1:]
	}
	return key, old
}

// undoEntries is a stored undoList: count and entry i, without copying.
type undoEntries []byte

var errCorruptUndo = errors.New("corrupt staged block list")

func (v undoEntries) count() (int, error) {
	if len(v) < 8 {
		return 0, errCorruptUndo
	}
	n := int(binary.BigEndian.Uint32(v))
	if len(v) < 4+4*(n+1) {
		return 0, errCorruptUndo
	}
	return n, nil
}

func (v undoEntries) at(n, i int) (key, old []byte, err error) {
	data := v[4+4*(n+1):]
	from := binary.BigEndian.Uint32(v[4+4*i:])
	to := binary.BigEndian.Uint32(v[4+4*(i+1):])
	if from > to || int(to) > len(data) {
		return nil, nil, errCorruptUndo
	}
	key, old = parseUndoEntry(data[from:to])
	if key == nil {
		return nil, nil, errCorruptUndo
	}
	return key, old, nil
}

// find looks key up by binary search.
func (v undoEntries) find(key []byte) (old []byte, ok bool) {
	n, err := v.count()
	if err != nil {
		return nil, false
	}
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		k, o, err := v.at(n, m)
		if err != nil {
			return nil, false
		}
		switch c := bytes.Compare(k, key); {
		case c == 0:
			return o, true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return nil, false
}

// applyStaged writes the plan over several transactions and publishes it
// with the last. On failure it undoes what it staged.
func (r *Repo) applyStaged(w *writer) error {
	for step := 0; ; step++ {
		var done bool
		err := r.db.Update(func(tx *bolt.Tx) error {
			var st *bolt.Bucket
			if step == 0 {
				var err error
				if st, err = tx.CreateBucket(bucketStaged); err != nil {
					return fmt.Errorf("stage: %w", err)
				}
				w.begin(tx, st)
				w.t = readTotals(tx)
				if err := w.record(stagedTotals, nil, w.t.encode()); err != nil {
					return err
				}
				w.findFresh(tx)
				for t, fresh := range w.fresh {
					if fresh {
						if err := w.record(stagedTree, []byte(w.b.trees[t]), nil); err != nil {
							return err
						}
					}
				}
			} else {
				st = tx.Bucket(bucketStaged)
				if st == nil {
					return errors.New("stage: staged records vanished")
				}
				w.begin(tx, st)
			}
			// Undo records arrive in key order within each kind.
			st.FillPercent = 1
			var err error
			if done, err = w.run(r.stageChunk); err != nil {
				return err
			}
			if !done {
				if err := w.flushBlockUndo(); err != nil {
					return err
				}
				return w.t.write(tx)
			}
			if err := w.publish(); err != nil {
				return err
			}
			return tx.DeleteBucket(bucketStaged)
		})
		if err == nil && done {
			return nil
		}
		if err == nil && r.afterStage != nil {
			err = r.afterStage(step)
			if errors.Is(err, errSimulatedCrash) {
				return err
			}
		}
		if err != nil {
			if rerr := r.rollbackStaged(); rerr != nil {
				r.unsettled = true
				r.log.Warn("repo: could not undo a failed commit yet; the next write retries, or the next start", "err", rerr)
			}
			return err
		}
	}
}

// settleLocked finishes undoing a failed staged commit before a write;
// until then the DB holds changes that readers look through but writers
// would not. r.mu must be held.
func (r *Repo) settleLocked() error {
	if !r.unsettled {
		return nil
	}
	if err := r.rollbackStaged(); err != nil {
		return fmt.Errorf("undo a failed commit: %w", err)
	}
	r.unsettled = false
	return nil
}

// rollbackStaged restores every undo record of a staged commit that did not
// publish, stageChunk at a time, and then deletes bucketStaged. Each
// transaction restores some keys and drops their undo records together, so
// readers see the old state throughout and a crash in between just leaves
// less to undo. The caller holds r.mu, or is Open.
func (r *Repo) rollbackStaged() error {
	for {
		finished := false
		err := r.db.Update(func(tx *bolt.Tx) error {
			st := tx.Bucket(bucketStaged)
			if st == nil {
				finished = true
				return nil
			}
			// Take records in order while they fit the budget; a block list
			// counts its entries and is undone whole, so the first one is
			// taken whatever its size.
			budget := max(r.stageChunk, 1)
			var keys, vals [][]byte
			used := 0
			c := st.Cursor()
			for k, v := c.First(); k != nil && used < budget; k, v = c.Next() {
				if len(v) == 0 {
					return fmt.Errorf("corrupt staged record %x", k)
				}
				cost := 1
				if k[0] == stagedBlock {
					n, err := undoEntries(v).count()
					if err != nil {
						return err
					}
					cost = max(n, 1)
				}
				if len(keys) > 0 && used+cost > budget {
					break
				}
				keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
				used += cost
			}
			if len(keys) == 0 {
				finished = true
				return tx.DeleteBucket(bucketStaged)
			}
			left := budget
			for i, k := range keys {
				var old []byte
				if vals[i][0] == 1 {
					old = vals[i][1:]
				}
				switch k[0] {
				case stagedTree:
					n, more, err := undoTree(tx, k[1:], max(left, 1))
					if err != nil {
						return err
					}
					left -= n
					if more {
						return nil // the rest of this tree in the next transaction
					}
				case stagedLeaf:
					if err := undoLeaf(tx, k[1:], old); err != nil {
						return err
					}
					left--
				case stagedBlock:
					list := undoEntries(vals[i])
					n, err := list.count()
					if err != nil {
						return err
					}
					for e := range n {
						key, old, err := list.at(n, e)
						if err != nil {
							return err
						}
						if err := undoBlock(tx, key, old); err != nil {
							return err
						}
					}
					left -= n
				case stagedTotals:
					t, err := decodeTotals(old)
					if err != nil {
						return err
					}
					if err := t.write(tx); err != nil {
						return err
					}
					left--
				default:
					return fmt.Errorf("corrupt staged record %x", k)
				}
				if err := st.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if finished {
			return nil
		}
	}
}

// undoTree deletes up to budget leaves of a tree that had none before,
// with their references; the blocks' counts are restored by their own undo
// records. more says that leaves are left.
func undoTree(tx *bolt.Tx, tree []byte, budget int) (n int, more bool, err error) {
	leaves, refs := tx.Bucket(bucketLeaves), tx.Bucket(bucketRefs)
	var keys, blocks [][]byte
	c := leaves.Cursor()
	for k, v := c.Seek(tree); k != nil && bytes.HasPrefix(k, tree); k, v = c.Next() {
		if len(keys) == budget {
			more = true
			break
		}
		if len(k) == len(tree)+8 {
			keys, blocks = append(keys, bytes.Clone(k)), append(blocks, bytes.Clone(leafBlock(v)))
		}
	}
	for i, k := range keys {
		if err := refs.Delete(refKey(blocks[i], k)); err != nil {
			return 0, false, err
		}
		if err := leaves.Delete(k); err != nil {
			return 0, false, err
		}
	}
	return max(len(keys), 1), more, nil
}

// undoLeaf gives a leaf its old value (old nil: removes it) and moves its
// reference back.
func undoLeaf(tx *bolt.Tx, key, old []byte) error {
	leaves, refs := tx.Bucket(bucketLeaves), tx.Bucket(bucketRefs)
	if cur := leaves.Get(key); cur != nil {
		if err := refs.Delete(refKey(leafBlock(cur), key)); err != nil {
			return err
		}
	}
	if old == nil {
		return leaves.Delete(key)
	}
	if err := leaves.Put(key, old); err != nil {
		return err
	}
	if ob := leafBlock(old); len(ob) > 0 && string(ob) != emptyKey {
		return refs.Put(refKey(ob, key), nil)
	}
	return nil
}

// undoBlock gives a block its old metadata (old nil: removes it), and its
// expiry entry with it.
func undoBlock(tx *bolt.Tx, key, old []byte) error {
	blocks, exp := tx.Bucket(bucketBlocks), tx.Bucket(bucketExpiry)
	if cur := blocks.Get(key); cur != nil {
		if m, err := decodeBlockMeta(cur); err == nil {
			if err := exp.Delete(expiryKey(m.expiry, key)); err != nil {
				return err
			}
		}
	}
	if old == nil {
		return blocks.Delete(key)
	}
	m, err := decodeBlockMeta(old)
	if err != nil {
		return err
	}
	if err := blocks.Put(key, old); err != nil {
		return err
	}
	return exp.Put(expiryKey(m.expiry, key), nil)
}

// staged returns the undo record of key while a staged commit is in
// progress: ok is false when the key is unchanged (or nothing is staged),
// and old is nil when the key did not exist before.
func staged(tx *bolt.Tx, kind byte, key []byte) (old []byte, ok bool) {
	st := tx.Bucket(bucketStaged)
	if st == nil {
		return nil, false
	}
	v := st.Get(stagedKey(kind, key))
	if len(v) == 0 {
		return nil, false
	}
	if v[0] == 1 {
		return v[1:], true
	}
	return nil, true
}

// committedBlock is the metadata of a block as readers must see it.
func committedBlock(tx *bolt.Tx, key []byte) []byte {
	if st := tx.Bucket(bucketStaged); st != nil {
		// The list that may hold key is the last one starting at or
		// before it.
		c := st.Cursor()
		target := stagedKey(stagedBlock, key)
		k, v := c.Seek(target)
		if k == nil {
			k, v = c.Last()
		} else if !bytes.Equal(k, target) {
			k, v = c.Prev()
		}
		if len(k) > 0 && k[0] == stagedBlock {
			if old, ok := undoEntries(v).find(key); ok {
				return old
			}
		}
	}
	return tx.Bucket(bucketBlocks).Get(key)
}

// committedLeaf is the value of a leaf as readers must see it.
func committedLeaf(tx *bolt.Tx, tree []byte, index uint64) []byte {
	if _, ok := staged(tx, stagedTree, tree); ok {
		return nil
	}
	key := leafKey(tree, index)
	if old, ok := staged(tx, stagedLeaf, key); ok {
		return old
	}
	return tx.Bucket(bucketLeaves).Get(key)
}

// readCommittedTotals is readTotals as readers must see it.
func readCommittedTotals(tx *bolt.Tx) totals {
	if old, ok := staged(tx, stagedTotals, nil); ok {
		if t, err := decodeTotals(old); err == nil {
			return t
		}
	}
	return readTotals(tx)
}
