package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// An upload larger than a pack fills several; every block reads back from
// the pack and offset its record names.
func TestUploadSpansPacks(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	r.packTarget = 5 * testBlockSize
	seeds := make([]uint64, 23)
	for i := range seeds {
		seeds[i] = uint64(100 + 3*i + 1) // full blocks, stored whole
	}
	d := newDataset("big", seeds...)
	store(t, r, d)
	if n := len(packIDs(t, r)); n < 5 {
		t.Fatalf("%d packs for 23 blocks of a 5-block pack size", n)
	}
	for i, c := range d.blocks {
		if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, d.data[i]) {
			t.Fatalf("block %d: %v", i, err)
		}
	}
	fsck(t, r)
}

// Uploads one after the other share the active pack instead of creating a
// file each, which is the point of packs for many small files.
func TestSmallUploadsShareAPack(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	for i := range 20 {
		store(t, r, newDataset("small", uint64(i)))
	}
	if n := len(packIDs(t, r)); n != 1 {
		t.Fatalf("20 small uploads made %d packs, want 1", n)
	}
	fsck(t, r)
}

// Compaction moves live blocks while readers read them: every read of a
// live block succeeds, and the space of the dead ones is given back.
func TestCompactionUnderReaders(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	r.packTarget = 8 * testBlockSize
	var keep, drop []dataset
	for i := range 12 {
		d := newDataset("d"+string(rune('a'+i)), uint64(10*i+1), uint64(10*i+2))
		store(t, r, d)
		if i%3 == 0 {
			keep = append(keep, d)
		} else {
			drop = append(drop, d)
		}
	}
	before := packBytes(t, r)
	var (
		stop   atomic.Bool
		wg     sync.WaitGroup
		reads  atomic.Int64
		failed atomic.Value
	)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				for _, d := range keep {
					for i, c := range d.blocks {
						got, err := r.GetBlock(c)
						if err != nil || !bytes.Equal(got, d.data[i]) {
							failed.Store(err)
							return
						}
						reads.Add(1)
					}
				}
			}
		})
	}
	for _, d := range drop {
		if err := r.DeleteDataset(d.manifest, d.tree); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		compact(t, r)
	}
	stop.Store(true)
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatalf("a read of a live block failed during compaction: %v", err)
	}
	if reads.Load() == 0 {
		t.Fatal("no reads ran")
	}
	after := packBytes(t, r)
	if after*2 > before {
		t.Fatalf("packs hold %d bytes after deleting two thirds, %d before", after, before)
	}
	fsck(t, r)
}

