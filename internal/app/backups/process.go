package backups

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// errRejected marks a manifest refused for good.
type errRejected struct{ error }

// process fetches one manifest and its missing files and, when every file
// is here, makes it a version. errStopped means it was interrupted and
// stays to be resumed.
func (s *Service) process(ctx context.Context, p link.Peer, m Manifest) error {
	node, err := s.opts.Node()
	if err != nil {
		return errStopped // no node, nothing to do: the next cycle resumes
	}
	m.Status, m.Error, m.StartedAt = StatusDownloading, "", time.Now().UTC()
	m.Attempts++
	m.FilesDone, m.FilesFetched, m.FilesFailed, m.BytesDone, m.BytesFetched, m.FailedFiles = 0, 0, 0, 0, 0, nil
	if err := s.save(&m); err != nil {
		return err
	}
	key := string(m.key())
	s.mu.Lock()
	s.live[key] = &m
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.live, key)
		delete(s.pinned, key)
		s.gen++
		s.mu.Unlock()
		s.stateChanged()
	}()
	s.stateChanged()

	if err := s.opts.Connect(ctx, p.NodePeerID); err != nil && ctx.Err() == nil {
		s.log.Debug("connecting to the source's node", "device", p.Device.ShortString(), "err", err)
	}
	parsed, err := s.fetchManifest(ctx, node, p, &m)
	if err == nil {
		err = s.fetchFiles(ctx, node, &m, parsed)
	}
	var rej errRejected
	switch {
	case s.stopped(ctx):
		// Interrupted: stays "downloading", resumed by the next cycle
		// with what arrived kept.
		m.Attempts--
		s.save(&m)
		return errStopped
	case errors.As(err, &rej):
		return s.reject(p, &m, rej.error)
	case err != nil:
		return s.fail(&m, err)
	}
	return s.complete(ctx, p, &m, parsed)
}

// fetchManifest fetches and checks the manifest itself.
func (s *Service) fetchManifest(ctx context.Context, node *nodeclient.Client, p link.Peer, m *Manifest) (*folders.Manifest, error) {
	if m.CID == "" {
		return nil, errRejected{errors.New("the source offered no CID")}
	}
	var data []byte
	err := s.transfer(ctx, node, m.CID, nil, func(r io.Reader) error {
		var err error
		data, err = io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fetching the manifest %s: %w", m.CID, err)
	}
	if len(data) > maxManifestBytes {
		return nil, errRejected{fmt.Errorf("the manifest is larger than %d MiB", maxManifestBytes>>20)}
	}
	// Recorded before it is checked, so that a rejected manifest is swept
	// from the node too.
	if err := s.recordContent(m.CID, int64(len(data))); err != nil {
		return nil, err
	}
	parsed, err := parseManifest(data, expect{FolderID: m.FolderID, Sequence: m.Sequence, NodePeerID: p.NodePeerID})
	if err != nil {
		return nil, errRejected{err}
	}
	var total int64
	for _, f := range parsed.Files {
		total += f.SizeBytes
	}
	// m is live: State reads it under s.mu.
	s.progress(m, func(m *Manifest) {
		m.FolderName = cleanFolderName(parsed.FolderPath)
		m.VersionAt = parsed.LastUpdated.UTC()
		m.TotalFiles, m.TotalBytes, m.Deleted = len(parsed.Files), total, len(parsed.DeletedFiles)
	})
	return parsed, nil
}

// fileJob is one distinct content to fetch, and the paths that hold it.
type fileJob struct {
	cid   string
	size  int64
	paths []string
}

// fetchFiles fetches the files the node does not have yet, at most
// max_concurrent_downloads at a time.
func (s *Service) fetchFiles(ctx context.Context, node *nodeclient.Client, m *Manifest, parsed *folders.Manifest) error {
	jobs := map[string]*fileJob{}
	var order []string
	for _, f := range parsed.Files {
		if f.CID == "" {
			continue
		}
		j := jobs[f.CID]
		if j == nil {
			j = &fileJob{cid: f.CID, size: f.SizeBytes}
			jobs[f.CID] = j
			order = append(order, f.CID)
		} else if j.size != f.SizeBytes {
			return errRejected{fmt.Errorf("the manifest gives the content %s two sizes (%d and %d)", f.CID, j.size, f.SizeBytes)}
		}
		j.paths = append(j.paths, f.Path)
	}

	// Which files are here already: the content this server fetched
	// before, if the node still lists it. Pinned before deciding, so the
	// sweep cannot remove what this manifest counts on.
	s.gcMu.RLock()
	s.mu.Lock()
	s.pinned[string(m.key())] = append(slices.Clone(order), m.CID)
	s.mu.Unlock()
	have, err := s.present(ctx, node, order)
	s.gcMu.RUnlock()
	if err != nil {
		return err
	}
	var todo []*fileJob
	done := len(parsed.Files)
	var doneBytes int64
	for _, f := range parsed.Files {
		doneBytes += f.SizeBytes
	}
	for _, c := range order {
		if !have[c] {
			j := jobs[c]
			todo = append(todo, j)
			done -= len(j.paths)
			doneBytes -= j.size * int64(len(j.paths))
		}
	}
	s.progress(m, func(m *Manifest) { m.FilesDone, m.BytesDone = done, doneBytes })

	limit := max(s.config().MaxConcurrentDownloads, 1)
	work := make(chan *fileJob)
	var wg sync.WaitGroup
	for range min(limit, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				err := s.fetchFile(ctx, node, m.Source, j, func(n int64) {
					s.progress(m, func(m *Manifest) { m.BytesDone += n; m.BytesFetched += n })
				})
				s.progress(m, func(m *Manifest) {
					if err != nil {
						m.FilesFailed += len(j.paths)
						if len(m.FailedFiles) < maxFailedFiles {
							m.FailedFiles = append(m.FailedFiles, FailedFile{Path: j.paths[0], CID: j.cid, Error: err.Error()})
						}
						return
					}
					// The bytes arrived once; the other paths with the
					// same content are done with them.
					m.FilesDone += len(j.paths)
					m.FilesFetched += len(j.paths)
					m.BytesDone += j.size * int64(len(j.paths)-1)
				})
			}
		}()
	}
	lastSave := time.Now()
