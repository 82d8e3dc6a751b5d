package repo

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRefCountAcrossDatasetsSharingABlock(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	a := newDataset("a", 1, 7, 2)
	b := newDataset("b", 7, 3) // block 7 is shared
	store(t, r, a)
	store(t, r, b)
	shared := a.blocks[1]
	wantSpace(t, r, 6, 4*testBlockSize+int64(len(a.mdata)+len(b.mdata)))

	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	wantSpace(t, r, 3, 2*testBlockSize+int64(len(b.mdata)))
	fsck(t, r)
	wantFileCount(t, r, 3)
	if !r.HasBlock(shared) {
		t.Fatal("shared block deleted with the first dataset")
	}
	if got, err := r.GetBlock(shared); err != nil || !bytes.Equal(got, a.data[1]) {
		t.Fatalf("shared block unreadable: %v", err)
	}
	for _, c := range []int{0, 2} {
		if r.HasBlock(a.blocks[c]) {
			t.Fatalf("block %d of a survived", c)
		}
	}
	if r.HasBlock(a.manifest) {
		t.Fatal("manifest of a survived")
	}
	_, _, err := r.GetProof(a.tree, 1)
	mustNotFound(t, err, "leaf of deleted dataset")
	if _, _, err := r.GetProof(b.tree, 0); err != nil {
		t.Fatalf("leaf of b lost: %v", err)
	}
	if got := manifestList(t, r); len(got) != 1 || !got[0].Equals(b.manifest) {
		t.Fatalf("manifests = %v, want only b", got)
	}
	// The shared block is still protected by b.
	if err := r.DeleteBlock(shared); err != ErrBlockInDataset {
		t.Fatalf("DeleteBlock(shared) = %v", err)
	}

	fsck(t, r)
	if err := r.DeleteDataset(b.manifest, b.tree); err != nil {
		t.Fatal(err)
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
	fsck(t, r)
	if r.HasBlock(shared) {
		t.Fatal("shared block survived both deletes")
	}
	if got := manifestList(t, r); len(got) != 0 {
		t.Fatalf("manifests = %v, want none", got)
	}
	// Deleting again, or something never stored, is fine.
	if err := r.DeleteDataset(b.manifest, b.tree); err != nil {
		t.Fatal(err)
	}
}

// A block used twice in one dataset (two identical 64 KiB chunks) is
// counted once per leaf and goes with the dataset.
func TestDeleteDatasetWithRepeatedBlock(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	a := newDataset("a", 5, 5, 5)
	store(t, r, a)
	wantSpace(t, r, 2, a.bytes())
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
}

func TestDeleteDatasetRemovesExpiredSharedBlock(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: time.Hour, Now: clk.Now})
	a := newDataset("a", 1, 7)
	b := newDataset("b", 7)
	store(t, r, a)
	store(t, r, b)
	clk.Add(2 * time.Hour)
	// Expired blocks go even though b still counts block 7 (spec §1.1).
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	if r.HasBlock(a.blocks[1]) {
		t.Fatal("expired shared block survived")
	}
	_, _, err := r.GetProof(b.tree, 0)
	mustNotFound(t, err, "b's leaf of the deleted block")
	wantSpace(t, r, 1, int64(len(b.mdata)))
	fsck(t, r)
}

func TestDeleteBlock(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: time.Hour, Now: clk.Now})
	a := newDataset("a", 1, 2)
	store(t, r, a)

	err := r.DeleteBlock(a.blocks[0])
	if err == nil || err.Error() != "Directly deleting a block that is part of a dataset is not allowed." {
		t.Fatalf("DeleteBlock(dataset block) = %v", err)
	}
	if !errors.Is(err, ErrBlockInDataset) || !r.HasBlock(a.blocks[0]) {
		t.Fatal("refused delete changed something")
	}

	absent, _ := block(42)
	if err := r.DeleteBlock(absent); err != nil {
		t.Fatalf("DeleteBlock(absent) = %v", err)
	}

	// A plain block (no leaves) may be deleted.
	plain, data := block(50)
	bt := r.NewBatch()
	if err := bt.PutBlock(plain, data); err != nil {
		t.Fatal(err)
	}
	if err := bt.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteBlock(plain); err != nil {
		t.Fatal(err)
	}
	if r.HasBlock(plain) {
		t.Fatal("plain block survived DeleteBlock")
	}

	// Once expired, a dataset block may be deleted directly.
	clk.Add(2 * time.Hour)
	if err := r.DeleteBlock(a.blocks[0]); err != nil {
		t.Fatalf("DeleteBlock(expired dataset block) = %v", err)
	}
	_, _, err = r.GetProof(a.tree, 0)
	mustNotFound(t, err, "leaf of a deleted block")
	wantSpace(t, r, 2, testBlockSize+int64(len(a.mdata)))
	wantFileCount(t, r, 2)
	fsck(t, r)
}

// A delete must not remove the file of a block an open batch has claimed:
// that batch commits the block again and it must be readable.
func TestDeleteDuringOpenBatchKeepsClaimedFile(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	a := newDataset("a", 1, 2)
	store(t, r, a)

	b := r.NewBatch()
	if err := b.PutBlock(a.blocks[0], a.data[0]); err != nil { // already stored: not rewritten
		t.Fatal(err)
	}
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	wantSpace(t, r, 0, 0)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := r.GetBlock(a.blocks[0])
	if err != nil || !bytes.Equal(got, a.data[0]) {
		t.Fatalf("re-committed block unreadable: %v", err)
	}
	wantSpace(t, r, 1, testBlockSize)
	fsck(t, r)
	wantFileCount(t, r, 1)
	fsck(t, r)

	// The same with an abort: the claimed file becomes an orphan and goes.
	b = r.NewBatch()
	if err := b.PutBlock(a.blocks[0], a.data[0]); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteBlock(a.blocks[0]); err != nil {
		t.Fatal(err)
	}
	wantFileCount(t, r, 1)
	b.Abort()
	wantFileCount(t, r, 0)
	wantSpace(t, r, 0, 0)
	fsck(t, r)
}

// Readers racing deletes see either the block or a clean ErrNotFound.
func TestReadsDuringDeletes(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	var ds []dataset
	for i := range 20 {
		d := newDataset(string(rune('a'+i)), uint64(3*i), uint64(3*i+1), uint64(3*i+2))
		store(t, r, d)
		ds = append(ds, d)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, d := range ds {
					for i, c := range d.blocks {
						got, err := r.GetBlock(c)
						if err != nil && !errors.Is(err, ErrNotFound) {
							t.Errorf("GetBlock: %v", err)
							return
						}
						if err == nil && !bytes.Equal(got, d.data[i]) {
							t.Error("GetBlock returned other bytes")
							return
						}
					}
				}
			}
		})
	}
	for _, d := range ds {
		if err := r.DeleteDataset(d.manifest, d.tree); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	wantSpace(t, r, 0, 0)
	fsck(t, r)
}
