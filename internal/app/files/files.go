// Package files is the app's file service behind the Restore page: it lists
// what the node stores, uploads files to it and downloads datasets from the
// network into a folder the user chose. Everything goes through nodeclient.
// Progress is reported from real byte counts as events on the app's bus.
// Downloads never write a user's file in place: the bytes go to a hidden
// temporary file in the destination folder, are synced, and only then renamed
// to a name that does not replace an existing file. Names come from the
// dataset's manifest, which a peer wrote, so they are reduced to a plain base
// name before they touch the file system.
package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/archivist-desktop/archivist/internal/app/events"
	nodeapi "github.com/archivist-desktop/archivist/internal/node/api"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
	"github.com/archivist-desktop/archivist/internal/progress"
)

// Event types published on the bus.
const (
	EventUploadProgress   = "upload-progress"
	EventDownloadProgress = "download-progress"
	EventFileDownloaded   = "file-downloaded"
	EventFilesChanged     = "files-changed"
)

// ErrNodeNotRunning is returned when there is no node to talk to.
var ErrNodeNotRunning = errors.New("Node not running")

// ErrEmptyFile is returned for an upload of zero bytes: a dataset needs at
// least one block, so the node refuses it.
var ErrEmptyFile = errors.New("the file is empty: there is nothing to store")

// Service is the file service.
type Service struct {
	node func() (*nodeclient.Client, error)
	bus  *events.Bus
	seq  atomic.Int64
}

// New returns a service that reaches the node through node().
func New(node func() (*nodeclient.Client, error), bus *events.Bus) *Service {
	return &Service{node: node, bus: bus}
}

// File is one stored dataset as the UI shows it.
type File struct {
	CID      string `json:"cid"`
	Filename string `json:"filename"`
	Mimetype string `json:"mimetype"`
	Size     uint64 `json:"size"`
	TreeCID  string `json:"treeCid"`
}

// List returns the datasets stored on the node, as the node reports them
// now (so a file deleted elsewhere is gone from the list).
func (s *Service) List(ctx context.Context) ([]File, error) {
	c, err := s.node()
	if err != nil {
		return nil, err
	}
	items, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(items))
	for _, it := range items {
		f := File{CID: it.CID, Size: it.Manifest.DatasetSize, TreeCID: it.Manifest.TreeCID}
		if it.Manifest.Filename != nil {
			f.Filename = *it.Manifest.Filename
		}
		if it.Manifest.Mimetype != nil {
			f.Mimetype = *it.Manifest.Mimetype
		}
		out = append(out, f)
	}
	return out, nil
}

// Progress is the payload of progress events.
type Progress struct {
	ID         string `json:"id"`
	Filename   string `json:"filename"`
	CID        string `json:"cid,omitempty"`
	BytesDone  int64  `json:"bytesDone"`
	TotalBytes int64  `json:"totalBytes"` // -1 when unknown
	Percent    int    `json:"percent"`    // -1 when unknown
	Done       bool   `json:"done"`
	Error      string `json:"error,omitempty"`
}

func (s *Service) nextID(kind string) string {
	return fmt.Sprintf("%s-%d", kind, s.seq.Add(1))
}

func (s *Service) progress(typ string, p Progress) {
	p.Percent = -1
	if p.TotalBytes > 0 {
		p.Percent = int(p.BytesDone * 100 / p.TotalBytes)
	}
	s.bus.Publish(typ, p)
}

// Upload stores r (size bytes, -1 if unknown) on the node under filename.
func (s *Service) Upload(ctx context.Context, r io.Reader, size int64, filename, mimetype string) (string, error) {
	if size == 0 {
		return "", ErrEmptyFile
	}
	c, err := s.node()
	if err != nil {
		return "", err
	}
	p := Progress{ID: s.nextID("upload"), Filename: filename, TotalBytes: size}
	cid, err := c.Upload(ctx, r, size, filename, mimetype, func(sent int64) {
		p.BytesDone = sent
		s.progress(EventUploadProgress, p)
	})
	p.Done, p.CID = true, cid
	if err != nil {
		p.Error = err.Error()
	}
	s.progress(EventUploadProgress, p)
	if err == nil {
		s.bus.Publish(EventFilesChanged, nil)
	}
	return cid, err
}

