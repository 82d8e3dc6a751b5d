package dag

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/multiformats/go-multibase"
)

func FuzzParseCID(f *testing.F) {
	tree, _ := ParseCID(vectorTreeCID)
	for _, s := range []string{
		vectorTreeCID, vectorBlockCID, vectorManifestCID, tree.String(),
		"QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "", "z", "f0155", "\x00\x01\x55\x00\x00",
	} {
		f.Add(s)
	}
	for _, enc := range []multibase.Encoding{multibase.Base64url, multibase.Base32hexPad, multibase.Base58Flickr} {
		s, _ := multibase.Encode(enc, tree.Bytes())
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCID(s)
		if err != nil {
			var ce *CidError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CidError", err)
			}
			return
		}
		again, err := ParseCID(CIDString(c))
		if err != nil || !again.Equals(c) {
			t.Fatalf("%q parsed to %s, which reparses to %v, %v", s, CIDString(c), again, err)
		}
		if b, err := CIDFromBytes(c.Bytes()); err != nil || !b.Equals(c) {
			t.Fatalf("%q: binary form does not reparse: %v", s, err)
		}
	})
}

func FuzzDecodeManifest(f *testing.F) {
	up, _ := Ingest(bytes.NewReader([]byte(vectorContent)), nil)
	for _, m := range []*Manifest{
		NewManifest(up.TreeCid, 18, "", ""), NewManifest(up.TreeCid, 18, "a.txt", "text/plain"), protectedManifest(),
	} {
		enc, err := m.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0x3a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeManifest(b)
		if err != nil {
			return
		}
		enc, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded manifest does not encode: %v", err)
		}
		back, err := DecodeManifest(enc)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("re-encoded manifest decodes to %+v, %v; want %+v", back, err, m)
		}
		if enc2, _ := back.Encode(); !bytes.Equal(enc, enc2) {
			t.Fatal("encoding is not stable")
		}
	})
}

func FuzzDecodeProof(f *testing.F) {
	for _, n := range []int{1, 3, 17} {
		tree, _ := NewTree(leavesN(n))
		p, _ := tree.Proof(n - 1)
		f.Add(p.Encode())
	}
	f.Add([]byte{0x08, 0x12, 0x22, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeProof(b)
		if err != nil {
			return
		}
		back, err := DecodeProof(p.Encode())
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Fatalf("re-encoded proof decodes to %+v, %v; want %+v", back, err, p)
		}
		_ = p.Verify([32]byte{}, [32]byte{}) // must not panic on any shape
	})
}
