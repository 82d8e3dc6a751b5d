package repo

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	bolt "go.etcd.io/bbolt"
)

const (
	testBlockSize = 64 << 10
	manifestCodec = 0xCD01
	treeCodec     = 0xCD03
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_700_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openTest(t testing.TB, dir string, opts Options) *Repo {
	t.Helper()
	if opts.Quota == 0 {
		opts.Quota = DefaultQuota
	}
	r, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func cidOf(codec uint64, data []byte) cid.Cid {
	h, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(codec, h)
}

// block returns a distinct 64 KiB data block for each seed. Every third
// is the last block of a small file: a little data, then zeros to 64 KiB,
// which a pack stores without the zeros.
func block(seed uint64) (cid.Cid, []byte) {
	data := make([]byte, testBlockSize)
	binary.BigEndian.PutUint64(data, seed)
	if seed%3 != 0 {
		binary.BigEndian.PutUint64(data[len(data)-8:], ^seed)
	} else {
		data[8] = 0xFF // so that seed 0 is not all zeros
	}
	return cidOf(blockCodec, data), data
}

// dataset is an upload: blocks in leaf order, a tree CID and a manifest.
type dataset struct {
	tree     cid.Cid
	manifest cid.Cid
	mdata    []byte
	blocks   []cid.Cid
	data     [][]byte
}

func newDataset(name string, seeds ...uint64) dataset {
	d := dataset{tree: cidOf(treeCodec, []byte("tree "+name))}
	for _, s := range seeds {
		c, data := block(s)
		d.blocks = append(d.blocks, c)
		d.data = append(d.data, data)
	}
	d.mdata = append([]byte("manifest of "+name+" "), d.tree.Bytes()...)
	d.manifest = cidOf(manifestCodec, d.mdata)
	return d
}

func (d dataset) bytes() int64 {
	seen := map[cid.Cid]bool{}
	n := int64(len(d.mdata))
	for i, c := range d.blocks {
		if !seen[c] {
			seen[c] = true
			n += int64(len(d.data[i]))
		}
	}
	return n
}

func proofFor(d dataset, i int) []byte { return []byte{byte(i), 0xAA, byte(len(d.blocks))} }

func store(t testing.TB, r *Repo, d dataset) {
	t.Helper()
	b := r.NewBatch()
	for i, c := range d.blocks {
		if err := b.PutBlock(c, d.data[i]); err != nil {
			b.Abort()
			t.Fatalf("PutBlock: %v", err)
		}
		if err := b.PutProof(d.tree, i, c, proofFor(d, i)); err != nil {
			b.Abort()
			t.Fatalf("PutProof: %v", err)
		}
	}
	if err := b.PutManifest(d.manifest, d.mdata); err != nil {
		b.Abort()
		t.Fatalf("PutManifest: %v", err)
	}
	if err := b.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// files lists what holds blocks on disk once dead entries are reclaimed
// (compact, as maintenance does): every entry of every pack, by the hex of
// its CID, and every file under blocks/ (schema version 1), temp files
// included. Packs an open batch writes into are not compacted, so their
// dead entries are listed too.
func files(t testing.TB, r *Repo) []string {
	t.Helper()
	compact(t, r)
	var out []string
	err := filepath.WalkDir(r.blocksDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			out = append(out, e.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range packIDs(t, r) {
		err := scanPack(r.packPath(id), func(key []byte, _ int64, _ []byte) error {
			out = append(out, hexName(key))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// compact rewrites every pack with a dead byte, as maintenance does with
// mostly dead ones, so that the files show only what is live.
func compact(t testing.TB, r *Repo) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.compactLocked(1<<62, 0); err != nil {
		t.Fatal(err)
	}
}

// blockLoc is where a stored block's bytes are.
func blockLoc(t testing.TB, r *Repo, c cid.Cid) packLoc {
	t.Helper()
	var m blockMeta
	err := r.db.View(func(tx *bolt.Tx) error {
		var err error
		m, err = decodeBlockMeta(tx.Bucket(bucketBlocks).Get(c.Bytes()))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m.loc
}

// packIDs lists the pack files on disk.
func packIDs(t testing.TB, r *Repo) []uint64 {
	t.Helper()
	var ids []uint64
	err := filepath.WalkDir(r.packsDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if id, ok := parsePackName(e.Name()); ok && !e.IsDir() {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func wantSpace(t testing.TB, r *Repo, blocks, used int64) {
	t.Helper()
	s := r.Space()
	if s.TotalBlocks != blocks || s.QuotaUsedBytes != used {
		t.Fatalf("space = %d blocks, %d bytes used; want %d blocks, %d bytes", s.TotalBlocks, s.QuotaUsedBytes, blocks, used)
	}
}

func wantFileCount(t testing.TB, r *Repo, n int) {
	t.Helper()
	if got := files(t, r); len(got) != n {
		t.Fatalf("%d files on disk, want %d: %v", len(got), n, got)
	}
}

func manifestList(t testing.TB, r *Repo) []cid.Cid {
	t.Helper()
	var out []cid.Cid
	if err := r.Manifests(func(c cid.Cid, _ []byte) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustNotFound(t testing.TB, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("%s: err = %v, want ErrNotFound", what, err)
	}
}

// maxEntryData bounds a block read back by scanPack: no block is larger
// than a block-exchange message.
const maxEntryData = 100 << 20

// scanPack calls fn for every entry of a pack (a pack written and synced
// in full: a torn one is an error), with the block's CID (valid
// during the call only), the offset of its data and the data.
func scanPack(path string, fn func(key []byte, dataAt int64, data []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(packMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != packMagic {
		return fmt.Errorf("%s: not a pack file: %w", path, ErrCorrupt)
	}
	at := int64(len(packMagic))
	var key, data []byte
	for {
		kn, err := binary.ReadUvarint(br)
		if err == io.EOF {
			return nil
		}
		if err != nil || kn > 1024 {
			return fmt.Errorf("%s: entry at %d: %w", path, at, ErrCorrupt)
		}
		key = append(key[:0], make([]byte, kn)...)
		if _, err := io.ReadFull(br, key); err != nil {
			return fmt.Errorf("%s: entry at %d: %w", path, at, ErrCorrupt)
		}
		dn, err := binary.ReadUvarint(br)
		if err != nil || dn > maxEntryData {
			return fmt.Errorf("%s: entry at %d: %w", path, at, ErrCorrupt)
		}
		dataAt := at + int64(len(entryHeader(key, int(dn))))
		data = append(data[:0], make([]byte, dn)...)
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("%s: entry at %d: %w", path, at, ErrCorrupt)
		}
		if err := fn(key, dataAt, data); err != nil {
			return err
		}
		at = dataAt + int64(dn)
	}
}
