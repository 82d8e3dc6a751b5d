package exchange

import (
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"google.golang.org/protobuf/encoding/protowire"
)

// The encoder computes every nested message's size before writing it, so a
// message is built in one exact allocation and block data (most of a
// payload message) is copied once, straight into place. Field order and
// content follow the reference encoder (protobuf/message.nim); fields it
// writes with empty or zero values that every decoder treats as absent
// (Message fields 1, 5, 6, 7 and empty price or CID bytes) are left out, as
// spec §4 allows.

// ErrInvalidMessage is returned by Encode for values the wire format or the
// reference decoder cannot represent.
var ErrInvalidMessage = errors.New("exchange: invalid message")

// Encode returns the protobuf encoding of m, without a length prefix.
func Encode(m *Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m.append(make([]byte, 0, m.size())), nil
}

// AppendFrame appends m with its unsigned-varint length prefix, the form in
// which messages travel on a stream (libp2p writeLp).
func AppendFrame(dst []byte, m *Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return dst, err
	}
	n := m.size()
	if n > MaxMessageSize {
		return dst, fmt.Errorf("%w: %d bytes exceeds MaxMessageSize", ErrInvalidMessage, n)
	}
	if dst == nil {
		dst = make([]byte, 0, protowire.SizeVarint(uint64(n))+n)
	}
	dst = protowire.AppendVarint(dst, uint64(n))
	return m.append(dst), nil
}

func (m *Message) validate() error {
	for i := range m.WantList.Entries {
		e := &m.WantList.Entries[i]
		if e.Priority < 0 {
			return fmt.Errorf("%w: want entry %d: negative priority %d", ErrInvalidMessage, i, e.Priority)
		}
		if e.WantType > WantHave {
			return fmt.Errorf("%w: want entry %d: %v", ErrInvalidMessage, i, e.WantType)
		}
		if err := e.Address.validate(); err != nil {
			return fmt.Errorf("%w: want entry %d: %v", ErrInvalidMessage, i, err)
		}
	}
	for i := range m.Payload {
		if err := m.Payload[i].Address.validate(); err != nil {
			return fmt.Errorf("%w: delivery %d: %v", ErrInvalidMessage, i, err)
		}
	}
	for i := range m.BlockPresences {
		p := &m.BlockPresences[i]
		if p.Type > DontHave {
			return fmt.Errorf("%w: presence %d: %v", ErrInvalidMessage, i, p.Type)
		}
		if err := p.Address.validate(); err != nil {
			return fmt.Errorf("%w: presence %d: %v", ErrInvalidMessage, i, err)
		}
	}
	return nil
}

func (a *BlockAddress) validate() error {
	if a.Leaf && a.Index < 0 {
		return fmt.Errorf("negative leaf index %d", a.Index)
	}
	return nil
}

func (m *Message) size() int {
	n := 0
	if w := m.WantList.size(); w > 0 {
		n += sizeMsg(1, w)
	}
	for i := range m.Payload {
		n += sizeMsg(3, m.Payload[i].size())
	}
	for i := range m.BlockPresences {
		n += sizeMsg(4, m.BlockPresences[i].size())
	}
	if m.PendingBytes != 0 {
		n += sizeVarint(5, m.PendingBytes)
	}
	if m.Account != nil {
		n += sizeMsg(6, sizeBytes(1, len(m.Account.Address)))
	}
	if m.Payment != nil {
		n += sizeMsg(7, sizeBytes(1, len(m.Payment.Update)))
	}
	return n
}

func (m *Message) append(b []byte) []byte {
	if w := m.WantList.size(); w > 0 {
		b = appendMsgHeader(b, 1, w)
		b = m.WantList.append(b)
	}
	for i := range m.Payload {
		d := &m.Payload[i]
		b = appendMsgHeader(b, 3, d.size())
		b = d.append(b)
	}
	for i := range m.BlockPresences {
		p := &m.BlockPresences[i]
		b = appendMsgHeader(b, 4, p.size())
		b = p.append(b)
	}
	if m.PendingBytes != 0 {
		b = appendVarint(b, 5, m.PendingBytes)
	}
	if m.Account != nil {
		b = appendMsgHeader(b, 6, sizeBytes(1, len(m.Account.Address)))
		b = appendBytes(b, 1, m.Account.Address)
	}
	if m.Payment != nil {
		b = appendMsgHeader(b, 7, sizeBytes(1, len(m.Payment.Update)))
		b = appendBytes(b, 1, m.Payment.Update)
	}
	return b
}

