// Package dag is the byte-exact data model of archivist-node: how an upload
// becomes blocks, a Merkle tree, a manifest, and the CIDs that name them.
//
// Data is cut into 64 KiB blocks and the last block is zero-padded, so every
// dataset block is exactly BlockSize bytes and is named by CIDv1(codex-block
// 0xCD02, sha2-256 of the padded block). The SHA-256 digests of the blocks, in
// order, are the leaves of a binary Merkle tree whose compression is
// SHA-256(x ‖ y ‖ key): the key byte says whether the pair sits on the bottom
// layer and whether it is an odd last node paired with 32 zero bytes, and the
// bottom layer is compressed even when there is only one leaf. The root is
// wrapped, not re-hashed, in a sha2-256 multihash and named with codex-root
// 0xCD03. The manifest records that tree CID, the sizes and an optional
// filename and mimetype in a protobuf laid out exactly as nim-libp2p's
// minprotobuf writes it (ascending fields, zero scalars included, version 2);
// its CID is CIDv1(codex-manifest 0xCD01, sha2-256 of those bytes). Proofs
// that a block belongs to a tree use the reference's ArchivistProof message.
//
// Every one of these bytes has to match the Nim reference because the CIDs are
// hashes of them: a single different byte and the CID that POST /data returns,
// that the DHT announces and that block exchange asks for names a different
// object, and the two implementations can no longer share data. That is why
// the encoders are written by hand rather than with a generic protobuf library
// (which would drop zero fields), why CID strings are formatted here in
// base58btc (go-cid prints v1 CIDs in base32), and why parsing follows the
// reference's rules, including what it rejects, instead of go-cid's. Decoders
// follow minprotobuf (last occurrence wins, fields with an unexpected wire type
// are skipped, groups are errors), never panic, and never trust a length field
// beyond the bytes that are actually present.
package dag
