// Package exchange implements block exchange, the libp2p protocol
// /archivist/blockexc/1.0.0 by which archivist nodes ask each other for
// blocks and send them (spec §4), compatible with the Nim archivist-node
// and with itself.
//
// # Wire
//
// A message is a protobuf Message preceded by its unsigned-varint length,
// at most MaxMessageSize (100 MiB). The codec is written by hand with
// protowire because the reference's decoder (nim-libp2p minprotobuf) has
// rules a generated codec does not share: the last occurrence of a field
// wins, unexpected wire types are skipped, groups are errors. Values that
// would be a range defect in the Nim decoder (a priority above 2^31−1, an
// enum or bool outside 0/1) are rejected here. Decoding never trusts a
// length: a frame's buffer grows only as its bytes arrive, and every field
// length is checked against what is present.
//
// Dataset blocks are always addressed as a leaf of their tree (tree CID and
// index), so that a delivery carries the Merkle proof tying the block to the
// tree; manifests are addressed by their own CID.
//
// # Streams
//
// Each side opens one outbound stream per peer for everything it sends and
// keeps it; it reads every stream, its own outbound one included, since a
// peer may answer on either. Per peer there is a writer goroutine for small
// control messages (want lists, presences), which merges what queued up
// while it was writing, and a serve goroutine for blocks; both exist only
// while they have work. Read loops never write: they only queue. So a peer
// that stops reading cannot block our reading of it or of anyone else, and
// the engine's mutex is never held across network I/O.
//
// # Serving
//
// WantHave is answered with a presence (Have, or DontHave when the entry
// asks for it), WantBlock queues the block for the serve goroutine, cancel
// removes it. The serve goroutine sends leaves with the proof stored next to
// them, in messages of about MaxDeliveryBytes. Everything a peer can make us
// hold is capped: MaxPeerWants queued blocks, a bounded control queue, one
// message being read at a time per peer (however many of its 100 allowed
// inbound streams it uses), and at most maxServing peers served at once.
// What exceeds a cap is dropped; the reference's requester retries.
//
// # Fetching
//
// The engine keeps one table of wanted blocks shared by every fetch, so a
// FetchBlock for a block a FetchDataset already requested waits for the
// same request. A scheduler goroutine makes passes over the table, most
// urgent and lowest index first: it sends WantHave to connected peers,
// WantBlock to the least busy peer that reported Have and has room in its
// PeerWindow (so a transfer keeps many requests in flight per peer and
// spreads over every peer holding the data), moves requests away from a
// peer that went silent or sat on one block too long, and asks Discovery
// for providers when no connected peer has a block. A peer that connects
// gets the whole want list as WantHave with full=true, like the reference
// sends it.
//
// Every block is verified before it is stored, with the reference's rules:
// it must be pending, hash to its block CID, and either be proven by its
// Merkle proof to be that leaf of the tree (the proof's index must be the
// address's) or be exactly the CID asked for. A peer that sends a bad
// block gets a strike and is not asked for anything more of that dataset
// during the download; after MaxStrikes it is not asked for anything.
// Verified blocks go to a few store goroutines, and the read loop waits
// when they fall behind, which slows the sender down to the disk's speed.
// RepoStore group-commits them, since a repo commit (a sync) costs more
// than writing a block.
//
// FetchDataset requests the blocks of a dataset in index order, a window of
// DatasetWindow at a time, skipping those its have function reports: a
// download that was interrupted resumes with exactly the blocks that are
// missing. Streaming a dataset while it downloads is FetchDataset in the
// background for read-ahead plus FetchBlock for the next block to send,
// which waits for that block (or requests it at once, ahead of the
// read-ahead).
//
// Payments are off in the reference: presences carry a zero price and the
// account and payment fields are ignored.
package exchange
