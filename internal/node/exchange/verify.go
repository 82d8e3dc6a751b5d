package exchange

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// ErrBadBlock wraps every reason a delivered block is rejected.
var ErrBadBlock = errors.New("exchange: bad block")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadBlock, fmt.Sprintf(format, args...))
}

// verifyDelivery checks a delivery for the address it claims, as the
// reference's validateBlockDelivery and Block.new(verify = true) do
// together: the data must hash to the block CID, and the block must be
// what the address names — the leaf at that index of the tree, proven by
// the Merkle proof, or exactly the CID asked for. Whether the address was
// asked for at all is the caller's check.
func verifyDelivery(d *BlockDelivery) error {
	digest, err := sha256Digest(d.BlockCid)
	if err != nil {
		return bad("block cid: %v", err)
	}
	if sha256.Sum256(d.Data) != digest {
		return bad("data does not hash to %s", dag.CIDString(d.BlockCid))
	}
	a := &d.Address
	if !a.Leaf {
		if !a.Cid.Equals(d.BlockCid) {
			return bad("delivered %s for %s", dag.CIDString(d.BlockCid), dag.CIDString(a.Cid))
		}
		return nil
	}
	// The proof covers only the digest, so the codec is checked here:
	// every dataset leaf is a codex-block.
	if d.BlockCid.Type() != dag.BlockCodec {
		return bad("leaf block has codec 0x%x, want codex-block", d.BlockCid.Type())
	}
	if len(d.Proof) == 0 {
		return bad("leaf delivery without proof")
	}
	proof, err := dag.DecodeProof(d.Proof)
	if err != nil {
		return bad("%v", err)
	}
	if proof.Index != a.Index {
		return bad("proof is for index %d, not %d", proof.Index, a.Index)
	}
	root, err := sha256Digest(a.TreeCid)
	if err != nil {
		return bad("tree cid: %v", err)
	}
	if err := proof.Verify(digest, root); err != nil {
		return bad("%v", err)
	}
	return nil
}

// sha256Digest returns the digest of a CIDv1 with a sha2-256 multihash, the
// only kind the data model produces and the only kind that can be checked.
func sha256Digest(c cid.Cid) ([32]byte, error) {
	if !c.Defined() {
		return [32]byte{}, errors.New("undefined")
	}
	if p := c.Prefix(); p.Version != 1 || p.MhType != mh.SHA2_256 {
		return [32]byte{}, fmt.Errorf("%s is not a sha2-256 CIDv1", dag.CIDString(c))
	}
	return dag.Digest(c)
}

// checkAddress refuses a fetch that could never be verified.
func checkAddress(a BlockAddress) error {
	c := a.Key()
	if _, err := sha256Digest(c); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnsupported, a, err)
	}
	if a.Leaf && a.Index < 0 {
		return fmt.Errorf("exchange: negative leaf index %d", a.Index)
	}
	return nil
}
