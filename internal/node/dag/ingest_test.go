package dag

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/ipfs/go-cid"
)

func TestIngestMatchesParts(t *testing.T) {
	data := pattern(3*BlockSize + 100)
	var got []cid.Cid
	up, err := Ingest(bytes.NewReader(data), func(i int, blk []byte, c cid.Cid) error {
		if !c.Equals(BlockCID(blk)) {
			t.Errorf("block %d: CID %s is not BlockCID of its bytes", i, CIDString(c))
		}
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.Size != uint64(len(data)) || up.Blocks != 4 || len(got) != 4 {
		t.Fatalf("size %d, leaves %d, puts %d", up.Size, up.Blocks, len(got))
	}
	blocks, _ := chunkAll(t, bytes.NewReader(data))
	var leaves [][32]byte
	for i, b := range blocks {
		d, _ := Digest(got[i])
		leaves = append(leaves, d)
		if !got[i].Equals(BlockCID(b)) {
			t.Errorf("block %d: put CID mismatch", i)
		}
	}
	want, _ := NewTree(leaves)
	if want.CID() != up.TreeCid {
		t.Error("Ingest tree CID differs from NewTree over the block digests")
	}
	if _, err := want.LeafCID(4); err == nil {
		t.Error("LeafCID(4) succeeded")
	}
	if m := NewManifest(up.TreeCid, up.Size, "", ""); m.BlocksCount() != 4 {
		t.Errorf("BlocksCount = %d", m.BlocksCount())
	}
}

func TestIngestErrors(t *testing.T) {
	if _, err := Ingest(bytes.NewReader(nil), nil); !errors.Is(err, ErrEmptyLeaves) {
		t.Errorf("empty input: %v", err)
	}
	boom := errors.New("boom")
	if _, err := Ingest(iotest.ErrReader(boom), nil); !errors.Is(err, boom) {
		t.Errorf("read error: %v", err)
	}
	calls := 0
	_, err := Ingest(bytes.NewReader(pattern(3*BlockSize)), func(i int, _ []byte, _ cid.Cid) error {
		calls++
		if i == 1 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls != 2 {
		t.Errorf("put error: %v after %d calls", err, calls)
	}
}

// repeatReader yields an endless repetition of buf, so the benchmark measures
// hashing rather than random number generation.
type repeatReader struct {
	buf []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.buf[r.off:])
		n += c
		r.off = (r.off + c) % len(r.buf)
	}
	return n, nil
}

func BenchmarkIngest(b *testing.B) {
	const size = 64 << 20
	seed := make([]byte, 1<<20+13) // odd length so blocks differ
	rand.NewChaCha8([32]byte{1}).Read(seed)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		src := io.LimitReader(&repeatReader{buf: seed}, size)
		if up, err := Ingest(src, func(int, []byte, cid.Cid) error { return nil }); err != nil || up.Size != size {
			b.Fatal(up.Size, err)
		}
	}
}
