package backups

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// maxGap bounds the missing sequences recorded for one jump; a larger jump
// is recorded as its newest maxGap.
const maxGap = 256

// keepPruned is how many records of a folder are kept after their versions
// were pruned: a source offers its last 16 manifests, and a pruned one it
// offers again must be recognised, not taken for a replay.
const keepPruned = 64

// StatusPruned is a version dropped by the retention policy.
const StatusPruned = "pruned"

// cycle polls one source and processes what it offers.
func (s *Service) cycle(ctx context.Context, p link.Peer) {
	dev := p.Device.String()
	s.mu.Lock()
	s.polling++
	s.mu.Unlock()
	s.stateChanged()
	pollCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	list, err := s.opts.Link.FetchManifests(pollCtx, p)
	cancel()
	s.mu.Lock()
	s.polling--
	s.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	offers := err == nil
	if err != nil && strings.Contains(err.Error(), "does not offer manifests") {
		err = nil // a device that is not a source (another backup server, a restore machine)
	}
	if err == nil && offers && list.PeerID != p.NodePeerID {
		err = fmt.Errorf("its manifest list comes from node %s, but the paired device's node is %s: pair the device again if it was reinstalled", list.PeerID, p.NodePeerID)
		offers = false
	}
	now := time.Now().UTC()
	s.updateSource(p, func(r *sourceRecord) {
		r.LastPoll, r.Offers = now, offers
		r.LastError = ""
		if err != nil {
			r.LastError = err.Error()
		} else {
			r.LastSeen = now
		}
	})
	s.db.Update(func(tx *bolt.Tx) error {
		t, err := getTotals(tx)
		if err != nil {
			return err
		}
		t.LastPoll = now
		return putTotals(tx, t)
	})
	if err != nil {
		s.log.Info("polling a source", "device", p.Device.ShortString(), "name", p.Name, "err", err)
		s.stateChanged()
		return
	}
	if offers {
		if err := s.plan(p, list); err != nil {
			s.log.Warn("recording a source's manifests", "device", p.Device.ShortString(), "err", err)
		}
	}
	s.stateChanged()
	for _, m := range s.due(dev) {
		if s.stopped(ctx) {
			return
		}
		if err := s.process(ctx, p, m); errors.Is(err, errStopped) {
			return
		}
	}
}

