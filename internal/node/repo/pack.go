package repo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Pack files hold the blocks. A batch appends the blocks it writes to pack
// files of its own (at most packTarget bytes each), so an upload of 1 GiB
// creates 16 files instead of 16,384: creating a file costs far more than
// writing 64 KiB into one (it was a third of a network download's CPU), and
// one fsync per pack replaces the per-file work at commit. A pack is never
// written again once its batch has committed; blocks leave it by deletion
// only, and the pack record in meta.db (bucketPacks) counts its live bytes.
// A pack whose last live block is deleted is removed at once; one that is
// mostly dead is rewritten by maintenance (compaction), as restic's prune
// repacks. Pack IDs are random, so a removed pack's name is never reused.
//
// A pack is the magic line, then entries: uvarint(len(cid)) ‖ binary cid ‖
// uvarint(len(data)) ‖ data, where data is the block without its trailing
// zeros: the last block of every file is padded to 64 KiB, so a folder of
// small files would otherwise take many times its size on disk and in
// writes. The block record holds the pack ID, the offset of data, how many
// bytes are stored and the block's size; readers add the zeros back. The
// CIDs in the file name its entries, so a pack can be listed on its own.
const (
	packMagic  = "archivist-pack 1\n"
	packTarget = 64 << 20
	// maxOpenPacks bounds the read handles kept open.
	maxOpenPacks = 64
)

// packLoc is where a block's bytes are: n bytes at at in pack, the rest of
// the block being zeros. Pack 0 is the file-per-block layout of schema
// version 1 (blocks/), read and deleted as before.
type packLoc struct {
	pack uint64
	at   int64
	n    int64
}

// trimZeros is data without its trailing zeros: what a pack stores.
func trimZeros(data []byte) []byte {
	n := len(data)
	for n >= 8 && binary.NativeEndian.Uint64(data[n-8:n]) == 0 {
		n -= 8
	}
	for n > 0 && data[n-1] == 0 {
		n--
	}
	return data[:n]
}

// packRecord is the value of a pack in bucketPacks.
type packRecord struct {
	total int64 // the file's size
	live  int64 // bytes of blocks whose records point into it
}

func (p packRecord) encode() []byte {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, uint64(max(p.total, 0)))
	binary.BigEndian.PutUint64(v[8:], uint64(max(p.live, 0)))
	return v
}

func decodePackRecord(v []byte) (packRecord, error) {
	if len(v) != 16 {
		return packRecord{}, errors.New("corrupt pack record")
	}
	return packRecord{total: int64(binary.BigEndian.Uint64(v)), live: int64(binary.BigEndian.Uint64(v[8:]))}, nil
}

func packName(id uint64) string { return fmt.Sprintf("%016x.pack", id) }

// packPath spreads packs over 256 directories by their first two hex digits.
func (r *Repo) packPath(id uint64) string {
	name := packName(id)
	return filepath.Join(r.packsDir, name[:2], name)
}

// parsePackName is the ID of a pack file name; ok is false for any other
// file, which the repo leaves alone.
func parsePackName(name string) (uint64, bool) {
	hexID, found := strings.CutSuffix(name, ".pack")
	if !found || len(hexID) != 16 {
		return 0, false
	}
	id, err := strconv.ParseUint(hexID, 16, 64)
	return id, err == nil && id != 0
}

// entryHeader is what precedes a block's bytes in a pack.
func entryHeader(key []byte, n int) []byte {
	h := make([]byte, 0, 2*binary.MaxVarintLen64+len(key))
	h = binary.AppendUvarint(h, uint64(len(key)))
	h = append(h, key...)
	return binary.AppendUvarint(h, uint64(n))
}

// packFile is a pack with a write handle: the active pack, which new
// blocks of every batch are appended to, or a full one that a batch which
// wrote into it has not committed or aborted yet. Each entry's place is
// assigned when it is queued (under r.mu), so the writes themselves run in
// parallel (pwrite) and in any order. The handle is closed with the pack's
// last pin (unpinLocked).
type packFile struct {
	id        uint64
	path      string
	f         *os.File
	size      int64 // the end of the last entry assigned; r.mu
	dirSynced atomic.Bool
}

// createPack makes a new, empty pack file.
func (r *Repo) createPack() (*packFile, error) {
	for {
		id := rand.Uint64()
		if id == 0 {
			continue
		}
		path := r.packPath(id)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := f.Write([]byte(packMagic)); err != nil {
			f.Close()
			os.Remove(path)
			return nil, err
		}
		return &packFile{id: id, path: path, f: f, size: int64(len(packMagic))}, nil
	}
}

// reserve assigns the next entry's place: the offset of the entry and of
// its data.
func (p *packFile) reserve(entry, header int) (at, dataAt int64) {
	at = p.size
	p.size += int64(entry)
	return at, at + int64(header)
}

// full reports whether an entry of n bytes should go to a new pack of at
// most target bytes; a pack takes at least one entry, however large.
func (p *packFile) full(n int, target int64) bool {
	return p.size > int64(len(packMagic)) && p.size+int64(n) > target
}

