package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
)

// blockSet is a batch's record of the blocks it put, kept compact because a
// 10 GiB upload has 163,840 of them: the binary CIDs are packed one after
// the other in one slab, each block is a 40-byte record pointing into it,
// and an open-addressing table of record numbers finds a CID again. That is
// about 85 bytes a block (38 + 40 + 8 on average for the table), where a map
// keyed by CID strings costs well over 100.
type blockSet struct {
	seed  maphash.Seed
	slab  []byte     // the CIDs, concatenated
	recs  []blockRec // in put order
	slots []int32    // record number + 1; 0 is free. len is a power of 2, at most 3/4 used.
}

type blockRec struct {
	size  int64
	loc   packLoc // where the batch wrote it, or where it was found stored
	off   uint32  // of the CID in slab
	n     uint16  // CID length
	wrote bool    // the batch wrote it into one of its packs
}

// blockRecLen is the size of an encoded blockRec, as spilled: size, pack,
// offset, stored bytes, wrote.
const blockRecLen = 33

func (r *blockRec) encode(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.size))
	dst = binary.BigEndian.AppendUint64(dst, r.loc.pack)
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.loc.at))
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.loc.n))
	if r.wrote {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func decodeBlockRec(v []byte) (blockRec, error) {
	if len(v) != blockRecLen {
		return blockRec{}, errCorruptSpill
	}
	return blockRec{
		size:  int64(binary.BigEndian.Uint64(v)),
		loc:   packLoc{pack: binary.BigEndian.Uint64(v[8:]), at: int64(binary.BigEndian.Uint64(v[16:])), n: int64(binary.BigEndian.Uint64(v[24:]))},
		wrote: v[32] == 1,
	}, nil
}

var errBatchTooBig = errors.New("batch too large")

func (s *blockSet) len() int { return len(s.recs) }

// key returns the binary CID of record i; it aliases the slab.
func (s *blockSet) key(i int) []byte {
	r := &s.recs[i]
	return s.slab[r.off : r.off+uint32(r.n) : r.off+uint32(r.n)]
}

// find returns the record number of the CID k (binary, as a string so that
// callers can pass cid.Cid.KeyString() without a copy), or -1.
func (s *blockSet) find(k string) int {
	if len(s.slots) == 0 {
		return -1
	}
	mask := uint64(len(s.slots) - 1)
	for i := maphash.String(s.seed, k) & mask; ; i = (i + 1) & mask {
		n := s.slots[i]
		if n == 0 {
			return -1
		}
		if string(s.key(int(n-1))) == k {
			return int(n - 1)
		}
	}
}

// add appends a record for k, which must not be in the set yet.
func (s *blockSet) add(k string, size int64, loc packLoc, wrote bool) error {
	if len(k) > math.MaxUint16 || len(s.slab)+len(k) > math.MaxUint32 || len(s.recs) >= math.MaxInt32-1 {
		return errBatchTooBig
	}
	if 4*(len(s.recs)+1) > 3*len(s.slots) {
		s.grow()
	}
	s.recs = append(s.recs, blockRec{size: size, loc: loc, off: uint32(len(s.slab)), n: uint16(len(k)), wrote: wrote})
	s.slab = append(s.slab, k...)
	s.insert(len(s.recs) - 1)
	return nil
}

func (s *blockSet) insert(rec int) {
	mask := uint64(len(s.slots) - 1)
	i := maphash.Bytes(s.seed, s.key(rec)) & mask
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = int32(rec + 1)
}

func (s *blockSet) grow() {
	if len(s.slots) == 0 {
		s.seed = maphash.MakeSeed()
	}
	s.slots = make([]int32, max(64, 2*len(s.slots)))
	for i := range s.recs {
		s.insert(i)
	}
}

// reset empties the set, keeping its memory for the next window.
func (s *blockSet) reset() {
	s.slab, s.recs = s.slab[:0], s.recs[:0]
	clear(s.slots)
}

// sorted is a source over the set in CID order, values blockRec.encode.
func (s *blockSet) sorted() source {
	order := sortedOrder(len(s.recs), func(x, y int32) int { return bytes.Compare(s.key(int(x)), s.key(int(y))) })
	var val []byte
	return &orderSource{n: len(order), at: func(i int) ([]byte, []byte) {
		rec := int(order[i])
		val = s.recs[rec].encode(val[:0])
		return s.key(rec), val
	}}
}
