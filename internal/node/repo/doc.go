// Package repo is the node's storage repo: it keeps the blocks of uploaded
// and fetched datasets, the (tree, index) → (block, proof) leaves of their
// Merkle trees, the list of manifests for GET /data and the quota accounting
// for GET /space, with the reference node's rules for reference counts,
// expiry (TTL) and deletion. Block bytes live in pack files under packs/
// (pack.go), and everything else lives in one bbolt database, meta.db. The
// database is the single source of truth: a block exists when its record
// exists, the record says which pack and offset hold its bytes, and the
// totals and each pack's live bytes are updated in the same transaction as
// the blocks they count, so they cannot drift, not even across a crash.
//
// An upload is a Batch. Its blocks are appended to the active pack as they
// arrive, a few writes in the background at a time, each at a place
// assigned when it is queued; several uploads share the active pack, so
// many small files do not make many files. Commit syncs the packs the batch
// wrote into and only afterwards records everything, so bytes are always
// durable before metadata points to them. A batch's memory does not grow
// with its upload: the blocks it puts are remembered in a window, its
// leaves in a buffer, and each, when full, is written sorted to the batch's
// spill file (spill.go). Commit merges those runs, so it writes every
// bucket in key order; a batch too large for one transaction of bounded
// memory (a few thousand records) is staged over several: each records,
// before it changes a key, what the key held, readers look through those
// records, and the last transaction publishes the upload (and the packs'
// live bytes) by dropping them. Readers therefore see an upload all at once
// in either case, and Open undoes the staged part of a commit that was
// killed before it published (stage.go) and removes spill files. Proofs are
// optional: a leaf may be stored with its block CID only, and Leaves lists
// a tree's blocks so that the node can rebuild its proofs. An upload's own
// tree is named by its Merkle root, known only after its last block, so its
// leaves can be put before the tree has a name (PutLeaf, SetTree).
//
// Deletes work the other way round: metadata first, files after. A pack
// whose last live block goes is removed; one that is mostly dead (deleted
// or expired blocks, uploads that never committed) is rewritten by
// maintenance (compact.go), and the active pack is cut back to its
// committed end when an upload is aborted. Both orders mean a crash at any
// moment can only leave bytes the database does not point to (whole packs,
// or the tail of a pack past its recorded size) and, in a staged commit,
// changes it has not published, and Open removes those before the repo is
// used: a committed upload is complete, an uncommitted one leaves nothing.
// Open packs are pinned (by the batches writing into them, and by batches
// that found a block stored there and will record it again if a delete
// drops it meanwhile), and a pinned pack is never removed or compacted.
// Quota is checked as blocks arrive, against committed bytes plus the
// pending bytes of every open batch, which are kept in memory under the
// same mutex that serialises the write transactions, so parallel uploads
// cannot overbook.
//
// Repos written before packs (schema version 1) kept one file per block
// under blocks/; they open unchanged, their blocks are read and deleted
// where they are, and new blocks go to packs.
package repo
