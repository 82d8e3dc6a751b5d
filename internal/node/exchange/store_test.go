package exchange

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// TestRepoStoreConcurrentPuts stores a dataset from many goroutines, which
// group-commits, and checks every block, proof and the accounting.
func TestRepoStoreConcurrentPuts(t *testing.T) {
	r := newRepo(t)
	s := NewRepoStore(r)
	d := makeDataset(t, randomBytes(40*dag.BlockSize, 20))
	var wg sync.WaitGroup
	errs := make(chan error, d.leaves)
	for i := 0; i < d.leaves; i++ {
		wg.Go(func() {
			leaf, _ := d.tree.LeafCID(i)
			proof, _ := d.tree.Proof(i)
			errs <- s.PutVerified(LeafAddress(d.treeCid, i), leaf, d.block(i), proof.Encode())
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkDataset(t, r, d)
	if sp := r.Space(); sp.TotalBlocks != int64(d.leaves) || sp.QuotaUsedBytes != int64(len(d.data)) {
		t.Fatalf("space %+v", sp)
	}
	for i := 0; i < d.leaves; i++ {
		a := LeafAddress(d.treeCid, i)
		c, data, proof, err := s.GetForPeer(a)
		if err != nil || !s.HasBlock(a) || !bytes.Equal(data, d.block(i)) || proof == nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if err := verifyDelivery(&BlockDelivery{BlockCid: c, Data: data, Address: a, Proof: proof}); err != nil {
			t.Fatalf("block %d as served: %v", i, err)
		}
	}
	if s.HasBlock(LeafAddress(d.treeCid, d.leaves)) {
		t.Fatal("HasBlock past the end")
	}
}

func TestRepoStoreManifest(t *testing.T) {
	r := newRepo(t)
	s := NewRepoStore(r)
	d := makeDataset(t, []byte("some file contents"))
	src := newRepo(t)
	storeDataset(t, src, []byte("some file contents"))
	enc, err := src.GetBlock(d.manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutVerified(CidAddress(d.manifest), d.manifest, enc, nil); err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = r.Manifests(func(c cid.Cid, _ []byte) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d manifests listed", n)
	}

	junk := []byte("not a manifest")
	if err := s.PutVerified(CidAddress(dag.ManifestCID(junk)), dag.ManifestCID(junk), junk, nil); err == nil {
		t.Fatal("garbage stored as a manifest")
	}
	if _, _, _, err := s.GetForPeer(CidAddress(dag.ManifestCID(junk))); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("GetForPeer: %v", err)
	}
}

func TestRepoStoreQuota(t *testing.T) {
	r, err := repo.Open(t.TempDir(), repo.Options{Quota: 3 * dag.BlockSize, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := NewRepoStore(r)
	d := makeDataset(t, randomBytes(5*dag.BlockSize, 21))
	var failed int
	for i := 0; i < d.leaves; i++ {
		leaf, _ := d.tree.LeafCID(i)
		proof, _ := d.tree.Proof(i)
		if err := s.PutVerified(LeafAddress(d.treeCid, i), leaf, d.block(i), proof.Encode()); err != nil {
			if !errors.Is(err, repo.ErrQuotaExceeded) {
				t.Fatal(err)
			}
			failed++
		}
	}
	if failed != 2 {
		t.Fatalf("%d puts failed, want 2", failed)
	}
}
