package repo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// Buckets of meta.db. Keys are binary CIDs; CIDs are prefix-free, so
// "cid ‖ more" keys can be range-scanned by the CID alone.
var (
	// block cid → blockMeta
	bucketBlocks = []byte("blocks")
	// pack ID (8 bytes, big endian) → packRecord: the pack files and their
	// live bytes (pack.go)
	bucketPacks = []byte("packs")
	// expiry (8 bytes, big endian) ‖ block cid → empty; lets Maintain visit
	// only expired blocks, oldest first, instead of scanning every block.
	bucketExpiry = []byte("expiry")
	// tree cid ‖ index (8 bytes, big endian) → uvarint(len(block cid)) ‖
	// block cid ‖ encoded proof, which may be empty
	bucketLeaves = []byte("leaves")
	// block cid ‖ tree cid ‖ index → empty; the reverse of leaves, so that
	// deleting an expired block also drops the leaves that point to it.
	bucketRefs = []byte("refs")
	// manifest cid → manifest bytes; GET /data lists this without touching
	// block files.
	bucketManifests = []byte("manifests")
	// totals and the schema version
	bucketTotals = []byte("totals")
	// Only while a large commit is in progress (or was killed before it
	// published): kind ‖ key → what the key held before the commit (see
	// stage.go). Readers look through it, so the commit's changes stay
	// invisible until the transaction that deletes it; Open undoes them if
	// that never happened. Builds without it simply never create it.
	bucketStaged = []byte("staged")

	keyTotalBlocks   = []byte("totalBlocks")
	keyUsedBytes     = []byte("usedBytes")
	keyReservedBytes = []byte("reservedBytes")
	keyVersion       = []byte("version")
)

// schemaVersion 2 added pack files. A version 1 repo is upgraded in place:
// its block files stay where they are (a record without a pack location
// names one) and new blocks go to packs. Version 3 stores blocks without
// their trailing zeros, a record of 48 bytes giving how many bytes are
// stored; version 2 records (all bytes stored) are read as they are. A
// build that knows an older version refuses the upgraded repo instead of
// misreading it.
const schemaVersion = 3

func initSchema(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketBlocks, bucketExpiry, bucketLeaves, bucketRefs, bucketManifests, bucketTotals, bucketPacks} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	b := tx.Bucket(bucketTotals)
	v := b.Get(keyVersion)
	if v == nil {
		return b.Put(keyVersion, u64(schemaVersion))
	}
	switch got := binary.BigEndian.Uint64(v); got {
	case schemaVersion:
		return nil
	case 1, 2:
		return b.Put(keyVersion, u64(schemaVersion))
	default:
		return fmt.Errorf("meta.db has schema version %d, this build understands %d", got, schemaVersion)
	}
}

// blockMeta is the record of one stored block: its accounting and where its
// bytes are. A record of 24 bytes (schema version 1) has no location: the
// block is a file under blocks/ (loc.pack 0); one of 40 bytes stores the
// whole block, one of 48 bytes its first loc.n bytes (the rest are zeros).
type blockMeta struct {
	size     int64
	expiry   int64 // unix seconds
	refCount int64 // number of (tree, index) leaves pointing here
	loc      packLoc
}

func (m blockMeta) encode() []byte {
	n := 48
	switch {
	case m.loc.pack == 0:
		n = 24
	case m.loc.n == m.size:
		n = 40
	}
	v := make([]byte, n)
	binary.BigEndian.PutUint64(v[0:], uint64(m.size))
	binary.BigEndian.PutUint64(v[8:], uint64(m.expiry))
	binary.BigEndian.PutUint64(v[16:], uint64(m.refCount))
	if n >= 40 {
		binary.BigEndian.PutUint64(v[24:], m.loc.pack)
		binary.BigEndian.PutUint64(v[32:], uint64(m.loc.at))
	}
	if n == 48 {
		binary.BigEndian.PutUint64(v[40:], uint64(m.loc.n))
	}
	return v
}