// UploadPath uploads a file from this machine's disk (the desktop app's
// native file dialog hands over paths).
func (s *Service) UploadPath(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("File not found: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return "", fmt.Errorf("%s is a folder: choose a file (folders are backed up from the Backups page)", path)
	}
	return s.Upload(ctx, f, st.Size(), filepath.Base(path), MimeOf(path))
}

// MimeOf guesses a file's type from its extension, without parameters:
// the node accepts a bare MIME type only, and only one its table knows.
// The guess comes from the machine's own table (/etc/mime.types), which
// knows types the node refuses (.raw is image/x-panasonic-rw on Debian):
// such a file is uploaded without a type rather than refused forever.
func MimeOf(path string) string {
	t, _, _ := strings.Cut(mime.TypeByExtension(filepath.Ext(path)), ";")
	t = strings.TrimSpace(t)
	if !nodeapi.KnownMimeType(t) {
		return ""
	}
	return t
}

// Download fetches a dataset (from the node, which fetches what it lacks
// from the network) into the folder dest and returns the file's path.
func (s *Service) Download(ctx context.Context, cid, dest string) (string, error) {
	c, err := s.node()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(dest)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("destination %q is not a folder", dest)
	}
	content, err := c.DownloadNetwork(ctx, cid)
	if err != nil {
		return "", err
	}
	defer content.Close()
	name := SafeName(content.Filename, cid)
	p := Progress{ID: s.nextID("download"), Filename: name, CID: cid, TotalBytes: content.Size}
	path, err := writeNew(dest, name, progress.NewReader(content, func(n int64) {
		p.BytesDone = n
		s.progress(EventDownloadProgress, p)
	}), content.Size)
	p.Done = true
	if err != nil {
		p.Error = err.Error()
	}
	s.progress(EventDownloadProgress, p)
	if err != nil {
		return "", err
	}
	s.bus.Publish(EventFileDownloaded, cid)
	return path, nil
}

// Delete removes a dataset from the node.
func (s *Service) Delete(ctx context.Context, cid string) error {
	c, err := s.node()
	if err != nil {
		return err
	}
	if err := c.Delete(ctx, cid); err != nil {
		return err
	}
	s.bus.Publish(EventFilesChanged, nil)
	return nil
}

// DeleteAll removes every dataset stored on the node and returns how many
// it removed; it stops at the first failure, which it reports.
func (s *Service) DeleteAll(ctx context.Context) (int, error) {
	list, err := s.List(ctx)
	if err != nil {
		return 0, err
	}
	c, err := s.node()
	if err != nil {
		return 0, err
	}
	n := 0
	defer func() {
		if n > 0 {
			s.bus.Publish(EventFilesChanged, nil)
		}
	}()
	for _, f := range list {
		if err := c.Delete(ctx, f.CID); err != nil {
			return n, fmt.Errorf("deleted %d of %d files, then %s: %w", n, len(list), f.CID, err)
		}
		n++
	}
	return n, nil
}

// Open streams a stored dataset (for a browser download).
func (s *Service) Open(ctx context.Context, cid string) (*nodeclient.Content, error) {
	c, err := s.node()
	if err != nil {
		return nil, err
	}
	return c.DownloadNetwork(ctx, cid)
}

// SafeName turns a peer-supplied file name into a plain base name that is
// safe to create in any folder: no directories, no traversal, no control
// characters, no reserved names. It falls back to the CID.
func SafeName(name, cid string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if name == "" || len(name) > 255 {
		return cid
	}
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return "_" + name
	}
	return name
}

// writeNew writes r to a new file named name in dir: a hidden temporary
// file first, synced, then renamed to name — or to "name (1)", "name (2)"…
// when that exists, so no existing file is ever replaced.
func writeNew(dir, name string, r io.Reader, size int64) (string, error) {
	tmp, err := os.CreateTemp(dir, ".archivist-download-*")
	if err != nil {
		return "", fmt.Errorf("IO error: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("download ended after %d of %d bytes", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 1000; i++ {
		candidate := name
		if i > 0 {
			candidate = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		target := filepath.Join(dir, candidate)
		// Link fails if target exists, unlike Rename: no race can make this
		// replace a file that appeared meanwhile.
		if err := os.Link(tmp.Name(), target); err == nil {
			syncDir(dir)
			return target, nil
		} else if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("IO error: %w", err)
		}
	}
	return "", fmt.Errorf("IO error: too many files named like %s in %s", name, dir)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
