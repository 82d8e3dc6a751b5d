package exchange

import (
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// ProtocolID is the libp2p protocol of block exchange (spec §4).
const ProtocolID = "/archivist/blockexc/1.0.0"

// MaxMessageSize bounds one length-prefixed message, as the reference's
// readLp(MaxMessageSize) does. A larger length prefix is refused before any
// of the body is read or allocated.
const MaxMessageSize = 100 << 20

// MaxPriority is the largest priority the reference can decode: it converts
// the varint with int32(x), and anything above is a Nim range defect there.
const MaxPriority = 1<<31 - 1

// Message is one block exchange message. The zero value is an empty message,
// which is valid on the wire.
type Message struct {
	WantList       WantList
	Payload        []BlockDelivery
	BlockPresences []BlockPresence
	PendingBytes   uint64
	Account        *AccountMessage     // nil: field 6 absent
	Payment        *StateChannelUpdate // nil: field 7 absent
}

// WantList asks a peer for blocks (WantBlock) or for whether it has them
// (WantHave), or revokes earlier entries (Cancel).
type WantList struct {
	Entries []WantListEntry
	// Full says the list replaces the sender's earlier wants. The reference
	// sets it on the list it sends when a peer connects but ignores it when
	// receiving, and so does this engine.
	Full bool
}

// WantType selects what a WantListEntry asks for.
type WantType uint8

const (
	WantBlock WantType = 0 // send the block
	WantHave  WantType = 1 // say whether you have it
)

func (t WantType) String() string {
	switch t {
	case WantBlock:
		return "WantBlock"
	case WantHave:
		return "WantHave"
	}
	return fmt.Sprintf("WantType(%d)", uint8(t))
}

// WantListEntry is one wanted address.
type WantListEntry struct {
	Address      BlockAddress
	Priority     int32 // 0..MaxPriority; the reference always sends 0
	Cancel       bool
	WantType     WantType
	SendDontHave bool // answer DontHave too, not only Have (WantHave only)
}

// BlockAddress names a block either as a leaf of a dataset tree (the way
// dataset blocks are always requested, so the answer can carry a Merkle
// proof) or by its own CID (manifests and single blocks). Only the fields
// of its kind are set, so two addresses of the same block compare equal
// and a BlockAddress can be a map key.
type BlockAddress struct {
	Leaf    bool
	TreeCid cid.Cid // Leaf: the dataset's tree CID
	Index   int     // Leaf: block index in the dataset, ≥ 0
	Cid     cid.Cid // !Leaf: the block's CID
}

// LeafAddress addresses block index of the dataset tree treeCid.
func LeafAddress(treeCid cid.Cid, index int) BlockAddress {
	return BlockAddress{Leaf: true, TreeCid: treeCid, Index: index}
}

// CidAddress addresses a block (typically a manifest) by its CID.
func CidAddress(c cid.Cid) BlockAddress {
	return BlockAddress{Cid: c}
}

// Key is the CID a provider lookup uses for the address: the tree CID of a
// leaf, the block CID otherwise (the reference's cidOrTreeCid).
func (a BlockAddress) Key() cid.Cid {
	if a.Leaf {
		return a.TreeCid
	}
	return a.Cid
}

func (a BlockAddress) String() string {
	if a.Leaf {
		return fmt.Sprintf("%s/%d", dag.CIDString(a.TreeCid), a.Index)
	}
	return dag.CIDString(a.Cid)
}

// BlockDelivery carries one block. Proof is the encoded ArchivistProof of a
// leaf (dag.Proof.Encode) and is never sent for a CID address.
type BlockDelivery struct {
	BlockCid cid.Cid
	Data     []byte
	Address  BlockAddress
	Proof    []byte
}

// PresenceType says whether the sender has a block.
type PresenceType uint8

const (
	Have     PresenceType = 0
	DontHave PresenceType = 1
)

func (t PresenceType) String() string {
	switch t {
	case Have:
		return "Have"
	case DontHave:
		return "DontHave"
	}
	return fmt.Sprintf("PresenceType(%d)", uint8(t))
}

// BlockPresence answers a WantHave.
type BlockPresence struct {
	Address BlockAddress
	Type    PresenceType
	// Price is a big-endian UInt256 (at most 32 bytes). Payments are off in
	// the reference; this engine sends 32 zero bytes and ignores the field.
	Price []byte
}

// AccountMessage is the sender's 20-byte Ethereum payment address. Payments
// are off: the engine never sends one and ignores what it receives.
type AccountMessage struct {
	Address []byte
}

// StateChannelUpdate is a JSON-serialised nitro SignedState. Unused, like
// AccountMessage.
type StateChannelUpdate struct {
	Update []byte
}
