package repo

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

func TestPutGetHas(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	d := newDataset("a", 1, 2, 3)
	store(t, r, d)

	for i, c := range d.blocks {
		if !r.HasBlock(c) {
			t.Fatalf("HasBlock(%d) = false", i)
		}
		got, err := r.GetBlock(c)
		if err != nil {
			t.Fatalf("GetBlock(%d): %v", i, err)
		}
		if !bytes.Equal(got, d.data[i]) {
			t.Fatalf("GetBlock(%d) returned other bytes", i)
		}
		bc, proof, err := r.GetProof(d.tree, i)
		if err != nil {
			t.Fatalf("GetProof(%d): %v", i, err)
		}
		if !bc.Equals(c) || !bytes.Equal(proof, proofFor(d, i)) {
			t.Fatalf("GetProof(%d) = %s %x", i, bc, proof)
		}
	}
	m, err := r.GetBlock(d.manifest)
	if err != nil || !bytes.Equal(m, d.mdata) {
		t.Fatalf("GetBlock(manifest) = %q, %v", m, err)
	}

	absent, _ := block(99)
	if r.HasBlock(absent) {
		t.Fatal("HasBlock(absent) = true")
	}
	_, err = r.GetBlock(absent)
	mustNotFound(t, err, "GetBlock(absent)")
	_, _, err = r.GetProof(d.tree, 3)
	mustNotFound(t, err, "GetProof(past the end)")
	_, _, err = r.GetProof(d.tree, -1)
	mustNotFound(t, err, "GetProof(-1)")
}

func TestUncommittedIsInvisible(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	c, data := block(1)
	b := r.NewBatch()
	if err := b.PutBlock(c, data); err != nil {
		t.Fatal(err)
	}
	if r.HasBlock(c) {
		t.Fatal("uncommitted block visible to HasBlock")
	}
	_, err := r.GetBlock(c)
	mustNotFound(t, err, "GetBlock(uncommitted)")
	wantSpace(t, r, 0, 0)
	b.Abort()
	wantFileCount(t, r, 0)
	if err := b.PutBlock(c, data); !errors.Is(err, ErrBatchDone) {
		t.Fatalf("PutBlock after Abort: %v", err)
	}
	if err := b.Commit(); !errors.Is(err, ErrBatchDone) {
		t.Fatalf("Commit after Abort: %v", err)
	}
}

func TestCorruptBlockIsNotServed(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	d := newDataset("a", 1)
	store(t, r, d)
	loc := blockLoc(t, r, d.blocks[0])
	f, err := os.OpenFile(r.packPath(loc.pack), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{d.data[0][100] ^ 1}, loc.at+100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := r.GetBlock(d.blocks[0]); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("GetBlock(corrupt) err = %v, want ErrCorrupt", err)
	}
}

func TestEmptyBlockIsSkipped(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	b := r.NewBatch()
	if err := b.PutBlock(emptyCID, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
	if !r.HasBlock(emptyCID) {
		t.Fatal("HasBlock(empty) = false; the reference reports it present")
	}
	if data, err := r.GetBlock(emptyCID); err != nil || len(data) != 0 {
		t.Fatalf("GetBlock(empty) = %d bytes, %v", len(data), err)
	}
	if err := r.DeleteBlock(emptyCID); err != nil {
		t.Fatal(err)
	}
}

// The spec's /space example: one 18-byte upload is one padded 64 KiB block
// plus a 56-byte manifest.
func TestSpaceMatchesReferenceExample(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{Quota: 21474836480, TTL: DefaultTTL})
	d := newDataset("x", 1)
	d.mdata = make([]byte, 56)
	d.manifest = cidOf(manifestCodec, d.mdata)
	store(t, r, d)
	want := Space{TotalBlocks: 2, QuotaMaxBytes: 21474836480, QuotaUsedBytes: 65592, QuotaReservedBytes: 0}
	if got := r.Space(); got != want {
		t.Fatalf("Space() = %+v, want %+v", got, want)
	}
}