// sync makes what was written to the pack durable, and the first time its
// directory entry too, before a record may point into it. Windows cannot
// open a directory for flushing; NTFS journals its metadata.
func (p *packFile) sync() error {
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("pack %s: %w", packName(p.id), err)
	}
	if p.dirSynced.Load() || runtime.GOOS == "windows" {
		return nil
	}
	if err := fsyncPath(filepath.Dir(p.path)); err != nil {
		return fmt.Errorf("pack %s: directory: %w", packName(p.id), err)
	}
	p.dirSynced.Store(true)
	return nil
}

// reserveLocked assigns an entry of n bytes (header included) its place in
// the active pack, starting a new one when there is none or it is full. The
// active pack is pinned while it is active. r.mu must be held and the DB
// settled.
func (r *Repo) reserveLocked(n, header int) (p *packFile, at, dataAt int64, err error) {
	if r.active != nil && r.active.full(n, r.packTarget) {
		r.retireLocked()
	}
	if r.active == nil {
		p, err := r.createPack()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("create pack: %w", err)
		}
		r.active = p
		r.writing[p.id] = p
		r.pinLocked(p.id)
	}
	at, dataAt = r.active.reserve(n, header)
	return r.active, at, dataAt, nil
}

// trimActiveLocked gives back what uploads that ended without committing
// appended to the active pack, when no batch is writing into it: the pack
// is cut back to the end of its committed entries (its record's total), or
// removed if nothing was committed into it. Entries of such uploads that
// lie between committed ones stay until compaction. r.mu must be held and
// the DB settled.
func (r *Repo) trimActiveLocked() {
	if !r.activeIdleLocked() {
		return
	}
	p := r.active
	rec, recorded, err := r.packRecordOf(p.id)
	switch {
	case err != nil:
		r.log.Warn("repo: could not read the active pack's record", "pack", packName(p.id), "err", err)
	case !recorded:
		r.retireLocked()
	case p.size > rec.total:
		if err := p.f.Truncate(rec.total); err != nil {
			// Dead space only: compaction takes it later.
			r.log.Warn("repo: could not trim the active pack", "pack", packName(p.id), "err", err)
			r.retireLocked()
			return
		}
		p.size = rec.total
	}
}

// activeIdleLocked reports whether there is an active pack and no batch is
// writing into it (its only pin is its own). r.mu must be held.
func (r *Repo) activeIdleLocked() bool {
	return r.active != nil && r.pins[r.active.id] == 1
}

// retireLocked ends the active pack: no new entries go to it, and it is
// closed (or, if nothing was committed into it, removed) once the batches
// that wrote into it are done.
func (r *Repo) retireLocked() {
	if p := r.active; p != nil {
		r.active = nil
		r.unpinLocked(p.id)
	}
}

// packReaders keeps read handles to packs, so that serving a block is one
// pread. A handle closed under a reader (evicted, or its pack removed)
// makes that read fail with os.ErrClosed; readPacked then looks again.
type packReaders struct {
	mu    sync.Mutex
	files map[uint64]*os.File
}

func (pr *packReaders) get(r *Repo, id uint64) (*os.File, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if f, ok := pr.files[id]; ok {
		return f, nil
	}
	f, err := os.Open(r.packPath(id))
	if err != nil {
		return nil, err
	}
	if pr.files == nil {
		pr.files = make(map[uint64]*os.File)
	}
	if len(pr.files) >= maxOpenPacks {
		for old, of := range pr.files { // map order: a random victim
			of.Close()
			delete(pr.files, old)
			break
		}
	}
	pr.files[id] = f
	return f, nil
}

// drop closes the handle of a pack about to be removed.
func (pr *packReaders) drop(id uint64) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if f, ok := pr.files[id]; ok {
		f.Close()
		delete(pr.files, id)
	}
}

func (pr *packReaders) closeAll() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for id, f := range pr.files {
		f.Close()
		delete(pr.files, id)
	}
}

// readPacked reads the block of size bytes at loc. A missing pack is fs.ErrNotExist: the
// block was deleted, or compaction moved it, since its record was read.
func (r *Repo) readPacked(loc packLoc, size int64) ([]byte, error) {
	if loc.n > size {
		return nil, fmt.Errorf("pack %s: %d bytes stored for a block of %d: %w", packName(loc.pack), loc.n, size, ErrCorrupt)
	}
	data := make([]byte, size)
	if loc.n == 0 {
		return data, nil
	}
	for try := 0; ; try++ {
		f, err := r.readers.get(r, loc.pack)
		if err != nil {
			return nil, err
		}
		_, err = f.ReadAt(data[:loc.n], loc.at)
		if errors.Is(err, os.ErrClosed) && try < 3 {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("pack %s is cut short: %w", packName(loc.pack), ErrCorrupt)
		}
		return data, err
	}
}