feed:
	for _, j := range todo {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
		if s.stopped(ctx) {
			break
		}
		if time.Since(lastSave) > time.Second {
			s.saveLive(m)
			lastSave = time.Now()
		}
	}
	close(work)
	wg.Wait()
	s.saveLive(m)
	if s.stopped(ctx) {
		return errStopped
	}
	s.mu.Lock()
	failed, total := m.FilesFailed, m.TotalFiles
	var first FailedFile
	if len(m.FailedFiles) > 0 {
		first = m.FailedFiles[0]
	}
	s.mu.Unlock()
	if failed > 0 {
		// The first reason is in the summary: the manifest's error is
		// what lists and notifications show.
		return fmt.Errorf("%d of %d files could not be fetched (%s: %s)", failed, total, first.Path, first.Error)
	}
	return nil
}

// present reports which of cids this server fetched before and the node
// still lists: one listing for the whole manifest, not one per file.
func (s *Service) present(ctx context.Context, node *nodeclient.Client, cids []string) (map[string]bool, error) {
	have := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketContent)
		for _, c := range cids {
			if b.Get([]byte(c)) != nil {
				have[c] = true
			}
		}
		return nil
	})
	if err != nil || len(have) == 0 {
		return have, err
	}
	listCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	items, err := node.List(listCtx)
	if err != nil {
		return nil, fmt.Errorf("listing the node's content: %w", err)
	}
	listed := make(map[string]bool, len(items))
	for _, it := range items {
		listed[it.CID] = true
	}
	for c := range have {
		if !listed[c] {
			delete(have, c) // deleted from the node behind this server's back: fetch again
		}
	}
	return have, nil
}