func TestSpaceAccountingNewAndDuplicate(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	a := newDataset("a", 1, 2, 2, 3) // block 2 twice: stored once
	store(t, r, a)
	wantSpace(t, r, 4, 3*testBlockSize+int64(len(a.mdata)))
	if a.bytes() != 3*testBlockSize+int64(len(a.mdata)) {
		t.Fatal("helper miscounts")
	}

	// Same upload again: nothing new.
	store(t, r, a)
	wantSpace(t, r, 4, a.bytes())

	// Overlapping upload: blocks 3 and 4 new... only 4 is.
	b := newDataset("b", 3, 4)
	store(t, r, b)
	wantSpace(t, r, 6, a.bytes()+testBlockSize+int64(len(b.mdata)))
	wantFileCount(t, r, 6)

	if got := manifestList(t, r); len(got) != 2 {
		t.Fatalf("Manifests listed %d, want 2", len(got))
	}
	fsck(t, r)
}

func TestManifestsIteratorStopsOnError(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	store(t, r, newDataset("a", 1))
	store(t, r, newDataset("b", 2))
	stop := errors.New("stop")
	n := 0
	err := r.Manifests(func(c cid.Cid, data []byte) error {
		n++
		if !strings.HasPrefix(string(data), "manifest of ") {
			t.Fatalf("manifest data = %q", data)
		}
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("Manifests = %v after %d calls", err, n)
	}
}

func TestProofForUnknownBlockFailsCommit(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	c, data := block(1)
	missing, _ := block(2)
	tree := cidOf(treeCodec, []byte("t"))
	b := r.NewBatch()
	if err := b.PutBlock(c, data); err != nil {
		t.Fatal(err)
	}
	if err := b.PutProof(tree, 0, c, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.PutProof(tree, 1, missing, nil); err != nil {
		t.Fatal(err)
	}
	err := b.Commit()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Commit err = %v, want ErrNotFound", err)
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
	_, _, err = r.GetProof(tree, 0)
	mustNotFound(t, err, "GetProof after failed commit")
}

func TestCommittedBatchSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	d := newDataset("a", 1, 2, 3)
	store(t, r, d)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r = openTest(t, dir, Options{TTL: DefaultTTL})
	wantSpace(t, r, 4, d.bytes())
	for i, c := range d.blocks {
		got, err := r.GetBlock(c)
		if err != nil || !bytes.Equal(got, d.data[i]) {
			t.Fatalf("block %d after reopen: %v", i, err)
		}
	}
	if got := manifestList(t, r); len(got) != 1 || !got[0].Equals(d.manifest) {
		t.Fatalf("manifests after reopen = %v", got)
	}
}

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir, Options{})
	if r, err := Open(dir, Options{}); err == nil {
		r.Close()
		t.Fatal("second Open of the same repo succeeded")
	}
}

// A block that cannot be written fails the commit, which then leaves no
// trace.
func TestWriteFailureFailsCommit(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	good, gdata := block(1)
	bad, bdata := block(2)
	b := r.NewBatch()
	if err := b.PutBlock(good, gdata); err != nil {
		t.Fatal(err)
	}
	// The pack's file gone from under the batch makes the next write fail
	// as a dead disk would.
	b.writers.Wait()
	b.wrote[0].p.f.Close()
	if err := b.PutBlock(bad, bdata); err != nil {
		t.Fatal(err) // the write runs in the background
	}
	err := b.Commit()
	if err == nil || !strings.Contains(err.Error(), cidString(bad)) {
		t.Fatalf("Commit = %v, want the failed write naming %s", err, cidString(bad))
	}
	wantSpace(t, r, 0, 0)
	wantFileCount(t, r, 0)
	if r.pendingBytes != 0 || len(r.batches) != 0 {
		t.Fatalf("failed commit left pending=%d open batches=%d", r.pendingBytes, len(r.batches))
	}
}
