package dag

import (
	"encoding/binary"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The reference reads protobuf with nim-libp2p's minprotobuf, which differs
// from the standard library in ways that decide whether a message is accepted:
// varints follow its PB rules (a 32-bit field takes at most 5 bytes and drops
// bits above 32, a 64-bit one at most 10 bytes), field number 0 is skipped
// like any unknown field, and group wire types are errors rather than skipped.
// pbWalk reproduces that; the encoders use protowire, whose output is what
// minprotobuf writes (minimal varints, fields in the order appended).

var (
	errPBTruncated = errors.New("truncated protobuf")
	errPBOverflow  = errors.New("protobuf varint overflows")
)

// pbField is one field of a message. Bytes aliases the input.
type pbField struct {
	Num   uint64
	Type  protowire.Type
	Value uint64 // varint, fixed32 or fixed64 value
	vlen  int    // encoded length of a varint value
	Bytes []byte // length-delimited payload
}

// Uint32 reads a varint field as minprotobuf reads a uint32.
func (f pbField) Uint32() (uint32, error) {
	if f.vlen > 5 {
		return 0, fmt.Errorf("field %d: %w uint32", f.Num, errPBOverflow)
	}
	return uint32(f.Value), nil
}

// pbWalk calls fn for each field of msg in order, and fails on the first
// malformed one: a message is either entirely well-formed or rejected.
func pbWalk(msg []byte, fn func(pbField) error) error {
	for len(msg) > 0 {
		tag, n, err := pbVarint(msg)
		if err != nil {
			return fmt.Errorf("field header: %w", err)
		}
		msg = msg[n:]
		f := pbField{Num: tag >> 3, Type: protowire.Type(tag & 7)}
		switch f.Type {
		case protowire.VarintType:
			f.Value, f.vlen, err = pbVarint(msg)
			if err != nil {
				return fmt.Errorf("field %d: %w", f.Num, err)
			}
			msg = msg[f.vlen:]
		case protowire.Fixed32Type:
			if len(msg) < 4 {
				return fmt.Errorf("field %d: %w", f.Num, errPBTruncated)
			}
			f.Value, msg = uint64(binary.LittleEndian.Uint32(msg)), msg[4:]
		case protowire.Fixed64Type:
			if len(msg) < 8 {
				return fmt.Errorf("field %d: %w", f.Num, errPBTruncated)
			}
			f.Value, msg = binary.LittleEndian.Uint64(msg), msg[8:]
		case protowire.BytesType:
			size, n, err := pbVarint(msg)
			if err != nil {
				return fmt.Errorf("field %d length: %w", f.Num, err)
			}
			msg = msg[n:]
			if size > uint64(len(msg)) {
				return fmt.Errorf("field %d: %w", f.Num, errPBTruncated)
			}
			f.Bytes, msg = msg[:size:size], msg[size:]
		default:
			return fmt.Errorf("field %d: unsupported wire type %d", f.Num, f.Type)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// pbVarint decodes a 64-bit varint with minprotobuf's PB rules: non-minimal
// encodings are fine, bits shifted past 64 on the tenth byte are dropped.
func pbVarint(b []byte) (v uint64, n int, err error) {
	for i, c := range b {
		if i == 10 {
			return 0, 0, errPBOverflow
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errPBTruncated
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
