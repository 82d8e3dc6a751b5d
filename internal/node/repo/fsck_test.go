package repo

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// fsck checks every invariant between meta.db and the files: totals equal
// the sum of block records, every record names a pack entry (or a version 1
// file) holding its block, and one expiry entry, refCounts equal the leaves
// pointing at a block, every leaf points to a stored block, every manifest
// is a stored block, every pack has a record whose live bytes are the
// records pointing into it, and no file exists that the DB does not know.
func fsck(t testing.TB, r *Repo) {
	t.Helper()
	err := r.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketStaged) != nil {
			t.Errorf("staged records left behind")
		}
		tot := readTotals(tx)
		var n, used int64
		known := map[string]bool{}
		live := map[uint64]int64{}
		err := tx.Bucket(bucketBlocks).ForEach(func(k, v []byte) error {
			m, err := decodeBlockMeta(v)
			if err != nil {
				return err
			}
			c, err := cid.Cast(k)
			if err != nil {
				t.Errorf("bad block key %x", k)
				return nil
			}
			n++
			used += m.size
			if m.loc.pack == 0 {
				known[fileName(c)] = true
				fi, err := os.Stat(r.blockPath(fileName(c)))
				if err != nil || fi.Size() != m.size {
					t.Errorf("block %s: file %v, size %d", cidString(c), err, m.size)
				}
			} else {
				live[m.loc.pack] += m.loc.n
				data, err := r.readPacked(m.loc, m.size)
				if err != nil || verify(c, data) != nil {
					t.Errorf("block %s: pack %s at %d: %v", cidString(c), packName(m.loc.pack), m.loc.at, err)
				}
			}
			if tx.Bucket(bucketExpiry).Get(expiryKey(m.expiry, k)) == nil {
				t.Errorf("block %s: no expiry entry", cidString(c))
			}
			var refs int64
			cur := tx.Bucket(bucketRefs).Cursor()
			for rk, _ := cur.Seek(k); rk != nil && bytes.HasPrefix(rk, k); rk, _ = cur.Next() {
				refs++
				lv := tx.Bucket(bucketLeaves).Get(rk[len(k):])
				if lv == nil || !bytes.Equal(leafBlock(lv), k) {
					t.Errorf("block %s: ref without matching leaf", cidString(c))
				}
			}
			if refs != m.refCount {
				t.Errorf("block %s: refCount %d, %d leaves point to it", cidString(c), m.refCount, refs)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n != tot.blocks || used != tot.used {
			t.Errorf("totals say %d blocks / %d bytes, records sum to %d / %d", tot.blocks, tot.used, n, used)
		}
		var expiries int64
		tx.Bucket(bucketExpiry).ForEach(func(k, _ []byte) error {
			expiries++
			if tx.Bucket(bucketBlocks).Get(k[8:]) == nil {
				t.Errorf("expiry entry %d for absent block", binary.BigEndian.Uint64(k))
			}
			return nil
		})
		if expiries != n {
			t.Errorf("%d expiry entries for %d blocks", expiries, n)
		}
		tx.Bucket(bucketLeaves).ForEach(func(k, v []byte) error {
			b := leafBlock(v)
			if bytes.Equal(b, emptyCID.Bytes()) {
				return nil
			}
			if tx.Bucket(bucketBlocks).Get(b) == nil {
				t.Errorf("leaf %x points to an absent block", k)
			}
			return nil
		})
		tx.Bucket(bucketManifests).ForEach(func(k, _ []byte) error {
			if tx.Bucket(bucketBlocks).Get(k) == nil {
				t.Errorf("manifest %x listed but not stored", k)
			}
			return nil
		})
		filepath.WalkDir(r.blocksDir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && !known[e.Name()] {
				t.Errorf("file %s not known to the DB", e.Name())
			}
			return nil
		})
		onDisk := map[uint64]bool{}
		for _, id := range packIDs(t, r) {
			onDisk[id] = true
			v := tx.Bucket(bucketPacks).Get(u64(id))
			if v == nil {
				if _, writing := r.writing[id]; !writing {
					t.Errorf("pack %s not known to the DB", packName(id))
				}
				continue
			}
			rec, err := decodePackRecord(v)
			if err != nil {
				t.Errorf("pack %s: %v", packName(id), err)
				continue
			}
			if rec.live != live[id] {
				t.Errorf("pack %s: record says %d live bytes, blocks in it sum to %d", packName(id), rec.live, live[id])
			}
			if fi, err := os.Stat(r.packPath(id)); err != nil || fi.Size() < rec.total {
				t.Errorf("pack %s: record says %d bytes, file %v", packName(id), rec.total, err)
			}
		}
		tx.Bucket(bucketPacks).ForEach(func(k, _ []byte) error {
			if id := binary.BigEndian.Uint64(k); !onDisk[id] {
				t.Errorf("pack %s recorded but not on disk", packName(id))
			}
			return nil
		})
		for id := range live {
			if !onDisk[id] {
				t.Errorf("blocks point into pack %s, which is not on disk", packName(id))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
