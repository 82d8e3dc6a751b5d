package repo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// writeAhead is how many block writes one batch has in flight. Each has its
// place in the pack assigned when it is queued, so they run in parallel and
// overlap with the hashing of the next blocks; the bound gives backpressure
// when the disk is slower than the network.
const writeAhead = 8

// Batch collects one upload. Blocks are appended to the active pack as they
// come (pack.go); nothing is visible to readers or counted as used until
// Commit. A Batch is safe for concurrent use; a put after Commit or Abort
// fails with ErrBatchDone.
//
// What a batch remembers until Commit does not grow with the upload: the
// blocks put lately are in a compact window (blockSet) that finds them
// again, leaves are records in a sorter, and whenever either is full it is
// written, sorted, to the batch's spill file (spill.go), which Commit reads
// back merged. A block put again after its record left the window is
// written again; the copy is dead space that compaction gives back, and
// only a block repeated from more than a window ago (16,384 blocks, 1 GiB)
// costs that.
type Batch struct {
	r *Repo

	writers  sync.WaitGroup
	slots    chan struct{} // writeAhead tokens
	writeMu  sync.Mutex
	writeErr error // first failed background write

	// wrote are the packs this batch wrote into, each pinned once until
	// the batch ends, with the end of its last entry there; foundIn the
	// packs of blocks it found stored, each pinned once too. Changed under
	// b.mu and r.mu.
	wrote   []packEnd
	foundIn map[uint64]struct{}

	mu   sync.Mutex
	done bool
	// blocks, the window, and legacy are read by other goroutines holding
	// r.mu (Repo.claimedLocked), so they only change with both b.mu and
	// r.mu held. legacy keeps the schema version 1 blocks found stored
	// that left the window: a delete must leave their files to the batch.
	blocks    blockSet
	legacy    map[string]struct{}
	blockRuns []run // the blocks that left the window; values are blockRec.encode
	// leaves: key tree position (4 bytes) ‖ index (8), value encodeLeaf.
	// The last put of a leaf wins.
	leaves    sorter
	trees     []string          // tree CIDs (binary) by position; "" until SetTree names the upload's
	treeIndex map[string]uint32 // position in trees
	upload    int               // position of the tree PutLeaf fills, or -1
	spill     spillFile
	manifests map[string][]byte // by binary CID
	bytes     int64             // this batch's share of r.pendingBytes
}

// NewBatch starts an upload.
func (r *Repo) NewBatch() *Batch {
	b := &Batch{
		r:      r,
		slots:  make(chan struct{}, writeAhead),
		upload: -1,
		spill:  spillFile{dir: r.spillDir},
	}
	b.leaves = sorter{file: &b.spill, limit: r.spillBytes}
	return b
}

