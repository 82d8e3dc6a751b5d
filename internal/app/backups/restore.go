package backups

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// RestoreRequest says what to restore where.
type RestoreRequest struct {
	// Server is the device ID of the paired backup server that keeps the
	// backup; empty for this device's own backups.
	Server string `json:"server"`
	// Source is the source device's ID or name; Folder the folder's ID or
	// name; Sequence the version (0: the newest).
	Source   string `json:"source"`
	Folder   string `json:"folder"`
	Sequence uint64 `json:"sequence"`
	// Dest is an absolute directory, created when missing.
	Dest string `json:"dest"`
	// Overwrite replaces files that exist in Dest; otherwise they are
	// left alone and listed as skipped.
	Overwrite bool `json:"overwrite"`
}

// Restore is a restore's progress and outcome.
type Restore struct {
	ID         string         `json:"id"`
	Request    RestoreRequest `json:"request"`
	Status     string         `json:"status"` // running, done, failed
	Error      string         `json:"error,omitempty"`
	ServerName string         `json:"serverName"`
	SourceName string         `json:"sourceName"`
	FolderName string         `json:"folderName"`
	Sequence   uint64         `json:"sequence"`
	VersionAt  time.Time      `json:"versionAt,omitzero"`
	Files      int            `json:"files"`
	Bytes      int64          `json:"bytes"`
	FilesDone  int            `json:"filesDone"` // written
	BytesDone  int64          `json:"bytesDone"`
	// Skipped lists files left alone because they exist (at most 50).
	Skipped      []string     `json:"skipped"`
	SkippedCount int          `json:"skippedCount"`
	Failed       []FailedFile `json:"failed"`
	FailedCount  int          `json:"failedCount"`
	StartedAt    time.Time    `json:"startedAt"`
	FinishedAt   time.Time    `json:"finishedAt,omitzero"`
}

// Restore statuses.
const (
	RestoreRunning = "running"
	RestoreDone    = "done"
	RestoreFailed  = "failed"
)

const (
	maxRestoresKept = 20
	maxListed       = 50
)

type restores struct {
	mu   sync.Mutex
	jobs []*Restore // newest last
}

func newRestores() *restores { return &restores{} }

// Restores lists the restores of this session, newest first.
func (s *Service) Restores() []Restore {
	s.restores.mu.Lock()
	defer s.restores.mu.Unlock()
	out := make([]Restore, 0, len(s.restores.jobs))
	for i := len(s.restores.jobs) - 1; i >= 0; i-- {
		out = append(out, cloneRestore(s.restores.jobs[i]))
	}
	return out
}

// RestoreJob returns one restore.
func (s *Service) RestoreJob(id string) (Restore, error) {
	s.restores.mu.Lock()
	defer s.restores.mu.Unlock()
	for _, j := range s.restores.jobs {
		if j.ID == id {
			return cloneRestore(j), nil
		}
	}
	return Restore{}, fmt.Errorf("%w: no restore %q", ErrNotFound, id)
}

func cloneRestore(j *Restore) Restore {
	c := *j
	c.Skipped = append([]string{}, j.Skipped...)
	c.Failed = append([]FailedFile{}, j.Failed...)
	return c
}

// StartRestore checks the request, resolves the version and starts the
// restore in the background; ctx bounds the background work (the app's
// lifetime), not the request.
func (s *Service) StartRestore(ctx, reqCtx context.Context, req RestoreRequest) (Restore, error) {
	if !filepath.IsAbs(req.Dest) {
		return Restore{}, invalidf("the destination must be an absolute path, not %q", req.Dest)
	}
	if fi, err := os.Stat(req.Dest); err == nil && !fi.IsDir() {
		return Restore{}, invalidf("the destination %s is a file, not a directory", req.Dest)
	}
	node, err := s.opts.Node()
	if err != nil {
		return Restore{}, err
	}
	job := &Restore{ID: uuid.NewString(), Request: req, Status: RestoreRunning, StartedAt: time.Now().UTC(), Skipped: []string{}, Failed: []FailedFile{}}
	var cat link.Catalog
	var server link.Peer
	if req.Server == "" {
		job.ServerName = "this device"
		cat, err = s.Catalog()
	} else {
		server, err = s.opts.Link.Peer(req.Server)
		if err == nil && server.State != link.StatePaired {
			err = invalidf("%s is not paired yet: approve it first", server.Name)
		}
		if err == nil {
			job.ServerName = server.Name
			cat, err = s.opts.Link.FetchCatalog(reqCtx, server)
		}
	}
	if err != nil {
		return Restore{}, err
	}
	src, folder, ver, err := choose(cat, req.Source, req.Folder, req.Sequence)
	if err != nil {
		return Restore{}, err
	}
	job.SourceName, job.FolderName, job.Sequence, job.VersionAt = src.Name, folder.Name, ver.Sequence, ver.At
	job.Files, job.Bytes = ver.Files, ver.Bytes
	if err := os.MkdirAll(req.Dest, 0o755); err != nil {
		return Restore{}, fmt.Errorf("creating the destination: %w", err)
	}

	s.restores.mu.Lock()
	s.restores.jobs = append(s.restores.jobs, job)
	if n := len(s.restores.jobs); n > maxRestoresKept {
		s.restores.jobs = s.restores.jobs[n-maxRestoresKept:]
	}
	// Copied now: once the restore runs, job changes under the lock only.
	started := cloneRestore(job)
	s.restores.mu.Unlock()

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		remote := req.Server != ""
		if remote {
			if err := s.opts.Connect(ctx, server.NodePeerID); err != nil {
				s.log.Info("connecting to the backup server's node", "err", err)
			}
		}
		err := s.restore(ctx, node, remote, job, folder.ID, ver)
		s.restoreUpdate(job, func(j *Restore) {
			j.FinishedAt = time.Now().UTC()
			switch {
			case err != nil:
				j.Status, j.Error = RestoreFailed, err.Error()
			case j.FailedCount > 0:
				j.Status, j.Error = RestoreFailed, fmt.Sprintf("%d of %d files could not be restored", j.FailedCount, j.Files)
			default:
				j.Status = RestoreDone
			}
		})
		s.log.Info("restore finished", "source", job.SourceName, "folder", job.FolderName, "version", job.Sequence, "dest", req.Dest, "err", err)
	}()
	return started, nil
}

