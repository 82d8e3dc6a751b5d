package dag

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// ErrEmptyLeaves is returned for a tree without leaves, which is what an empty
// upload produces. Its text is the reference's, which the REST API echoes in
// its 500 response.
var ErrEmptyLeaves = errors.New("Empty leaves")

// Key bytes of the compression (ByteTreeKey in the reference). An odd last
// node uses the pair key plus 2.
const (
	keyInner  = 0x00
	keyBottom = 0x01
	keyOdd    = 0x02
)

// Compress is the tree's node function, SHA-256(x ‖ y ‖ key).
func Compress(x, y [32]byte, key byte) [32]byte {
	var in [65]byte
	copy(in[:32], x[:])
	copy(in[32:64], y[:])
	in[64] = key
	return sha256.Sum256(in[:])
}

// Tree is the Merkle tree over a dataset's block digests. It keeps every
// layer so that it can hand out a proof for any leaf; that costs about 64
// bytes per block, 10 MiB for a 10 GiB file.
type Tree struct {
	layers [][][32]byte // layers[0] are the leaves, the last layer is the root
}

// NewTree builds the tree over leaves, the SHA-256 digests of the blocks in
// order. Unlike a textbook tree the bottom layer is always compressed, so a
// single leaf gets root H(leaf, 0, 0x03) rather than being its own root.
func NewTree(leaves [][32]byte) (*Tree, error) {
	if len(leaves) == 0 {
		return nil, ErrEmptyLeaves
	}
	layer := append([][32]byte(nil), leaves...)
	t := &Tree{layers: [][][32]byte{layer}}
	for bottom := true; bottom || len(layer) > 1; bottom = false {
		pairKey := byte(keyInner)
		if bottom {
			pairKey = keyBottom
		}
		next := make([][32]byte, (len(layer)+1)/2)
		for i := range next {
			if r := 2*i + 1; r < len(layer) {
				next[i] = Compress(layer[2*i], layer[r], pairKey)
			} else {
				next[i] = Compress(layer[2*i], [32]byte{}, pairKey+keyOdd)
			}
		}
		t.layers = append(t.layers, next)
		layer = next
	}
	return t, nil
}

// Root is the root digest.
func (t *Tree) Root() [32]byte { return t.layers[len(t.layers)-1][0] }

// CID is the tree CID (treeCid) that names the dataset in manifests, block
// addresses and the DHT.
func (t *Tree) CID() cid.Cid { return TreeCID(t.Root()) }

// Leaves is the number of leaves, which is the number of blocks.
func (t *Tree) Leaves() int { return len(t.layers[0]) }

// LeafCID is the block CID of leaf i.
func (t *Tree) LeafCID(i int) (cid.Cid, error) {
	if i < 0 || i >= t.Leaves() {
		return cid.Undef, fmt.Errorf("dag: leaf %d out of range [0, %d)", i, t.Leaves())
	}
	return sha256CID(BlockCodec, t.layers[0][i]), nil
}

// Proof returns the inclusion proof of leaf index: one sibling per layer below
// the root, bottom first, with 32 zero bytes where a node has no sibling.
func (t *Tree) Proof(index int) (Proof, error) {
	if index < 0 || index >= t.Leaves() {
		return Proof{}, fmt.Errorf("dag: proof index %d out of range [0, %d)", index, t.Leaves())
	}
	path := make([][32]byte, len(t.layers)-1)
	k := index
	for i := range path {
		if j := k ^ 1; j < len(t.layers[i]) {
			path[i] = t.layers[i][j]
		}
		k >>= 1
	}
	return Proof{Index: index, Leaves: t.Leaves(), Path: path}, nil
}

// treeDepth is the proof length for a tree of n ≥ 1 leaves: the number of
// layers minus one, where the bottom layer always counts.
func treeDepth(n int) int {
	d := 1
	for m := ceilHalf(uint(n)); m > 1; m = ceilHalf(m) {
		d++
	}
	return d
}

func ceilHalf(m uint) uint { return m/2 + m%2 }
