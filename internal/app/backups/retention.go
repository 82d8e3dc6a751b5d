package backups

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// keep selects the versions to keep, as restic's forget policy does:
// versions are newest first; the newest keepLast, and the newest version in
// each of the newest keepHourly hours (keepDaily days, keepWeekly ISO
// weeks) that have one. The newest version is always kept.
func keep(versions []Manifest, cfg config.BackupServerConfig) map[uint64]bool {
	kept := map[uint64]bool{}
	if len(versions) == 0 {
		return kept
	}
	kept[versions[0].Sequence] = true
	for i, v := range versions {
		if i < cfg.KeepLast {
			kept[v.Sequence] = true
		}
	}
	buckets := []struct {
		n   int
		key func(t time.Time) string
	}{
		{cfg.KeepHourly, func(t time.Time) string { return t.Format("2006-01-02 15") }},
		{cfg.KeepDaily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{cfg.KeepWeekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-%d", y, w) }},
	}
	for _, b := range buckets {
		seen := map[string]bool{}
		for _, v := range versions {
			if len(seen) >= b.n {
				break
			}
			k := b.key(v.VersionAt.Local())
			if !seen[k] {
				seen[k] = true
				kept[v.Sequence] = true
			}
		}
	}
	return kept
}

// applyRetention prunes the folder's versions the policy does not keep,
// and forgets pruned records beyond the newest keepPruned. It returns how
// many versions it pruned.
func applyRetention(tx *bolt.Tx, source, folder string, cfg config.BackupServerConfig, now time.Time) (int, error) {
	var all, versions []Manifest
	err := folderManifests(tx, source, folder, func(m Manifest) error {
		all = append(all, m)
		if m.Status == StatusDone {
			versions = append(versions, m)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].Sequence > versions[j].Sequence })
	kept := keep(versions, cfg)
	pruned := 0
	for i := range versions {
		v := &versions[i]
		if kept[v.Sequence] {
			continue
		}
		v.Status, v.Error = StatusPruned, fmt.Sprintf("removed by the retention policy on %s", now.Format(time.RFC3339))
		if err := putManifest(tx, v); err != nil {
			return 0, err
		}
		pruned++
	}
	// Records are oldest first; drop the oldest pruned ones beyond the
	// newest keepPruned records.
	if extra := len(all) - keepPruned; extra > 0 {
		b := tx.Bucket(bucketManifests)
		for _, m := range all[:extra] {
			if m.Status == StatusPruned || (m.Status == StatusDone && !kept[m.Sequence]) || m.Status == StatusMissing || m.Status == StatusSuperseded {
				if err := b.Delete(m.key()); err != nil {
					return 0, err
				}
			}
		}
	}
	return pruned, nil
}

// wantSweep asks the sweeper for a round.
func (s *Service) wantSweep() {
	select {
	case s.gcWanted <- struct{}{}:
	default:
	}
}

// sweeper runs sweeps when asked, one at a time.
func (s *Service) sweeper(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.gcWanted:
		}
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("removing content no version keeps", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.opts.SweepEvery):
		}
	}
}

// Sweep deletes from the node the content this server fetched that no kept
// version of any source names (mark and sweep), and returns how many it
// deleted. Content is only deleted when it is certain nothing needs it: a
// manifest of a version that cannot be read stops the sweep.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	node, err := s.opts.Node()
	if err != nil {
		return 0, err
	}
	for range 3 {
		s.mu.Lock()
		gen := s.gen
		s.mu.Unlock()
		start := time.Now()
		live, err := s.mark(ctx, node)
		if err != nil {
			return 0, err
		}
		s.gcMu.Lock()
		s.mu.Lock()
		if s.gen != gen {
			// A manifest finished meanwhile: its files may be unmarked.
			s.mu.Unlock()
			s.gcMu.Unlock()
			continue
		}
		for _, cids := range s.pinned {
			for _, c := range cids {
				live[c] = true
			}
		}
		s.mu.Unlock()
		n, err := s.sweep(ctx, node, live, start)
		s.gcMu.Unlock()
		if n > 0 {
			s.stateChanged()
		}
		return n, err
	}
	return 0, nil // busy: the next completion asks again
}

// mark collects every CID a version or a manifest in work names.
func (s *Service) mark(ctx context.Context, node *nodeclient.Client) (map[string]bool, error) {
	live := map[string]bool{}
	var manifests []string
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketKept).ForEach(func(k, _ []byte) error { live[string(k)] = true; return nil }); err != nil {
			return err
		}
		return allManifests(tx, func(m Manifest) error {
			switch m.Status {
			case StatusDone, StatusPending, StatusDownloading, StatusFailed:
				if m.CID != "" {
					live[m.CID] = true
					manifests = append(manifests, m.CID)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	content := map[string]bool{}
	s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContent).ForEach(func(k, _ []byte) error { content[string(k)] = true; return nil })
	})
	for _, cid := range manifests {
		if !content[cid] {
			continue // never fetched (pending): names nothing fetched for it yet
		}
		if err := s.markManifest(ctx, node, cid, live); err != nil {
			return nil, fmt.Errorf("reading the kept manifest %s: %w", cid, err)
		}
	}
	return live, nil
}

func (s *Service) markManifest(ctx context.Context, node *nodeclient.Client, cid string, live map[string]bool) error {
	c, err := node.Download(ctx, cid)
	if err != nil {
		return err
	}
	defer c.Close()
	data, err := io.ReadAll(io.LimitReader(c, maxManifestBytes+1))
	if err != nil {
		return err
	}
	files, err := manifestCIDs(data)
	if err != nil {
		return err
	}
	for _, f := range files {
		live[f] = true
	}
	return nil
}

// sweep deletes the unmarked content fetched before the mark began.
func (s *Service) sweep(ctx context.Context, node *nodeclient.Client, live map[string]bool, before time.Time) (int, error) {
	type victim struct {
		cid  string
		size int64
	}
	var victims []victim
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContent).ForEach(func(k, v []byte) error {
			if live[string(k)] {
				return nil
			}
			var r contentRecord
			if _, err := state.GetJSON(tx.Bucket(bucketContent), k, &r); err != nil {
				return err
			}
			if r.FetchedAt.Before(before) {
				victims = append(victims, victim{string(k), r.Size})
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	var bytes int64
	for _, v := range victims {
		if ctx.Err() != nil {
			break
		}
		if err := node.Delete(ctx, v.cid); err != nil && !nodeclient.IsNotFound(err) {
			s.log.Warn("deleting content no version keeps", "cid", v.cid, "err", err)
			continue
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			if err := tx.Bucket(bucketContent).Delete([]byte(v.cid)); err != nil {
				return err
			}
			t, err := getTotals(tx)
			if err != nil {
				return err
			}
			t.FilesDeleted++
			t.BytesDeleted += v.size
			return putTotals(tx, t)
		})
		if err != nil {
			return deleted, err
		}
		deleted++
		bytes += v.size
	}
	if deleted > 0 {
		s.log.Info("removed content no kept version names", "files", deleted, "bytes", bytes)
	}
	return deleted, nil
}
