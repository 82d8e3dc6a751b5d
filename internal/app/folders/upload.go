package folders

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/state"

	"github.com/archivist-desktop/archivist/internal/app/files"
)

// inflight is an upload in progress, for the UI.
type inflight struct {
	key   jobKey
	total int64
	done  atomic.Int64
}

// worker uploads queued files until ctx ends.
func (s *Service) worker(ctx context.Context) {
	for ctx.Err() == nil {
		j, up := s.take()
		if j == nil {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			case <-time.After(time.Second):
			}
			continue
		}
		s.process(ctx, j, up)
	}
}

// take returns the next job to run, or nil while paused, without a node,
// or with nothing due.
func (s *Service) take() (*job, *inflight) {
	if _, err := s.opts.Node(); err != nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return nil, nil
	}
	j := s.q.take(time.Now(), func(id string) bool {
		f := s.folders[id]
		return f != nil && f.rec.Enabled
	})
	if j == nil {
		return nil, nil
	}
	up := &inflight{key: j.key, total: j.size}
	s.uploads[j.key] = up
	return j, up
}

// process brings one file's index entry up to date with the disk.
func (s *Service) process(ctx context.Context, j *job, up *inflight) {
	defer func() {
		s.mu.Lock()
		delete(s.uploads, j.key)
		s.mu.Unlock()
		s.stateChanged()
	}()
	s.mu.Lock()
	f := s.folders[j.key.folder]
	var root string
	if f != nil {
		root = f.rec.Path
	}
	s.mu.Unlock()
	if f == nil {
		return
	}
	abs := filepath.Join(root, filepath.FromSlash(j.key.rel))
	fi, err := os.Lstat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		s.finish(j)
		s.gone(j.key.folder, j.key.rel)
		return
	}
	if err == nil && !fi.Mode().IsRegular() {
		s.finish(j) // it became a directory or a link: the scan sees to it
		return
	}
	now := time.Now()
	if err != nil {
		s.failed(j, fmt.Errorf("reading %s: %w", j.key.rel, err))
		return
	}
	size, mod := fi.Size(), fi.ModTime().UnixNano()
	if size != j.size || mod != j.modNs || now.Sub(j.seenAt) < s.opts.Settle {
		s.settle(j, size, mod, now)
		return
	}
	if e, ok, err := getEntry(s.db, j.key.folder, j.key.rel); err == nil && ok && e.matches(size, mod) {
		s.finish(j) // already uploaded (a duplicate event)
		return
	}
	cid := ""
	if size > 0 {
		cid, err = s.upload(ctx, abs, j, up)
		if ctx.Err() != nil {
			return // quitting: the next start's scan finds the file again
		}
		if err != nil {
			s.failed(j, err)
			return
		}
		// The node read the file while it may have been written to: the
		// upload only counts if the file is as it was before.
		if fi, err := os.Lstat(abs); err != nil || fi.Size() != size || fi.ModTime().UnixNano() != mod {
			if err != nil {
				s.finish(j)
				s.gone(j.key.folder, j.key.rel)
				return
			}
			s.settle(j, fi.Size(), fi.ModTime().UnixNano(), time.Now())
			return
		}
	}
	e := entry{Size: size, ModNs: mod, CID: cid, Mime: files.MimeOf(abs), UploadedAt: time.Now().UTC()}
	if err := s.commit(j.key, e); err != nil {
		s.failed(j, err)
		return
	}
	s.finish(j)
}

// upload sends the file to the node.
func (s *Service) upload(ctx context.Context, abs string, j *job, up *inflight) (string, error) {
	c, err := s.opts.Node()
	if err != nil {
		return "", err
	}
	fh, err := os.Open(abs)
	if err != nil {
		return "", fmt.Errorf("opening %s: %w", j.key.rel, err)
	}
	defer fh.Close()
	var last int64
	cid, err := c.Upload(ctx, fh, j.size, path.Base(j.key.rel), files.MimeOf(abs), func(sent int64) {
		up.done.Store(sent)
		s.mu.Lock()
		s.rate.Add(time.Now(), sent-last)
		s.mu.Unlock()
		last = sent
		s.stateChanged()
	})
	if err != nil {
		return "", fmt.Errorf("uploading %s: %w", j.key.rel, err)
	}
	return cid, nil
}

