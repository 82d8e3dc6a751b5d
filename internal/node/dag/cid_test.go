package dag

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
)

func TestCIDLayout(t *testing.T) {
	var root [32]byte
	root[0] = 0xAB
	for _, tc := range []struct {
		name  string
		c     cid.Cid
		codec []byte
		dig   [32]byte
	}{
		{"block", BlockCID([]byte("x")), []byte{0x82, 0x9a, 0x03}, sha256.Sum256([]byte("x"))},
		{"tree", TreeCID(root), []byte{0x83, 0x9a, 0x03}, root},
		{"manifest", ManifestCID([]byte("m")), []byte{0x81, 0x9a, 0x03}, sha256.Sum256([]byte("m"))},
	} {
		want := append(append([]byte{0x01}, tc.codec...), 0x12, 0x20)
		want = append(want, tc.dig[:]...)
		if got := tc.c.Bytes(); string(got) != string(want) || len(got) != 38 {
			t.Errorf("%s: bytes %x, want %x", tc.name, got, want)
		}
		d, err := Digest(tc.c)
		if err != nil || d != tc.dig {
			t.Errorf("%s: Digest = %x, %v; want %x", tc.name, d, err, tc.dig)
		}
	}
}

func TestDigestRejects(t *testing.T) {
	if _, err := Digest(cid.Undef); err == nil {
		t.Error("Digest(Undef) succeeded")
	}
	mh, _ := multihash.Sum([]byte("x"), multihash.SHA2_512, -1)
	if _, err := Digest(cid.NewCidV1(BlockCodec, mh)); err == nil {
		t.Error("Digest of a sha2-512 CID succeeded")
	}
}

func TestParseCIDAccepts(t *testing.T) {
	c, err := ParseCID(vectorTreeCID)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []multibase.Encoding{
		multibase.Identity, multibase.Base32, multibase.Base32Upper, multibase.Base32pad,
		multibase.Base32padUpper, multibase.Base32hex, multibase.Base32hexUpper,
		multibase.Base32hexPad, multibase.Base32hexPadUpper, multibase.Base58BTC,
		multibase.Base58Flickr, multibase.Base64, multibase.Base64pad, multibase.Base64url,
		multibase.Base64urlPad,
	} {
		s, err := multibase.Encode(enc, c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseCID(s)
		if err != nil || !got.Equals(c) {
			t.Errorf("%q (%c): got %v, %v", s, enc, got, err)
		}
	}

	const v0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
	got, err := ParseCID(v0)
	if err != nil || got.Version() != 0 || CIDString(got) != v0 {
		t.Errorf("CIDv0: got %v (%s), %v", got, CIDString(got), err)
	}

	// The slot and proving roots of real storage requests use poseidon2.
	poseidon := cid.NewCidV1(0xCD05, append([]byte{0x90, 0x9a, 0x03, 0x20}, make([]byte, 32)...))
	if got, err := ParseCID(CIDString(poseidon)); err != nil || !got.Equals(poseidon) {
		t.Errorf("poseidon2 CID: %v, %v", got, err)
	}
}

func TestParseCIDRejects(t *testing.T) {
	tree, _ := ParseCID(vectorTreeCID)
	v0, _ := ParseCID("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")
	b58 := func(b []byte) string { s, _ := multibase.Encode(multibase.Base58BTC, b); return s }
	b16, _ := multibase.Encode(multibase.Base16, tree.Bytes())
	b36, _ := multibase.Encode(multibase.Base36, tree.Bytes())
	withCodec := func(codec uint64) string { return b58(cid.NewCidV1(codec, tree.Hash()).Bytes()) }
	withHash := func(mh []byte) string { return b58(append([]byte{0x01, 0x83, 0x9a, 0x03}, mh...)) }

	for name, s := range map[string]string{
		"empty":               "",
		"one char":            "z",
		"no multibase":        "hello",
		"bad base58":          "z0OIl",
		"base16 (nim stub)":   b16,
		"base36 (not in nim)": b36,
		"v0 in multibase":     b58(v0.Bytes()),
		"v0 wrong length":     "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd",
		"version 2":           b58(append([]byte{0x02}, tree.Bytes()[1:]...)),
		"unknown codec":       withCodec(0x300),
		"codec not in list":   withCodec(0x51),                                                 // cbor: a multicodec, not a content codec
		"unknown hash":        withHash(append([]byte{0xd5, 0x01, 0x10}, make([]byte, 16)...)), // md5
		"short sha256":        withHash(append([]byte{0x12, 0x1f}, make([]byte, 31)...)),
		"truncated digest":    withHash(append([]byte{0x12, 0x20}, make([]byte, 31)...)),
		"trailing bytes":      b58(append(tree.Bytes(), 0)),
		"non-minimal varint":  b58(append([]byte{0x81, 0x00}, tree.Bytes()[1:]...)),
		"no multihash":        b58([]byte{0x01, 0x55}),
	} {
		_, err := ParseCID(s)
		var ce *CidError
		if !errors.As(err, &ce) || !errors.Is(err, ErrIncorrectCid) || ce.Text() != "Incorrect Cid" {
			t.Errorf("%s: ParseCID(%q) error = %v, want Incorrect Cid", name, s, err)
		}
	}
}

func TestCidErrorTexts(t *testing.T) {
	for err, want := range map[error]string{
		ErrIncorrectCid: "Incorrect Cid", ErrUnsupportedCid: "Unsupported Cid",
		ErrOverrunCid: "Overrun Cid", ErrParsingCid: "Error parsing Cid",
	} {
		e := &CidError{Kind: err, Reason: "x"}
		if e.Text() != want || !errors.Is(e, err) || !strings.HasPrefix(e.Error(), want) {
			t.Errorf("%v: Text %q Error %q", err, e.Text(), e.Error())
		}
	}
}
