package repo

import (
	"fmt"
	"math"
	"sync"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// writeAhead is how many block files one batch writes at once. File
// creation is latency-bound on many disks (and on VMs), so overlapping a few
// is much faster than one at a time, and the bound gives backpressure when
// the disk is slower than the network.
const writeAhead = 8

// Batch collects one upload. Block files are written as they come; nothing
// is visible to readers or counted as used until Commit. A Batch is safe for
// concurrent use; a put after Commit or Abort fails with ErrBatchDone.
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
	syncer   syncer        // begun before the first file is written
	writeMu  sync.Mutex
	writeErr error // first failed background write

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
	if b.blocks.find(c.KeyString()) >= 0 {
		return nil
	}
	size := int64(len(data))
	// Recorded (by claim) before the write starts, so Commit and Abort
	// account for the claim whatever happens to the write.
	exists, err := b.r.claim(b, c, size)
	if err != nil || exists {
		return err
	}
	b.bytes += size
	if b.syncer == nil {
		s, err := beginSync(b.r.blocksDir)
		if err != nil {
			// The claim is recorded, so Abort releases it; a Commit anyway
			// must fail.
			b.setWriteErr(err)
			return err
		}
		b.syncer = s
	}
	buf := getBuffer(len(data))
	copy(*buf, data)
	name := fileName(c)
	b.slots <- struct{}{}
	b.writers.Go(func() {
		defer func() { <-b.slots }()
		defer putBuffer(buf)
		if err := b.r.writeBlockFile(name, *buf); err != nil {
			b.setWriteErr(fmt.Errorf("write block %s: %w", cidString(c), err))
		}
	})
	return nil
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

func (b *Batch) closeSyncer() {
	if b.syncer != nil {
		b.syncer.Close()
		b.syncer = nil
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
// refused block is not recorded.
func (r *Repo) claim(b *Batch, c cid.Cid, size int64) (exists bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return false, err
	}
	var t totals
	err = r.db.View(func(tx *bolt.Tx) error {
		exists = tx.Bucket(bucketBlocks).Get([]byte(c.KeyString())) != nil
		t = readTotals(tx)
		return nil
	})
	if err != nil {
		return false, err
	}
	if !exists && t.used+t.reserved+r.pendingBytes+size > r.quota {
		return false, &QuotaError{Quota: r.quota, Used: t.used, Reserved: t.reserved, Pending: r.pendingBytes, Need: size}
	}
	if err := b.blocks.add(c.KeyString(), size, !exists); err != nil {
		return false, err
	}
	if !exists {
		r.pendingBytes += size
	}
	r.batches[b] = struct{}{}
	return exists, nil
}

// claimedLocked reports whether an open batch will commit the block key, so
// that a delete must leave its file alone. r.mu must be held.
func (r *Repo) claimedLocked(key []byte) bool {
	for b := range r.batches {
		if b.blocks.find(string(key)) >= 0 {
			return true
		}
	}
	return false
}

func (r *Repo) unclaimLocked(b *Batch) {
	delete(r.batches, b)
	r.pendingBytes -= b.bytes
	b.bytes = 0
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

// Abort forgets the batch and removes the files it wrote that no committed
// block or other open batch needs. It is a no-op after Commit or Abort.
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
	// A write still running would recreate a file after we removed it.
	b.writers.Wait()
	b.closeSyncer()
	r := b.r
	r.mu.Lock()
	defer r.mu.Unlock()
	defer b.forget()
	r.unclaimLocked(b)
	// Also check blocks the batch found present: a delete since then skipped
	// their files because of this batch's claim, so they may be orphans now.
	if err := r.settleLocked(); err != nil {
		r.log.Warn("repo: abort could not undo an unfinished commit", "err", err)
		return
	}
	var gone [][]byte
	err := r.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBlocks)
		for i := range b.blocks.len() {
			key := b.blocks.key(i)
			if !r.claimedLocked(key) && bk.Get(key) == nil {
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
