package dag

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

func testCID(codec uint64, seed string) cid.Cid {
	return sha256CID(codec, sha256.Sum256([]byte(seed)))
}

// protectedManifest is shaped like what a storage request with nodes=3,
// tolerance=1 makes of the 18-byte vector: K=2, M=1, one step, three blocks.
func protectedManifest() *Manifest {
	return &Manifest{
		TreeCid: testCID(DatasetRootCodec, "ec tree"), BlockSize: BlockSize, DatasetSize: 3 * BlockSize,
		Codec: BlockCodec, HCodec: Sha256, Version: ManifestVersion,
		Filename: "a.txt", Mimetype: "text/plain",
		Erasure: &ErasureInfo{
			K: 2, M: 1, OriginalTreeCid: testCID(DatasetRootCodec, "original"), OriginalDatasetSize: 18,
			Strategy: SteppedStrategy,
			Verification: &VerificationInfo{
				VerifyRoot: testCID(0xCD05, "verify"),
				SlotRoots:  []cid.Cid{testCID(0xCD04, "s0"), testCID(0xCD04, "s1"), testCID(0xCD04, "s2")},
				CellSize:   2048, Strategy: LinearStrategy,
			},
		},
	}
}

func roundTrip(t *testing.T, m *Manifest) []byte {
	t.Helper()
	enc, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeManifest(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, m)
	}
	return enc
}

func TestManifestFilenameMimetype(t *testing.T) {
	tree, _ := NewTree(leavesN(1))
	m := NewManifest(tree.CID(), 18, "a.txt", "text/plain")
	enc := roundTrip(t, m)
	// Fields 8 and 9 come after the six always-present ones, in order.
	tail := "42" + "05" + hex.EncodeToString([]byte("a.txt")) + "4a" + "0a" + hex.EncodeToString([]byte("text/plain"))
	if !strings.HasSuffix(hex.EncodeToString(enc), "3002"+tail) {
		t.Errorf("encoding %x does not end with version then %s", enc, tail)
	}
	if enc[1] != byte(len(enc)-2) {
		t.Errorf("outer length %d, want %d", enc[1], len(enc)-2)
	}

	only := NewManifest(tree.CID(), 18, "", "text/plain")
	if e := hex.EncodeToString(roundTrip(t, only)); !strings.HasSuffix(e, "3002"+"4a0a"+hex.EncodeToString([]byte("text/plain"))) {
		t.Errorf("mimetype-only manifest %s", e)
	}
}

func TestManifestProtected(t *testing.T) {
	m := protectedManifest()
	enc := roundTrip(t, m)
	back, _ := DecodeManifest(enc)
	if back.BlocksCount() != 3 || back.Erasure.Verification == nil {
		t.Errorf("BlocksCount %d, verification %v", back.BlocksCount(), back.Erasure.Verification)
	}
	// Protected but not verifiable.
	m.Erasure.Verification = nil
	roundTrip(t, m)
}

