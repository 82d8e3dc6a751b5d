package repo

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// A batch's memory must not grow with its upload: a 10 GiB file has
// 163,840 blocks and leaves, a 1 TiB one a hundred times more. So what a
// batch remembers for Commit is kept as sorted runs: the newest part in
// memory, and each time that is full it is sorted and written to the end of
// the batch's spill file, a temporary file removed when the batch ends (and
// by Open after a crash). Commit reads the runs back merged, in key order,
// which is also the order bbolt wants its keys in. Runs of one kind that
// pile up are merged into one, fanIn at a time, so that a merge reads from
// a bounded number of runs, each through a small buffer: an LSM tree in
// miniature, costing a few passes over the file for the largest uploads.
//
// A record is a key and a value; equal keys come out of a merge in the
// order they were added, so a caller can keep the first or the last.

const (
	// fanIn is how many runs of one level are merged into one of the next.
	fanIn = 16
	// runBuffer is the read buffer of each run being merged.
	runBuffer = 16 << 10
	// blockWindow is how many blocks a batch keeps in memory, about 90
	// bytes each, before it spills them (Repo.blockWindow).
	blockWindow = 16384
	// spillBytes is how much a sorter holds in memory before it writes a
	// run (Repo.spillBytes; tests make it small).
	spillBytes = 2 << 20
)

// source yields records in key order. key and val are valid until the
// next call.
type source interface {
	next() (key, val []byte, ok bool, err error)
}

// run is a sorted run in a spill file.
type run struct {
	off, n int64
	level  int
}

// spillFile is a batch's temporary file of runs; it is created by the
// first run written.
type spillFile struct {
	dir string
	f   *os.File
	end int64
}

func (s *spillFile) open() error {
	if s.f != nil {
		return nil
	}
	f, err := os.CreateTemp(s.dir, "batch-*")
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.f = f
	return nil
}

// remove deletes the file; the batch is done with it.
func (s *spillFile) remove() {
	if s.f == nil {
		return
	}
	s.f.Close()
	os.Remove(s.f.Name())
	s.f, s.end = nil, 0
}

// write drains src into a new run at the end of the file.
func (s *spillFile) write(src source, level int) (run, error) {
	if err := s.open(); err != nil {
		return run{}, err
	}
	start := s.end
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.f, start), 64<<10)
	var n int64
	var hdr [2 * binary.MaxVarintLen64]byte
	for {
		key, val, ok, err := src.next()
		if err != nil {
			return run{}, err
		}
		if !ok {
			break
		}
		h := binary.AppendUvarint(hdr[:0], uint64(len(key)))
		h = binary.AppendUvarint(h, uint64(len(val)))
		for _, p := range [][]byte{h, key, val} {
			if _, err := w.Write(p); err != nil {
				return run{}, fmt.Errorf("spill: %w", err)
			}
		}
		n += int64(len(h) + len(key) + len(val))
	}
	if err := w.Flush(); err != nil {
		return run{}, fmt.Errorf("spill: %w", err)
	}
	s.end += n
	return run{off: start, n: n, level: level}, nil
}

// reader reads run back.
func (s *spillFile) reader(r run) source {
	return &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, r.off, r.n), runBuffer)}
}

// add writes src as a new run of runs, merging the runs that then fill a
// level.
func (s *spillFile) add(runs []run, src source) ([]run, error) {
	r, err := s.write(src, 0)
	if err != nil {
		return runs, err
	}
	runs = append(runs, r)
	for len(runs) >= fanIn && runs[len(runs)-1].level == runs[len(runs)-fanIn].level {
		last := runs[len(runs)-fanIn:]
		merged, err := s.write(newMerger(s.readers(last)), last[0].level+1)
		if err != nil {
			return runs, err
		}
		runs = append(runs[:len(runs)-fanIn], merged)
	}
	return runs, nil
}

// merge reads runs and then tail (the newest records, still in memory) as
// one source. Runs are written oldest first, so equal keys come out in the
// order they were added.
func (s *spillFile) merge(runs []run, tail source) source {
	if len(runs) == 0 {
		return tail
	}
	return newMerger(append(s.readers(runs), tail))
}

func (s *spillFile) readers(runs []run) []source {
	srcs := make([]source, 0, len(runs)+1)
	for _, r := range runs {
		srcs = append(srcs, s.reader(r))
	}
	return srcs
}

var errCorruptSpill = errors.New("spill: corrupt run")

type runReader struct {
	r        *bufio.Reader
	key, val []byte
}

func (rr *runReader) next() ([]byte, []byte, bool, error) {
	kn, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("spill: %w", err)
	}
	vn, err := binary.ReadUvarint(rr.r)
	if err != nil || kn > 1<<20 || vn > 1<<30 {
		return nil, nil, false, errCorruptSpill
	}
	rr.key = slices.Grow(rr.key[:0], int(kn))[:kn]
	rr.val = slices.Grow(rr.val[:0], int(vn))[:vn]
	if _, err := io.ReadFull(rr.r, rr.key); err != nil {
		return nil, nil, false, errCorruptSpill
	}
	if _, err := io.ReadFull(rr.r, rr.val); err != nil {
		return nil, nil, false, errCorruptSpill
	}
	return rr.key, rr.val, true, nil
}

