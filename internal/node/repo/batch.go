package repo

import (
	"fmt"
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
type Batch struct {
	r *Repo

	writers  sync.WaitGroup
	slots    chan struct{} // writeAhead tokens
	syncer   syncer        // begun before the first file is written
	writeMu  sync.Mutex
	writeErr error // first failed background write

	mu        sync.Mutex
	done      bool
	blocks    map[string]*batchBlock // by file name
	order     []string               // file names in put order, for the commit
	leaves    map[string]batchLeaf   // by leaf key
	manifests map[string][]byte      // by file name
	bytes     int64                  // this batch's share of r.pendingBytes
}

type batchBlock struct {
	c     cid.Cid
	size  int64
	wrote bool // the batch wrote (or found) the file uncommitted: Commit syncs it
}

type batchLeaf struct {
	tree  cid.Cid
	index uint64
	block cid.Cid
	proof []byte
}

// NewBatch starts an upload.
func (r *Repo) NewBatch() *Batch {
	return &Batch{
		r:         r,
		slots:     make(chan struct{}, writeAhead),
		blocks:    make(map[string]*batchBlock),
		leaves:    make(map[string]batchLeaf),
		manifests: make(map[string][]byte),
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
	name := fileName(c)
	if _, ok := b.blocks[name]; ok {
		return nil
	}
	size := int64(len(data))
	exists, err := b.r.claim(name, c, size)
	if err != nil {
		return err
	}
	bb := &batchBlock{c: c, size: size, wrote: !exists}
	// Recorded before the write starts, so Commit and Abort account for
	// the claim whatever happens to the write.
	b.blocks[name] = bb
	b.order = append(b.order, name)
	if exists {
		return nil
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
	data = append([]byte(nil), data...)
	b.slots <- struct{}{}
	b.writers.Go(func() {
		defer func() { <-b.slots }()
		if err := b.r.writeBlockFile(name, data); err != nil {
			b.setWriteErr(fmt.Errorf("write block %s: %w", cidString(c), err))
		}
	})
	return nil
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

// claim registers the batch's interest in a block and, if the block is new,
// reserves its bytes against the quota. Under r.mu the committed totals and
// every open batch's pending bytes are seen together, so two uploads cannot
// both take the last free bytes.
func (r *Repo) claim(name string, c cid.Cid, size int64) (exists bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t totals
	err = r.db.View(func(tx *bolt.Tx) error {
		exists = tx.Bucket(bucketBlocks).Get(c.Bytes()) != nil
		t = readTotals(tx)
		return nil
	})
	if err != nil {
		return false, err
	}
	if !exists {
		if t.used+t.reserved+r.pendingBytes+size > r.quota {
			return false, &QuotaError{Quota: r.quota, Used: t.used, Reserved: t.reserved, Pending: r.pendingBytes, Need: size}
		}
		r.pendingBytes += size
	}
	r.claims[name]++
	return exists, nil
}

func (r *Repo) unclaimLocked(names []string, bytes int64) {
	for _, n := range names {
		if r.claims[n]--; r.claims[n] <= 0 {
			delete(r.claims, n)
		}
	}
	r.pendingBytes -= bytes
}

// PutProof records that leaf index of treeCid is blockCid, with its encoded
// Merkle proof. blockCid must be put in this batch or already be stored.
func (b *Batch) PutProof(treeCid cid.Cid, index int, blockCid cid.Cid, proof []byte) error {
	if index < 0 {
		return fmt.Errorf("repo: put proof %s/%d: negative index", cidString(treeCid), index)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return fmt.Errorf("repo: put proof %s/%d: %w", cidString(treeCid), index, ErrBatchDone)
	}
	k := string(leafKey(treeCid.Bytes(), uint64(index)))
	b.leaves[k] = batchLeaf{tree: treeCid, index: uint64(index), block: blockCid, proof: append([]byte(nil), proof...)}
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
	b.manifests[fileName(c)] = append([]byte(nil), data...)
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
	r.unclaimLocked(b.order, b.bytes)
	// Also check blocks the batch found present: a delete since then skipped
	// their files because of this batch's claim, so they may be orphans now.
	var gone []string
	err := r.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBlocks)
		for _, name := range b.order {
			if r.claims[name] == 0 && bk.Get(b.blocks[name].c.Bytes()) == nil {
				gone = append(gone, name)
			}
		}
		return nil
	})
	if err != nil {
		// Without the DB we cannot tell orphans from data; Open sorts it out.
		r.log.Warn("repo: abort could not read metadata", "err", err)
		return
	}
	for _, name := range gone {
		r.removeBlockFile(name)
	}
}