// commit records an uploaded file in the index, if its folder is still
// watched.
func (s *Service) commit(k jobKey, e entry) error {
	var old entry
	var had bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketFolders).Get([]byte(k.folder)) == nil {
			return ErrNoFolder
		}
		idx, err := sub(tx, bucketIndex, k.folder, true)
		if err != nil {
			return err
		}
		if had, err = state.GetJSON(idx, []byte(k.rel), &old); err != nil {
			return err
		}
		// Deleted and created again before a manifest: it is not deleted.
		if tombs, _ := sub(tx, bucketTombs, k.folder, false); tombs != nil {
			if err := tombs.Delete([]byte(k.rel)); err != nil {
				return err
			}
		}
		if had && old.CID == e.CID && old.Size == e.Size {
			// Same content, only touched: no change to publish.
			return state.PutJSON(idx, []byte(k.rel), e)
		}
		if err := state.PutJSON(idx, []byte(k.rel), e); err != nil {
			return err
		}
		return bumpChanges(tx, k.folder)
	})
	if errors.Is(err, ErrNoFolder) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recording %s in the index: %w", k.rel, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.folders[k.folder]
	if f == nil {
		return nil
	}
	if had {
		f.indexFiles--
		f.indexBytes -= old.Size
	}
	f.indexFiles++
	f.indexBytes += e.Size
	if !had || old.CID != e.CID {
		f.rec.Changes++
		f.lastChange = time.Now()
		s.recent = append([]RecentUpload{{FolderID: k.folder, Path: k.rel, CID: e.CID, Size: e.Size, At: e.UploadedAt}}, s.recent...)
		if len(s.recent) > maxRecent {
			s.recent = s.recent[:maxRecent]
		}
	}
	return nil
}

// bumpChanges counts one change not yet in a manifest.
func bumpChanges(tx *bolt.Tx, id string) error {
	b := tx.Bucket(bucketFolders)
	var r record
	if _, err := state.GetJSON(b, []byte(id), &r); err != nil {
		return err
	}
	r.Changes++
	return state.PutJSON(b, []byte(id), r)
}

// gone records that a file or directory no longer exists: every index
// entry at or under rel becomes a tombstone.
func (s *Service) gone(id, rel string) {
	if rel == "" {
		return // the root: a missing folder is an error, never a deletion
	}
	now := time.Now().UTC()
	var removed int
	var bytes int64
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketFolders).Get([]byte(id)) == nil {
			return nil
		}
		idx, _ := sub(tx, bucketIndex, id, false)
		if idx == nil {
			return nil
		}
		tombs, err := sub(tx, bucketTombs, id, true)
		if err != nil {
			return err
		}
		var keys [][]byte
		if v := idx.Get([]byte(rel)); v != nil {
			keys = append(keys, []byte(rel))
		}
		c := idx.Cursor()
		prefix := []byte(rel + "/")
		if rel == "" {
			prefix = nil
		}
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			var e entry
			if _, err := state.GetJSON(idx, k, &e); err != nil {
				return err
			}
			if err := state.PutJSON(tombs, k, tombstone{CID: e.CID, DeletedAt: now}); err != nil {
				return err
			}
			if err := idx.Delete(k); err != nil {
				return err
			}
			if err := bumpChanges(tx, id); err != nil {
				return err
			}
			removed++
			bytes += e.Size
		}
		return nil
	})
	if err != nil {
		s.log.Error("recording a deletion", "folder", id, "path", rel, "err", err)
		return
	}
	s.mu.Lock()
	s.q.drop(jobKey{id, rel})
	if f := s.folders[id]; f != nil && removed > 0 {
		f.indexFiles -= removed
		f.indexBytes -= bytes
		f.rec.Changes += removed
		f.lastChange = time.Now()
	}
	s.mu.Unlock()
	if removed > 0 {
		s.log.Debug("deleted from the folder", "folder", id, "path", rel, "files", removed)
		s.stateChanged()
	}
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

func (s *Service) finish(j *job) {
	s.mu.Lock()
	s.q.finish(j)
	s.mu.Unlock()
}

// settle puts a file back until it has been left alone for a while.
func (s *Service) settle(j *job, size, mod int64, now time.Time) {
	s.mu.Lock()
	j.size, j.modNs, j.seenAt = size, mod, now
	s.q.defer_(j, now.Add(s.opts.Settle))
	s.mu.Unlock()
}

// failed records a failure and schedules the retry.
func (s *Service) failed(j *job, err error) {
	s.mu.Lock()
	j.attempts++
	j.err = err.Error()
	wait := backoff(j.attempts, s.opts.RetryBase, s.opts.RetryMax)
	s.q.defer_(j, time.Now().Add(wait))
	var name string
	if f := s.folders[j.key.folder]; f != nil {
		name = folderName(f.rec.Path)
	}
	s.mu.Unlock()
	s.log.Warn("upload failed; will retry", "folder", j.key.folder, "path", j.key.rel, "attempt", j.attempts, "retryIn", wait, "err", err)
	s.stateChanged()
	if j.attempts == 1 {
		s.publishOutcome(EventBackupFailed, BackupOutcome{FolderID: j.key.folder, FolderName: name, File: j.key.rel, Error: err.Error()})
	}
}