// PutBlock stores data under c. A block already committed is not rewritten;
// the commit only raises its expiry. It fails with an error matching
// ErrQuotaExceeded when the new bytes would not fit; the caller then aborts.
// The file is written in the background from a copy of data; a write error
// is returned by a later PutBlock or by Commit.
func (b *Batch) PutBlock(c cid.Cid, data []byte) error {
	if isEmpty(c) {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.putLocked(c, data); err != nil {
		return fmt.Errorf("repo: put block %s: %w", cidString(c), err)
	}
	return nil
}

func (b *Batch) putLocked(c cid.Cid, data []byte) (err error) {
	if b.done {
		return ErrBatchDone
	}
	if err := b.failed(); err != nil {
		return err
	}
	key := c.KeyString()
	if b.blocks.find(key) >= 0 {
		return nil
	}
	stored := trimZeros(data)
	header := entryHeader([]byte(key), len(stored))
	entry := len(header) + len(stored)
	// Where it goes if it is new; claim records that (or where the stored
	// block is) before the write starts, so Commit and Abort account for
	// the claim whatever happens to the write.
	var (
		p  *packFile
		at int64
	)
	exists, err := b.r.claim(b, c, int64(len(data)), func() (packLoc, error) {
		var (
			dataAt int64
			err    error
		)
		if p, at, dataAt, err = b.r.reserveLocked(entry, len(header)); err != nil {
			return packLoc{}, err
		}
		b.noteWriteLocked(p)
		return packLoc{pack: p.id, at: dataAt, n: int64(len(stored))}, nil
	})
	if err != nil {
		return err
	}
	if b.blocks.len() >= b.r.blockWindow {
		defer func() {
			if err == nil {
				err = b.spillBlocksLocked()
			}
		}()
	}
	if exists {
		return nil
	}
	b.bytes += int64(len(data))
	buf := getBuffer(entry)
	copy((*buf)[copy(*buf, header):], stored)
	b.slots <- struct{}{}
	b.writers.Go(func() {
		defer func() { <-b.slots }()
		defer putBuffer(buf)
		if _, err := p.f.WriteAt(*buf, at); err != nil {
			b.setWriteErr(fmt.Errorf("write block %s: %w", cidString(c), err))
		}
	})
	return nil
}

// spillBlocksLocked writes the window to the spill file and empties it.
// Only the emptying needs r.mu: claimedLocked may read the window
// meanwhile, and nothing else changes it while b.mu is held.
func (b *Batch) spillBlocksLocked() error {
	runs, err := b.spill.add(b.blockRuns, b.blocks.sorted())
	if err != nil {
		return err
	}
	b.blockRuns = runs
	r := b.r
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range b.blocks.len() {
		if rec := &b.blocks.recs[i]; !rec.wrote && rec.loc.pack == 0 {
			if b.legacy == nil {
				b.legacy = make(map[string]struct{})
			}
			b.legacy[string(b.blocks.key(i))] = struct{}{}
		}
	}
	b.blocks.reset()
	return nil
}

// packEnd is a pack a batch wrote into and the end of its last entry there.
type packEnd struct {
	p   *packFile
	end int64
}

// noteWriteLocked records an entry just reserved in p, pinning p the first
// time. b.mu and r.mu must be held.
func (b *Batch) noteWriteLocked(p *packFile) {
	if n := len(b.wrote); n > 0 && b.wrote[n-1].p == p {
		b.wrote[n-1].end = p.size
		return
	}
	b.r.pinLocked(p.id)
	b.wrote = append(b.wrote, packEnd{p, p.size})
}

// syncPacks makes the batch's entries durable: every write has landed, so
// a sync of each pack it wrote into covers them.
func (b *Batch) syncPacks() error {
	for _, w := range b.wrote {
		if err := w.p.sync(); err != nil {
			return err
		}
	}
	return nil
}

// packEnd is where the batch's entries in pack id end, for its record.
func (b *Batch) packEnd(id uint64) int64 {
	for _, w := range b.wrote {
		if w.p.id == id {
			return w.end
		}
	}
	return 0
}

// bufferPool recycles the copies of block data that wait for their
// background write, so an upload does not allocate a fresh 64 KiB per block.
var bufferPool sync.Pool

const maxPooledBuffer = 1 << 20

func getBuffer(n int) *[]byte {
	if n <= maxPooledBuffer {
		if p, ok := bufferPool.Get().(*[]byte); ok && cap(*p) >= n {
			*p = (*p)[:n]
			return p
		}
	}
	buf := make([]byte, n)
	return &buf
}

func putBuffer(p *[]byte) {
	if cap(*p) <= maxPooledBuffer {
		bufferPool.Put(p)
	}
}

func (b *Batch) setWriteErr(err error) {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if b.writeErr == nil {
		b.writeErr = err
	}
}

// failed returns the first background write error.
func (b *Batch) failed() error {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	return b.writeErr
}

// claim registers the batch's interest in a block, by adding it to
// b.blocks, and, if the block is new, reserves its bytes against the quota.
// Under r.mu the committed totals and every open batch's pending bytes are
// seen together, so two uploads cannot both take the last free bytes. A
// refused block is not recorded. A new block is recorded where place puts
// it (in the batch's pack); a stored one where it is, and its pack is
// pinned.
func (r *Repo) claim(b *Batch, c cid.Cid, size int64, place func() (packLoc, error)) (exists bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return false, err
	}
	var (
		t   totals
		loc packLoc
	)
	err = r.db.View(func(tx *bolt.Tx) error {
		t = readTotals(tx)
		v := tx.Bucket(bucketBlocks).Get([]byte(c.KeyString()))
		if v == nil {
			return nil
		}
		exists = true
		m, err := decodeBlockMeta(v)
		loc = m.loc
		return err
	})
	if err != nil {
		return false, err
	}
	if !exists && t.used+t.reserved+r.pendingBytes+size > r.quota {
		return false, &QuotaError{Quota: r.quota, Used: t.used, Reserved: t.reserved, Pending: r.pendingBytes, Need: size}
	}
	if !exists {
		if loc, err = place(); err != nil {
			return false, err
		}
	}
	if err := b.blocks.add(c.KeyString(), size, loc, !exists); err != nil {
		return false, err
	}
	if exists {
		if _, pinned := b.foundIn[loc.pack]; !pinned && loc.pack != 0 {
			if b.foundIn == nil {
				b.foundIn = make(map[uint64]struct{})
			}
			r.pinLocked(loc.pack)
			b.foundIn[loc.pack] = struct{}{}
		}
	} else {
		r.pendingBytes += size
	}
	r.batches[b] = struct{}{}
	return exists, nil
}

