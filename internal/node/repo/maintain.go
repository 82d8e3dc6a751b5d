package repo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

// Maintain deletes up to limit blocks whose expiry is before now, oldest
// first, whatever their refCount, together with the leaves and manifest
// listings that point to them, so GET /data stops listing an expired
// dataset. The expiry index means a run only visits expired blocks, and the
// next run naturally continues where this one stopped. It then compacts
// packs that are mostly dead (compact.go).
func (r *Repo) Maintain(now time.Time, limit int) (deleted int, err error) {
	if limit <= 0 {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		return 0, fmt.Errorf("repo: maintenance: %w", err)
	}
	var f *freed
	err = r.db.Update(func(tx *bolt.Tx) error {
		f = newFreed()
		deleted = 0
		t := readTotals(tx)
		var expired [][]byte
		cur := tx.Bucket(bucketExpiry).Cursor()
		for k, _ := cur.First(); k != nil && len(expired) < limit; k, _ = cur.Next() {
			if int64(binary.BigEndian.Uint64(k)) >= now.Unix() {
				break
			}
			expired = append(expired, bytes.Clone(k[8:]))
		}
		for _, block := range expired {
			if _, err := cid.Cast(block); err != nil {
				return fmt.Errorf("corrupt expiry key %x: %w", block, err)
			}
			ok, err := deleteBlockTx(tx, block, &t, f)
			if err != nil {
				return err
			}
			if ok {
				deleted++
			}
		}
		return r.closeDelete(tx, t, f)
	})
	if err != nil {
		return 0, fmt.Errorf("repo: maintenance: %w", err)
	}
	r.removeFreedLocked(f)
	if err := r.compactLocked(compactRunBytes, compactDeadShare); err != nil {
		r.log.Warn("repo: compacting packs failed; the next run tries again", "err", err)
	}
	return deleted, nil
}

// RunMaintenance runs Maintain every interval (--block-mi) with at most limit
// blocks per run (--block-mn) until ctx ends. Failures are logged and the
// next run tries again.
func (r *Repo) RunMaintenance(ctx context.Context, interval time.Duration, limit int) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if n, err := r.Maintain(r.now(), limit); err != nil {
				r.log.Warn("repo: block maintenance failed", "err", err)
			} else if n > 0 {
				r.log.Debug("repo: expired blocks deleted", "count", n)
			}
		}
	}
}