// fetchFile fetches one content through the network, retrying with
// backoff up to max_retries times. onBytes sees the bytes as they arrive,
// and a failed attempt's bytes taken back, so a progress bar moves within
// a big file and never counts a byte twice.
func (s *Service) fetchFile(ctx context.Context, node *nodeclient.Client, source string, j *fileJob, onBytes func(int64)) error {
	retries := s.config().MaxRetries
	var err error
	for attempt := 0; ; attempt++ {
		var got int64
		err = s.transfer(ctx, node, j.cid, func(n int64) { got += n; onBytes(n) }, func(r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			if err == nil && n != j.size {
				return fmt.Errorf("received %d bytes, the manifest says %d", n, j.size)
			}
			return err
		})
		if err == nil {
			return s.recordFile(source, j.cid, j.size)
		}
		onBytes(-got)
		err = explainFetchError(err, j.size, s.opts.Config.Get().Node.DataDirectory, s.opts.DiskFree)
		if attempt >= retries || s.stopped(ctx) {
			return err
		}
		wait := min(s.opts.FileRetryBase<<attempt, 30*time.Second)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// transfer streams a dataset from the network through fn, counting the
// bytes for the rate and cutting a transfer that stalls. The node checks
// every block it receives against the dataset's tree before serving it.
func (s *Service) transfer(ctx context.Context, node *nodeclient.Client, cid string, onBytes func(int64), fn func(io.Reader) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(s.opts.StallTimeout, cancel)
	defer stall.Stop()
	c, err := node.DownloadNetwork(ctx, cid)
	if err != nil {
		if ctx.Err() != nil && !stall.Stop() {
			return fmt.Errorf("no data for %s", s.opts.StallTimeout)
		}
		return err
	}
	defer c.Close()
	err = fn(&stallReader{r: c, stall: stall, timeout: s.opts.StallTimeout, s: s, onBytes: onBytes})
	if err != nil && ctx.Err() != nil && !stall.Stop() {
		return fmt.Errorf("no data for %s", s.opts.StallTimeout)
	}
	return err
}

type stallReader struct {
	r       io.Reader
	stall   *time.Timer
	timeout time.Duration
	s       *Service
	onBytes func(int64) // nil: not counted beyond the rate
}

func (r *stallReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.stall.Reset(r.timeout)
		r.s.mu.Lock()
		r.s.rate.Add(time.Now(), int64(n))
		r.s.mu.Unlock()
		if r.onBytes != nil {
			r.onBytes(int64(n))
		}
	}
	return n, err
}

// recordContent notes a complete content this server fetched.
func (s *Service) recordContent(cid string, size int64) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putContent(tx, cid, size) })
}

func putContent(tx *bolt.Tx, cid string, size int64) error {
	b := tx.Bucket(bucketContent)
	if b.Get([]byte(cid)) != nil {
		return nil
	}
	return state.PutJSON(b, []byte(cid), contentRecord{Size: size, FetchedAt: time.Now().UTC()})
}

// recordFile notes a fetched file and counts it, at once: a download
// counts even when its manifest is interrupted.
func (s *Service) recordFile(source, cid string, size int64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := putContent(tx, cid, size); err != nil {
			return err
		}
		count := func(t *Totals) {
			t.FilesDownloaded++
			t.BytesDownloaded += size
			t.LastActivity = time.Now().UTC()
		}
		t, err := getTotals(tx)
		if err != nil {
			return err
		}
		count(&t)
		if err := putTotals(tx, t); err != nil {
			return err
		}
		r, err := getSource(tx, source)
		if err != nil {
			return err
		}
		count(&r.Totals)
		return putSource(tx, r)
	})
}

// progress changes a live manifest under the lock and tells the UI.
func (s *Service) progress(m *Manifest, change func(*Manifest)) {
	s.mu.Lock()
	change(m)
	s.mu.Unlock()
	s.stateChanged()
}

// saveLive persists a live manifest's progress.
func (s *Service) saveLive(m *Manifest) {
	s.mu.Lock()
	c := *m
	s.mu.Unlock()
	if err := s.save(&c); err != nil {
		s.log.Warn("saving a manifest's progress", "err", err)
	}
}

func (s *Service) save(m *Manifest) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putManifest(tx, m) })
}

// fail records a failed attempt: retried with backoff while attempts are
// left, then left for a manual retry — or superseded, when a newer version
// of the folder is complete.
func (s *Service) fail(m *Manifest, err error) error {
	maxRetries := s.config().MaxRetries
	s.mu.Lock()
	m.Status, m.Error = StatusFailed, err.Error()
	m.NextRetry = time.Time{}
	if m.Attempts <= maxRetries {
		wait := min(s.opts.RetryBase<<(m.Attempts-1), s.opts.RetryMax)
		m.NextRetry = time.Now().Add(wait).UTC()
	}
	c := *m
	s.mu.Unlock()
	e := s.db.Update(func(tx *bolt.Tx) error {
		if c.NextRetry.IsZero() {
			if f, _, err := getFolder(tx, c.Source, c.FolderID); err == nil && f.LastSeq > c.Sequence {
				c.Status = StatusSuperseded
			}
		}
		return putManifest(tx, &c)
	})
	s.log.Warn("a manifest failed", "source", c.SourceName, "folder", c.FolderName, "sequence", c.Sequence,
		"attempt", c.Attempts, "err", err, "nextRetry", c.NextRetry)
	return e
}

