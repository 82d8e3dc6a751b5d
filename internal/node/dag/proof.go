package dag

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrProofMismatch means a proof is well-formed but does not lead from the
// leaf to the root.
var ErrProofMismatch = errors.New("dag: proof does not match root")

// Proof shows that a leaf sits at Index in a tree of Leaves leaves. Path holds
// one sibling per layer below the root, bottom first; a missing sibling is 32
// zero bytes.
type Proof struct {
	Index  int
	Leaves int
	Path   [][32]byte
}

// Verify checks that leaf, the SHA-256 of a block, is at p.Index under root,
// recomputing the root as the reference's reconstructRoot does. It first
// checks the proof's shape (index in range, one node per layer), which the
// reference does not, so that a malformed proof is reported as malformed
// rather than as a mismatch; the set of accepted proofs is the same.
func (p Proof) Verify(leaf, root [32]byte) error {
	if p.Leaves < 1 || p.Index < 0 || p.Index >= p.Leaves {
		return fmt.Errorf("dag: proof index %d out of range for %d leaves", p.Index, p.Leaves)
	}
	if want := treeDepth(p.Leaves); len(p.Path) != want {
		return fmt.Errorf("dag: proof has %d nodes, a tree of %d leaves needs %d", len(p.Path), p.Leaves, want)
	}
	h, j, m := leaf, uint(p.Index), uint(p.Leaves)
	key := byte(keyBottom)
	for _, sib := range p.Path {
		switch {
		case j&1 == 1:
			h = Compress(sib, h, key)
		case j == m-1:
			h = Compress(h, sib, key+keyOdd)
		default:
			h = Compress(h, sib, key)
		}
		key = keyInner
		j >>= 1
		m = (m + 1) >> 1
	}
	if h != root {
		return ErrProofMismatch
	}
	return nil
}

// Encode writes the ArchivistProof message (merkletree/archivist/coders.nim):
// {1: mcodec, 2: index, 3: nleaves, 4: repeated Node}, where every Node is
// itself a message {1: hash} rather than bare bytes.
func (p Proof) Encode() []byte {
	b := make([]byte, 0, 16+len(p.Path)*36)
	b = appendVarintField(b, 1, Sha256)
	b = appendVarintField(b, 2, uint64(p.Index))
	b = appendVarintField(b, 3, uint64(p.Leaves))
	var node [34]byte
	for _, h := range p.Path {
		b = appendBytesField(b, 4, appendBytesField(node[:0], 1, h[:]))
	}
	return b
}

// DecodeProof parses an ArchivistProof. It checks structure only (sha2-256,
// at least one node, every node 32 bytes); whether the proof holds is Verify's
// job.
func DecodeProof(b []byte) (Proof, error) {
	if len(b) == 0 {
		return Proof{}, errors.New("dag: decode proof: no data")
	}
	var mcodec, index, nleaves uint64
	var nodes [][]byte
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Type == protowire.VarintType && f.Num == 1:
			mcodec = f.Value
		case f.Type == protowire.VarintType && f.Num == 2:
			index = f.Value
		case f.Type == protowire.VarintType && f.Num == 3:
			nleaves = f.Value
		case f.Type == protowire.BytesType && f.Num == 4:
			nodes = append(nodes, f.Bytes)
		}
		return nil
	})
	if err != nil {
		return Proof{}, fmt.Errorf("dag: decode proof: %w", err)
	}
	if mcodec != Sha256 {
		return Proof{}, fmt.Errorf("dag: decode proof: hash codec 0x%x, want sha2-256", mcodec)
	}
	if index > math.MaxInt || nleaves > math.MaxInt {
		return Proof{}, fmt.Errorf("dag: decode proof: index %d or leaf count %d too large", index, nleaves)
	}
	if len(nodes) == 0 {
		return Proof{}, errors.New("dag: decode proof: empty nodes")
	}
	p := Proof{Index: int(index), Leaves: int(nleaves), Path: make([][32]byte, len(nodes))}
	for i, raw := range nodes {
		var hash []byte
		err := pbWalk(raw, func(f pbField) error {
			if f.Type == protowire.BytesType && f.Num == 1 {
				hash = f.Bytes
			}
			return nil
		})
		if err != nil {
			return Proof{}, fmt.Errorf("dag: decode proof node %d: %w", i, err)
		}
		if len(hash) != 32 {
			return Proof{}, fmt.Errorf("dag: decode proof node %d: %d-byte hash, want 32", i, len(hash))
		}
		copy(p.Path[i][:], hash)
	}
	return p, nil
}
