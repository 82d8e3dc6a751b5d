package repo

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Small commits from many goroutines at once all land, whole, and the repo
// is consistent afterwards; with the race detector this is also the test
// of the lead passing between them.
func TestConcurrentSmallCommits(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	var sets [workers][]dataset
	for w := range workers {
		for i := range each {
			// Neighbours share a block, so commits of one group meet.
			seed := uint64(w*1000 + i)
			sets[w] = append(sets[w], newDataset(fmt.Sprintf("w%d-%d", w, i), seed, seed+1, 999_999))
		}
		wg.Go(func() {
			for _, d := range sets[w] {
				b := r.NewBatch()
				putDataset(t, b, d, nil)
				if err := b.Commit(); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, set := range sets {
		for _, d := range set {
			for i, c := range d.blocks {
				if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, d.data[i]) {
					t.Fatalf("%s block %d: %v", cidString(d.manifest), i, err)
				}
			}
		}
	}
	if got := len(manifestList(t, r)); got != workers*each {
		t.Fatalf("%d manifests, want %d", got, workers*each)
	}
	fsck(t, r)
}

// In a group, a batch that cannot commit fails alone: the others commit
// as if each had been alone.
func TestGroupFailsTheBadBatchAlone(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	good1, bad, good2 := newDataset("good1", 1, 2), newDataset("bad", 3, 4), newDataset("good2", 2, 5)
	var group []*commitRequest
	for _, d := range []dataset{good1, bad, good2} {
		b := r.NewBatch()
		n := len(d.blocks)
		if d.tree == bad.tree {
			n-- // the last leaf names a block that is neither put nor stored
		}
		for i, c := range d.blocks[:n] {
			if err := b.PutBlock(c, d.data[i]); err != nil {
				t.Fatal(err)
			}
		}
		for i, c := range d.blocks {
			if err := b.PutProof(d.tree, i, c, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.PutManifest(d.manifest, d.mdata); err != nil {
			t.Fatal(err)
		}
		b.done = true // as Commit marks it before it queues
		group = append(group, &commitRequest{b: b})
	}
	errs := r.commitGroup(group)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], ErrNotFound) {
		t.Fatalf("results %v; want nil, ErrNotFound, nil", errs)
	}
	group[1].b.release()
	for _, d := range []dataset{good1, good2} {
		if got, err := r.Leaves(d.tree); err != nil || len(got) != 2 {
			t.Fatalf("%s: %v", cidString(d.tree), err)
		}
	}
	if _, err := r.Leaves(bad.tree); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the bad batch's leaves: %v", err)
	}
	// Block 2 is shared by the good ones: stored once, referenced twice.
	wantSpace(t, r, 3+2, 3*testBlockSize+int64(len(good1.mdata)+len(good2.mdata)))
	fsck(t, r)
}