// claimedLocked reports whether an open batch will commit the block key, so
// that a delete must leave its (schema version 1) file alone. r.mu must be
// held.
func (r *Repo) claimedLocked(key []byte) bool {
	for b := range r.batches {
		if _, ok := b.legacy[string(key)]; ok || b.blocks.find(string(key)) >= 0 {
			return true
		}
	}
	return false
}

// unclaimLocked ends the batch's claims and pins. With settled true (the
// DB holds no staged changes), packs nothing points into any more are
// removed with their last pin: the packs an aborted batch filled, or the
// active pack when no batch is writing and nothing was committed into it.
func (r *Repo) unclaimLocked(b *Batch, settled bool) {
	delete(r.batches, b)
	r.pendingBytes -= b.bytes
	b.bytes = 0
	ids := make([]uint64, 0, len(b.foundIn)+len(b.wrote))
	for id := range b.foundIn {
		ids = append(ids, id)
	}
	for _, w := range b.wrote {
		ids = append(ids, w.p.id)
	}
	b.foundIn, b.wrote = nil, nil
	if !settled {
		// Staged records may still point into the packs; the next Open
		// decides once they are undone.
		for _, id := range ids {
			r.dropPinLocked(id)
		}
		return
	}
	for _, id := range ids {
		r.unpinLocked(id)
	}
	r.trimActiveLocked()
}

// PutProof records that leaf index of treeCid is blockCid, with its encoded
// Merkle proof. blockCid must be put in this batch or already be stored.
// The proof is optional: with a nil or empty one only the leaf's block is
// recorded (GetProof then returns a nil proof), and a proof stored earlier
// for the same leaf and block is kept.
func (b *Batch) PutProof(treeCid cid.Cid, index int, blockCid cid.Cid, proof []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.putLeafLocked(b.treeLocked(treeCid.KeyString()), index, blockCid, proof); err != nil {
		return fmt.Errorf("repo: put proof %s/%d: %w", cidString(treeCid), index, err)
	}
	return nil
}

// PutLeaf records that leaf index of the tree this batch uploads is
// blockCid, without a proof. That tree's CID is its Merkle root, known only
// once every leaf is, so SetTree names it afterwards, before Commit.
func (b *Batch) PutLeaf(index int, blockCid cid.Cid) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.upload < 0 {
		b.upload = len(b.trees)
		b.trees = append(b.trees, "")
	}
	if err := b.putLeafLocked(uint32(b.upload), index, blockCid, nil); err != nil {
		return fmt.Errorf("repo: put leaf %d: %w", index, err)
	}
	return nil
}

// SetTree names the tree whose leaves PutLeaf recorded. The name must not
// be one PutProof used in this batch.
func (b *Batch) SetTree(treeCid cid.Cid) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := treeCid.KeyString()
	switch {
	case b.done:
		return fmt.Errorf("repo: set tree %s: %w", cidString(treeCid), ErrBatchDone)
	case !treeCid.Defined():
		return errors.New("repo: set tree: undefined CID")
	case b.upload >= 0 && b.trees[b.upload] != "":
		return fmt.Errorf("repo: set tree %s: the upload's tree is already named", cidString(treeCid))
	}
	if _, ok := b.treeIndex[key]; ok {
		return fmt.Errorf("repo: set tree %s: the batch already has leaves of it by PutProof", cidString(treeCid))
	}
	if b.upload < 0 {
		b.upload = len(b.trees)
		b.trees = append(b.trees, "")
	}
	b.trees[b.upload] = key
	if b.treeIndex == nil {
		b.treeIndex = make(map[string]uint32)
	}
	b.treeIndex[key] = uint32(b.upload)
	return nil
}