// reject refuses a manifest for good.
func (s *Service) reject(p link.Peer, m *Manifest, why error) error {
	s.mu.Lock()
	m.Status, m.Error, m.NextRetry = StatusRejected, why.Error(), time.Time{}
	// The counts came from the source's list, unchecked: a refused
	// manifest has none to show.
	m.TotalFiles, m.TotalBytes = 0, 0
	c := *m
	s.mu.Unlock()
	s.log.Warn("rejected a manifest", "source", c.SourceName, "folder", c.FolderID, "sequence", c.Sequence, "reason", why)
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := putManifest(tx, &c); err != nil {
			return err
		}
		r, err := getSource(tx, c.Source)
		if err != nil {
			return err
		}
		r.Rejections = append(r.Rejections, Rejection{FolderID: c.FolderID, Sequence: c.Sequence, CID: c.CID, Reason: why.Error(), At: time.Now().UTC()})
		if n := len(r.Rejections); n > maxRejections {
			r.Rejections = r.Rejections[n-maxRejections:]
		}
		return putSource(tx, r)
	})
}

// complete makes a manifest a version, applies the retention policy to
// its folder and tells the source its folder is safe.
func (s *Service) complete(ctx context.Context, p link.Peer, m *Manifest, parsed *folders.Manifest) error {
	cfg := s.config()
	now := time.Now().UTC()
	s.mu.Lock()
	m.Status, m.Error, m.NextRetry, m.ProcessedAt = StatusDone, "", time.Time{}, now
	m.FailedFiles = nil
	c := *m
	s.mu.Unlock()
	var newest bool
	var pruned int
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := putManifest(tx, &c); err != nil {
			return err
		}
		f, _, err := getFolder(tx, c.Source, c.FolderID)
		if err != nil {
			return err
		}
		f.Source, f.FolderID = c.Source, c.FolderID
		if c.Sequence >= f.LastSeq {
			newest = true
			f.Name, f.LastSeq, f.LastAt, f.Files, f.Bytes = c.FolderName, c.Sequence, c.VersionAt, c.TotalFiles, c.TotalBytes
		}
		if err := state.PutJSON(tx.Bucket(bucketFolders), folderKey(c.Source, c.FolderID), f); err != nil {
			return err
		}
		if !cfg.AutoDeleteTombstones {
			kept := tx.Bucket(bucketKept)
			for _, t := range parsed.DeletedFiles {
				if t.CID != "" {
					if err := kept.Put([]byte(t.CID), nil); err != nil {
						return err
					}
				}
			}
		}
		count := func(t *Totals) {
			t.ManifestsProcessed++
			t.LastActivity = now
		}
		t, err := getTotals(tx)
		if err != nil {
			return err
		}
		count(&t)
		if err := putTotals(tx, t); err != nil {
			return err
		}
		r, err := getSource(tx, c.Source)
		if err != nil {
			return err
		}
		r.Name = p.Name
		count(&r.Totals)
		if err := putSource(tx, r); err != nil {
			return err
		}
		pruned, err = applyRetention(tx, c.Source, c.FolderID, cfg, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording version %d: %w", c.Sequence, err)
	}
	s.log.Info("backed up a version", "source", c.SourceName, "folder", c.FolderName, "sequence", c.Sequence,
		"files", c.TotalFiles, "fetched", c.FilesFetched, "bytes", c.BytesFetched, "pruned", pruned)
	if pruned > 0 || len(parsed.DeletedFiles) > 0 {
		s.wantSweep()
	}
	if newest {
		ackCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := s.opts.Link.Acknowledge(ackCtx, p, c.FolderID, c.Sequence); err != nil {
			s.log.Info("telling the source its folder is backed up", "device", p.Device.ShortString(), "err", err)
		}
	}
	return nil
}
