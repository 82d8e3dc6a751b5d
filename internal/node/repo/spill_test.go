package repo

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/ipfs/go-cid"
)

// A sorter gives back every record in key order, equal keys in the order
// they were added, however many runs it spilled and merged on the way:
// 5,000 records in runs of a few dozen make three levels of merges.
func TestSorterOrderAcrossRunsAndLevels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	file := &spillFile{dir: t.TempDir()}
	defer file.remove()
	s := sorter{file: file, limit: 512}
	type rec struct{ key, val string }
	var want []rec
	for i := range 5000 {
		k := fmt.Sprintf("k%03d", rng.IntN(700)) // many equal keys
		v := fmt.Sprint(i)
		if err := s.add([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
		want = append(want, rec{k, v})
	}
	levels := map[int]int{}
	for _, r := range s.runs {
		levels[r.level]++
	}
	if len(levels) < 2 || len(s.runs) >= 2*fanIn {
		t.Fatalf("runs by level %v: the merges did not happen", levels)
	}
	slices.SortStableFunc(want, func(a, b rec) int { return bytes.Compare([]byte(a.key), []byte(b.key)) })
	src := s.all()
	for i, w := range want {
		k, v, ok, err := src.next()
		if err != nil || !ok {
			t.Fatalf("record %d: ok %v, %v", i, ok, err)
		}
		if string(k) != w.key || string(v) != w.val {
			t.Fatalf("record %d = %s=%s, want %s=%s", i, k, v, w.key, w.val)
		}
	}
	if _, _, ok, err := src.next(); ok || err != nil {
		t.Fatalf("a record too many: %v %v", ok, err)
	}
}

// A damaged spill file fails the read, never yields a wrong record.
func TestSorterCorruptRun(t *testing.T) {
	file := &spillFile{dir: t.TempDir()}
	defer file.remove()
	s := sorter{file: file, limit: 64}
	for i := range 20 {
		if err := s.add([]byte(fmt.Sprint("key", i)), []byte("value")); err != nil {
			t.Fatal(err)
		}
	}
	if err := file.f.Truncate(file.end - 3); err != nil {
		t.Fatal(err)
	}
	src := s.all()
	for {
		_, _, ok, err := src.next()
		if err != nil {
			if !errors.Is(err, errCorruptSpill) {
				t.Fatalf("error %v, want errCorruptSpill", err)
			}
			return
		}
		if !ok {
			t.Fatal("a truncated run read to its end without an error")
		}
	}
}

// spillRepo is a repo whose batches spill after a handful of blocks and
// leaves and whose commits stage in small transactions, so that a
// dataset of a few hundred blocks has dozens of runs of each kind.
func spillRepo(t *testing.T, dir string) *Repo {
	r := openTest(t, dir, Options{TTL: DefaultTTL})
	r.blockWindow, r.spillBytes, r.stageChunk = 5, 300, 40
	return r
}

// uploadDataset stores d as the node does: each block with its leaf, the
// tree named at the end.
func uploadDataset(t *testing.T, b *Batch, d dataset) {
	t.Helper()
	for i, c := range d.blocks {
		if err := b.PutBlock(c, d.data[i]); err != nil {
			t.Fatal(err)
		}
		if err := b.PutLeaf(i, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetTree(d.tree); err != nil {
		t.Fatal(err)
	}
	if err := b.PutManifest(d.manifest, d.mdata); err != nil {
		t.Fatal(err)
	}
}

// A spilled upload commits whole: every block and leaf reads back, a block
// repeated far apart (the zero block of a sparse file) is stored once and
// counted once, and the spill file is gone.
func TestSpilledUploadCommits(t *testing.T) {
	r := spillRepo(t, t.TempDir())
	var seeds []uint64
	for i := range 300 {
		seed := uint64(1000 + i)
		if i%37 == 0 {
			seed = 7 // far apart, after the window forgot it
		}
		seeds = append(seeds, seed)
	}
	d := newDataset("spilled", seeds...)
	b := r.NewBatch()
	uploadDataset(t, b, d)
	if len(b.blockRuns) < 10 || !b.leaves.spilled() {
		t.Fatalf("%d block runs, leaves spilled %v: the batch did not spill", len(b.blockRuns), b.leaves.spilled())
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := r.Leaves(d.tree)
	if err != nil || !slices.Equal(got, d.blocks) {
		t.Fatalf("Leaves: %v", err)
	}
	for i, c := range d.blocks {
		if data, err := r.GetBlock(c); err != nil || !bytes.Equal(data, d.data[i]) {
			t.Fatalf("block %d: %v", i, err)
		}
	}
	unique := int64(300 - 300/37)
	wantSpace(t, r, unique+1, unique*testBlockSize+int64(len(d.mdata)))
	if left, _ := os.ReadDir(r.spillDir); len(left) != 0 {
		t.Fatalf("spill files left: %v", left)
	}
	fsck(t, r)
	// The repeated block's extra copies are dead bytes; compaction gives
	// them back and the dataset still reads.
	compact(t, r)
	fsck(t, r)
	if data, err := r.GetBlock(d.blocks[0]); err != nil || !bytes.Equal(data, d.data[0]) {
		t.Fatalf("repeated block after compaction: %v", err)
	}
}

// A spilled upload that is aborted, or killed in the middle of its staged
// commit, leaves nothing: no block, no leaf, no spill file.
func TestSpilledUploadLeavesNothing(t *testing.T) {
	var seeds []uint64
	for i := range 200 {
		seeds = append(seeds, uint64(5000+i))
	}
	d := newDataset("gone", seeds...)
	check := func(t *testing.T, r *Repo) {
		t.Helper()
		wantSpace(t, r, 0, 0)
		if _, err := r.Leaves(d.tree); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Leaves = %v, want ErrNotFound", err)
		}
		if left, _ := os.ReadDir(r.spillDir); len(left) != 0 {
			t.Fatalf("spill files left: %v", left)
		}
		fsck(t, r)
	}
	t.Run("abort", func(t *testing.T) {
		r := spillRepo(t, t.TempDir())
		b := r.NewBatch()
		uploadDataset(t, b, d)
		b.Abort()
		check(t, r)
	})
	t.Run("kill", func(t *testing.T) {
		dir := t.TempDir()
		r := spillRepo(t, dir)
		r.afterStage = func(step int) error {
			if step == 4 {
				return errSimulatedCrash
			}
			return nil
		}
		b := r.NewBatch()
		uploadDataset(t, b, d)
		if err := b.Commit(); !errors.Is(err, errSimulatedCrash) {
			t.Fatalf("Commit = %v", err)
		}
		r.Close()
		check(t, spillRepo(t, dir))
	})
}

// A leaf naming a block neither put nor stored fails the commit, which
// then changes nothing, in one transaction or staged.
func TestLeafOfMissingBlockFailsCommit(t *testing.T) {
	for _, chunk := range []int{defaultStageChunk, 3} {
		t.Run(fmt.Sprint("stageChunk ", chunk), func(t *testing.T) {
			r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
			r.stageChunk = chunk
			d := newDataset("missing", 1, 2, 3)
			b := r.NewBatch()
			for i, c := range d.blocks[:2] {
				if err := b.PutBlock(c, d.data[i]); err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range d.blocks {
				if err := b.PutProof(d.tree, i, c, nil); err != nil {
					t.Fatal(err)
				}
			}
			err := b.Commit()
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("Commit = %v, want ErrNotFound", err)
			}
			wantSpace(t, r, 0, 0)
			if _, err := r.Leaves(d.tree); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Leaves = %v", err)
			}
			fsck(t, r)
		})
	}
}

// The upload's tree must be named once, with a name no PutProof used, and
// before Commit.
func TestSetTreeRules(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	d := newDataset("named", 1)
	b := r.NewBatch()
	if err := b.PutBlock(d.blocks[0], d.data[0]); err != nil {
		t.Fatal(err)
	}
	if err := b.PutLeaf(0, d.blocks[0]); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err == nil {
		t.Fatal("Commit with an unnamed tree succeeded")
	}
	wantSpace(t, r, 0, 0)

	b = r.NewBatch()
	if err := b.PutProof(d.tree, 0, d.blocks[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := b.SetTree(d.tree); err == nil {
		t.Fatal("SetTree took a name PutProof used")
	}
	if err := b.SetTree(cid.Undef); err == nil {
		t.Fatal("SetTree took an undefined CID")
	}
	other := newDataset("other", 2)
	if err := b.SetTree(other.tree); err != nil {
		t.Fatal(err)
	}
	if err := b.SetTree(newDataset("third", 3).tree); err == nil {
		t.Fatal("SetTree named the tree twice")
	}
	b.Abort()
}

// What an open batch holds in memory is bounded by its windows, not by its
// size: 100,000 blocks and leaves (each block 16 bytes, so that the test is
// quick) leave 0.4 MiB of live heap with windows of a few thousand
// (the bound checked is 3 MiB); kept all in memory they took 14 MiB.
func TestBatchMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 100,000 blocks")
	}
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	r.blockWindow, r.spillBytes = 4096, 256<<10
	tree := cidOf(treeCodec, []byte("bounded"))
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := live()
	b := r.NewBatch()
	data := make([]byte, 16)
	const n = 100_000
	for i := range n {
		data[0], data[1], data[2] = byte(i), byte(i>>8), byte(i>>16)
		c := cidOf(blockCodec, data)
		if err := b.PutBlock(c, data); err != nil {
			t.Fatal(err)
		}
		if err := b.PutLeaf(i, c); err != nil {
			t.Fatal(err)
		}
	}
	grown := int64(live()) - int64(before)
	if err := b.SetTree(tree); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if grown > 3<<20 {
		t.Fatalf("an open batch of %d blocks holds %.1f MiB", n, float64(grown)/(1<<20))
	}
	if got, err := r.Leaves(tree); err != nil || len(got) != n {
		t.Fatalf("Leaves: %d, %v", len(got), err)
	}
	fsck(t, r)
}
