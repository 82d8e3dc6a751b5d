package dag

import (
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"
)

// Ingest runs the upload pipeline of spec §3.2 over r: it cuts r into padded
// blocks, names each one, hands it to put in order, and builds the Merkle
// tree over them. It returns the tree and the real number of bytes read,
// which together give the manifest (see NewManifest).
//
// put receives a buffer that is reused for the next block: it must store or
// copy the bytes before returning and must not keep the slice. A nil put only
// computes the tree. An error from put or from r stops the ingest; an empty r
// yields an error that wraps ErrEmptyLeaves, as the reference fails an empty
// upload.
func Ingest(r io.Reader, put func(index int, block []byte, c cid.Cid) error) (*Tree, uint64, error) {
	ch := NewChunker(r)
	var leaves [][32]byte
	for i := 0; ; i++ {
		blk, err := ch.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ch.Size(), err
		}
		digest := sha256.Sum256(blk)
		if put != nil {
			if err := put(i, blk, sha256CID(BlockCodec, digest)); err != nil {
				return nil, ch.Size(), fmt.Errorf("dag: store block %d: %w", i, err)
			}
		}
		leaves = append(leaves, digest)
	}
	tree, err := NewTree(leaves)
	if err != nil {
		return nil, ch.Size(), fmt.Errorf("dag: ingest: %w", err)
	}
	return tree, ch.Size(), nil
}
