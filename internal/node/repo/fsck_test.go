package repo

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// fsck checks every invariant between meta.db and the block files: totals
// equal the sum of block records, every record has a complete file and one
// expiry entry, refCounts equal the leaves pointing at a block, every leaf
// points to a stored block, every manifest is a stored block, and no file
// exists that the DB does not know.
func fsck(t testing.TB, r *Repo) {
	t.Helper()
	err := r.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketStaged) != nil {
			t.Errorf("staged records left behind")
		}
		tot := readTotals(tx)
		var n, used int64
		known := map[string]bool{}
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
			known[fileName(c)] = true
			fi, err := os.Stat(r.blockPath(fileName(c)))
			if err != nil || fi.Size() != m.size {
				t.Errorf("block %s: file %v, size %d", cidString(c), err, m.size)
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
		for _, f := range files(t, r) {
			if !known[f] {
				t.Errorf("file %s not known to the DB", f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
