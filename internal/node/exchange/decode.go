package exchange

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/ipfs/go-cid"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// The decoder accepts what the reference decoder (protobuf/message.nim over
// nim-libp2p minprotobuf) accepts, and where the reference would hit a Nim
// range defect instead of returning an error (a priority above 2^31−1, an
// enum or bool outside 0/1, an index above the Natural range) it rejects the
// message. minprotobuf rules: a singular field's last occurrence wins, and
// only that occurrence is decoded further; a field with an unexpected wire
// type is skipped; group wire types are errors; every length is checked
// against the bytes actually present before it is used, so hostile input
// cannot make the decoder allocate or panic.

// ErrMalformed wraps every decoding error.
var ErrMalformed = errors.New("exchange: malformed message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Decode parses a message body (without its length prefix). Byte fields of
// the result (block data, proofs, prices) alias b.
func Decode(b []byte) (Message, error) {
	var (
		m                  Message
		wl, acct, pay      []byte
		hasWL, hasA, hasP  bool
		payloads, presence [][]byte
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.BytesType:
			wl, hasWL = f.Bytes, true
		case f.Num == 3 && f.Type == protowire.BytesType:
			payloads = append(payloads, f.Bytes)
		case f.Num == 4 && f.Type == protowire.BytesType:
			presence = append(presence, f.Bytes)
		case f.Num == 5 && f.Type == protowire.VarintType:
			m.PendingBytes = f.Value
		case f.Num == 6 && f.Type == protowire.BytesType:
			acct, hasA = f.Bytes, true
		case f.Num == 7 && f.Type == protowire.BytesType:
			pay, hasP = f.Bytes, true
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	if hasWL {
		if m.WantList, err = decodeWantList(wl); err != nil {
			return Message{}, err
		}
	}
	if len(payloads) > 0 {
		m.Payload = make([]BlockDelivery, len(payloads))
		for i, p := range payloads {
			if m.Payload[i], err = decodeDelivery(p); err != nil {
				return Message{}, fmt.Errorf("delivery %d: %w", i, err)
			}
		}
	}
	if len(presence) > 0 {
		m.BlockPresences = make([]BlockPresence, len(presence))
		for i, p := range presence {
			if m.BlockPresences[i], err = decodePresence(p); err != nil {
				return Message{}, fmt.Errorf("presence %d: %w", i, err)
			}
		}
	}
	if hasA {
		m.Account = &AccountMessage{}
		if m.Account.Address, err = singleBytes(acct, 1); err != nil {
			return Message{}, err
		}
	}
	if hasP {
		m.Payment = &StateChannelUpdate{}
		if m.Payment.Update, err = singleBytes(pay, 1); err != nil {
			return Message{}, err
		}
	}
	return m, nil
}

func decodeWantList(b []byte) (WantList, error) {
	var (
		w       WantList
		entries [][]byte
		full    uint64
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.BytesType:
			entries = append(entries, f.Bytes)
		case f.Num == 2 && f.Type == protowire.VarintType:
			full = f.Value
		}
		return nil
	})
	if err != nil {
		return WantList{}, err
	}
	if w.Full, err = toBool(full, "wantlist full"); err != nil {
		return WantList{}, err
	}
	if len(entries) > 0 {
		w.Entries = make([]WantListEntry, len(entries))
		for i, e := range entries {
			if w.Entries[i], err = decodeEntry(e); err != nil {
				return WantList{}, fmt.Errorf("want entry %d: %w", i, err)
			}
		}
	}
	return w, nil
}

func decodeEntry(b []byte) (WantListEntry, error) {
	var (
		e                                        WantListEntry
		addr                                     []byte
		hasAddr                                  bool
		priority, cancel, wantType, sendDontHave uint64
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.BytesType:
			addr, hasAddr = f.Bytes, true
		case f.Num == 2 && f.Type == protowire.VarintType:
			priority = f.Value
		case f.Num == 3 && f.Type == protowire.VarintType:
			cancel = f.Value
		case f.Num == 4 && f.Type == protowire.VarintType:
			wantType = f.Value
		case f.Num == 5 && f.Type == protowire.VarintType:
			sendDontHave = f.Value
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	if hasAddr {
		if e.Address, err = decodeAddress(addr); err != nil {
			return e, err
		}
	}
	if priority > MaxPriority {
		return e, malformed("priority %d out of range", priority)
	}
	e.Priority = int32(priority)
	if e.Cancel, err = toBool(cancel, "cancel"); err != nil {
		return e, err
	}
	if wantType > uint64(WantHave) {
		return e, malformed("want type %d", wantType)
	}
	e.WantType = WantType(wantType)
	if e.SendDontHave, err = toBool(sendDontHave, "sendDontHave"); err != nil {
		return e, err
	}
	return e, nil
}

// decodeAddress reads only the fields of the address's kind, as the
// reference does: a leaf address ignores field 4 and a CID address ignores
// fields 2 and 3.
func decodeAddress(b []byte) (BlockAddress, error) {
	var (
		a               BlockAddress
		leaf, index     uint64
		tree, c         []byte
		hasTree, hasCid bool
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.VarintType:
			leaf = f.Value
		case f.Num == 2 && f.Type == protowire.BytesType:
			tree, hasTree = f.Bytes, true
		case f.Num == 3 && f.Type == protowire.VarintType:
			index = f.Value
		case f.Num == 4 && f.Type == protowire.BytesType:
			c, hasCid = f.Bytes, true
		}
		return nil
	})
	if err != nil {
		return a, err
	}
	if a.Leaf, err = toBool(leaf, "leaf"); err != nil {
		return a, err
	}
	if a.Leaf {
		if hasTree {
			if a.TreeCid, err = decodeCid(tree); err != nil {
				return a, err
			}
		}
		if index > math.MaxInt {
			return a, malformed("leaf index %d out of range", index)
		}
		a.Index = int(index)
		return a, nil
	}
	if hasCid {
		if a.Cid, err = decodeCid(c); err != nil {
			return a, err
		}
	}
	return a, nil
}

