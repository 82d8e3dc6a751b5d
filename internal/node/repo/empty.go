package repo

import (
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// blockCodec is the codex-block multicodec (spec §3.1).
const blockCodec = 0xCD02

// emptyCID is CIDv1(codex-block, sha2-256 of zero bytes). The reference
// never stores it, reports it present, and hands out an empty block for it;
// we do the same so a zero-length block costs no file and no quota.
var emptyCID = func() cid.Cid {
	h, err := mh.Sum(nil, mh.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(blockCodec, h)
}()

// emptyKey is the binary emptyCID.
var emptyKey = emptyCID.KeyString()

func isEmpty(c cid.Cid) bool { return c.Equals(emptyCID) }