func decodeBlockMeta(v []byte) (blockMeta, error) {
	if len(v) != 24 && len(v) != 40 && len(v) != 48 {
		return blockMeta{}, errors.New("corrupt block metadata")
	}
	m := blockMeta{
		size:     int64(binary.BigEndian.Uint64(v[0:])),
		expiry:   int64(binary.BigEndian.Uint64(v[8:])),
		refCount: int64(binary.BigEndian.Uint64(v[16:])),
	}
	if len(v) >= 40 {
		m.loc = packLoc{pack: binary.BigEndian.Uint64(v[24:]), at: int64(binary.BigEndian.Uint64(v[32:])), n: m.size}
		if len(v) == 48 {
			m.loc.n = int64(binary.BigEndian.Uint64(v[40:]))
		}
		if m.loc.pack == 0 || m.loc.at < 0 || m.size < 0 || m.loc.n < 0 || m.loc.n > m.size {
			return blockMeta{}, errors.New("corrupt block metadata")
		}
	}
	return m, nil
}

// expiryKey orders by expiry first. Negative expiries (a clock before 1970)
// clamp to 0 so the big-endian order stays numeric.
func expiryKey(expiry int64, c []byte) []byte {
	k := make([]byte, 8+len(c))
	binary.BigEndian.PutUint64(k, uint64(max(expiry, 0)))
	copy(k[8:], c)
	return k
}

// leafProof returns the proof bytes of a leaf value without copying.
func leafProof(v []byte) []byte {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil
	}
	return v[w+int(n):]
}

func leafKey(tree []byte, index uint64) []byte {
	k := make([]byte, len(tree)+8)
	copy(k, tree)
	binary.BigEndian.PutUint64(k[len(tree):], index)
	return k
}

func refKey(block []byte, leaf []byte) []byte {
	k := make([]byte, 0, len(block)+len(leaf))
	return append(append(k, block...), leaf...)
}

func encodeLeaf(block []byte, proof []byte) []byte {
	v := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(block)+len(proof)), uint64(len(block)))
	return append(append(v, block...), proof...)
}

// decodeLeaf copies out of bbolt's memory, which is only valid inside the
// transaction.
func decodeLeaf(v []byte) (cid.Cid, []byte, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return cid.Undef, nil, errors.New("corrupt leaf metadata")
	}
	c, err := cid.Cast(v[w : w+int(n)])
	if err != nil {
		return cid.Undef, nil, fmt.Errorf("corrupt leaf metadata: %w", err)
	}
	return c, append([]byte(nil), v[w+int(n):]...), nil
}

// leafBlock returns the block CID bytes of a leaf value without copying.
func leafBlock(v []byte) []byte {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil
	}
	return v[w : w+int(n)]
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// totals mirrors bucketTotals for the length of one transaction.
type totals struct {
	blocks, used, reserved int64
}

func readTotals(tx *bolt.Tx) totals {
	b := tx.Bucket(bucketTotals)
	get := func(k []byte) int64 {
		v := b.Get(k)
		if len(v) != 8 {
			return 0
		}
		n := binary.BigEndian.Uint64(v)
		if n > math.MaxInt64 {
			return 0
		}
		return int64(n)
	}
	return totals{blocks: get(keyTotalBlocks), used: get(keyUsedBytes), reserved: get(keyReservedBytes)}
}

func (t totals) encode() []byte {
	v := make([]byte, 24)
	binary.BigEndian.PutUint64(v[0:], uint64(max(t.blocks, 0)))
	binary.BigEndian.PutUint64(v[8:], uint64(max(t.used, 0)))
	binary.BigEndian.PutUint64(v[16:], uint64(max(t.reserved, 0)))
	return v
}

func decodeTotals(v []byte) (totals, error) {
	if len(v) != 24 {
		return totals{}, errors.New("corrupt staged totals")
	}
	return totals{
		blocks:   int64(binary.BigEndian.Uint64(v[0:])),
		used:     int64(binary.BigEndian.Uint64(v[8:])),
		reserved: int64(binary.BigEndian.Uint64(v[16:])),
	}, nil
}

func (t totals) write(tx *bolt.Tx) error {
	b := tx.Bucket(bucketTotals)
	for _, kv := range []struct {
		k []byte
		v int64
	}{{keyTotalBlocks, t.blocks}, {keyUsedBytes, t.used}, {keyReservedBytes, t.reserved}} {
		if err := b.Put(kv.k, u64(uint64(max(kv.v, 0)))); err != nil {
			return err
		}
	}
	return nil
}
