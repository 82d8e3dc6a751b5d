package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/backups"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/link"
)

// The Backup Server page and restores.

func (s *Server) backupServerState(w http.ResponseWriter, r *http.Request) {
	st, err := s.opts.Backups.State()
	if err != nil {
		writeBackupError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// backupServerAction runs a mode change and answers with the new state.
func (s *Server) backupServerAction(do func(*backups.Service) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := do(s.opts.Backups); err != nil {
			writeBackupError(w, err)
			return
		}
		s.backupServerState(w, r)
	}
}

func (s *Server) retryManifest(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 {
		writeError(w, http.StatusBadRequest, "the sequence must be a positive number")
		return
	}
	if err := s.opts.Backups.Retry(r.PathValue("source"), r.PathValue("folder"), seq); err != nil {
		writeBackupError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "retrying"})
}

// Versions is GET /api/versions: what this device keeps, and what each
// paired backup server keeps (asked over the link).
type Versions struct {
	Servers []VersionServer `json:"servers"`
}

// VersionServer is one device's catalog.
type VersionServer struct {
	Device  string       `json:"device"` // "" for this device
	Name    string       `json:"name"`
	Error   string       `json:"error,omitempty"`
	Catalog link.Catalog `json:"catalog"`
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	out := Versions{Servers: []VersionServer{}}
	cat, err := s.opts.Backups.Catalog()
	if err != nil {
		writeBackupError(w, err)
		return
	}
	if len(cat.Sources) > 0 || s.opts.Config.Get().BackupServer.Enabled {
		out.Servers = append(out.Servers, VersionServer{Name: "this device", Catalog: cat})
	}
	peers, err := s.opts.Link.Paired()
	if err != nil {
		writeBackupError(w, err)
		return
	}
	// Each backup server is asked at once, each bounded: one that is away
	// must not hold up the others' answers.
	var servers []link.Peer
	for _, p := range peers {
		if p.BackupServer {
			servers = append(servers, p)
		}
	}
	remote := make([]VersionServer, len(servers))
	var wg sync.WaitGroup
	for i, p := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			v := VersionServer{Device: p.Device.String(), Name: p.Name, Catalog: link.Catalog{Sources: []link.CatalogSource{}}}
			if c, err := s.opts.Link.FetchCatalog(ctx, p); err != nil {
				v.Error = err.Error()
			} else {
				v.Catalog = c
			}
			remote[i] = v
		}()
	}
	wg.Wait()
	out.Servers = append(out.Servers, remote...)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) startRestore(w http.ResponseWriter, r *http.Request) {
	var req backups.RestoreRequest
	if !decodeBody(w, r, &req) {
		return
	}
	job, err := s.opts.Backups.StartRestore(s.opts.Background, r.Context(), req)
	if err != nil {
		writeBackupError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}

func (s *Server) listRestores(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"restores": s.opts.Backups.Restores()})
}

func (s *Server) getRestore(w http.ResponseWriter, r *http.Request) {
	job, err := s.opts.Backups.RestoreJob(r.PathValue("id"))
	if err != nil {
		writeBackupError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, job)
}

func writeBackupError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, backups.ErrNotFound), errors.Is(err, link.ErrUnknownDevice):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, files.ErrNodeNotRunning):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, backups.ErrInvalid), errors.Is(err, devices.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}