// plan records the manifests a source offers: new ones as pending, gaps
// as missing, replays and stale ones as rejections.
func (s *Service) plan(p link.Peer, list link.ManifestList) error {
	dev := p.Device.String()
	offered := append([]link.ManifestInfo(nil), list.Manifests...)
	sort.Slice(offered, func(i, j int) bool {
		if offered[i].FolderID != offered[j].FolderID {
			return offered[i].FolderID < offered[j].FolderID
		}
		return offered[i].SequenceNumber < offered[j].SequenceNumber
	})
	isOffered := map[string]bool{}
	for _, e := range offered {
		isOffered[fmt.Sprintf("%s/%d", e.FolderID, e.SequenceNumber)] = true
	}
	var rejected []Rejection
	now := time.Now().UTC()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketManifests)
		for _, e := range offered {
			if e.FolderID == "" || e.SequenceNumber == 0 || len(e.FolderID) > 128 {
				continue
			}
			reject := func(reason string) {
				rejected = append(rejected, Rejection{FolderID: e.FolderID, Sequence: e.SequenceNumber, CID: e.ManifestCID, Reason: reason, At: now})
			}
			if _, err := dag.ParseCID(e.ManifestCID); err != nil {
				reject(fmt.Sprintf("the manifest CID %q is not valid: %v", truncate(e.ManifestCID, 80), err))
				continue
			}
			var m Manifest
			ok, err := state.GetJSON(b, manifestKey(dev, e.FolderID, e.SequenceNumber), &m)
			if err != nil {
				return err
			}
			if ok {
				switch {
				case m.Status == StatusMissing:
					m.CID, m.Status, m.DiscoveredAt = e.ManifestCID, StatusPending, now
					if err := putManifest(tx, &m); err != nil {
						return err
					}
				case m.CID != e.ManifestCID:
					reject(fmt.Sprintf("sequence %d of this folder was received before as %s: a replayed or forged manifest", e.SequenceNumber, m.CID))
				}
				continue
			}
			f, _, err := getFolder(tx, dev, e.FolderID)
			if err != nil {
				return err
			}
			highest := highestSeq(tx, dev, e.FolderID)
			if e.SequenceNumber <= f.LastSeq || e.SequenceNumber <= highest {
				reject(fmt.Sprintf("sequence %d is older than the newest received (%d) and was never offered before: a stale or replayed manifest", e.SequenceNumber, max(f.LastSeq, highest)))
				continue
			}
			if highest > 0 {
				from := max(highest+1, e.SequenceNumber-min(e.SequenceNumber, maxGap))
				for seq := from; seq < e.SequenceNumber; seq++ {
					if isOffered[fmt.Sprintf("%s/%d", e.FolderID, seq)] {
						continue
					}
					gap := Manifest{Source: dev, SourceName: p.Name, FolderID: e.FolderID, FolderName: e.FolderName,
						Sequence: seq, Status: StatusMissing, DiscoveredAt: now,
						Error: "the source no longer offers this manifest: its changes are in the next version"}
					if err := putManifest(tx, &gap); err != nil {
						return err
					}
				}
			}
			m = Manifest{Source: dev, SourceName: p.Name, FolderID: e.FolderID, FolderName: cleanFolderName(e.FolderName),
				Sequence: e.SequenceNumber, CID: e.ManifestCID, Status: StatusPending, DiscoveredAt: now,
				TotalFiles: e.FileCount, TotalBytes: e.TotalSizeBytes}
			if err := putManifest(tx, &m); err != nil {
				return err
			}
		}
		if len(rejected) == 0 {
			return nil
		}
		r, err := getSource(tx, dev)
		if err != nil {
			return err
		}
		for _, rej := range rejected {
			if !hasRejection(r.Rejections, rej) {
				r.Rejections = append(r.Rejections, rej)
			}
		}
		if n := len(r.Rejections); n > maxRejections {
			r.Rejections = r.Rejections[n-maxRejections:]
		}
		return putSource(tx, r)
	})
	for _, r := range rejected {
		s.log.Warn("rejected a manifest", "device", p.Device.ShortString(), "folder", r.FolderID, "sequence", r.Sequence, "reason", r.Reason)
	}
	return err
}

func hasRejection(list []Rejection, r Rejection) bool {
	for _, x := range list {
		if x.FolderID == r.FolderID && x.Sequence == r.Sequence && x.CID == r.CID {
			return true
		}
	}
	return false
}

// highestSeq is the highest sequence recorded for a folder (0: none).
func highestSeq(tx *bolt.Tx, source, folder string) uint64 {
	prefix := folderKey(source, folder)
	c := tx.Bucket(bucketManifests).Cursor()
	k, _ := c.Seek(append(append([]byte(nil), prefix...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || len(k) != len(prefix)+8 || string(k[:len(prefix)]) != string(prefix) {
		return 0
	}
	return beUint64(k[len(prefix):])
}

// due lists a source's manifests to process now, folder by folder, oldest
// sequence first.
func (s *Service) due(dev string) []Manifest {
	now := time.Now()
	maxRetries := s.config().MaxRetries
	var out []Manifest
	s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(dev + "\x00")
		c := tx.Bucket(bucketManifests).Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var m Manifest
			if err := unmarshalManifest(k, v, &m); err != nil {
				return err
			}
			switch m.Status {
			case StatusPending, StatusDownloading:
				out = append(out, m)
			case StatusFailed:
				if m.Attempts <= maxRetries && !m.NextRetry.IsZero() && !now.Before(m.NextRetry) {
					out = append(out, m)
				}
			}
		}
		return nil
	})
	return out
}

// updateSource changes a source's record.
func (s *Service) updateSource(p link.Peer, change func(*sourceRecord)) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := getSource(tx, p.Device.String())
		if err != nil {
			return err
		}
		r.Name = p.Name
		change(&r)
		return putSource(tx, r)
	})
	if err != nil {
		s.log.Warn("saving a source's state", "device", p.Device.ShortString(), "err", err)
	}
}

// cleanFolderName keeps a source's folder name to one path element, safe
// to show and to use as a directory name.
func cleanFolderName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "folder"
	}
	return truncate(name, 120)
}
