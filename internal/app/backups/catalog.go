package backups

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/app/state"
)

// Catalog lists the versions this server keeps, per source and folder,
// newest first. Sources no longer paired are listed too: their backups
// stay restorable.
func (s *Service) Catalog() (link.Catalog, error) {
	cat := link.Catalog{Sources: []link.CatalogSource{}}
	bySource := map[string]*link.CatalogSource{}
	byFolder := map[string]*link.CatalogFolder{}
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketFolders).ForEach(func(k, v []byte) error {
			var f folderRecord
			if _, err := state.GetJSON(tx.Bucket(bucketFolders), k, &f); err != nil {
				return err
			}
			if bySource[f.Source] == nil {
				r, err := getSource(tx, f.Source)
				if err != nil {
					return err
				}
				bySource[f.Source] = &link.CatalogSource{Device: f.Source, Name: r.Name}
			}
			byFolder[string(k)] = &link.CatalogFolder{ID: f.FolderID, Name: f.Name, Versions: []link.CatalogVersion{}}
			return nil
		}); err != nil {
			return err
		}
		return allManifests(tx, func(m Manifest) error {
			f := byFolder[string(folderKey(m.Source, m.FolderID))]
			if m.Status != StatusDone || f == nil {
				return nil
			}
			f.Versions = append(f.Versions, link.CatalogVersion{Sequence: m.Sequence, CID: m.CID, At: m.VersionAt, Files: m.TotalFiles, Bytes: m.TotalBytes})
			return nil
		})
	})
	if err != nil {
		return cat, err
	}
	for k, f := range byFolder {
		if len(f.Versions) == 0 {
			continue
		}
		sort.Slice(f.Versions, func(i, j int) bool { return f.Versions[i].Sequence > f.Versions[j].Sequence })
		src := bySource[strings.SplitN(k, "\x00", 2)[0]]
		src.Folders = append(src.Folders, *f)
	}
	for _, src := range bySource {
		if len(src.Folders) == 0 {
			continue
		}
		sort.Slice(src.Folders, func(i, j int) bool { return src.Folders[i].Name < src.Folders[j].Name })
		cat.Sources = append(cat.Sources, *src)
	}
	sort.Slice(cat.Sources, func(i, j int) bool { return cat.Sources[i].Name < cat.Sources[j].Name })
	return cat, nil
}

// Errors callers tell apart.
var (
	// ErrNotFound: a source, folder, version or restore that is not kept.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a request refused as it stands.
	ErrInvalid = errors.New("invalid request")
)

// invalidf is an ErrInvalid with the reason.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// choose finds a version in a catalog: the source by device ID or name,
// the folder by ID or name, the version by sequence (0: the newest).
func choose(cat link.Catalog, source, folder string, seq uint64) (link.CatalogSource, link.CatalogFolder, link.CatalogVersion, error) {
	var src *link.CatalogSource
	var names []string
	canonical := source
	if id, err := peerlink.ParseDeviceID(source); err == nil {
		canonical = id.String()
	}
	for i := range cat.Sources {
		c := &cat.Sources[i]
		names = append(names, c.Name)
		if c.Device == source || c.Device == canonical || strings.EqualFold(c.Name, source) {
			if src != nil && c.Device != src.Device {
				return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, invalidf("two source devices are named %q: give its device ID", source)
			}
			src = c
		}
	}
	if src == nil {
		return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, fmt.Errorf("%w: no backups of a device %q (kept: %s)", ErrNotFound, source, listOrNone(names))
	}
	var f *link.CatalogFolder
	names = nil
	for i := range src.Folders {
		c := &src.Folders[i]
		names = append(names, c.Name)
		if c.ID == folder || strings.EqualFold(c.Name, folder) {
			if f != nil {
				return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, invalidf("%s has two folders named %q: give its folder ID", src.Name, folder)
			}
			f = c
		}
	}
	if f == nil {
		return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, fmt.Errorf("%w: %s has no backed-up folder %q (kept: %s)", ErrNotFound, src.Name, folder, listOrNone(names))
	}
	if len(f.Versions) == 0 {
		return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, fmt.Errorf("%w: folder %s has no version yet", ErrNotFound, f.Name)
	}
	if seq == 0 {
		return *src, *f, f.Versions[0], nil
	}
	for _, v := range f.Versions {
		if v.Sequence == seq {
			return *src, *f, v, nil
		}
	}
	return link.CatalogSource{}, link.CatalogFolder{}, link.CatalogVersion{}, fmt.Errorf("%w: folder %s has no version %d (kept: %s)", ErrNotFound, f.Name, seq, versionList(f.Versions))
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func versionList(vs []link.CatalogVersion) string {
	var out []string
	for i, v := range vs {
		if i == 10 {
			out = append(out, "…")
			break
		}
		out = append(out, fmt.Sprintf("%d (%s)", v.Sequence, v.At.Local().Format(time.DateTime)))
	}
	return strings.Join(out, ", ")
}

// Retry processes a failed or superseded manifest again, with its retries
// counted afresh.
func (s *Service) Retry(source, folder string, seq uint64) error {
	var found bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		var m Manifest
		ok, err := state.GetJSON(tx.Bucket(bucketManifests), manifestKey(source, folder, seq), &m)
		if err != nil || !ok {
			return err
		}
		if m.Status != StatusFailed && m.Status != StatusSuperseded {
			return invalidf("manifest %d of that folder is %s, not failed", seq, m.Status)
		}
		found = true
		m.Status, m.Attempts, m.NextRetry = StatusPending, 0, time.Time{}
		return putManifest(tx, &m)
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no manifest %d of folder %s from that device", ErrNotFound, seq, folder)
	}
	s.poke(source)
	s.stateChanged()
	return nil
}