// treeLocked is the position of tree, added if new.
func (b *Batch) treeLocked(tree string) uint32 {
	if t, ok := b.treeIndex[tree]; ok {
		return t
	}
	if b.treeIndex == nil {
		b.treeIndex = make(map[string]uint32)
	}
	t := uint32(len(b.trees))
	b.trees = append(b.trees, tree)
	b.treeIndex[tree] = t
	return t
}

func (b *Batch) putLeafLocked(tree uint32, index int, blockCid cid.Cid, proof []byte) error {
	switch {
	case b.done:
		return ErrBatchDone
	case index < 0:
		return errors.New("negative index")
	case len(proof) > math.MaxUint32:
		return errBatchTooBig
	}
	var key [12]byte
	binary.BigEndian.PutUint32(key[:], tree)
	binary.BigEndian.PutUint64(key[4:], uint64(index))
	return b.leaves.add(key[:], encodeLeaf([]byte(blockCid.KeyString()), proof))
}

// leafSortKey splits a key of Batch.leaves.
func leafSortKey(k []byte) (tree uint32, index uint64) {
	return binary.BigEndian.Uint32(k), binary.BigEndian.Uint64(k[4:])
}

// PutManifest stores a manifest block and lists it for GET /data.
func (b *Batch) PutManifest(c cid.Cid, data []byte) error {
	if isEmpty(c) {
		return nil
	}
	if err := b.PutBlock(c, data); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		// Committed in between: the block went in, the listing would not.
		return fmt.Errorf("repo: put manifest %s: %w", cidString(c), ErrBatchDone)
	}
	if b.manifests == nil {
		b.manifests = make(map[string][]byte)
	}
	b.manifests[c.KeyString()] = append([]byte(nil), data...)
	return nil
}

// Abort forgets the batch and removes what it wrote that nothing else
// needs: packs only it wrote into, and the schema version 1 files of blocks
// it found stored and a delete left to it. It is a no-op after Commit or
// Abort.
func (b *Batch) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	b.release()
}

func (b *Batch) release() {
	// A write still running must not land in a file after it is removed.
	b.writers.Wait()
	r := b.r
	r.mu.Lock()
	defer r.mu.Unlock()
	defer b.forget()
	if err := r.settleLocked(); err != nil {
		r.unclaimLocked(b, false)
		r.log.Warn("repo: abort could not undo an unfinished commit", "err", err)
		return
	}
	r.unclaimLocked(b, true)
	// Also check version 1 blocks the batch found present: a delete since
	// then skipped their files because of this batch's claim, so they may
	// be orphans now.
	var gone [][]byte
	err := r.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBlocks)
		check := func(key []byte) {
			if !r.claimedLocked(key) && bk.Get(key) == nil {
				gone = append(gone, key)
			}
		}
		for i := range b.blocks.len() {
			if rec := &b.blocks.recs[i]; !rec.wrote && rec.loc.pack == 0 {
				check(b.blocks.key(i))
			}
		}
		for key := range b.legacy {
			check([]byte(key))
		}
		return nil
	})
	if err != nil {
		// Without the DB we cannot tell orphans from data; Open sorts it out.
		r.log.Warn("repo: abort could not read metadata", "err", err)
		return
	}
	for _, key := range gone {
		r.removeBlockFile(hexName(key))
	}
}

// forget drops what the batch remembers, for a caller that keeps the Batch
// after Commit or Abort. r.mu must be held (b.blocks is shared with it).
func (b *Batch) forget() {
	b.blocks, b.legacy, b.blockRuns = blockSet{}, nil, nil
	b.leaves = sorter{}
	b.trees, b.treeIndex, b.manifests = nil, nil, nil
	b.spill.remove()
}
