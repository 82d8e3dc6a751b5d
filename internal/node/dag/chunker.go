package dag

import (
	"fmt"
	"io"
)

// Chunker cuts a stream into BlockSize blocks the way the reference chunker
// does with pad = true: the last block is zero-padded, an input whose length
// is a multiple of BlockSize gets no extra block, and an empty input gives no
// blocks at all (the caller decides that this is an error). It holds one
// block of memory no matter how long the input is.
type Chunker struct {
	r    io.Reader
	buf  []byte
	size uint64
	err  error // sticky: io.EOF once the input is used up, or the read error
}

// NewChunker returns a Chunker reading from r.
func NewChunker(r io.Reader) *Chunker {
	return &Chunker{r: r, buf: make([]byte, BlockSize)}
}

// Next returns the next block, always BlockSize bytes long. After the last
// block it returns io.EOF itself, never wrapped. The slice is overwritten by
// the following call, so callers that keep a block must copy it.
func (c *Chunker) Next() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	n, err := io.ReadFull(c.r, c.buf)
	c.size += uint64(n)
	// ReadFull reports the end of input with these exact values; anything
	// else, even an error wrapping io.EOF, is a failed read.
	switch err {
	case nil:
		return c.buf, nil
	case io.EOF:
		c.err = io.EOF
		return nil, io.EOF
	case io.ErrUnexpectedEOF:
		c.err = io.EOF
		clear(c.buf[n:]) // the buffer still holds the previous block
		return c.buf, nil
	default:
		c.err = fmt.Errorf("dag: read block at offset %d: %w", c.size-uint64(n), err)
		return nil, c.err
	}
}

// Size is the number of real (unpadded) bytes read so far; after io.EOF it is
// the dataset size the manifest records.
func (c *Chunker) Size() uint64 { return c.size }