func decodeDelivery(b []byte) (BlockDelivery, error) {
	var (
		d                         BlockDelivery
		blockCid, addr, proof     []byte
		hasCid, hasAddr, hasProof bool
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.BytesType:
			blockCid, hasCid = f.Bytes, true
		case f.Num == 2 && f.Type == protowire.BytesType:
			d.Data = nonEmpty(f.Bytes)
		case f.Num == 3 && f.Type == protowire.BytesType:
			addr, hasAddr = f.Bytes, true
		case f.Num == 4 && f.Type == protowire.BytesType:
			proof, hasProof = f.Bytes, true
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	if hasCid {
		if d.BlockCid, err = decodeCid(blockCid); err != nil {
			return d, err
		}
	}
	if hasAddr {
		if d.Address, err = decodeAddress(addr); err != nil {
			return d, err
		}
	}
	if d.Address.Leaf && hasProof {
		d.Proof = nonEmpty(proof)
	}
	return d, nil
}

func decodePresence(b []byte) (BlockPresence, error) {
	var (
		p       BlockPresence
		addr    []byte
		hasAddr bool
		kind    uint64
	)
	err := pbWalk(b, func(f pbField) error {
		switch {
		case f.Num == 1 && f.Type == protowire.BytesType:
			addr, hasAddr = f.Bytes, true
		case f.Num == 2 && f.Type == protowire.VarintType:
			kind = f.Value
		case f.Num == 3 && f.Type == protowire.BytesType:
			p.Price = nonEmpty(f.Bytes)
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	if hasAddr {
		if p.Address, err = decodeAddress(addr); err != nil {
			return p, err
		}
	}
	if kind > uint64(DontHave) {
		return p, malformed("presence type %d", kind)
	}
	p.Type = PresenceType(kind)
	return p, nil
}

// singleBytes reads the last bytes field num of b.
func singleBytes(b []byte, num protowire.Number) ([]byte, error) {
	var v []byte
	err := pbWalk(b, func(f pbField) error {
		if f.Num == uint64(num) && f.Type == protowire.BytesType {
			v = nonEmpty(f.Bytes)
		}
		return nil
	})
	return v, err
}

// decodeCid applies the reference's Cid.init rules; an empty field is an
// error there too.
func decodeCid(b []byte) (cid.Cid, error) {
	c, err := dag.CIDFromBytes(b)
	if err != nil {
		return cid.Undef, malformed("cid: %v", err)
	}
	return c, nil
}

func toBool(v uint64, what string) (bool, error) {
	if v > 1 {
		return false, malformed("%s: bool value %d", what, v)
	}
	return v == 1, nil
}

// nonEmpty maps an empty field to nil, so that a decoded message compares
// equal to itself after an encode and decode round trip.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// pbField is one protobuf field; Bytes aliases the input.
type pbField struct {
	Num   uint64
	Type  protowire.Type
	Value uint64
	Bytes []byte
}

// pbWalk calls fn for each field of msg in order and fails on the first
// malformed one, following minprotobuf: varints of at most 10 bytes, wire
// types varint, fixed64, bytes and fixed32; groups are errors.
func pbWalk(msg []byte, fn func(pbField) error) error {
	for len(msg) > 0 {
		tag, n, err := pbVarint(msg)
		if err != nil {
			return malformed("field header: %v", err)
		}
		msg = msg[n:]
		f := pbField{Num: tag >> 3, Type: protowire.Type(tag & 7)}
		switch f.Type {
		case protowire.VarintType:
			f.Value, n, err = pbVarint(msg)
			if err != nil {
				return malformed("field %d: %v", f.Num, err)
			}
			msg = msg[n:]
		case protowire.Fixed32Type:
			if len(msg) < 4 {
				return malformed("field %d: truncated", f.Num)
			}
			f.Value, msg = uint64(binary.LittleEndian.Uint32(msg)), msg[4:]
		case protowire.Fixed64Type:
			if len(msg) < 8 {
				return malformed("field %d: truncated", f.Num)
			}
			f.Value, msg = binary.LittleEndian.Uint64(msg), msg[8:]
		case protowire.BytesType:
			size, n, err := pbVarint(msg)
			if err != nil {
				return malformed("field %d length: %v", f.Num, err)
			}
			msg = msg[n:]
			if size > uint64(len(msg)) {
				return malformed("field %d: truncated", f.Num)
			}
			f.Bytes, msg = msg[:size:size], msg[size:]
		default:
			return malformed("field %d: unsupported wire type %d", f.Num, f.Type)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

var (
	errTruncated = errors.New("truncated varint")
	errOverflow  = errors.New("varint overflows 64 bits")
)

// pbVarint decodes a varint of at most 10 bytes; like minprotobuf it
// accepts non-minimal encodings and drops bits beyond 64 on the last byte.
func pbVarint(b []byte) (v uint64, n int, err error) {
	for i, c := range b {
		if i == 10 {
			return 0, 0, errOverflow
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errTruncated
}
