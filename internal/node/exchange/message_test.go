package exchange

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"

	"github.com/ipfs/go-cid"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// Test CIDs: the reference's "some file contents" tree and its first
// block, and a manifest CID.
func testCids(t testing.TB) (tree, block, manifest cid.Cid) {
	d := makeDataset(t, []byte("some file contents"))
	if dag.CIDString(d.treeCid) != "zDzSvJTezk7bJNQqFq8k1iHXY84psNuUfZVusA5bBQQUSuyzDSVL" {
		t.Fatalf("tree CID %s", dag.CIDString(d.treeCid))
	}
	return d.treeCid, dag.BlockCID(d.block(0)), d.manifest
}

func sampleMessage(t testing.TB) *Message {
	tree, block, manifest := testCids(t)
	return &Message{
		WantList: WantList{
			Entries: []WantListEntry{
				{Address: LeafAddress(tree, 5), Priority: 7, WantType: WantHave, SendDontHave: true},
				{Address: CidAddress(manifest), Cancel: true},
			},
			Full: true,
		},
		Payload: []BlockDelivery{
			{BlockCid: block, Data: []byte("abc"), Address: LeafAddress(tree, 1), Proof: []byte{0x08, 0x12}},
		},
		BlockPresences: []BlockPresence{
			{Address: CidAddress(manifest), Type: DontHave, Price: []byte{0, 0, 1}},
		},
		PendingBytes: 300,
		Account:      &AccountMessage{Address: bytes.Repeat([]byte{0xee}, 20)},
		Payment:      &StateChannelUpdate{Update: []byte("{}")},
	}
}

// field builds a length-delimited field with a one-byte tag and length, so
// the expected bytes below are written out independently of the encoder.
func field(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	if len(body) > 127 {
		panic("field too long for a one-byte length")
	}
	return append([]byte{tag, byte(len(body))}, body...)
}

func raw(b ...byte) []byte { return b }

