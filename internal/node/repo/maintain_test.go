package repo

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestMaintainDeletesExpiredInPages(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: time.Hour, Now: clk.Now})
	a := newDataset("a", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) // 10 blocks + manifest
	store(t, r, a)

	clk.Add(30 * time.Minute)
	// Fresh dataset b, stored later, so it outlives a.
	b := newDataset("b", 20, 21)
	store(t, r, b)
	// Re-storing a's first block raises its expiry to b's.
	bt := r.NewBatch()
	if err := bt.PutBlock(a.blocks[0], a.data[0]); err != nil {
		t.Fatal(err)
	}
	if err := bt.Commit(); err != nil {
		t.Fatal(err)
	}

	if n, err := r.Maintain(clk.Now(), 100); err != nil || n != 0 {
		t.Fatalf("Maintain before expiry = %d, %v", n, err)
	}

	clk.Add(45 * time.Minute) // a expired, b not
	var runs []int
	for {
		n, err := r.Maintain(clk.Now(), 4)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, n)
		if n == 0 {
			break
		}
	}
	// 9 data blocks + a's manifest expire; block 0 was extended.
	if want := []int{4, 4, 2, 0}; !slices.Equal(runs, want) {
		t.Fatalf("maintenance runs deleted %v, want %v", runs, want)
	}
	if !r.HasBlock(a.blocks[0]) {
		t.Fatal("block with raised expiry was deleted")
	}
	for i := 1; i < len(a.blocks); i++ {
		if r.HasBlock(a.blocks[i]) {
			t.Fatalf("expired block %d survived", i)
		}
		_, _, err := r.GetProof(a.tree, i)
		mustNotFound(t, err, "leaf of an expired block")
	}
	if got := manifestList(t, r); len(got) != 1 || !got[0].Equals(b.manifest) {
		t.Fatalf("manifests = %v, want only b (a expired)", got)
	}
	wantSpace(t, r, 4, b.bytes()+testBlockSize)
	wantFileCount(t, r, 4)
	fsck(t, r)

	clk.Add(time.Hour)
	if n, err := r.Maintain(clk.Now(), 100); err != nil || n != 4 {
		t.Fatalf("final Maintain = %d, %v", n, err)
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
	fsck(t, r)
}

// As in the reference, --block-ttl 0 makes blocks expire at once.
func TestZeroTTLExpiresAtOnce(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: 0, Now: clk.Now})
	a := newDataset("a", 1)
	store(t, r, a)
	clk.Add(time.Second)
	if n, err := r.Maintain(clk.Now(), 10); err != nil || n != 2 {
		t.Fatalf("Maintain = %d, %v; want both blocks gone", n, err)
	}
	wantSpace(t, r, 0, 0)
}

func TestRunMaintenance(t *testing.T) {
	clk := newClock()
	r := openTest(t, t.TempDir(), Options{TTL: time.Minute, Now: clk.Now})
	a := newDataset("a", 1, 2, 3)
	store(t, r, a)
	clk.Add(time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.RunMaintenance(ctx, time.Millisecond, 1) }()
	deadline := time.Now().Add(10 * time.Second)
	for r.Space().TotalBlocks > 0 {
		if time.Now().After(deadline) {
			t.Fatal("RunMaintenance did not delete the expired blocks")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunMaintenance returned %v", err)
	}
	wantFileCount(t, r, 0)
}
