package dag

import (
	"errors"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-varint"
)

// The reference REST API answers a bad {cid} with 400 and one of these texts
// as the body (rest/coders.nim), so they are kept verbatim, capitals included.
// nim-libp2p's string and binary CID decoders only ever report the first one;
// the others exist so a caller can map every case the reference names.
var (
	ErrIncorrectCid   = errors.New("Incorrect Cid")
	ErrUnsupportedCid = errors.New("Unsupported Cid")
	ErrOverrunCid     = errors.New("Overrun Cid")
	ErrParsingCid     = errors.New("Error parsing Cid")
)

// CidError explains why a CID was rejected. It unwraps to one of the Err*Cid
// sentinels; Text is the exact body the reference would send.
type CidError struct {
	Kind   error  // ErrIncorrectCid, ErrUnsupportedCid, ErrOverrunCid or ErrParsingCid
	Reason string // detail for logs; never sent to clients
}

func (e *CidError) Error() string { return e.Kind.Error() + ": " + e.Reason }
func (e *CidError) Unwrap() error { return e.Kind }

// Text returns the reference's response body for this error.
func (e *CidError) Text() string { return e.Kind.Error() }

func incorrect(reason string) error {
	return &CidError{Kind: ErrIncorrectCid, Reason: reason}
}

// ParseCID parses a CID string the way nim-libp2p's Cid.init(string) does, so
// that the REST API accepts and rejects the same inputs as the reference: a
// 46-character "Qm…" CIDv0, or any multibase that nim-libp2p can decode
// (identity, base32 and base32hex with or without padding in either case,
// base58btc, base58flickr, base64 and base64url with or without padding).
// nim-libp2p registers base16 but its decoder is a stub that always fails, and
// it has no base36, so "f…" and "k…" strings are rejected like the reference
// does. Errors are *CidError values.
func ParseCID(s string) (cid.Cid, error) {
	if len(s) < 2 {
		return cid.Undef, incorrect("too short")
	}
	if len(s) == 46 && strings.HasPrefix(s, "Qm") {
		_, raw, err := multibase.Decode("z" + s)
		if err != nil {
			return cid.Undef, incorrect("CIDv0 is not valid base58: " + err.Error())
		}
		return CIDFromBytes(raw)
	}
	switch s[0] {
	case 0, 'b', 'B', 'c', 'C', 'v', 'V', 't', 'T', 'z', 'Z', 'm', 'M', 'u', 'U':
	default:
		return cid.Undef, incorrect("unsupported multibase prefix")
	}
	_, raw, err := multibase.Decode(s)
	if err != nil {
		return cid.Undef, incorrect("bad multibase data: " + err.Error())
	}
	if len(raw) == 0 {
		return cid.Undef, incorrect("empty")
	}
	// A multibase-wrapped sha2-256 multihash would be a CIDv0 in disguise; the
	// reference only takes CIDv0 in its bare base58 form.
	if raw[0] == Sha256 {
		return cid.Undef, incorrect("CIDv0 must be bare base58")
	}
	return CIDFromBytes(raw)
}

// CIDFromBytes parses a binary CID with the reference's rules (Cid.init on
// bytes): exactly 34 bytes starting 0x12 0x20 is a CIDv0; anything else must
// be version 1 with a content codec nim-libp2p knows and a multihash whose
// function it implements with the matching digest length. The reference
// tolerates bytes after the multihash; this parser does not, because go-cid
// cannot represent them and such a CID could never match a stored block.
// Errors are *CidError values.
func CIDFromBytes(b []byte) (cid.Cid, error) {
	if len(b) == 0 {
		return cid.Undef, incorrect("empty")
	}
	if len(b) == 34 && b[0] == Sha256 && b[1] == 32 {
		return castCID(b)
	}
	version, n, err := varint.FromUvarint(b)
	if err != nil {
		return cid.Undef, incorrect("version: " + err.Error())
	}
	if version != 1 {
		return cid.Undef, incorrect("version is not 1")
	}
	codec, m, err := varint.FromUvarint(b[n:])
	if err != nil {
		return cid.Undef, incorrect("codec: " + err.Error())
	}
	if !contentCodecs[codec] {
		return cid.Undef, incorrect("unknown content codec")
	}
	if reason := checkMultihash(b[n+m:]); reason != "" {
		return cid.Undef, incorrect(reason)
	}
	return castCID(b)
}

func castCID(b []byte) (cid.Cid, error) {
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, incorrect(err.Error())
	}
	return c, nil
}

// checkMultihash mirrors MultiHash.validate, plus the exact-length rule
// explained at CIDFromBytes. It returns why mh is unacceptable, or "".
func checkMultihash(mh []byte) string {
	if len(mh) < 2 {
		return "multihash too short"
	}
	code, n, err := varint.FromUvarint(mh)
	if err != nil || n >= len(mh) {
		return "multihash code"
	}
	size, m, err := varint.FromUvarint(mh[n:])
	if err != nil || size > 0x7FFF_FFFF {
		return "multihash length"
	}
	want, ok := hashDigestSize(code)
	if !ok {
		return "unknown hash function"
	}
	if want != 0 && want != size {
		return "digest length does not match the hash function"
	}
	if uint64(len(mh)-n-m) != size {
		return "digest length does not match the data"
	}
	return ""
}

// contentCodecs is nim-libp2p's ContentIdsList: the only codecs its Cid type
// accepts. The codex-* entries are what archivist adds.
var contentCodecs = map[uint64]bool{
	0x55: true, 0x70: true, 0x71: true, 0x0129: true, 0x72: true, 0x78: true, // raw, dag-pb, dag-cbor, dag-json, libp2p-key, git-raw
	0x90: true, 0x91: true, 0x92: true, 0x93: true, 0x94: true, 0x95: true, 0x96: true, 0x97: true, 0x98: true, // eth-*
	0xB0: true, 0xB1: true, 0xC0: true, 0xC1: true, 0xD0: true, 0xD1: true, // bitcoin, zcash, stellar
	0xE0: true, 0xE1: true, 0xF0: true, 0xF1: true, 0x7B: true, 0x7C: true, 0xED: true, // decred, dash, torrent, ed25519-pub
	ManifestCodec: true, BlockCodec: true, DatasetRootCodec: true,
	0xCD04: true, 0xCD05: true, 0xCD06: true, // codex-slot-root, codex-proving-root, codex-slot-cell
}

// hashDigestSize reports the digest length of the hash functions nim-libp2p
// implements (its HashesList); 0 means any length (identity).
func hashDigestSize(code uint64) (uint64, bool) {
	switch {
	case code >= 0xB201 && code <= 0xB240: // blake2b-8 … blake2b-512
		return code - 0xB200, true
	case code >= 0xB241 && code <= 0xB260: // blake2s-8 … blake2s-256
		return code - 0xB240, true
	}
	size, ok := fixedHashSizes[code]
	return size, ok
}

var fixedHashSizes = map[uint64]uint64{
	0x00: 0,            // identity
	0x11: 20,           // sha1
	0x56: 32,           // dbl-sha2-256
	0x12: 32, 0x13: 64, // sha2-256, sha2-512
	0x17: 28, 0x16: 32, 0x15: 48, 0x14: 64, // sha3-224/256/384/512
	0x18: 32, 0x19: 64, // shake-128, shake-256
	0x1A: 28, 0x1B: 32, 0x1C: 48, 0x1D: 64, // keccak-224/256/384/512
	0xCD10: 32, 0xCD11: 32, // poseidon2 sponge, poseidon2 merkle-2kb
}
