package repo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// A long random run of what the node does to its repo — uploads that
// commit or abort, several open at once and sharing blocks, deletes,
// expiry, compaction, a "crash" (Close with uploads open) and reopen —
// checked after every step against a model of what must be stored: every
// committed dataset that was not deleted or expired reads back whole, no
// other dataset is listed, and fsck finds every invariant between the
// database and the packs intact. Packs are small so that uploads span and
// share many of them. REPO_MODEL_SEEDS runs more seeds than the 4 of
// make test.
func TestRandomOperationsAgainstModel(t *testing.T) {
	seeds := uint64(4)
	if n, err := strconv.ParseUint(os.Getenv("REPO_MODEL_SEEDS"), 10, 32); err == nil && n > 0 {
		seeds = n
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { runModel(t, seed, 250) })
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	dir := t.TempDir()
	clk := newClock()
	opts := Options{Quota: DefaultQuota, TTL: time.Hour, Now: clk.Now}
	// Odd seeds keep batches in memory; even ones spill them after a few
	// blocks and leaves and stage their commits in small transactions.
	tune := func(r *Repo) {
		r.packTarget = 6 * testBlockSize
		if seed%2 == 0 {
			r.blockWindow, r.spillBytes, r.stageChunk = 3, 200, 7
		}
	}
	r := openTest(t, dir, opts)
	tune(r)

	live := map[string]dataset{} // committed and not deleted, by manifest
	deleted := map[string]bool{} // deleted by DeleteDataset, by manifest
	expiresAt := map[string]time.Time{}
	type open struct {
		b *Batch
		d dataset
	}
	var pending []open
	n := 0
	newData := func() dataset {
		n++
		seeds := make([]uint64, 1+rng.IntN(8))
		for i := range seeds {
			seeds[i] = uint64(rng.IntN(60)) // a small pool: blocks are shared
		}
		return newDataset(fmt.Sprintf("d%d", n), seeds...)
	}
	begin := func(d dataset) *Batch {
		b := r.NewBatch()
		for i, c := range d.blocks {
			if err := b.PutBlock(c, d.data[i]); err != nil {
				t.Fatal(err)
			}
			if err := b.PutProof(d.tree, i, c, proofFor(d, i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.PutManifest(d.manifest, d.mdata); err != nil {
			t.Fatal(err)
		}
		return b
	}

	for step := range steps {
		var what string
		switch op := rng.IntN(100); {
		case op < 30:
			d := newData()
			what = "store " + fmt.Sprint(d.blocks)
			store(t, r, d)
			live[string(d.manifest.Bytes())] = d
			expiresAt[string(d.manifest.Bytes())] = clk.Now().Add(time.Hour)
		case op < 45:
			d := newData()
			what = "open an upload"
			pending = append(pending, open{begin(d), d})
		case op < 60 && len(pending) > 0:
			i := rng.IntN(len(pending))
			p := pending[i]
			pending = append(pending[:i], pending[i+1:]...)
			if rng.IntN(3) == 0 {
				what = "abort an upload"
				p.b.Abort()
			} else {
				what = "commit an upload"
				if err := p.b.Commit(); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				live[string(p.d.manifest.Bytes())] = p.d
				expiresAt[string(p.d.manifest.Bytes())] = clk.Now().Add(time.Hour)
			}
		case op < 75 && len(live) > 0:
			what = "delete a dataset"
			for k, d := range live {
				if err := r.DeleteDataset(d.manifest, d.tree); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				delete(live, k)
				deleted[k] = true
				break
			}
		case op < 82:
			what = "time passes, maintenance"
			clk.Add(time.Duration(rng.IntN(40)) * time.Minute)
			if _, err := r.Maintain(clk.Now(), 1<<20); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			// Expiry takes a dataset's blocks whatever their references,
			// and a block shared with a newer dataset expires with the
			// newest commit that stored it: drop from the model every
			// dataset that may have lost a block, and check below only
			// those that surely kept all.
			for k, when := range expiresAt {
				if !clk.Now().Before(when.Add(-time.Hour / 2)) {
					delete(live, k)
					delete(expiresAt, k)
				}
			}
		case op < 90:
			what = "compact"
			compact(t, r)
		case op < 95:
			what = "crash and reopen"
			r.Close()
			pending = nil
			r = openTest(t, dir, opts)
			tune(r)
		default:
			continue
		}

		for _, d := range live {
			for i, c := range d.blocks {
				got, err := r.GetBlock(c)
				if err != nil || !bytes.Equal(got, d.data[i]) {
					t.Fatalf("step %d (%s): block %d of %s: %v", step, what, i, cidString(d.manifest), err)
				}
				if bc, proof, err := r.GetProof(d.tree, i); err != nil || !bc.Equals(c) || !bytes.Equal(proof, proofFor(d, i)) {
					t.Fatalf("step %d (%s): leaf %d of %s: %v", step, what, i, cidString(d.manifest), err)
				}
			}
		}
		listed := map[string]bool{}
		for _, c := range manifestList(t, r) {
			listed[string(c.Bytes())] = true
		}
		for k, d := range live {
			if !listed[k] {
				t.Fatalf("step %d (%s): %s not listed", step, what, cidString(d.manifest))
			}
		}
		for k := range deleted {
			if listed[k] {
				t.Fatalf("step %d (%s): a deleted dataset is listed", step, what)
			}
		}
		if len(pending) == 0 {
			fsck(t, r)
			if left, _ := os.ReadDir(r.spillDir); len(left) > 0 {
				t.Fatalf("step %d (%s): no batch is open, but %d spill files are left", step, what, len(left))
			}
		}
	}
	for _, p := range pending {
		p.b.Abort()
	}
	fsck(t, r)
}
