package folders

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"
)

// ManifestVersion is the manifest schema's version.
const ManifestVersion = "1.0"

// keepManifests is how many manifests of a folder stay on the node and on
// offer, so a backup server that missed some can fill the gap.
const keepManifests = 16

// Manifest is a folder's state as the backup server reads it (the seed's
// schema, §4.4). Paths are relative with '/' separators; FolderPath is the
// folder's name only — a peer has no business knowing where it lives here.
type Manifest struct {
	Version        string         `json:"version"`
	FolderID       string         `json:"folder_id"`
	FolderPath     string         `json:"folder_path"`
	SourcePeerID   string         `json:"source_peer_id"`
	SequenceNumber uint64         `json:"sequence_number"`
	LastUpdated    time.Time      `json:"last_updated"`
	ManifestCID    *string        `json:"manifest_cid"` // always null: a manifest cannot name its own CID
	Files          []ManifestFile `json:"files"`
	DeletedFiles   []ManifestTomb `json:"deleted_files"`
	Stats          ManifestStats  `json:"stats"`
}

// ManifestFile is a file of the folder. CID is "" for an empty file.
type ManifestFile struct {
	Path       string    `json:"path"`
	CID        string    `json:"cid"`
	SizeBytes  int64     `json:"size_bytes"`
	MimeType   *string   `json:"mime_type"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// ManifestTomb is a file deleted since the previous manifest.
type ManifestTomb struct {
	Path      string    `json:"path"`
	CID       string    `json:"cid"`
	DeletedAt time.Time `json:"deleted_at"`
}

// ManifestStats sums the files.
type ManifestStats struct {
	TotalFiles     int   `json:"total_files"`
	TotalSizeBytes int64 `json:"total_size_bytes"`
}

// Published is a manifest on offer to the backup server.
type Published struct {
	FolderID       string    `json:"folderId"`
	FolderName     string    `json:"folderName"`
	ManifestCID    string    `json:"manifestCid"`
	SequenceNumber uint64    `json:"sequenceNumber"`
	UpdatedAt      time.Time `json:"updatedAt"`
	FileCount      int       `json:"fileCount"`
	TotalSizeBytes int64     `json:"totalSizeBytes"`
}

// publishDue publishes the manifests that are due: a folder with changes
// publishes once it has manifest_update_threshold of them, or once it has
// been quiet, but never sooner than ManifestInterval after its last one.
// It also records when busy folders became fully synced.
func (s *Service) publishDue(ctx context.Context) {
	cfg := s.opts.Config().Sync
	now := time.Now()
	var due, synced []string
	s.mu.Lock()
	for id, f := range s.folders {
		busy := f.scanning || s.q.busy(id)
		if !busy && f.err == "" && f.lastChange.After(f.rec.LastSynced) {
			synced = append(synced, id)
		}
		if !cfg.BackupEnabled || !cfg.BackupManifestEnabled || !f.rec.Enabled || f.rec.Changes == 0 {
			continue
		}
		if now.Sub(f.rec.ManifestAt) < s.opts.ManifestInterval || now.Sub(f.lastManifestTry) < s.opts.ManifestInterval {
			continue
		}
		quiet := !busy && now.Sub(f.lastChange) >= s.opts.Quiet
		if f.rec.Changes >= max(cfg.ManifestUpdateThreshold, 1) || quiet {
			f.lastManifestTry = now
			due = append(due, id)
		}
	}
	s.mu.Unlock()
	for _, id := range synced {
		at := time.Now().UTC()
		if _, err := updateRecord(s.db, id, func(r *record) { r.LastSynced = at }); err == nil {
			s.mu.Lock()
			if f := s.folders[id]; f != nil {
				f.rec.LastSynced = at
			}
			s.mu.Unlock()
			s.stateChanged()
		}
	}
	for _, id := range due {
		if _, err := s.publish(ctx, id); err != nil && ctx.Err() == nil {
			s.log.Warn("publishing a manifest", "folder", id, "err", err)
		}
	}
}

// PublishNow publishes a manifest of the folder if it has unpublished
// changes (or none was published yet) and returns the latest sequence.
func (s *Service) PublishNow(ctx context.Context, id string) (uint64, error) {
	s.mu.Lock()
	f := s.folders[id]
	if f == nil {
		s.mu.Unlock()
		return 0, ErrNoFolder
	}
	need := f.rec.Changes > 0 || f.rec.Sequence == 0
	seq := f.rec.Sequence
	s.mu.Unlock()
	if !need {
		return seq, nil
	}
	return s.publish(ctx, id)
}

// publish builds the folder's manifest from its index and tombstones,
// uploads it and records it under the next sequence number.
func (s *Service) publish(ctx context.Context, id string) (uint64, error) {
	c, err := s.opts.Node()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	peerID := s.peerID
	s.mu.Unlock()
	if peerID == "" {
		info, err := c.Info(ctx)
		if err != nil {
			return 0, fmt.Errorf("asking the node for its peer ID: %w", err)
		}
		peerID = info.ID
		s.mu.Lock()
		s.peerID = peerID
		s.mu.Unlock()
	}

	m, changes, err := s.build(id, peerID)
	if err != nil {
		return 0, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return 0, err
	}
	name := fmt.Sprintf("archivist-manifest-%s-%d.json", id, m.SequenceNumber)
	cid, err := c.Upload(ctx, bytes.NewReader(data), int64(len(data)), name, "application/json", nil)
	if err != nil {
		return 0, fmt.Errorf("uploading the manifest: %w", err)
	}
	var pruned []string
	var rec record
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFolders)
		ok, err := state.GetJSON(b, []byte(id), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNoFolder
		}
		if rec.Sequence >= m.SequenceNumber {
			return fmt.Errorf("manifest %d of folder %s was published meanwhile", m.SequenceNumber, id)
		}
		rec.Sequence, rec.ManifestCID, rec.ManifestAt = m.SequenceNumber, cid, m.LastUpdated
		rec.Changes = max(rec.Changes-changes, 0)
		if err := state.PutJSON(b, []byte(id), rec); err != nil {
			return err
		}
		if tombs, _ := sub(tx, bucketTombs, id, false); tombs != nil {
			for _, t := range m.DeletedFiles {
				if err := tombs.Delete([]byte(t.Path)); err != nil {
					return err
				}
			}
		}
		mb, err := sub(tx, bucketManifests, id, true)
		if err != nil {
			return err
		}
		p := published{Sequence: m.SequenceNumber, CID: cid, At: m.LastUpdated, Files: m.Stats.TotalFiles, Bytes: m.Stats.TotalSizeBytes}
		if err := state.PutJSON(mb, seqKey(p.Sequence), p); err != nil {
			return err
		}
		// Count with a cursor: Bucket.Stats does not see this
		// transaction's own writes.
		var keys [][]byte
		c := mb.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			keys = append(keys, k)
			var old published
			if err := json.Unmarshal(v, &old); err == nil {
				pruned = append(pruned, old.CID)
			}
		}
		drop := max(len(keys)-keepManifests, 0)
		pruned = pruned[:drop]
		for _, k := range keys[:drop] {
			if err := mb.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	if f := s.folders[id]; f != nil {
		f.rec = rec
	}
	s.mu.Unlock()
	for _, old := range pruned {
		if err := c.Delete(ctx, old); err != nil {
			s.log.Debug("removing an old manifest from the node", "cid", old, "err", err)
		}
	}
	s.log.Info("published a manifest", "folder", id, "sequence", m.SequenceNumber, "cid", cid,
		"files", m.Stats.TotalFiles, "deleted", len(m.DeletedFiles))
	s.stateChanged()
	if s.opts.OnManifest != nil {
		s.opts.OnManifest(id, m.SequenceNumber)
	}
	return m.SequenceNumber, nil
}

// build reads the manifest of the folder's next sequence, and the number
// of changes it covers.
func (s *Service) build(id, peerID string) (Manifest, int, error) {
	m := Manifest{Version: ManifestVersion, FolderID: id, SourcePeerID: peerID, LastUpdated: time.Now().UTC(),
		Files: []ManifestFile{}, DeletedFiles: []ManifestTomb{}}
	var changes int
	err := s.db.View(func(tx *bolt.Tx) error {
		var rec record
		ok, err := state.GetJSON(tx.Bucket(bucketFolders), []byte(id), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNoFolder
		}
		m.FolderPath = filepath.Base(rec.Path)
		m.SequenceNumber = rec.Sequence + 1
		changes = rec.Changes
		if idx, _ := sub(tx, bucketIndex, id, false); idx != nil {
			err := idx.ForEach(func(k, v []byte) error {
				var e entry
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				f := ManifestFile{Path: string(k), CID: e.CID, SizeBytes: e.Size, UploadedAt: e.UploadedAt}
				if e.Mime != "" {
					f.MimeType = &e.Mime
				}
				m.Files = append(m.Files, f)
				m.Stats.TotalFiles++
				m.Stats.TotalSizeBytes += e.Size
				return nil
			})
			if err != nil {
				return err
			}
		}
		if tombs, _ := sub(tx, bucketTombs, id, false); tombs != nil {
			return tombs.ForEach(func(k, v []byte) error {
				var t tombstone
				if err := json.Unmarshal(v, &t); err != nil {
					return err
				}
				m.DeletedFiles = append(m.DeletedFiles, ManifestTomb{Path: string(k), CID: t.CID, DeletedAt: t.DeletedAt})
				return nil
			})
		}
		return nil
	})
	return m, changes, err
}

// Manifests lists the manifests on offer, newest first per folder.
func (s *Service) Manifests() ([]Published, error) {
	out := []Published{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFolders).ForEach(func(k, v []byte) error {
			var rec record
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			mb, _ := sub(tx, bucketManifests, rec.ID, false)
			if mb == nil {
				return nil
			}
			c := mb.Cursor()
			for mk, mv := c.Last(); mk != nil; mk, mv = c.Prev() {
				var p published
				if err := json.Unmarshal(mv, &p); err != nil {
					return err
				}
				out = append(out, Published{FolderID: rec.ID, FolderName: folderName(rec.Path), ManifestCID: p.CID,
					SequenceNumber: p.Sequence, UpdatedAt: p.At, FileCount: p.Files, TotalSizeBytes: p.Bytes})
			}
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].FolderID < out[j].FolderID })
	return out, err
}

// Acknowledge records that the backup server processed a folder's
// manifest of the given sequence.
func (s *Service) Acknowledge(id string, seq uint64, at time.Time) error {
	var bad, advanced bool
	r, err := updateRecord(s.db, id, func(r *record) {
		if seq > r.Sequence {
			bad = true
			return
		}
		if seq > r.BackupSequence {
			r.BackupSequence, r.BackupAt = seq, at.UTC()
			advanced = true
		}
	})
	if err != nil {
		return err
	}
	if bad {
		return errors.New("acknowledged a manifest sequence that was never published")
	}
	s.mu.Lock()
	if f := s.folders[id]; f != nil {
		f.rec = r
	}
	s.mu.Unlock()
	s.stateChanged()
	if advanced {
		s.publishOutcome(EventBackupFinished, BackupOutcome{FolderID: id, FolderName: folderName(r.Path), Sequence: seq})
	}
	return nil
}

// SetNotifyState records how notifying the backup server about a
// folder's manifest went ("" error: it was told).
func (s *Service) SetNotifyState(id string, pending bool, errText string) {
	var newFailure *BackupOutcome
	s.mu.Lock()
	if f := s.folders[id]; f != nil {
		if errText != "" && f.notifyError == "" {
			newFailure = &BackupOutcome{FolderID: id, FolderName: folderName(f.rec.Path), Error: "telling the backup server: " + errText}
		}
		f.pendingRetry, f.notifyError = pending, errText
	}
	s.mu.Unlock()
	s.stateChanged()
	if newFailure != nil {
		s.publishOutcome(EventBackupFailed, *newFailure)
	}
}