// A compaction killed after its transaction leaves the old pack without a
// record, and one killed before it leaves the new pack unknown; Open
// removes either, and the blocks stay readable.
func TestInterruptedCompactionLeavesNothingAfterReopen(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	a, b := newDataset("a", 1, 2, 3), newDataset("b", 4, 5, 6)
	store(t, r, a)
	store(t, r, b)
	old := packIDs(t, r)
	saved := map[string][]byte{}
	for _, id := range old {
		data, err := os.ReadFile(r.packPath(id))
		if err != nil {
			t.Fatal(err)
		}
		saved[r.packPath(id)] = data
	}
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	compact(t, r)
	// The old pack comes back, as if the process died before removing it,
	// and a stray new pack, as if another compaction died before its
	// transaction.
	for p, data := range saved {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stray := r.packPath(0x0123456789abcdef)
	if err := os.MkdirAll(filepath.Dir(stray), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte(packMagic+"garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.Close()

	r = openTest(t, dir, Options{TTL: DefaultTTL})
	for _, id := range packIDs(t, r) {
		for _, o := range old {
			if id == o {
				t.Fatalf("compacted pack %s survived the restart", packName(id))
			}
		}
		if id == 0x0123456789abcdef {
			t.Fatal("unknown pack survived the restart")
		}
	}
	for i, c := range b.blocks {
		if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, b.data[i]) {
			t.Fatalf("block %d of b: %v", i, err)
		}
	}
	wantSpace(t, r, 4, b.bytes())
	fsck(t, r)
}

// A compaction that finds a rotten block leaves the pack as it is, rather
// than copy the rot into a fresh file or drop the block.
func TestCompactionRefusesRottenBlock(t *testing.T) {
	r := openTest(t, t.TempDir(), Options{TTL: DefaultTTL})
	a, b := newDataset("a", 1, 2, 3), newDataset("b", 4)
	store(t, r, a)
	store(t, r, b)
	loc := blockLoc(t, r, b.blocks[0])
	f, err := os.OpenFile(r.packPath(loc.pack), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{b.data[0][7] ^ 0xFF}, loc.at+7)
	f.Close()
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	err = r.compactLocked(1<<30, 0)
	r.mu.Unlock()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("compaction over a rotten block: %v, want ErrCorrupt", err)
	}
	if got := blockLoc(t, r, b.blocks[0]); got != loc {
		t.Fatalf("rotten block moved from %+v to %+v", loc, got)
	}
	if _, err := os.Stat(r.packPath(loc.pack)); err != nil {
		t.Fatalf("pack of the rotten block: %v", err)
	}
}

// A repo of schema version 1 (one file per block) opens as version 2: its
// blocks read from their files, new uploads go to packs, deleting removes
// the old files.
func TestVersion1RepoUpgrades(t *testing.T) {
	dir := t.TempDir()
	old := newDataset("old", 1, 2)
	writeVersion1(t, dir, old)

	r := openTest(t, dir, Options{TTL: DefaultTTL})
	for i, c := range old.blocks {
		if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, old.data[i]) {
			t.Fatalf("version 1 block %d: %v", i, err)
		}
	}
	wantSpace(t, r, 3, old.bytes())
	fsck(t, r)
	fresh := newDataset("new", 2, 3) // block 2 is shared with the old dataset
	store(t, r, fresh)
	if len(packIDs(t, r)) != 1 {
		t.Fatal("the new upload did not go to a pack")
	}
	fsck(t, r)
	if err := r.DeleteDataset(old.manifest, old.tree); err != nil {
		t.Fatal(err)
	}
	// Block 2 stays in its version 1 file: the new dataset holds it.
	if got, err := r.GetBlock(old.blocks[1]); err != nil || !bytes.Equal(got, old.data[1]) {
		t.Fatalf("shared version 1 block after deleting its first dataset: %v", err)
	}
	wantFileCount(t, r, 3)
	fsck(t, r)
	var version uint64
	r.db.View(func(tx *bolt.Tx) error {
		version = binary.BigEndian.Uint64(tx.Bucket(bucketTotals).Get(keyVersion))
		return nil
	})
	if version != schemaVersion {
		t.Fatalf("schema version %d after the upgrade", version)
	}
}

