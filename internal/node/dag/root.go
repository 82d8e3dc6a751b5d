package dag

import "fmt"

// RootBuilder computes the root of the tree NewTree would build over the
// same leaves, taking them one at a time and keeping only one pending node
// per layer: an upload of any size needs a few KiB for its tree CID, where
// NewTree keeps every layer (64 bytes a leaf) to hand out proofs.
//
// A pair is compressed as soon as its right node arrives. What is pending
// when the leaves end is the odd last node of its layer; Root folds those
// up from the bottom, each either pairing with the node carried up from
// below or, alone, compressed with zero under the odd key, exactly as the
// layer-by-layer construction does at the end of each layer.
type RootBuilder struct {
	pending [][32]byte // pending[l] is a left node of layer l waiting for its right one
	full    []bool     // whether pending[l] holds one
	n       int
}

func pairKey(layer int) byte {
	if layer == 0 {
		return keyBottom
	}
	return keyInner
}

// Add appends the next leaf, the SHA-256 digest of the next block.
func (b *RootBuilder) Add(leaf [32]byte) {
	b.n++
	node := leaf
	for l := 0; ; l++ {
		if l == len(b.pending) {
			b.pending = append(b.pending, node)
			b.full = append(b.full, true)
			return
		}
		if !b.full[l] {
			b.pending[l], b.full[l] = node, true
			return
		}
		node = Compress(b.pending[l], node, pairKey(l))
		b.full[l] = false
	}
}

// Leaves is the number of leaves added.
func (b *RootBuilder) Leaves() int { return b.n }

// Root is the root digest of the leaves so far; it fails with
// ErrEmptyLeaves for none. The builder is unchanged and may take more
// leaves.
func (b *RootBuilder) Root() ([32]byte, error) {
	if b.n == 0 {
		return [32]byte{}, ErrEmptyLeaves
	}
	var carry *[32]byte // the last node of the current layer, folded up from below
	width := b.n        // nodes in the current layer
	for l := 0; ; l++ {
		if l > 0 && width == 1 {
			switch {
			case carry != nil:
				return *carry, nil
			case l < len(b.full) && b.full[l]:
				return b.pending[l], nil
			}
			return [32]byte{}, fmt.Errorf("dag: root builder lost its root at layer %d of %d leaves", l, b.n)
		}
		left := l < len(b.full) && b.full[l]
		var next [32]byte
		switch {
		case left && carry != nil:
			next = Compress(b.pending[l], *carry, pairKey(l))
		case left:
			next = Compress(b.pending[l], [32]byte{}, pairKey(l)+keyOdd)
		case carry != nil:
			next = Compress(*carry, [32]byte{}, pairKey(l)+keyOdd)
		default:
			carry = nil
			width = int(ceilHalf(uint(width)))
			continue
		}
		carry = &next
		width = int(ceilHalf(uint(width)))
	}
}