func (s *Service) restoreUpdate(j *Restore, change func(*Restore)) {
	s.restores.mu.Lock()
	change(j)
	c := cloneRestore(j)
	s.restores.mu.Unlock()
	if s.opts.Bus != nil {
		s.opts.Bus.Publish(EventRestore, c)
	}
}

// restore writes the version's files under the destination.
func (s *Service) restore(ctx context.Context, node *nodeclient.Client, remote bool, job *Restore, folderID string, ver link.CatalogVersion) error {
	read := node.Download
	if remote {
		read = node.DownloadNetwork
	}
	// A restore from another device's node leaves nothing behind in this
	// one: what it fetched only for the restore is deleted once written.
	var had map[string]bool
	if remote {
		items, err := node.List(ctx)
		if err != nil {
			return fmt.Errorf("listing this node's content: %w", err)
		}
		had = make(map[string]bool, len(items))
		for _, it := range items {
			had[it.CID] = true
		}
		defer func() {
			if !had[ver.CID] {
				node.Delete(context.WithoutCancel(ctx), ver.CID)
			}
		}()
	}
	c, err := read(ctx, ver.CID)
	if err != nil {
		return fmt.Errorf("reading the version's manifest %s: %w", ver.CID, err)
	}
	data, err := io.ReadAll(io.LimitReader(c, maxManifestBytes+1))
	c.Close()
	if err != nil {
		return fmt.Errorf("reading the version's manifest: %w", err)
	}
	m, err := parseManifest(data, expect{FolderID: folderID, Sequence: ver.Sequence})
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(job.Request.Dest)
	if err != nil {
		return fmt.Errorf("opening the destination: %w", err)
	}
	defer root.Close()

	// release counts a file of a content as written; true for the last
	// (two files with the same content share it until both are written).
	var refsMu sync.Mutex
	refs := map[string]int{}
	for _, f := range m.Files {
		refs[f.CID]++
	}
	release := func(cid string) bool {
		refsMu.Lock()
		defer refsMu.Unlock()
		refs[cid]--
		return refs[cid] == 0
	}
	work := make(chan folders.ManifestFile)
	var wg sync.WaitGroup
	for range max(s.config().MaxConcurrentDownloads, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				skipped, err := restoreFile(ctx, root, read, f, job.Request.Overwrite)
				if remote && f.CID != "" && !had[f.CID] && release(f.CID) {
					node.Delete(context.WithoutCancel(ctx), f.CID)
				}
				s.restoreUpdate(job, func(j *Restore) {
					switch {
					case err != nil:
						j.FailedCount++
						if len(j.Failed) < maxListed {
							j.Failed = append(j.Failed, FailedFile{Path: f.Path, CID: f.CID, Error: err.Error()})
						}
					case skipped:
						j.SkippedCount++
						if len(j.Skipped) < maxListed {
							j.Skipped = append(j.Skipped, f.Path)
						}
					default:
						j.FilesDone++
						j.BytesDone += f.SizeBytes
					}
				})
			}
		}()
	}
	for _, f := range m.Files {
		select {
		case work <- f:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

// restoreFile writes one file through a temporary name, so that a
// restore cut short never leaves a torn file under the real name. The
// os.Root keeps every write inside the destination, symlinks included.
func restoreFile(ctx context.Context, root *os.Root, read func(context.Context, string) (*nodeclient.Content, error), f folders.ManifestFile, overwrite bool) (skipped bool, err error) {
	name := filepath.FromSlash(f.Path)
	if !filepath.IsLocal(name) {
		return false, fmt.Errorf("the name %q cannot be written on this system", f.Path)
	}
	if _, err := root.Lstat(name); err == nil {
		if !overwrite {
			return true, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if dir := path.Dir(f.Path); dir != "." {
		if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return false, err
		}
	}
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".archivist-restore")
	out, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			out.Close()
			root.Remove(tmp)
		}
	}()
	if f.CID != "" {
		c, err := read(ctx, f.CID)
		if err != nil {
			return false, err
		}
		n, err := io.Copy(out, c)
		c.Close()
		if err != nil {
			return false, err
		}
		if n != f.SizeBytes {
			return false, fmt.Errorf("received %d bytes, the version says %d", n, f.SizeBytes)
		}
	}
	if err := out.Sync(); err != nil {
		return false, err
	}
	if err := out.Close(); err != nil {
		return false, err
	}
	return false, root.Rename(tmp, name)
}
