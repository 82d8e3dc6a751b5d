package dag

import (
	"crypto/sha256"
	"errors"
	"testing"
)

// The streaming root must be NewTree's root for every shape of tree: odd
// and even layers at every height, powers of two and one past them.
func TestRootBuilderMatchesNewTree(t *testing.T) {
	var b RootBuilder
	if _, err := b.Root(); !errors.Is(err, ErrEmptyLeaves) {
		t.Fatalf("empty builder: %v", err)
	}
	var leaves [][32]byte
	for n := 1; n <= 1100; n++ {
		leaf := sha256.Sum256([]byte{byte(n), byte(n >> 8)})
		leaves = append(leaves, leaf)
		b.Add(leaf)
		got, err := b.Root()
		if err != nil {
			t.Fatalf("%d leaves: %v", n, err)
		}
		want, err := NewTree(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.Root() {
			t.Fatalf("%d leaves: streaming root %x, NewTree's %x", n, got, want.Root())
		}
	}
	if b.Leaves() != 1100 {
		t.Errorf("Leaves() = %d", b.Leaves())
	}
}
