package dag

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func TestProofEncodingLayout(t *testing.T) {
	l := leavesN(2)
	tree, _ := NewTree(l)
	p, _ := tree.Proof(1)
	want := mustHex(t, "0812"+"1001"+"1802"+"2222"+"0a20"+hex.EncodeToString(l[0][:]))
	if got := p.Encode(); !bytes.Equal(got, want) {
		t.Fatalf("Encode =\n%x\nwant\n%x", got, want)
	}
}

func TestDecodeProofTolerates(t *testing.T) {
	node := "2222" + "0a20" + strings.Repeat("ab", 32)
	want := Proof{Index: 1, Leaves: 2, Path: [][32]byte{{}}}
	for i := range want.Path[0] {
		want.Path[0][i] = 0xab
	}
	for name, s := range map[string]string{
		"canonical":             "0812" + "1001" + "1802" + node,
		"fields out of order":   node + "1802" + "1001" + "0812",
		"unknown fields":        "0812" + "2801" + "1001" + "1802" + "3a00" + node + "4d01020304",
		"non-minimal varint":    "089280808000" + "1001" + "1802" + node,
		"last occurrence wins":  "0855" + "0812" + "1007" + "1001" + "1802" + node,
		"wrong wire type field": "0812" + "1001" + "1802" + "0d00000000" + node,
		"node unknown field":    "0812" + "1001" + "1802" + "2224" + "1001" + "0a20" + strings.Repeat("ab", 32),
	} {
		p, err := DecodeProof(mustHex(t, s))
		if err != nil || !reflect.DeepEqual(p, want) {
			t.Errorf("%s: got %+v, %v", name, p, err)
		}
	}
}

func TestDecodeProofRejects(t *testing.T) {
	node := "2222" + "0a20" + strings.Repeat("ab", 32)
	for name, s := range map[string]string{
		"empty":           "",
		"garbage":         "ffffffff",
		"no mcodec":       "1001" + "1802" + node,
		"sha2-512":        "0813" + "1001" + "1802" + node,
		"no nodes":        "0812" + "1001" + "1802",
		"short node":      "0812" + "2221" + "0a1f" + strings.Repeat("ab", 31),
		"empty node":      "0812" + "2200",
		"truncated node":  "0812" + "2222" + "0a20" + strings.Repeat("ab", 31),
		"length overrun":  "0812" + "22ffffffff0f",
		"group wire type": "0812" + "0b" + node,
		"varint overflow": "08ffffffffffffffffffff01" + node,
		"huge index":      "0812" + "10ffffffffffffffffff01" + node,
	} {
		p, err := DecodeProof(mustHex(t, s))
		if err == nil {
			t.Errorf("%s: decoded %+v", name, p)
		}
		t.Logf("%s: %v", name, err)
	}
}
