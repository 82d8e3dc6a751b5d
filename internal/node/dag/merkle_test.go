package dag

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
)

func leavesN(n int) [][32]byte {
	ls := make([][32]byte, n)
	for i := range ls {
		ls[i] = sha256.Sum256(fmt.Appendf(nil, "block %d", i))
	}
	return ls
}

func h(parts ...[]byte) [32]byte {
	s := sha256.New()
	for _, p := range parts {
		s.Write(p)
	}
	var out [32]byte
	s.Sum(out[:0])
	return out
}

var zero32 = make([]byte, 32)

func TestCompress(t *testing.T) {
	l := leavesN(2)
	for key := range byte(4) {
		if got, want := Compress(l[0], l[1], key), h(l[0][:], l[1][:], []byte{key}); got != want {
			t.Errorf("key %d: %x, want %x", key, got, want)
		}
	}
}

// Spec §3.2 step 3, written out with plain SHA-256.
func TestTreeSmallByHand(t *testing.T) {
	l := leavesN(3)
	for _, tc := range []struct {
		n    int
		want [32]byte
	}{
		{1, h(l[0][:], zero32, []byte{3})},
		{2, h(l[0][:], l[1][:], []byte{1})},
		{3, func() [32]byte {
			a, b := h(l[0][:], l[1][:], []byte{1}), h(l[2][:], zero32, []byte{3})
			return h(a[:], b[:], []byte{0})
		}()},
	} {
		tree, err := NewTree(l[:tc.n])
		if err != nil {
			t.Fatal(err)
		}
		if tree.Root() != tc.want {
			t.Errorf("%d leaves: root %x, want %x", tc.n, tree.Root(), tc.want)
		}
		if tree.Leaves() != tc.n || tree.CID() != TreeCID(tc.want) {
			t.Errorf("%d leaves: Leaves %d, CID %s", tc.n, tree.Leaves(), CIDString(tree.CID()))
		}
	}
}

// refRoot transcribes the reference's merkleTreeWorker recursively, as an
// independent check of the iterative NewTree.
func refRoot(xs [][32]byte, bottom bool) [32]byte {
	if !bottom && len(xs) == 1 {
		return xs[0]
	}
	var pair, odd byte = 0, 2
	if bottom {
		pair, odd = 1, 3
	}
	var ys [][32]byte
	for i := 0; i+1 < len(xs); i += 2 {
		ys = append(ys, h(xs[i][:], xs[i+1][:], []byte{pair}))
	}
	if len(xs)%2 == 1 {
		ys = append(ys, h(xs[len(xs)-1][:], zero32, []byte{odd}))
	}
	return refRoot(ys, false)
}

func TestTreeMatchesReference(t *testing.T) {
	for n := 1; n <= 130; n++ {
		l := leavesN(n)
		tree, err := NewTree(l)
		if err != nil {
			t.Fatal(err)
		}
		if tree.Root() != refRoot(l, true) {
			t.Fatalf("%d leaves: root differs from the reference definition", n)
		}
		if got := len(tree.layers) - 1; got != treeDepth(n) {
			t.Fatalf("%d leaves: depth %d, treeDepth %d", n, got, treeDepth(n))
		}
	}
}

func TestTreeDoesNotAliasLeaves(t *testing.T) {
	l := leavesN(4)
	tree, _ := NewTree(l)
	root := tree.Root()
	l[0][0] ^= 1
	if p, _ := tree.Proof(1); p.Verify(leavesN(4)[1], root) != nil {
		t.Fatal("modifying the caller's slice changed the tree")
	}
}

func TestTreeEmpty(t *testing.T) {
	if _, err := NewTree(nil); !errors.Is(err, ErrEmptyLeaves) || err.Error() != "Empty leaves" {
		t.Fatalf("NewTree(nil) = %v", err)
	}
}

var proofSizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100}

func TestProofsEveryIndex(t *testing.T) {
	for _, n := range proofSizes {
		l := leavesN(n)
		tree, _ := NewTree(l)
		root := tree.Root()
		for i := range n {
			p, err := tree.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			if p.Index != i || p.Leaves != n || len(p.Path) != treeDepth(n) {
				t.Fatalf("n=%d i=%d: proof shape %d/%d/%d", n, i, p.Index, p.Leaves, len(p.Path))
			}
			if err := p.Verify(l[i], root); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			back, err := DecodeProof(p.Encode())
			if err != nil {
				t.Fatalf("n=%d i=%d: decode: %v", n, i, err)
			}
			if err := back.Verify(l[i], root); err != nil {
				t.Fatalf("n=%d i=%d: decoded proof: %v", n, i, err)
			}
		}
		if _, err := tree.Proof(n); err == nil {
			t.Errorf("n=%d: Proof(%d) succeeded", n, n)
		}
		if _, err := tree.Proof(-1); err == nil {
			t.Errorf("n=%d: Proof(-1) succeeded", n)
		}
	}
}

// With 2 and 3 leaves the path can be checked by eye: siblings bottom first,
// zeros where a node stands alone.
func TestProofPathsByHand(t *testing.T) {
	l := leavesN(3)
	t2, _ := NewTree(l[:2])
	p, _ := t2.Proof(0)
	if len(p.Path) != 1 || p.Path[0] != l[1] {
		t.Errorf("2 leaves, index 0: path %x", p.Path)
	}
	t3, _ := NewTree(l)
	p, _ = t3.Proof(2)
	pair := h(l[0][:], l[1][:], []byte{1})
	if len(p.Path) != 2 || p.Path[0] != [32]byte{} || p.Path[1] != pair {
		t.Errorf("3 leaves, index 2: path %x", p.Path)
	}
	t1, _ := NewTree(l[:1])
	p, _ = t1.Proof(0)
	if len(p.Path) != 1 || p.Path[0] != [32]byte{} {
		t.Errorf("1 leaf: path %x", p.Path)
	}
}

func TestProofVerifyRejects(t *testing.T) {
	for _, n := range proofSizes {
		l := leavesN(n + 1)
		tree, _ := NewTree(l[:n])
		root := tree.Root()
		for i := range n {
			good, _ := tree.Proof(i)
			try := func(what string, p Proof, leaf [32]byte) {
				t.Helper()
				if p.Verify(leaf, root) == nil {
					t.Errorf("n=%d i=%d: %s verified", n, i, what)
				}
			}
			try("wrong leaf", good, l[n])
			for _, idx := range []int{i ^ 1, i + 1, n, n + 1, -1} {
				if idx != i {
					p := good
					p.Index = idx
					try(fmt.Sprintf("index %d", idx), p, l[i])
				}
			}
			p := good
			p.Leaves = 0
			try("zero leaves", p, l[i])
			p = good
			p.Path = append(append([][32]byte(nil), good.Path...), [32]byte{})
			try("extra node", p, l[i])
			p.Path = good.Path[:len(good.Path)-1]
			try("missing node", p, l[i])
			for k := range good.Path {
				p.Path = append([][32]byte(nil), good.Path...)
				p.Path[k][31] ^= 0x80
				try(fmt.Sprintf("tampered node %d", k), p, l[i])
			}
			if err := good.Verify(l[i], l[n]); !errors.Is(err, ErrProofMismatch) {
				t.Errorf("n=%d i=%d: wrong root gave %v", n, i, err)
			}
		}
	}
}
