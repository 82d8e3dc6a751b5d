package repo

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// storeWith is store with the proofs of proof (nil: no proofs).
func storeWith(t testing.TB, r *Repo, d dataset, proof func(i int) []byte) {
	t.Helper()
	b := r.NewBatch()
	putDataset(t, b, d, proof)
	if err := b.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func putDataset(t testing.TB, b *Batch, d dataset, proof func(i int) []byte) {
	t.Helper()
	for i, c := range d.blocks {
		if err := b.PutBlock(c, d.data[i]); err != nil {
			b.Abort()
			t.Fatalf("PutBlock: %v", err)
		}
		var p []byte
		if proof != nil {
			p = proof(i)
		}
		if err := b.PutProof(d.tree, i, c, p); err != nil {
			b.Abort()
			t.Fatalf("PutProof: %v", err)
		}
	}
	if err := b.PutManifest(d.manifest, d.mdata); err != nil {
		b.Abort()
		t.Fatalf("PutManifest: %v", err)
	}
}

// dump is every key and value of meta.db, by bucket.
func dump(t testing.TB, r *Repo) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := r.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			// Pack IDs are random: blocks are compared without their
			// location, packs by their records alone.
			err := b.ForEach(func(k, v []byte) error {
				switch string(name) {
				case string(bucketBlocks):
					v = v[:min(len(v), 24)]
				case string(bucketPacks):
					k = nil
				}
				out[string(name)] = append(out[string(name)], hex.EncodeToString(k)+"="+hex.EncodeToString(v))
				return nil
			})
			slices.Sort(out[string(bucketPacks)])
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantSameDump(t testing.TB, got, want map[string][]string) {
	t.Helper()
	names := map[string]bool{}
	for n := range got {
		names[n] = true
	}
	for n := range want {
		names[n] = true
	}
	for n := range names {
		if !slices.Equal(got[n], want[n]) {
			t.Fatalf("bucket %s differs:\n got %d entries %v\nwant %d entries %v", n, len(got[n]), got[n], len(want[n]), want[n])
		}
	}
}

func otherProof(i int) []byte { return []byte{0xBB, byte(i)} }

// stageScenario runs uploads and deletes that exercise every kind of change
// a commit makes: new and present blocks, shared blocks, a block that
// many leaves name, a raised expiry, leaves without proofs, new proofs for
// present leaves and a leaf moved to another block.
func stageScenario(t *testing.T, r *Repo, clk *clock) {
	a := newDataset("a", 1, 2, 3, 4, 5, 6, 7)
	store(t, r, a)
	b := newDataset("b", 5, 6, 7, 8, 9) // shares 5, 6, 7 with a
	store(t, r, b)
	z := newDataset("zeros", 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 21)
	store(t, r, z)
	clk.Add(time.Hour)
	store(t, r, a) // raises the expiry of a's blocks, leaves unchanged
	n := newDataset("noproof", 30, 31, 32, 31)
	storeWith(t, r, n, nil)
	storeWith(t, r, n, nil)        // unchanged
	storeWith(t, r, n, otherProof) // proofs added to present leaves
	storeWith(t, r, n, nil)        // keeps them
	// Corrupt input: the same tree with other blocks moves the leaves.
	moved := newDataset("noproof", 30, 33, 20, 34, 35)
	storeWith(t, r, moved, nil)
	if err := r.DeleteDataset(b.manifest, b.tree); err != nil {
		t.Fatal(err)
	}
	big := newDataset("big", 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 1, 2)
	store(t, r, big)
}

// A staged commit (a few records per transaction) leaves exactly the DB a
// single transaction leaves.
func TestStagedCommitEqualsSingleTransaction(t *testing.T) {
	clk1, clk2 := newClock(), newClock()
	single := openTest(t, t.TempDir(), Options{TTL: 2 * time.Hour, Now: clk1.Now})
	staged := openTest(t, t.TempDir(), Options{TTL: 2 * time.Hour, Now: clk2.Now})
	staged.stageChunk = 3
	var steps atomic.Int64
	staged.afterStage = func(int) error { steps.Add(1); return nil }
	stageScenario(t, single, clk1)
	stageScenario(t, staged, clk2)
	if steps.Load() < 20 {
		t.Fatalf("only %d staged transactions; the test does not stage", steps.Load())
	}
	fsck(t, single)
	fsck(t, staged)
	wantSameDump(t, dump(t, staged), dump(t, single))
	if got, want := files(t, staged), files(t, single); !slices.Equal(got, want) {
		t.Fatalf("files differ:\n got %v\nwant %v", got, want)
	}
}

// Readers see nothing of a staged commit until it publishes, then all of
// it: blocks, leaves, proofs, totals and manifests.
func TestStagedCommitInvisibleUntilPublished(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	old := newDataset("old", 1, 2, 3)
	store(t, r, old)
	before := r.Space()
	d := newDataset("new", 2, 3, 4, 5, 6, 7, 8) // 2 and 3 are old's
	r.stageChunk = 2

	check := func(when string) {
		for i, c := range d.blocks[2:] {
			if r.HasBlock(c) {
				t.Fatalf("%s: new block %d visible", when, i+2)
			}
			_, err := r.GetBlock(c)
			mustNotFound(t, err, when+": GetBlock(new)")
		}
		for i, c := range old.blocks {
			if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, old.data[i]) {
				t.Fatalf("%s: old block %d: %v", when, i, err)
			}
			bc, proof, err := r.GetProof(old.tree, i)
			if err != nil || !bc.Equals(c) || !bytes.Equal(proof, proofFor(old, i)) {
				t.Fatalf("%s: old leaf %d = %v %x %v", when, i, bc, proof, err)
			}
		}
		if got, err := r.Leaves(old.tree); err != nil || !slices.Equal(got, old.blocks) {
			t.Fatalf("%s: Leaves(old) = %v, %v", when, got, err)
		}
		_, _, err := r.GetProof(d.tree, 0)
		mustNotFound(t, err, when+": GetProof(new)")
		_, err = r.Leaves(d.tree)
		mustNotFound(t, err, when+": Leaves(new)")
		if got := r.Space(); got != before {
			t.Fatalf("%s: space %+v, want %+v", when, got, before)
		}
		if got := manifestList(t, r); len(got) != 1 || !got[0].Equals(old.manifest) {
			t.Fatalf("%s: manifests %v", when, got)
		}
	}

	// Readers racing the commit, for the race detector and for the order
	// in which things appear: once a new block is visible, so is the rest.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if r.HasBlock(d.blocks[len(d.blocks)-1]) {
					if _, err := r.Leaves(d.tree); err != nil {
						t.Errorf("block visible before its leaves: %v", err)
					}
					if len(manifestList(t, r)) != 2 {
						t.Error("block visible before the manifest")
					}
					return
				}
			}
		})
	}

	steps := 0
	r.afterStage = func(step int) error {
		steps++
		check(fmt.Sprintf("after step %d", step))
		return nil
	}
	b := r.NewBatch()
	putDataset(t, b, d, func(i int) []byte { return proofFor(d, i) })
	// New proofs for old's leaves: changes to present leaves are hidden too.
	for i, c := range old.blocks {
		if err := b.PutProof(old.tree, i, c, otherProof(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if steps < 5 {
		t.Fatalf("%d staged transactions; the test does not stage", steps)
	}
	for i, c := range d.blocks {
		if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, d.data[i]) {
			t.Fatalf("block %d after commit: %v", i, err)
		}
	}
	if got, err := r.Leaves(d.tree); err != nil || !slices.Equal(got, d.blocks) {
		t.Fatalf("Leaves(new) = %v, %v", got, err)
	}
	for i := range old.blocks {
		if _, proof, err := r.GetProof(old.tree, i); err != nil || !bytes.Equal(proof, otherProof(i)) {
			t.Fatalf("old leaf %d after commit: proof %x, %v", i, proof, err)
		}
	}
	wantSpace(t, r, 4+5+1, old.bytes()+d.bytes()-2*testBlockSize)
	if got := manifestList(t, r); len(got) != 2 {
		t.Fatalf("manifests after commit = %v", got)
	}
	fsck(t, r)
}

// A staged commit that fails at any step leaves the repo exactly as it was.
func TestStagedCommitFailureRollsBack(t *testing.T) {
	for step := 0; ; step++ {
		clk := newClock()
		r := openTest(t, t.TempDir(), Options{TTL: time.Hour, Now: clk.Now})
		a := newDataset("a", 1, 2, 3, 4)
		store(t, r, a)
		clk.Add(time.Minute)
		wantDump, wantFiles, wantSpace := dump(t, r), files(t, r), r.Space()

		r.stageChunk = 3
		boom := errors.New("boom")
		failed := false
		r.afterStage = func(s int) error {
			if s == step {
				failed = true
				if step%2 == 1 {
					// Undo with less room than a transaction's block list.
					r.stageChunk = 1
				}
				return boom
			}
			return nil
		}
		b := r.NewBatch()
		d := newDataset("d", 3, 4, 5, 6, 7, 7, 7, 7, 8)
		putDataset(t, b, d, func(i int) []byte { return proofFor(d, i) })
		for i, c := range a.blocks {
			if err := b.PutProof(a.tree, i, c, otherProof(i)); err != nil {
				t.Fatal(err)
			}
		}
		err := b.Commit()
		if !failed {
			if err != nil {
				t.Fatal(err)
			}
			if step < 5 {
				t.Fatalf("only %d steps", step)
			}
			return
		}
		if !errors.Is(err, boom) {
			t.Fatalf("step %d: Commit = %v, want boom", step, err)
		}
		wantSameDump(t, dump(t, r), wantDump)
		if got := files(t, r); !slices.Equal(got, wantFiles) {
			t.Fatalf("step %d: files %v, want %v", step, got, wantFiles)
		}
		if got := r.Space(); got != wantSpace {
			t.Fatalf("step %d: space %+v, want %+v", step, got, wantSpace)
		}
		if r.pendingBytes != 0 || len(r.batches) != 0 {
			t.Fatalf("step %d: left pending=%d open batches=%d", step, r.pendingBytes, len(r.batches))
		}
		// And the repo works on.
		r.afterStage = nil
		store(t, r, d)
		fsck(t, r)
		r.Close()
	}
}

// A process killed during a staged commit: Open undoes the staged part.
func TestStagedCommitCrashUndoneByOpen(t *testing.T) {
	for step := 0; ; step++ {
		dir := t.TempDir()
		r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
		if err != nil {
			t.Fatal(err)
		}
		a := newDataset("a", 1, 2, 3, 4)
		store(t, r, a)
		wantDump, wantFiles, wantSpace := dump(t, r), files(t, r), r.Space()

		r.stageChunk = 3
		crashed := false
		r.afterStage = func(s int) error {
			if s == step {
				crashed = true
				return errSimulatedCrash
			}
			return nil
		}
		b := r.NewBatch()
		d := newDataset("d", 3, 4, 5, 6, 7, 7, 7, 7, 8)
		putDataset(t, b, d, nil)
		for i, c := range a.blocks {
			if err := b.PutProof(a.tree, i, c, otherProof(i)); err != nil {
				t.Fatal(err)
			}
		}
		err = b.Commit()
		if !crashed {
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			if step < 5 {
				t.Fatalf("only %d steps", step)
			}
			return
		}
		if !errors.Is(err, errSimulatedCrash) {
			t.Fatalf("step %d: Commit = %v", step, err)
		}
		// What a reader sees before the restart is already the old state.
		if got := r.Space(); got != wantSpace {
			t.Fatalf("step %d: space before restart %+v, want %+v", step, got, wantSpace)
		}
		r.Close()

		r = openTest(t, dir, Options{TTL: DefaultTTL})
		wantSameDump(t, dump(t, r), wantDump)
		if got := files(t, r); !slices.Equal(got, wantFiles) {
			t.Fatalf("step %d: files after restart %v, want %v", step, got, wantFiles)
		}
		store(t, r, d)
		fsck(t, r)
		r.Close()
	}
}

// Proofs are optional; a leaf without one keeps a proof stored earlier.
func TestPutProofWithoutProof(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	d := newDataset("a", 1, 2, 3)
	storeWith(t, r, d, nil)
	for i, c := range d.blocks {
		bc, proof, err := r.GetProof(d.tree, i)
		if err != nil || !bc.Equals(c) || proof != nil {
			t.Fatalf("GetProof(%d) = %s %x %v, want the block and a nil proof", i, bc, proof, err)
		}
	}
	storeWith(t, r, d, otherProof)
	storeWith(t, r, d, nil)
	for i := range d.blocks {
		if _, proof, err := r.GetProof(d.tree, i); err != nil || !bytes.Equal(proof, otherProof(i)) {
			t.Fatalf("GetProof(%d) = %x, %v; want the stored proof kept", i, proof, err)
		}
	}
	// Mixed in one batch: proofs given for some leaves only.
	e := newDataset("e", 4, 5, 6, 7)
	storeWith(t, r, e, func(i int) []byte {
		if i%2 == 1 {
			return nil
		}
		return proofFor(e, i)
	})
	for i := range e.blocks {
		_, proof, err := r.GetProof(e.tree, i)
		if want := proofFor(e, i); err != nil || (i%2 == 0) != (proof != nil) || (proof != nil && !bytes.Equal(proof, want)) {
			t.Fatalf("GetProof(e, %d) = %x, %v", i, proof, err)
		}
	}
	fsck(t, r)
}

func TestLeaves(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: time.Hour, Now: clk.Now})
	_, err := r.Leaves(cidOf(treeCodec, []byte("nothing")))
	mustNotFound(t, err, "Leaves(unknown)")

	d := newDataset("a", 1, 2, 3, 2, 4)
	store(t, r, d)
	// A tree whose CID is a prefix-free neighbour must not leak in.
	store(t, r, newDataset("b", 9))
	got, err := r.Leaves(d.tree)
	if err != nil || !slices.Equal(got, d.blocks) {
		t.Fatalf("Leaves = %v, %v; want %v", got, err, d.blocks)
	}

	// Block 3 (leaf 2) expires and goes, taking its leaf: a gap.
	clk.Add(2 * time.Hour)
	if err := r.DeleteBlock(d.blocks[2]); err != nil {
		t.Fatal(err)
	}
	got, err = r.Leaves(d.tree)
	want := slices.Clone(d.blocks)
	want[2] = cid.Undef
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Leaves with a gap = %v, %v; want %v", got, err, want)
	}
}

