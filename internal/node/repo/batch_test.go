package repo

import (
	"bytes"
	"testing"
)

// Two open uploads of the same block: whichever finishes first, the other's
// abort must not take the committed file, and both commits count it once.
func TestTwoBatchesSameBlock(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	c, data := block(1)
	for _, commitSecond := range []bool{false, true} {
		a, b := r.NewBatch(), r.NewBatch()
		for _, bt := range []*Batch{a, b} {
			if err := bt.PutBlock(c, data); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		if commitSecond {
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			b.Abort()
		}
		got, err := r.GetBlock(c)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("block after second batch (commit=%v): %v", commitSecond, err)
		}
		wantSpace(t, r, 1, testBlockSize)
		fsck(t, r)
		if r.pendingBytes != 0 || len(r.batches) != 0 {
			t.Fatalf("left pending=%d open batches=%d", r.pendingBytes, len(r.batches))
		}
		if err := r.DeleteBlock(c); err != nil {
			t.Fatal(err)
		}
		wantFileCount(t, r, 0)
	}
}
