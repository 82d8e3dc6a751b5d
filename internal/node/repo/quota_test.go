package repo

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestQuotaExceededMidBatch(t *testing.T) {
	quota := int64(3*testBlockSize + 100)
	r := openTest(t, t.TempDir(), Options{Quota: quota, TTL: DefaultTTL})
	first := newDataset("first", 1)
	store(t, r, first) // 64 KiB + manifest
	before := r.Space()
	filesBefore := files(t, r)

	b := r.NewBatch()
	for seed := uint64(10); seed < 11; seed++ {
		c, data := block(seed)
		if err := b.PutBlock(c, data); err != nil {
			t.Fatalf("block %d: %v", seed, err)
		}
	}
	// A block already committed costs nothing and must still pass.
	if err := b.PutBlock(first.blocks[0], first.data[0]); err != nil {
		t.Fatalf("duplicate of a committed block: %v", err)
	}
	c, data := block(11)
	if err := b.PutBlock(c, data); err != nil {
		t.Fatalf("block 11 fits exactly-ish: %v", err)
	}
	c, data = block(12)
	err := b.PutBlock(c, data)
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("PutBlock over quota: err = %v, want ErrQuotaExceeded", err)
	}
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.Quota != quota || qe.Need != testBlockSize || qe.Pending != 2*testBlockSize {
		t.Fatalf("QuotaError = %+v", qe)
	}
	if msg := err.Error(); !strings.Contains(msg, strconv.FormatInt(quota, 10)) || !strings.Contains(msg, "quota") {
		t.Fatalf("message does not name the quota: %q", msg)
	}
	b.Abort()

	if got := r.Space(); got != before {
		t.Fatalf("space after abort = %+v, want %+v", got, before)
	}
	if got := files(t, r); strings.Join(got, ",") != strings.Join(filesBefore, ",") {
		t.Fatalf("files after abort = %v, want %v", got, filesBefore)
	}
	if r.pendingBytes != 0 || len(r.batches) != 0 {
		t.Fatalf("abort left pending=%d open batches=%d", r.pendingBytes, len(r.batches))
	}
	fsck(t, r)
	// The freed pending bytes are usable again.
	b = r.NewBatch()
	if err := b.PutBlock(c, data); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Two uploads race for room for one block: exactly one may win, whatever
// the interleaving.
func TestConcurrentBatchesRaceForLastQuota(t *testing.T) {
	for round := range 20 {
		quota := int64(testBlockSize + testBlockSize/2)
		r := openTest(t, t.TempDir(), Options{Quota: quota, TTL: DefaultTTL})
		base := newDataset("base", 1000)
		base.mdata = nil // keep the arithmetic simple
		b0 := r.NewBatch()
		if err := b0.PutBlock(base.blocks[0], base.data[0]); err != nil {
			t.Fatal(err)
		}
		if err := b0.Commit(); err != nil {
			t.Fatal(err)
		}
		// 32 KiB left and each racer wants 4 KiB and then 20 KiB. Whatever
		// the interleaving, the first to ask for 20 KiB gets it (4+4+20 ≤ 32)
		// and the other cannot (4+4+20+20 > 32).
		var (
			start   = make(chan struct{})
			wg      sync.WaitGroup
			batches [2]*Batch
			errs    [2]error
		)
		for i := range 2 {
			batches[i] = r.NewBatch()
			wg.Go(func() {
				<-start
				for j, size := range []int{4 << 10, 20 << 10} {
					data := make([]byte, size)
					data[0], data[1] = byte(i), byte(j)
					if err := batches[i].PutBlock(cidOf(blockCodec, data), data); err != nil {
						errs[i] = err
						return
					}
				}
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i := range 2 {
			if errs[i] == nil {
				won++
				if err := batches[i].Commit(); err != nil {
					t.Fatal(err)
				}
			} else {
				if !errors.Is(errs[i], ErrQuotaExceeded) {
					t.Fatalf("round %d: loser err = %v", round, errs[i])
				}
				batches[i].Abort()
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d batches won the last quota, want 1", round, won)
		}
		wantSpace(t, r, 3, testBlockSize+24<<10)
		wantFileCount(t, r, 3)
		if s := r.Space(); s.QuotaUsedBytes > s.QuotaMaxBytes {
			t.Fatalf("overbooked: %+v", s)
		}
		fsck(t, r)
		r.Close()
	}
}
