package backups

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// Limits on what a source may send. A manifest lists every file of a
// folder: a million files is about 250 MB of JSON.
const (
	maxManifestBytes = 512 << 20
	maxPathBytes     = 4096
)

// maxManifestFiles bounds each of a manifest's lists. A variable so that
// tests can show the bound holds without building millions of entries.
var maxManifestFiles = 2_000_000

// expect is what the source's list said of a manifest, and who the source
// is: the manifest itself must agree.
type expect struct {
	FolderID   string
	Sequence   uint64
	NodePeerID string // the paired device's node; "" when restoring (checked when it arrived)
}

// parseManifest decodes and checks a source's manifest. Every error means
// the manifest is refused for good: it is not what was announced, or it
// names files that would land outside the folder on restore.
func parseManifest(data []byte, want expect) (*folders.Manifest, error) {
	var bm boundedManifest
	if err := json.Unmarshal(data, &bm); err != nil {
		if errors.Is(err, errTooManyEntries) {
			return nil, fmt.Errorf("the manifest lists more than the %d files or deletions this server accepts", maxManifestFiles)
		}
		return nil, fmt.Errorf("the manifest is not valid JSON: %v", err)
	}
	m := bm.Manifest
	m.Files, m.DeletedFiles = bm.Files, bm.DeletedFiles
	if m.Version != folders.ManifestVersion {
		return nil, fmt.Errorf("unsupported manifest version %q (this app reads %q)", m.Version, folders.ManifestVersion)
	}
	if m.FolderID != want.FolderID {
		return nil, fmt.Errorf("the manifest is of folder %q, but was offered as folder %q", m.FolderID, want.FolderID)
	}
	if m.SequenceNumber != want.Sequence {
		return nil, fmt.Errorf("the manifest has sequence %d, but was offered as sequence %d", m.SequenceNumber, want.Sequence)
	}
	if want.NodePeerID != "" && m.SourcePeerID != want.NodePeerID {
		return nil, fmt.Errorf("the manifest names node %s as its source, but the paired device's node is %s", m.SourcePeerID, want.NodePeerID)
	}
	if len(m.Files) > maxManifestFiles || len(m.DeletedFiles) > maxManifestFiles {
		return nil, fmt.Errorf("the manifest lists %d files and %d deletions: more than the %d this server accepts", len(m.Files), len(m.DeletedFiles), maxManifestFiles)
	}
	seen := make(map[string]struct{}, len(m.Files))
	for _, f := range m.Files {
		if err := checkPath(f.Path); err != nil {
			return nil, err
		}
		if _, dup := seen[f.Path]; dup {
			return nil, fmt.Errorf("the manifest lists %q twice", f.Path)
		}
		seen[f.Path] = struct{}{}
		if f.SizeBytes < 0 {
			return nil, fmt.Errorf("the manifest gives %q a negative size", f.Path)
		}
		if f.CID == "" {
			if f.SizeBytes != 0 {
				return nil, fmt.Errorf("the manifest gives %q no content but %d bytes", f.Path, f.SizeBytes)
			}
			continue
		}
		if _, err := dag.ParseCID(f.CID); err != nil {
			return nil, fmt.Errorf("the manifest gives %q an invalid CID: %v", f.Path, err)
		}
	}
	for _, t := range m.DeletedFiles {
		if err := checkPath(t.Path); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// boundedManifest decodes a manifest with its lists capped as they are
// decoded: tiny entries ("{}," is 3 bytes) would otherwise let a manifest
// within maxManifestBytes expand to gigabytes of structs before the count
// could be checked. Its lists shadow the embedded ones for encoding/json.
type boundedManifest struct {
	folders.Manifest
	Files        boundedList[folders.ManifestFile] `json:"files"`
	DeletedFiles boundedList[folders.ManifestTomb] `json:"deleted_files"`
}

var errTooManyEntries = errors.New("too many entries")

// boundedList is a JSON list of at most maxManifestFiles entries.
type boundedList[T any] []T

func (l *boundedList[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("expected a list, got %.20q", b)
	}
	var out []T
	for dec.More() {
		if len(out) >= maxManifestFiles {
			return errTooManyEntries
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// checkPath accepts a relative, clean, '/'-separated path that stays
// inside the folder. Backslashes and colons are legal in names on Unix; a
// restore on Windows checks again with its own rules (restore.go).
func checkPath(p string) error {
	bad := func(why string) error { return fmt.Errorf("the manifest names a file %q: %s", truncate(p, 200), why) }
	switch {
	case p == "":
		return bad("empty path")
	case len(p) > maxPathBytes:
		return bad("path too long")
	case !utf8.ValidString(p):
		return bad("not UTF-8")
	case strings.ContainsRune(p, 0):
		return bad("NUL in the path")
	case path.IsAbs(p):
		return bad("absolute path")
	case path.Clean(p) != p:
		return bad("path not in clean form")
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." || el == "." {
			return bad("path leaves the folder")
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// manifestCIDs lists the contents a manifest names, without the checks of
// parseManifest: it reads manifests this server already accepted.
func manifestCIDs(data []byte) ([]string, error) {
	var m struct {
		Files []struct {
			CID string `json:"cid"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(m.Files))
	for _, f := range m.Files {
		if f.CID != "" {
			out = append(out, f.CID)
		}
	}
	return out, nil
}
