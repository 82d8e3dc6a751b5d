package dag

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// chunkAll drains a Chunker, copying blocks because it reuses its buffer.
func chunkAll(t *testing.T, r io.Reader) ([][]byte, uint64) {
	t.Helper()
	c := NewChunker(r)
	var out [][]byte
	for {
		b, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != BlockSize {
			t.Fatalf("block %d is %d bytes", len(out), len(b))
		}
		out = append(out, bytes.Clone(b))
	}
	if _, err := c.Next(); err != io.EOF {
		t.Fatalf("Next after EOF = %v, want io.EOF", err)
	}
	return out, c.Size()
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1) // never a long run of zeros, so padding is visible
	}
	return b
}

func TestChunkerBoundaries(t *testing.T) {
	for _, tc := range []struct {
		size, blocks int
	}{
		{0, 0}, {1, 1}, {18, 1}, {BlockSize - 1, 1}, {BlockSize, 1},
		{BlockSize + 1, 2}, {2 * BlockSize, 2}, {2*BlockSize + 5, 3},
	} {
		data := pattern(tc.size)
		// OneByteReader proves short reads are stitched into full blocks.
		for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.DataErrReader(bytes.NewReader(data))} {
			blocks, size := chunkAll(t, r)
			if len(blocks) != tc.blocks || size != uint64(tc.size) {
				t.Fatalf("size %d: %d blocks, Size %d; want %d blocks", tc.size, len(blocks), size, tc.blocks)
			}
			padded := make([]byte, tc.blocks*BlockSize)
			copy(padded, data)
			if !bytes.Equal(bytes.Join(blocks, nil), padded) {
				t.Fatalf("size %d: blocks are not the zero-padded input", tc.size)
			}
		}
	}
}

// The buffer is reused, so a short last block must not show the tail of the
// block before it.
func TestChunkerClearsReusedBuffer(t *testing.T) {
	data := append(bytes.Repeat([]byte{0xFF}, BlockSize), 0x01)
	blocks, _ := chunkAll(t, bytes.NewReader(data))
	if len(blocks) != 2 || blocks[1][0] != 0x01 || !bytes.Equal(blocks[1][1:], make([]byte, BlockSize-1)) {
		t.Fatal("second block is not 0x01 followed by zeros")
	}
}

func TestChunkerReadError(t *testing.T) {
	boom := errors.New("boom")
	c := NewChunker(io.MultiReader(bytes.NewReader(pattern(BlockSize+10)), iotest.ErrReader(boom)))
	if _, err := c.Next(); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the error sticks instead of turning into io.EOF
		if _, err := c.Next(); !errors.Is(err, boom) {
			t.Fatalf("Next = %v, want %v", err, boom)
		}
	}
}
