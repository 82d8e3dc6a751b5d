package dag

import (
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"
)

// Ingested is what an upload's ingest yields: with a file name and type,
// the manifest (see NewManifest).
type Ingested struct {
	TreeCid cid.Cid // the root of the Merkle tree over the blocks
	Blocks  int     // the number of blocks, which is the tree's leaves
	Size    uint64  // the real number of bytes read, padding excluded
}

// Ingest runs the upload pipeline of spec §3.2 over r: it cuts r into padded
// blocks, names each one, hands it to put in order, and computes the root of
// the Merkle tree over them as they go (RootBuilder), so that its memory does
// not grow with the upload.
//
// put receives a buffer that is reused for the next block: it must store or
// copy the bytes before returning and must not keep the slice. A nil put only
// computes the tree CID. An error from put or from r stops the ingest; an
// empty r yields an error that wraps ErrEmptyLeaves, as the reference fails
// an empty upload.
func Ingest(r io.Reader, put func(index int, block []byte, c cid.Cid) error) (Ingested, error) {
	ch := NewChunker(r)
	var root RootBuilder
	for i := 0; ; i++ {
		blk, err := ch.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Ingested{}, err
		}
		digest := sha256.Sum256(blk)
		if put != nil {
			if err := put(i, blk, sha256CID(BlockCodec, digest)); err != nil {
				return Ingested{}, fmt.Errorf("dag: store block %d: %w", i, err)
			}
		}
		root.Add(digest)
	}
	digest, err := root.Root()
	if err != nil {
		return Ingested{}, fmt.Errorf("dag: ingest: %w", err)
	}
	return Ingested{TreeCid: TreeCID(digest), Blocks: root.Leaves(), Size: ch.Size()}, nil
}