// writeVersion1 makes a repo as a schema version 1 build left it: block
// files under blocks/ and 24-byte records.
func writeVersion1(t *testing.T, dir string, d dataset) {
	t.Helper()
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	expiry := time.Now().Add(DefaultTTL).Unix()
	err = r.db.Update(func(tx *bolt.Tx) error {
		var tot totals
		put := func(key, data []byte, refs int64) error {
			p := r.blockPath(hexName(key))
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o600); err != nil {
				return err
			}
			tot.blocks++
			tot.used += int64(len(data))
			m := blockMeta{size: int64(len(data)), expiry: expiry, refCount: refs}
			if err := tx.Bucket(bucketBlocks).Put(key, m.encode()); err != nil {
				return err
			}
			return tx.Bucket(bucketExpiry).Put(expiryKey(expiry, key), nil)
		}
		for i, c := range d.blocks {
			if err := put(c.Bytes(), d.data[i], 1); err != nil {
				return err
			}
			leaf := leafKey(d.tree.Bytes(), uint64(i))
			if err := tx.Bucket(bucketLeaves).Put(leaf, encodeLeaf(c.Bytes(), nil)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketRefs).Put(refKey(c.Bytes(), leaf), nil); err != nil {
				return err
			}
		}
		if err := put(d.manifest.Bytes(), d.mdata, 0); err != nil {
			return err
		}
		if err := tx.Bucket(bucketManifests).Put(d.manifest.Bytes(), d.mdata); err != nil {
			return err
		}
		if err := tot.write(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketTotals).Put(keyVersion, u64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// packBytes is the size of every pack on disk.
func packBytes(t testing.TB, r *Repo) int64 {
	t.Helper()
	var n int64
	for _, id := range packIDs(t, r) {
		fi, err := os.Stat(r.packPath(id))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// A block is stored without its trailing zeros, the padding of a file's
// last block, and reads back whole: from the pack, after compaction moved
// it, and after a restart. A block of zeros takes no pack bytes at all.
// Quota counts the blocks' full size, as the reference node does.
func TestBlocksAreStoredWithoutTheirPadding(t *testing.T) {
	dir := t.TempDir()
	r := openTest(t, dir, Options{TTL: DefaultTTL})
	short := make([]byte, testBlockSize)
	copy(short, "the last 30 bytes of some file")
	zeros := make([]byte, testBlockSize)
	full := make([]byte, testBlockSize)
	for i := range full {
		full[i] = byte(i%251 + 1)
	}
	d := dataset{tree: cidOf(treeCodec, []byte("padded"))}
	for _, data := range [][]byte{short, zeros, full} {
		d.blocks = append(d.blocks, cidOf(blockCodec, data))
		d.data = append(d.data, data)
	}
	d.mdata = []byte("manifest of padded")
	d.manifest = cidOf(manifestCodec, d.mdata)
	store(t, r, d)

	if got := blockLoc(t, r, d.blocks[0]).n; got != 30 {
		t.Errorf("the short block stores %d bytes, want 30", got)
	}
	if got := blockLoc(t, r, d.blocks[1]).n; got != 0 {
		t.Errorf("the zero block stores %d bytes, want 0", got)
	}
	if got := blockLoc(t, r, d.blocks[2]).n; got != testBlockSize {
		t.Errorf("the full block stores %d bytes, want all %d", got, testBlockSize)
	}
	var packBytes int64
	for _, id := range packIDs(t, r) {
		fi, err := os.Stat(r.packPath(id))
		if err != nil {
			t.Fatal(err)
		}
		packBytes += fi.Size()
	}
	if packBytes > testBlockSize+1024 {
		t.Errorf("packs hold %d bytes for one full block and two padded ones", packBytes)
	}
	wantSpace(t, r, 4, 3*testBlockSize+int64(len(d.mdata)))
	check := func(when string) {
		t.Helper()
		for i, c := range d.blocks {
			if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, d.data[i]) {
				t.Fatalf("%s: block %d: %v", when, i, err)
			}
		}
		fsck(t, r)
	}
	check("stored")
	// Another dataset in the same pack, deleted, leaves it mostly dead.
	other := newDataset("other", 1, 2, 4, 5)
	store(t, r, other)
	if err := r.DeleteDataset(other.manifest, other.tree); err != nil {
		t.Fatal(err)
	}
	before := blockLoc(t, r, d.blocks[0])
	compact(t, r)
	if after := blockLoc(t, r, d.blocks[0]); after.pack == before.pack || after.n != 30 {
		t.Fatalf("compaction left the short block at %+v (was %+v)", after, before)
	}
	check("after compaction")
	r.Close()
	r = openTest(t, dir, Options{TTL: DefaultTTL})
	check("after a restart")
}

// A version 2 record (the whole block stored) reads as one that stores all
// its bytes; a record storing more bytes than the block has is refused.
func TestBlockRecordVersions(t *testing.T) {
	m := blockMeta{size: 65536, expiry: 7, refCount: 2, loc: packLoc{pack: 9, at: 100, n: 65536}}
	if v := m.encode(); len(v) != 40 {
		t.Fatalf("a whole block's record is %d bytes, want the version 2 form of 40", len(v))
	}
	back, err := decodeBlockMeta(m.encode())
	if err != nil || back != m {
		t.Fatalf("round trip %+v, %v", back, err)
	}
	m.loc.n = 30
	v := m.encode()
	if back, err := decodeBlockMeta(v); len(v) != 48 || err != nil || back != m {
		t.Fatalf("trimmed: %d bytes, %+v, %v", len(v), back, err)
	}
	binary.BigEndian.PutUint64(v[40:], 65537)
	if _, err := decodeBlockMeta(v); err == nil {
		t.Fatal("a record storing more than its block was accepted")
	}
}