// A batch can be reused for nothing after Commit: its records are dropped
// and later puts fail.
func TestCommittedBatchForgetsRecords(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	d := newDataset("a", 1, 2)
	b := r.NewBatch()
	putDataset(t, b, d, nil)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if b.blocks.len() != 0 || b.leaves.n != 0 || b.leaves.buf.len() != 0 || b.spill.f != nil {
		t.Fatal("committed batch keeps its records")
	}
	if err := b.PutProof(d.tree, 0, d.blocks[0], nil); !errors.Is(err, ErrBatchDone) {
		t.Fatalf("PutProof after Commit = %v", err)
	}
}

func TestBlockSet(t *testing.T) {
	var s blockSet
	keys := map[string]int{}
	for i := range 5000 {
		c := benchCID(7, i)
		if s.find(c.KeyString()) >= 0 {
			t.Fatalf("%d found before add", i)
		}
		if err := s.add(c.KeyString(), int64(i), packLoc{}, i%2 == 0); err != nil {
			t.Fatal(err)
		}
		keys[c.KeyString()] = i
	}
	for k, i := range keys {
		if got := s.find(k); got != i || string(s.key(got)) != k || s.recs[got].size != int64(i) {
			t.Fatalf("find = %d, want %d", got, i)
		}
	}
	if s.find(benchCID(8, 0).KeyString()) >= 0 {
		t.Fatal("found an absent key")
	}
	if len(s.slots) > 4*len(keys) {
		t.Fatalf("%d slots for %d keys", len(s.slots), len(keys))
	}
}

func TestUndoList(t *testing.T) {
	var u undoList
	var keys [][]byte
	for i := range 300 {
		keys = append(keys, benchCID(9, i).Bytes())
	}
	slices.SortFunc(keys, bytes.Compare)
	for i, k := range keys {
		if i%3 == 0 {
			continue // left out, to be looked up
		}
		var old []byte
		if i%2 == 0 {
			old = []byte{byte(i), 1, 2}
		}
		u.add(k, old)
	}
	v := undoEntries(u.encode())
	n, err := v.count()
	if err != nil || n != u.len() {
		t.Fatalf("count = %d, %v; want %d", n, err, u.len())
	}
	for i, k := range keys {
		old, ok := v.find(k)
		switch {
		case i%3 == 0:
			if ok {
				t.Fatalf("key %d found, but was not added", i)
			}
		case i%2 == 0:
			if !ok || !bytes.Equal(old, []byte{byte(i), 1, 2}) {
				t.Fatalf("key %d: %x %v", i, old, ok)
			}
		default:
			if !ok || old != nil {
				t.Fatalf("key %d: %x %v, want absent-before", i, old, ok)
			}
		}
	}
	if _, ok := undoEntries(nil).find(keys[0]); ok {
		t.Fatal("found in an empty list")
	}
}