// size is 0 for an empty, non-full list, which is then not written at all.
func (w *WantList) size() int {
	n := 0
	for i := range w.Entries {
		n += sizeMsg(1, w.Entries[i].size())
	}
	if w.Full {
		n += sizeVarint(2, 1)
	}
	return n
}

func (w *WantList) append(b []byte) []byte {
	for i := range w.Entries {
		e := &w.Entries[i]
		b = appendMsgHeader(b, 1, e.size())
		b = e.append(b)
	}
	if w.Full {
		b = appendVarint(b, 2, 1)
	}
	return b
}

// Entries are written in full, zero fields included, like the reference.
func (e *WantListEntry) size() int {
	return sizeMsg(1, e.Address.size()) +
		sizeVarint(2, uint64(e.Priority)) +
		sizeVarint(3, b2u(e.Cancel)) +
		sizeVarint(4, uint64(e.WantType)) +
		sizeVarint(5, b2u(e.SendDontHave))
}

func (e *WantListEntry) append(b []byte) []byte {
	b = appendMsgHeader(b, 1, e.Address.size())
	b = e.Address.append(b)
	b = appendVarint(b, 2, uint64(e.Priority))
	b = appendVarint(b, 3, b2u(e.Cancel))
	b = appendVarint(b, 4, uint64(e.WantType))
	return appendVarint(b, 5, b2u(e.SendDontHave))
}

func (a *BlockAddress) size() int {
	n := sizeVarint(1, b2u(a.Leaf))
	if a.Leaf {
		n += sizeCid(2, a.TreeCid) + sizeVarint(3, uint64(a.Index))
	} else {
		n += sizeCid(4, a.Cid)
	}
	return n
}

func (a *BlockAddress) append(b []byte) []byte {
	b = appendVarint(b, 1, b2u(a.Leaf))
	if a.Leaf {
		b = appendCid(b, 2, a.TreeCid)
		return appendVarint(b, 3, uint64(a.Index))
	}
	return appendCid(b, 4, a.Cid)
}

func (d *BlockDelivery) size() int {
	n := sizeCid(1, d.BlockCid) + sizeBytes(2, len(d.Data)) + sizeMsg(3, d.Address.size())
	if d.Address.Leaf && len(d.Proof) > 0 {
		n += sizeBytes(4, len(d.Proof))
	}
	return n
}

func (d *BlockDelivery) append(b []byte) []byte {
	b = appendCid(b, 1, d.BlockCid)
	b = appendBytes(b, 2, d.Data)
	b = appendMsgHeader(b, 3, d.Address.size())
	b = d.Address.append(b)
	if d.Address.Leaf && len(d.Proof) > 0 {
		b = appendBytes(b, 4, d.Proof)
	}
	return b
}

func (p *BlockPresence) size() int {
	n := sizeMsg(1, p.Address.size()) + sizeVarint(2, uint64(p.Type))
	if len(p.Price) > 0 {
		n += sizeBytes(3, len(p.Price))
	}
	return n
}

func (p *BlockPresence) append(b []byte) []byte {
	b = appendMsgHeader(b, 1, p.Address.size())
	b = p.Address.append(b)
	b = appendVarint(b, 2, uint64(p.Type))
	if len(p.Price) > 0 {
		b = appendBytes(b, 3, p.Price)
	}
	return b
}

func b2u(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

func sizeVarint(num protowire.Number, v uint64) int {
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

func sizeBytes(num protowire.Number, n int) int {
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}

func sizeMsg(num protowire.Number, n int) int { return sizeBytes(num, n) }

// An undefined CID (a decoded address that lacked the field) is left out:
// the reference would write empty bytes, which its own decoder rejects.
func sizeCid(num protowire.Number, c cid.Cid) int {
	if !c.Defined() {
		return 0
	}
	return sizeBytes(num, c.ByteLen())
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendMsgHeader(b []byte, num protowire.Number, n int) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(n))
}

func appendCid(b []byte, num protowire.Number, c cid.Cid) []byte {
	if !c.Defined() {
		return b
	}
	b = appendMsgHeader(b, num, c.ByteLen())
	return append(b, c.KeyString()...)
}
