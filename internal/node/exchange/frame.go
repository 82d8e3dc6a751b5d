package exchange

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Messages travel as an unsigned-varint length followed by the protobuf
// body (libp2p writeLp/readLp). The length is checked against
// MaxMessageSize before anything is allocated, and even an acceptable
// length is not trusted: the body buffer starts at most eagerAlloc bytes
// long and grows only as bytes actually arrive, so a peer that announces
// 100 MiB and sends nothing costs us nothing.

// ErrTooLarge is returned for a length prefix above MaxMessageSize.
var ErrTooLarge = errors.New("exchange: message exceeds MaxMessageSize")

// eagerAlloc covers every message this engine and the reference send in
// practice (payload messages of a few MiB) in one allocation.
const eagerAlloc = 4 << 20

// ReadMessage reads and decodes one length-prefixed message. It returns
// io.EOF if r ends cleanly before a message starts.
func ReadMessage(r *bufio.Reader) (Message, error) {
	n, err := readLength(r)
	if err != nil {
		return Message{}, err
	}
	body, err := readBody(r, n)
	if err != nil {
		return Message{}, err
	}
	return Decode(body)
}

// WriteMessage writes m with its length prefix in a single Write.
func WriteMessage(w io.Writer, m *Message) error {
	buf, err := AppendFrame(nil, m)
	if err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}

// readLength reads a length prefix.
func readLength(r io.ByteReader) (int, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return 0, err
	}
	if n > MaxMessageSize {
		return 0, fmt.Errorf("%w: length prefix %d", ErrTooLarge, n)
	}
	return int(n), nil
}

// readBody reads exactly n bytes, growing its buffer with the data received.
func readBody(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, min(n, eagerAlloc))
	got := 0
	for {
		k, err := io.ReadFull(r, buf[got:])
		got += k
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if got == n {
			return buf, nil
		}
		grown := make([]byte, min(n, 2*len(buf)))
		copy(grown, buf)
		buf = grown
	}
}
