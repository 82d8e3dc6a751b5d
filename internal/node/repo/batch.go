package repo

import (
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
// What a batch remembers until Commit is kept compact, since an upload of
// 10 GiB has 163,840 blocks and leaves: block CIDs packed in one slab (see
// blockSet), leaves as fixed-size records pointing into it, proofs (when
// given at all) in chunked slabs. Under 100 bytes per block and its leaf,
// plus the proof.
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
	// blocks is read by other goroutines holding r.mu (Repo.claimedLocked),
	// so it is only changed with both b.mu and r.mu held.
	blocks    blockSet
	leaves    []leafRec
	trees     []string          // tree CIDs (binary) of the leaves
	treeIndex map[string]uint32 // position in trees
	extra     []byte            // leaf block CIDs that were not put in this batch
	proofs    [][]byte          // the proofs given, concatenated in chunks of proofChunk
	proofLoc  []proofLoc        // by leaf; nil until a proof is given
	manifests map[string][]byte // by binary CID
	bytes     int64             // this batch's share of r.pendingBytes
}

// leafRec is one PutProof, 24 bytes. The block CID is either record
// blockRef of b.blocks or, with leafExtra set, blockLen bytes at blockRef in
// b.extra. The proof, if any, is in b.proofs (see leafProof).
type leafRec struct {
	index    uint64
	blockRef uint32
	tree     uint32
	blockLen uint16
	flags    uint8
}

const (
	leafExtra uint8 = 1 << iota // the block CID is in b.extra
	leafWrite                   // Commit: the leaf is new or changed
	leafFresh                   // Commit: no leaf of its tree was stored before
)

func (b *Batch) leafBlock(l *leafRec) []byte {
	if l.flags&leafExtra != 0 {
		return b.extra[l.blockRef : l.blockRef+uint32(l.blockLen)]
	}
	return b.blocks.key(int(l.blockRef))
}

// proofChunk is the size of the slabs proofs are copied into. Fixed chunks
// rather than one growing slice: a 4 GiB upload with proofs holds 40 MiB
// of them, and regrowing that by copying would double it for a while.
const proofChunk = 1 << 20

// proofLoc is where the proof of a leaf is in Batch.proofs; n is 0 if the
// leaf has none.
type proofLoc struct{ chunk, off, n uint32 }

// leafProof is the proof of leaf record i, empty if none was given.
func (b *Batch) leafProof(i int32) []byte {
	if b.proofLoc == nil {
		return nil
	}
	l := b.proofLoc[i]
	return b.proofs[l.chunk][l.off : l.off+l.n]
}

func (b *Batch) addProof(proof []byte) proofLoc {
	if len(proof) == 0 {
		return proofLoc{}
	}
	last := len(b.proofs) - 1
	if last < 0 || len(b.proofs[last])+len(proof) > cap(b.proofs[last]) {
		b.proofs = append(b.proofs, make([]byte, 0, max(proofChunk, len(proof))))
		last++
	}
	off := len(b.proofs[last])
	b.proofs[last] = append(b.proofs[last], proof...)
	return proofLoc{chunk: uint32(last), off: uint32(off), n: uint32(len(proof))}
}

func (b *Batch) leafTree(l *leafRec) []byte { return []byte(b.trees[l.tree]) }

// NewBatch starts an upload.
func (r *Repo) NewBatch() *Batch {
	return &Batch{
		r:     r,
		slots: make(chan struct{}, writeAhead),
	}
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

func (b *Batch) putLocked(c cid.Cid, data []byte) error {
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
	header := entryHeader([]byte(key), len(data))
	entry := len(header) + len(data)
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
		return packLoc{pack: p.id, at: dataAt}, nil
	})
	if err != nil || exists {
		return err
	}
	b.bytes += int64(len(data))
	buf := getBuffer(entry)
	copy((*buf)[copy(*buf, header):], data)
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
		if b.blocks.find(string(key)) >= 0 {
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
	if index < 0 {
		return fmt.Errorf("repo: put proof %s/%d: negative index", cidString(treeCid), index)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("repo: put proof %s/%d: %w", cidString(treeCid), index, ErrBatchDone)
	}
	l := leafRec{index: uint64(index)}
	tree := treeCid.KeyString()
	t, ok := b.treeIndex[tree]
	if !ok {
		if b.treeIndex == nil {
			b.treeIndex = make(map[string]uint32)
		}
		t = uint32(len(b.trees))
		b.trees = append(b.trees, tree)
		b.treeIndex[tree] = t
	}
	l.tree = t
	block := blockCid.KeyString()
	if i := b.blocks.find(block); i >= 0 {
		l.blockRef = uint32(i)
	} else {
		if len(block) > math.MaxUint16 || len(b.extra)+len(block) > math.MaxUint32 {
			return fmt.Errorf("repo: put proof %s/%d: %w", cidString(treeCid), index, errBatchTooBig)
		}
		l.flags |= leafExtra
		l.blockRef = uint32(len(b.extra))
		b.extra = append(b.extra, block...)
	}
	l.blockLen = uint16(len(block))
	if len(proof) > math.MaxUint32 {
		return fmt.Errorf("repo: put proof %s/%d: %w", cidString(treeCid), index, errBatchTooBig)
	}
	if len(proof) > 0 && b.proofLoc == nil {
		// The first proof: the leaves before it have none.
		b.proofLoc = make([]proofLoc, len(b.leaves), cap(b.leaves))
	}
	if b.proofLoc != nil {
		b.proofLoc = append(b.proofLoc, b.addProof(proof))
	}
	b.leaves = append(b.leaves, l)
	return nil
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
		for i := range b.blocks.len() {
			rec := &b.blocks.recs[i]
			key := b.blocks.key(i)
			if !rec.wrote && rec.loc.pack == 0 && !r.claimedLocked(key) && bk.Get(key) == nil {
				gone = append(gone, key)
			}
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
	b.blocks = blockSet{}
	b.leaves, b.trees, b.treeIndex = nil, nil, nil
	b.extra, b.proofs, b.proofLoc, b.manifests = nil, nil, nil, nil
}
