package repo

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// benchBlocks returns n distinct CIDs for the batch of iteration it, and one
// shared 64 KiB payload: hashing real content would measure SHA-256, not the
// repo.
func benchBlocks(it, n int) []cid.Cid {
	out := make([]cid.Cid, n)
	for i := range out {
		var seed [16]byte
		binary.BigEndian.PutUint64(seed[:], uint64(it))
		binary.BigEndian.PutUint64(seed[8:], uint64(i))
		d := sha256.Sum256(seed[:])
		h, _ := mh.Encode(d[:], mh.SHA2_256)
		out[i] = cid.NewCidV1(blockCodec, h)
	}
	return out
}

// BenchmarkCommit64MiB is one 64 MiB upload: 1024 new 64 KiB blocks with
// their leaves and a manifest, written, synced and committed.
func BenchmarkCommit64MiB(b *testing.B) {
	const n = 1024
	r := openTest(b, b.TempDir(), Options{Quota: 1 << 50, TTL: DefaultTTL})
	data := make([]byte, testBlockSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tree := cidOf(treeCodec, []byte("bench"))
	proof := make([]byte, 400)
	b.SetBytes(n * testBlockSize)
	it := 0
	for b.Loop() {
		b.StopTimer()
		cids := benchBlocks(it, n)
		it++
		b.StartTimer()
		bt := r.NewBatch()
		for i, c := range cids {
			if err := bt.PutBlock(c, data); err != nil {
				b.Fatal(err)
			}
			if err := bt.PutProof(tree, it*n+i, c, proof); err != nil {
				b.Fatal(err)
			}
		}
		m := cidOf(manifestCodec, tree.Bytes())
		if err := bt.PutManifest(m, tree.Bytes()); err != nil {
			b.Fatal(err)
		}
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