// TestEncodeExactBytes checks every field number and wire type against
// spec §4, written out by hand.
func TestEncodeExactBytes(t *testing.T) {
	tree, block, manifest := testCids(t)
	leaf := func(i byte) []byte {
		return bytes.Join([][]byte{raw(0x08, 1), field(0x12, tree.Bytes()), raw(0x18, i)}, nil)
	}
	byCid := bytes.Join([][]byte{raw(0x08, 0), field(0x22, manifest.Bytes())}, nil)
	want := bytes.Join([][]byte{
		// 1: WantList {1: entries, 2: full}
		field(0x0a,
			// entry {1: address, 2: priority, 3: cancel, 4: wantType, 5: sendDontHave}
			field(0x0a, field(0x0a, leaf(5)), raw(0x10, 7, 0x18, 0, 0x20, 1, 0x28, 1)),
			field(0x0a, field(0x0a, byCid), raw(0x10, 0, 0x18, 1, 0x20, 0, 0x28, 0)),
			raw(0x10, 1)),
		// 3: BlockDelivery {1: blockCid, 2: data, 3: address, 4: proof}
		field(0x1a, field(0x0a, block.Bytes()), field(0x12, []byte("abc")), field(0x1a, leaf(1)), field(0x22, raw(0x08, 0x12))),
		// 4: BlockPresence {1: address, 2: type, 3: price}
		field(0x22, field(0x0a, byCid), raw(0x10, 1), field(0x1a, raw(0, 0, 1))),
		// 5: pendingBytes = 300
		raw(0x28, 0xac, 0x02),
		// 6: AccountMessage {1: address}, 7: StateChannelUpdate {1: update}
		field(0x32, field(0x0a, bytes.Repeat([]byte{0xee}, 20))),
		field(0x3a, field(0x0a, []byte("{}"))),
	}, nil)

	got, err := Encode(sampleMessage(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding differs\n got %x\nwant %x", got, want)
	}
	m, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&m, sampleMessage(t)) {
		t.Fatalf("decoded %+v", m)
	}

	frame, err := AppendFrame(nil, sampleMessage(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(frame, append(protowire.AppendVarint(nil, uint64(len(want))), want...)) {
		t.Fatal("frame is not uvarint(len) ‖ message")
	}
}

// A non-leaf delivery carries no proof, whatever the struct holds.
func TestEncodeNoProofForCidAddress(t *testing.T) {
	_, block, _ := testCids(t)
	m := Message{Payload: []BlockDelivery{{BlockCid: block, Data: []byte{1}, Address: CidAddress(block), Proof: []byte{1, 2}}}}
	enc, err := Encode(&m)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if d.Payload[0].Proof != nil {
		t.Fatal("proof sent for a CID address")
	}
}

// TestDecodeReferenceShape decodes what the Nim encoder writes for a
// presence-only message: empty wantlist, pendingBytes 0, empty account and
// payment sub-messages, all present.
func TestDecodeReferenceShape(t *testing.T) {
	_, _, manifest := testCids(t)
	b := bytes.Join([][]byte{
		field(0x0a, raw(0x10, 0)),
		field(0x22, field(0x0a, raw(0x08, 0), field(0x22, manifest.Bytes())), raw(0x10, 0), field(0x1a, make([]byte, 32))),
		raw(0x28, 0),
		field(0x32, field(0x0a)),
		field(0x3a, field(0x0a)),
	}, nil)
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.BlockPresences) != 1 || m.BlockPresences[0].Address != CidAddress(manifest) || m.BlockPresences[0].Type != Have {
		t.Fatalf("presences %+v", m.BlockPresences)
	}
	if m.Account == nil || m.Account.Address != nil || m.Payment == nil || len(m.WantList.Entries) != 0 {
		t.Fatalf("decoded %+v", m)
	}
}

func TestDecodeRules(t *testing.T) {
	tree, _, _ := testCids(t)
	entry := func(fields ...[]byte) []byte { return field(0x0a, field(0x0a, fields...)) }
	addr := field(0x0a, raw(0x08, 1), field(0x12, tree.Bytes()), raw(0x18, 3))
	bad := map[string][]byte{
		"priority 2^31":        entry(addr, protowire.AppendVarint([]byte{0x10}, 1<<31)),
		"want type 2":          entry(addr, raw(0x20, 2)),
		"cancel 2":             entry(addr, raw(0x18, 2)),
		"sendDontHave 2":       entry(addr, raw(0x28, 2)),
		"full 2":               field(0x0a, raw(0x10, 2)),
		"leaf 2":               entry(field(0x0a, raw(0x08, 2))),
		"index above MaxInt":   entry(field(0x0a, raw(0x08, 1), protowire.AppendVarint([]byte{0x18}, 1<<63))),
		"presence type 2":      field(0x22, raw(0x10, 2)),
		"empty cid":            entry(field(0x0a, raw(0x08, 1), field(0x12))),
		"garbage cid":          field(0x1a, field(0x0a, raw(1, 2, 3))),
		"group wire type":      raw(0x0b),
		"truncated length":     raw(0x1a, 0x05, 0x00),
		"truncated varint":     raw(0x28, 0x80),
		"11-byte varint":       append(raw(0x28), bytes.Repeat([]byte{0x80}, 10)...),
		"bad nested message":   field(0x1a, raw(0x0a, 0x7f)),
		"malformed want entry": field(0x0a, field(0x0a, raw(0x0f))),
	}
	for name, b := range bad {
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}

	ok := map[string]struct {
		b     []byte
		check func(Message) bool
	}{
		"priority 2^31-1": {entry(addr, protowire.AppendVarint([]byte{0x10}, 1<<31-1)),
			func(m Message) bool { return m.WantList.Entries[0].Priority == MaxPriority }},
		"last occurrence wins": {raw(0x28, 1, 0x28, 2),
			func(m Message) bool { return m.PendingBytes == 2 }},
		"only the last wantlist is decoded": {append(field(0x0a, raw(0x10, 9)), field(0x0a, raw(0x10, 1))...),
			func(m Message) bool { return m.WantList.Full }},
		"unknown fields and wire types are skipped": {raw(0x45, 1, 2, 3, 4, 0x29, 1, 2, 3, 4, 5, 6, 7, 8, 0x2a, 0, 0x78, 5),
			func(m Message) bool { return m.PendingBytes == 0 }},
		"cid address ignores leaf fields": {field(0x22, field(0x0a, raw(0x08, 0, 0x18, 9), field(0x12, raw(1, 2)))),
			func(m Message) bool { return m.BlockPresences[0].Address == BlockAddress{} }},
		"non-leaf proof dropped": {field(0x1a, field(0x1a, raw(0x08, 0)), field(0x22, raw(1))),
			func(m Message) bool { return m.Payload[0].Proof == nil }},
		"empty": {nil, func(m Message) bool { return reflect.DeepEqual(m, Message{}) }},
	}
	for name, tc := range ok {
		m, err := Decode(tc.b)
		if err != nil || !tc.check(m) {
			t.Errorf("%s: %+v, %v", name, m, err)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	for name, m := range map[string]*Message{
		"negative priority": {WantList: WantList{Entries: []WantListEntry{{Priority: -1}}}},
		"want type 2":       {WantList: WantList{Entries: []WantListEntry{{WantType: 2}}}},
		"presence type 2":   {BlockPresences: []BlockPresence{{Type: 2}}},
		"negative index":    {Payload: []BlockDelivery{{Address: BlockAddress{Leaf: true, Index: -1}}}},
	} {
		if _, err := Encode(m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	for range 3 {
		if err := WriteMessage(&buf, sampleMessage(t)); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteMessage(&buf, &Message{}); err != nil { // a zero-length frame
		t.Fatal(err)
	}
	r := bufio.NewReader(&buf)
	for range 3 {
		m, err := ReadMessage(r)
		if err != nil || !reflect.DeepEqual(&m, sampleMessage(t)) {
			t.Fatalf("%+v, %v", m, err)
		}
	}
	if m, err := ReadMessage(r); err != nil || !reflect.DeepEqual(m, Message{}) {
		t.Fatalf("empty frame: %+v, %v", m, err)
	}
	if _, err := ReadMessage(r); err != io.EOF {
		t.Fatalf("at the end: %v", err)
	}

	tooLarge := protowire.AppendVarint(nil, MaxMessageSize+1)
	if _, err := ReadMessage(bufio.NewReader(bytes.NewReader(tooLarge))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized prefix: %v", err)
	}
	truncated := append(protowire.AppendVarint(nil, 10), 1, 2, 3)
	if _, err := ReadMessage(bufio.NewReader(bytes.NewReader(truncated))); err != io.ErrUnexpectedEOF {
		t.Fatalf("truncated body: %v", err)
	}
}

// TestHostileLengthPrefix: a peer announcing a 100 MiB message and sending
// a few bytes makes the reader allocate only a bounded buffer.
func TestHostileLengthPrefix(t *testing.T) {
	frame := append(protowire.AppendVarint(nil, MaxMessageSize), make([]byte, 1000)...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadMessage(bufio.NewReader(bytes.NewReader(frame)))
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 2*eagerAlloc {
		t.Fatalf("allocated %d bytes for a 1000-byte body", n)
	}

	// A body that really is large still arrives whole.
	big := Message{Payload: []BlockDelivery{{Data: randomBytes(3*eagerAlloc+5, 9)}}}
	var buf bytes.Buffer
	if err := WriteMessage(&buf, &big); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMessage(bufio.NewReader(&buf))
	if err != nil || !bytes.Equal(m.Payload[0].Data, big.Payload[0].Data) {
		t.Fatalf("large message: %v", err)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	enc, err := Encode(sampleMessage(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte{})
	f.Add(raw(0x0a, 0x00, 0x28, 0x00, 0x32, 0x00, 0x3a, 0x00))
	tree, _, _ := testCids(f)
	f.Add(field(0x0a, field(0x0a, field(0x0a, raw(0x08, 1), field(0x12, tree.Bytes()), raw(0x18, 3)), raw(0x20, 1))))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		enc, err := Encode(&m)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the message\n first %+v\nsecond %+v", m, again)
		}
	})
}