// merger merges sources by key; of equal keys, the earlier source's first.
type merger struct {
	heads []mergeHead
	h     []int // heap of indexes into heads that have a record
	last  int   // the head returned last, advanced on the next call
}

type mergeHead struct {
	src      source
	key, val []byte
}

func newMerger(srcs []source) *merger {
	// last -2: every head still has to read its first record.
	m := &merger{heads: make([]mergeHead, len(srcs)), last: -2}
	for i, s := range srcs {
		m.heads[i].src = s
		m.h = append(m.h, i)
	}
	return m
}

func (m *merger) Len() int { return len(m.h) }
func (m *merger) Less(i, j int) bool {
	a, b := m.h[i], m.h[j]
	if c := bytes.Compare(m.heads[a].key, m.heads[b].key); c != 0 {
		return c < 0
	}
	return a < b
}
func (m *merger) Swap(i, j int) { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *merger) Push(x any)    { m.h = append(m.h, x.(int)) }
func (m *merger) Pop() any {
	x := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return x
}

// advance reads head i's next record; false if it has none.
func (m *merger) advance(i int) (bool, error) {
	key, val, ok, err := m.heads[i].src.next()
	if err != nil || !ok {
		return false, err
	}
	m.heads[i].key, m.heads[i].val = key, val
	return true, nil
}

func (m *merger) next() ([]byte, []byte, bool, error) {
	switch {
	case m.last == -2:
		live := m.h[:0]
		for _, i := range m.h {
			ok, err := m.advance(i)
			if err != nil {
				return nil, nil, false, err
			}
			if ok {
				live = append(live, i)
			}
		}
		m.h = live
		heap.Init(m)
	case m.last >= 0:
		// The record returned last stays valid until now: only its own
		// source reuses its buffers.
		ok, err := m.advance(m.last)
		if err != nil {
			return nil, nil, false, err
		}
		if ok {
			heap.Fix(m, 0)
		} else {
			heap.Pop(m)
		}
	}
	if len(m.h) == 0 {
		m.last = -1
		return nil, nil, false, nil
	}
	m.last = m.h[0]
	hd := &m.heads[m.last]
	return hd.key, hd.val, true, nil
}

// recordBuf is records in memory, in one slab, in the order added.
type recordBuf struct {
	slab []byte
	offs []uint32
}

func (b *recordBuf) len() int { return len(b.offs) }

func (b *recordBuf) add(key, val []byte) error {
	if len(b.slab)+len(key)+len(val)+2*binary.MaxVarintLen64 > 1<<32-1 {
		return errBatchTooBig
	}
	b.offs = append(b.offs, uint32(len(b.slab)))
	b.slab = binary.AppendUvarint(b.slab, uint64(len(key)))
	b.slab = binary.AppendUvarint(b.slab, uint64(len(val)))
	b.slab = append(append(b.slab, key...), val...)
	return nil
}

func (b *recordBuf) at(i int) (key, val []byte) {
	p := b.slab[b.offs[i]:]
	kn, w1 := binary.Uvarint(p)
	vn, w2 := binary.Uvarint(p[w1:])
	p = p[w1+w2:]
	return p[:kn:kn], p[kn : kn+vn : kn+vn]
}

// sorted returns a source over the records in key order, equal keys in the
// order they were added.
func (b *recordBuf) sorted() source {
	order := sortedOrder(len(b.offs), func(x, y int32) int {
		kx, _ := b.at(int(x))
		ky, _ := b.at(int(y))
		return bytes.Compare(kx, ky)
	})
	return &orderSource{n: len(order), at: func(i int) ([]byte, []byte) { return b.at(int(order[i])) }}
}

// sortedOrder is 0..n-1 sorted by cmp, stably: equal records keep the order
// they were added in.
func sortedOrder(n int, cmp func(x, y int32) int) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, cmp)
	return order
}

// orderSource yields records by position in a sort order.
type orderSource struct {
	n, i int
	at   func(i int) (key, val []byte)
}

func (o *orderSource) next() ([]byte, []byte, bool, error) {
	if o.i == o.n {
		return nil, nil, false, nil
	}
	k, v := o.at(o.i)
	o.i++
	return k, v, true, nil
}

// sorter collects records of one kind, spilling full buffers as runs.
type sorter struct {
	file  *spillFile
	limit int // bytes in memory before a run is written
	buf   recordBuf
	runs  []run
	n     int // records added
}

func (s *sorter) add(key, val []byte) error {
	if err := s.buf.add(key, val); err != nil {
		return err
	}
	s.n++
	if len(s.buf.slab) < s.limit {
		return nil
	}
	var err error
	s.runs, err = s.file.add(s.runs, s.buf.sorted())
	s.buf = recordBuf{}
	return err
}

// spilled reports whether some records are on disk.
func (s *sorter) spilled() bool { return len(s.runs) > 0 }

// all is every record added, in key order. The sorter must not be added to
// while it is read.
func (s *sorter) all() source { return s.file.merge(s.runs, s.buf.sorted()) }
