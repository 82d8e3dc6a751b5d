package repo

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"slices"

	"github.com/ipfs/go-cid"
	bolt "go.etcd.io/bbolt"
)

const (
	// compactDeadShare is the share of a pack that must be dead (deleted,
	// expired, or written by an upload that never committed) before
	// maintenance rewrites it.
	compactDeadShare = 0.5
	// compactRunBytes bounds the live bytes one maintenance run rewrites;
	// it holds r.mu meanwhile.
	compactRunBytes = 256 << 20
)

// compactLocked rewrites the packs whose dead share is at least deadShare,
// most dead bytes first, until about budget live bytes were copied: their
// live blocks go to a new pack, the records are pointed there in one
// transaction, and the old pack is removed. A crash before that transaction
// leaves the new pack unknown (Open removes it), one after it leaves the
// old pack without a record (Open removes it too). Packs an open batch is
// writing into are left alone; the active pack, when no batch is, is
// retired first. r.mu must be held and the DB settled, so nothing else
// writes meanwhile; readers that looked a block up in the old pack look
// again (getBlock).
//
// The live blocks are found from their records, not by reading the pack:
// a pack may hold torn or never-written entries of uploads that did not
// commit, and nothing but the records says what is live.
func (r *Repo) compactLocked(budget int64, deadShare float64) error {
	cands := map[uint64]packRecord{}
	err := r.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPacks).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return nil
			}
			rec, err := decodePackRecord(v)
			if err != nil {
				return err
			}
			id := binary.BigEndian.Uint64(k)
			dead := rec.total - int64(len(packMagic)) - rec.live
			idle := r.pins[id] == 0 || (r.activeIdleLocked() && r.active.id == id)
			if idle && dead > 0 && float64(dead) >= deadShare*float64(rec.total-int64(len(packMagic))) {
				cands[id] = rec
			}
			return nil
		})
	})
	if err != nil || len(cands) == 0 {
		return err
	}
	live := map[uint64][]move{}
	err = r.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).ForEach(func(k, v []byte) error {
			m, err := decodeBlockMeta(v)
			if err != nil {
				return fmt.Errorf("block %x: %w", k, err)
			}
			if _, ok := cands[m.loc.pack]; ok {
				live[m.loc.pack] = append(live[m.loc.pack], move{key: bytes.Clone(k), from: m.loc, size: m.size})
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	ids := make([]uint64, 0, len(cands))
	for id := range cands {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uint64) int {
		return cmp.Compare(cands[b].total-cands[b].live, cands[a].total-cands[a].live)
	})
	for i, id := range ids {
		rec := cands[id]
		if i > 0 && rec.live > budget {
			break
		}
		if r.active != nil && r.active.id == id {
			r.retireLocked()
		}
		if err := r.compactPack(id, rec, live[id]); err != nil {
			return fmt.Errorf("compact %s: %w", packName(id), err)
		}
		budget -= rec.live
	}
	return nil
}

// move is one live block compaction copies.
type move struct {
	key      []byte
	from, to packLoc
	size     int64
}

func (r *Repo) compactPack(id uint64, rec packRecord, moves []move) error {
	var sum int64
	for _, mv := range moves {
		sum += mv.from.n
	}
	if sum != rec.live {
		// The record and the blocks disagree; removing the pack on the
		// strength of either could lose data.
		return fmt.Errorf("pack record says %d live bytes, blocks in it sum to %d: %w", rec.live, sum, ErrCorrupt)
	}
	if len(moves) == 0 {
		if err := r.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPacks).Delete(u64(id)) }); err != nil {
			return err
		}
		r.removePackFile(id)
		return nil
	}
	slices.SortFunc(moves, func(a, b move) int { return cmp.Compare(a.from.at, b.from.at) })
	dst, err := r.createPack()
	if err != nil {
		return err
	}
	err = r.copyLive(dst, moves)
	if err == nil {
		err = dst.sync()
	}
	if cerr := dst.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst.path)
		return err
	}
	err = r.db.Update(func(tx *bolt.Tx) error {
		blocks, packs := tx.Bucket(bucketBlocks), tx.Bucket(bucketPacks)
		for _, mv := range moves {
			m, err := decodeBlockMeta(blocks.Get(mv.key))
			if err != nil {
				return err
			}
			if m.loc != mv.from {
				return fmt.Errorf("block %s moved during compaction", cidString(castCid(mv.key)))
			}
			m.loc = mv.to
			if err := blocks.Put(mv.key, m.encode()); err != nil {
				return err
			}
		}
		if err := packs.Put(u64(dst.id), packRecord{total: dst.size, live: rec.live}.encode()); err != nil {
			return err
		}
		return packs.Delete(u64(id))
	})
	if err != nil {
		os.Remove(dst.path)
		return err
	}
	r.removePackFile(id)
	r.log.Debug("repo: pack compacted", "pack", packName(id), "into", packName(dst.id), "liveBytes", rec.live, "freedBytes", rec.total-dst.size)
	return nil
}

// copyLive appends the blocks to dst, each checked against its CID first:
// copying rotten bytes would hide the rot behind a fresh file.
func (r *Repo) copyLive(dst *packFile, moves []move) error {
	for i := range moves {
		mv := &moves[i]
		data, err := r.readPacked(mv.from, mv.size)
		if err != nil {
			return err
		}
		c, err := cid.Cast(mv.key)
		if err != nil {
			return err
		}
		if err := verify(c, data); err != nil {
			return fmt.Errorf("block %s: %w", cidString(c), err)
		}
		stored := data[:mv.from.n]
		h := entryHeader(mv.key, len(stored))
		at, to := dst.reserve(len(h)+len(stored), len(h))
		if _, err := dst.f.WriteAt(append(h, stored...), at); err != nil {
			return err
		}
		mv.to = packLoc{pack: dst.id, at: to, n: mv.from.n}
	}
	return nil
}
