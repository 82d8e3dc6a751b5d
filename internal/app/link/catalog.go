package link

import (
	"context"
	"net/http"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
)

// Catalog is what a backup server keeps (GET /v1/backups): for each source
// device, its folders and their versions. A paired device reads it to
// restore a folder whose source machine is gone.
type Catalog struct {
	Sources []CatalogSource `json:"sources"`
}

// CatalogSource is one source device's backups.
type CatalogSource struct {
	Device  string          `json:"device"`
	Name    string          `json:"name"`
	Folders []CatalogFolder `json:"folders"`
}

// CatalogFolder is one folder's versions, newest first.
type CatalogFolder struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Versions []CatalogVersion `json:"versions"`
}

// CatalogVersion is one restorable version.
type CatalogVersion struct {
	Sequence uint64    `json:"sequence"`
	CID      string    `json:"cid"`
	At       time.Time `json:"at"`
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
}

func (s *Service) serveCatalog(w http.ResponseWriter, r *http.Request, p Peer) {
	if s.opts.Catalog == nil {
		writeJSON(w, http.StatusNotFound, apiError{"Not Found", "this device keeps no backups"})
		return
	}
	c, err := s.opts.Catalog()
	if err != nil {
		s.log.Warn("listing backups for a paired device", "device", p.Device.ShortString(), "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{"Internal Server Error", "An unexpected error occurred"})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// FetchCatalog asks a paired backup server what it keeps.
func (s *Service) FetchCatalog(ctx context.Context, p Peer) (Catalog, error) {
	var out Catalog
	err := s.call(ctx, p, http.MethodGet, "/v1/backups", nil, &out)
	return out, err
}

// Paired lists the paired devices.
func (s *Service) Paired() ([]Peer, error) {
	all, err := s.store.list()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, p := range all {
		if p.State == StatePaired {
			out = append(out, p)
		}
	}
	return out, nil
}

// Peer returns a known device by its device ID.
func (s *Service) Peer(device string) (Peer, error) {
	id, err := peerlink.ParseDeviceID(device)
	if err != nil {
		return Peer{}, invalid(err.Error())
	}
	p, ok, err := s.store.get(id)
	if err != nil {
		return Peer{}, err
	}
	if !ok {
		return Peer{}, ErrUnknownDevice
	}
	return p, nil
}
