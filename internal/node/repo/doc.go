// Package repo is the node's storage repo: it keeps the blocks of uploaded
// and fetched datasets, the (tree, index) → (block, proof) leaves of their
// Merkle trees, the list of manifests for GET /data and the quota accounting
// for GET /space, with the reference node's rules for reference counts,
// expiry (TTL) and deletion. Block bytes live one per file under blocks/,
// and everything else lives in one bbolt database, meta.db. The database is
// the single source of truth: a block exists when its metadata exists, and
// the totals are updated in the same transaction as the blocks they count,
// so they cannot drift, not even across a crash. An upload is a Batch. Its
// blocks are written to files as they arrive, a few in the background at a
// time (temp name, then rename, so a file is never half there), without a
// sync each; Commit then syncs them all at once (syncfs on Linux) and only
// afterwards records everything, so files are always durable before
// metadata points to them. Commit writes every bucket in key order, and a
// batch too large for one transaction of bounded memory (a few thousand
// blocks) is staged over several: each records, before it changes a key,
// what the key held, readers look through those records, and the last
// transaction publishes the upload by dropping them. Readers therefore see
// an upload all at once in either case, and Open undoes the staged part of
// a commit that was killed before it published (stage.go). Proofs are
// optional: a leaf may be stored with its block CID only, and Leaves lists
// a tree's blocks so that the node can rebuild its proofs.
// Deletes work the other way round: metadata first, files after. Both
// orders mean a crash at any moment can only leave files the database does
// not know (and, in a staged commit, changes it has not published), and Open
// removes those (plus temp files) before the repo is used: a committed
// upload is complete, an uncommitted one leaves nothing. Quota is
// checked as blocks arrive, against committed bytes plus the pending bytes
// of every open batch, which are kept in memory under the same mutex that
// serialises the write transactions, so parallel uploads cannot overbook.
// The same in-memory claims stop a delete from removing a file that an open
// batch is about to commit again.
package repo