// removePackFile deletes a pack that no record points into any more.
func (r *Repo) removePackFile(id uint64) {
	r.readers.drop(id)
	if err := os.Remove(r.packPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("repo: pack file left behind, next start removes it", "file", r.packPath(id), "err", err)
	}
}

// pinLocked keeps a pack from being removed while an open batch may still
// point a block into it: its own packs, and the packs of blocks it found
// stored (a delete may drop their records before the batch commits, and
// the commit then records them again where they are). r.mu must be held.
func (r *Repo) pinLocked(id uint64) {
	if id != 0 {
		r.pins[id]++
	}
}

// unpinLocked releases a pin. With the last one the pack's write handle is
// closed, and a pack nothing points into any more (no record, or no live
// bytes) is removed. r.mu must be held, and the DB must be settled.
func (r *Repo) unpinLocked(id uint64) {
	if !r.dropPinLocked(id) {
		return
	}
	rec, recorded, err := r.packRecordOf(id)
	if err == nil && recorded && rec.live == 0 {
		err = r.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPacks).Delete(u64(id)) })
	}
	if err != nil {
		r.log.Warn("repo: could not check a pack after its batch ended; the next start does", "pack", packName(id), "err", err)
		return
	}
	if !recorded || rec.live == 0 {
		r.removePackFile(id)
	}
}

// packRecordOf reads a pack's record; recorded is false when it has none
// (nothing was ever committed into it).
func (r *Repo) packRecordOf(id uint64) (rec packRecord, recorded bool, err error) {
	err = r.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPacks).Get(u64(id))
		if v == nil {
			return nil
		}
		recorded = true
		rec, err = decodePackRecord(v)
		return err
	})
	return rec, recorded, err
}

// dropPinLocked releases a pin and reports whether it was the last; the
// write handle goes with the last. r.mu must be held.
func (r *Repo) dropPinLocked(id uint64) bool {
	if id == 0 {
		return false
	}
	if r.pins[id]--; r.pins[id] > 0 {
		return false
	}
	delete(r.pins, id)
	if p, ok := r.writing[id]; ok {
		delete(r.writing, id)
		if err := p.f.Close(); err != nil {
			r.log.Warn("repo: closing a pack failed", "pack", packName(id), "err", err)
		}
	}
	return true
}

// packDeltas are the live-byte changes a transaction makes to packs.
type packDeltas map[uint64]int64

func (d packDeltas) add(id uint64, n int64) {
	if id != 0 {
		d[id] += n
	}
}

// apply writes the changes. A pack's total grows to sizeOf (the end of the
// committing batch's entries in it; the entries after it are not synced
// yet); a pack without a record gets one. A pack left with no live bytes and no pin loses its record, and
// its ID is returned for the caller to remove the file once the
// transaction has committed.
func (d packDeltas) apply(tx *bolt.Tx, pinned map[uint64]int, sizeOf func(uint64) int64) (dead []uint64, err error) {
	packs := tx.Bucket(bucketPacks)
	for id, delta := range d {
		key := u64(id)
		var rec packRecord
		if v := packs.Get(key); v != nil {
			if rec, err = decodePackRecord(v); err != nil {
				return nil, fmt.Errorf("pack %s: %w", packName(id), err)
			}
		}
		rec.total = max(rec.total, sizeOf(id))
		rec.live = max(rec.live+delta, 0)
		if rec.live == 0 && pinned[id] == 0 {
			if err := packs.Delete(key); err != nil {
				return nil, err
			}
			dead = append(dead, id)
			continue
		}
		if err := packs.Put(key, rec.encode()); err != nil {
			return nil, err
		}
	}
	return dead, nil
}

// removeUnknownPacks restores "packs ⊆ DB" at Open, as removeOrphans does
// for block files: a pack written by a batch that never committed, or left
// behind by a delete or a compaction killed after its transaction, has no
// live record, and nothing can point into it. A pack longer than its
// record's total is cut back to it: what follows was appended by uploads
// that never committed.
func (r *Repo) removeUnknownPacks() error {
	dirs, err := os.ReadDir(r.packsDir)
	if err != nil {
		return err
	}
	var dead []uint64
	err = r.db.Update(func(tx *bolt.Tx) error {
		packs := tx.Bucket(bucketPacks)
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			entries, err := os.ReadDir(filepath.Join(r.packsDir, d.Name()))
			if err != nil {
				return err
			}
			for _, e := range entries {
				id, ok := parsePackName(e.Name())
				if !ok {
					continue // not ours; leave it alone
				}
				v := packs.Get(u64(id))
				if v == nil {
					dead = append(dead, id)
					continue
				}
				rec, err := decodePackRecord(v)
				if err != nil {
					return fmt.Errorf("pack %s: %w", packName(id), err)
				}
				if rec.live == 0 {
					if err := packs.Delete(u64(id)); err != nil {
						return err
					}
					dead = append(dead, id)
					continue
				}
				if fi, err := e.Info(); err == nil && fi.Size() > rec.total {
					if err := os.Truncate(r.packPath(id), rec.total); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range dead {
		if err := os.Remove(r.packPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
