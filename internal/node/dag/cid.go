package dag

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
)

// Multicodec codes and sizes from the reference (archivisttypes.nim, spec
// §3.1). 0xCD01–0xCD03 are private-use codes that go-multicodec does not name.
const (
	ManifestCodec    = 0xCD01 // codex-manifest: CID codec of an encoded manifest
	BlockCodec       = 0xCD02 // codex-block: CID codec of a dataset block
	DatasetRootCodec = 0xCD03 // codex-root: CID codec of a Merkle tree root
	Sha256           = 0x12   // sha2-256 multihash code
	BlockSize        = 65536  // every dataset block is exactly this long
)

// BlockCID names a block by the SHA-256 of its bytes. Dataset blocks must be
// passed already padded to BlockSize (the Chunker does that); the padding is
// part of what the reference hashes.
func BlockCID(data []byte) cid.Cid {
	return sha256CID(BlockCodec, sha256.Sum256(data))
}

// TreeCID names a Merkle tree. The root already is a SHA-256 output, so the
// reference wraps it in a multihash as-is instead of hashing it again.
func TreeCID(root [32]byte) cid.Cid {
	return sha256CID(DatasetRootCodec, root)
}

// ManifestCID names an encoded manifest by the SHA-256 of its bytes.
func ManifestCID(encoded []byte) cid.Cid {
	return sha256CID(ManifestCodec, sha256.Sum256(encoded))
}

func sha256CID(codec uint64, digest [32]byte) cid.Cid {
	mh := make([]byte, 0, 34)
	mh = append(mh, Sha256, 32)
	mh = append(mh, digest[:]...)
	return cid.NewCidV1(codec, mh)
}

// CIDString formats c the way the reference does: base58btc with the "z"
// prefix for CIDv1, bare base58 ("Qm…") for CIDv0. Use it instead of
// c.String(), which in go-cid v0.6 prints CIDv1 in base32 ("b…").
func CIDString(c cid.Cid) string {
	if !c.Defined() {
		return ""
	}
	if c.Version() == 0 {
		return c.Hash().B58String()
	}
	return c.Encode(base58btc)
}

var base58btc = multibase.MustNewEncoder(multibase.Base58BTC)

// Digest returns the SHA-256 digest inside c: the block hash for a block CID,
// the Merkle root for a tree CID. It fails for any other hash function because
// nothing in the data model can be checked against one.
func Digest(c cid.Cid) ([32]byte, error) {
	var d [32]byte
	if !c.Defined() {
		return d, errors.New("dag: digest of an undefined CID")
	}
	dm, err := multihash.Decode(c.Hash())
	if err != nil {
		return d, fmt.Errorf("dag: digest of %s: %w", CIDString(c), err)
	}
	if dm.Code != Sha256 || len(dm.Digest) != len(d) {
		return d, fmt.Errorf("dag: digest of %s: want sha2-256, have hash 0x%x with %d bytes",
			CIDString(c), dm.Code, len(dm.Digest))
	}
	copy(d[:], dm.Digest)
	return d, nil
}