func TestManifestEncodeRejects(t *testing.T) {
	for name, mutate := range map[string]func(*Manifest){
		"no tree CID":          func(m *Manifest) { m.TreeCid = cid.Undef },
		"version 4":            func(m *Manifest) { m.Version = 4 },
		"block count mismatch": func(m *Manifest) { m.DatasetSize = 4 * BlockSize },
		"ecK zero":             func(m *Manifest) { m.Erasure.K = 0 },
		"block size zero":      func(m *Manifest) { m.BlockSize = 0 },
		"no original tree":     func(m *Manifest) { m.Erasure.OriginalTreeCid = cid.Undef },
		"bad strategy":         func(m *Manifest) { m.Erasure.Strategy = 2 },
		"too few slot roots":   func(m *Manifest) { m.Erasure.Verification.SlotRoots = m.Erasure.Verification.SlotRoots[:2] },
		"no verify root":       func(m *Manifest) { m.Erasure.Verification.VerifyRoot = cid.Undef },
		"undefined slot root":  func(m *Manifest) { m.Erasure.Verification.SlotRoots[1] = cid.Undef },
	} {
		m := protectedManifest()
		mutate(m)
		if _, err := m.Encode(); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

// header assembles a manifest by hand from hex header fields, to feed the
// decoder inputs that Encode would never write.
func header(fields ...string) []byte {
	h, _ := hex.DecodeString(strings.Join(fields, ""))
	return appendBytesField(nil, 1, h)
}

func TestDecodeManifestTolerates(t *testing.T) {
	tree := testCID(DatasetRootCodec, "t")
	treeF := hex.EncodeToString(appendBytesField(nil, 1, tree.Bytes()))
	want := &Manifest{TreeCid: tree, BlockSize: BlockSize, DatasetSize: 18, Codec: BlockCodec, HCodec: Sha256, Version: 2}
	std := []string{"10808004", "1812", "20829a03", "2812", "3002"}
	for name, b := range map[string][]byte{
		"canonical":          header(append([]string{treeF}, std...)...),
		"reversed":           header(append(append([]string(nil), "3002", "2812", "20829a03", "1812", "10808004"), treeF)...),
		"unknown fields":     header(append([]string{"5801", treeF, "620178", "6d01020304"}, std...)...),
		"wrong wire types":   header(append([]string{"1500000000", treeF, "1200", "4001"}, std...)...),
		"last wins":          header(append([]string{"1801", "420178", treeF}, append(std, "4200")...)...),
		"empty erasure info": header(append([]string{treeF, "3a00"}, std...)...),
		"outer extras":       append(header(append([]string{treeF}, std...)...), 0x10, 0x01),
		"5-byte uint32":      header(append([]string{treeF, "108080848000"}, std[1:]...)...),
	} {
		m, err := DecodeManifest(b)
		if err != nil || !reflect.DeepEqual(m, want) {
			t.Errorf("%s: got %+v, %v", name, m, err)
		}
	}
}

// minprotobuf keeps the low 32 bits of a 5-byte varint read into a uint32.
func TestDecodeManifestUint32Truncation(t *testing.T) {
	treeF := hex.EncodeToString(appendBytesField(nil, 1, testCID(DatasetRootCodec, "t").Bytes()))
	m, err := DecodeManifest(header(treeF, "10ffffffff1f", "3002"))
	if err != nil || m.BlockSize != 0xFFFFFFFF {
		t.Fatalf("got %+v, %v", m, err)
	}
}

func TestDecodeManifestRejects(t *testing.T) {
	tree := testCID(DatasetRootCodec, "t")
	treeF := hex.EncodeToString(appendBytesField(nil, 1, tree.Bytes()))
	std := "10808004" + "1812" + "20829a03" + "2812" + "3002"
	protected, _ := protectedManifest().Encode()
	cases := map[string][]byte{
		"empty":              nil,
		"garbage":            []byte("not a manifest at all"),
		"no header":          mustHex(t, "1001"),
		"empty header":       header(),
		"no tree CID":        header(std),
		"bad tree CID":       header("0a0401020304", std),
		"v1 trailing bytes":  header(hex.EncodeToString(appendBytesField(nil, 1, append(tree.Bytes(), 0))), std),
		"blockSize > 32 bit": header(treeF, "1080808080808001", "1812"),
		"version 9":          header(treeF, "10808004", "3009"),
		"group wire type":    header(treeF, std, "5b"),
		"truncated":          protected[:len(protected)-3],
		"length overrun":     header(treeF, "42ff01", std),
		"bad erasure info":   header(treeF, std, "3a03ffffff"),
		"6-byte uint32":      header(treeF, "10808084808000", "1812", "20829a03", "2812", "3002"),
	}
	// Flipping any byte of a real protected manifest must not panic; some
	// flips land in digests or names and still decode, which is fine.
	for i := range protected {
		b := bytes.Clone(protected)
		b[i] ^= 0xff
		_, _ = DecodeManifest(b)
	}
	for name, b := range cases {
		m, err := DecodeManifest(b)
		if err == nil {
			t.Errorf("%s: decoded %+v", name, m)
		}
		t.Logf("%s: %v", name, err)
	}
}

func TestDecodeManifestProtectedChecks(t *testing.T) {
	for name, mutate := range map[string]func(*Manifest){
		"block count":       func(m *Manifest) { m.DatasetSize = 2 * BlockSize },
		"slot root count":   func(m *Manifest) { m.Erasure.Verification.SlotRoots = m.Erasure.Verification.SlotRoots[:1] },
		"strategy":          func(m *Manifest) { m.Erasure.Verification.Strategy = 7 },
		"original tree CID": func(m *Manifest) { m.Erasure.OriginalTreeCid = cid.Undef },
	} {
		m := protectedManifest()
		mutate(m)
		_, err := DecodeManifest(encodeUnchecked(m))
		if err == nil {
			t.Errorf("%s: decoded", name)
		}
		t.Logf("%s: %v", name, err)
	}
}

// encodeUnchecked is Encode without validate, to produce broken manifests.
func encodeUnchecked(m *Manifest) []byte {
	h := appendBytesField(nil, 1, m.TreeCid.Bytes())
	h = appendVarintField(h, 2, uint64(m.BlockSize))
	h = appendVarintField(h, 3, m.DatasetSize)
	e := m.Erasure
	ei := appendVarintField(nil, 1, uint64(e.K))
	ei = appendVarintField(ei, 2, uint64(e.M))
	ei = appendBytesField(ei, 3, e.OriginalTreeCid.Bytes())
	ei = appendVarintField(ei, 4, e.OriginalDatasetSize)
	if v := e.Verification; v != nil {
		vi := appendBytesField(nil, 1, v.VerifyRoot.Bytes())
		for _, r := range v.SlotRoots {
			vi = appendBytesField(vi, 2, r.Bytes())
		}
		vi = appendVarintField(vi, 4, uint64(v.Strategy))
		ei = appendBytesField(ei, 6, vi)
	}
	h = appendBytesField(h, 7, ei)
	return appendBytesField(nil, 1, h)
}
