package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/update"
)

// The self-updater: its state, a check on demand, install (now or when the
// app quits) and rollback. Long work (the download) runs in the app's
// lifetime, not the request's: a closed tab does not cut a download half way.

// withUpdater answers 503 where the server runs without an updater (tests
// of other parts, embedders that update by other means).
func (s *Server) withUpdater(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Update == nil {
			writeError(w, http.StatusServiceUnavailable, "updates are not available in this instance")
			return
		}
		h(w, r)
	}
}

func (s *Server) updateState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Update.State())
}

func (s *Server) updateCheck(w http.ResponseWriter, r *http.Request) {
	st, err := s.opts.Update.Check(r.Context())
	if err != nil {
		writeUpdateError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// installRequest is POST /api/update/install's body.
type installRequest struct {
	When string `json:"when"` // "now" or "quit"
}

func (s *Server) updateInstall(w http.ResponseWriter, r *http.Request) {
	var req installRequest
	if !decodeBody(w, r, &req) {
		return
	}
	st, err := s.opts.Update.Install(s.opts.Background, req.When)
	if err != nil {
		writeUpdateError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// updateCancelOnQuit undoes "install when I quit".
func (s *Server) updateCancelOnQuit(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Update.CancelInstallOnQuit())
}

func (s *Server) updateRollback(w http.ResponseWriter, r *http.Request) {
	st, err := s.opts.Update.Rollback()
	if err != nil {
		writeUpdateError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func writeUpdateError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, update.ErrInvalidReq):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, update.ErrNoUpdate), errors.Is(err, update.ErrNoRollback):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, update.ErrSignature), errors.Is(err, update.ErrRefused), errors.Is(err, update.ErrUnreachable):
		// The release host sent something unusable, or nothing.
		writeError(w, http.StatusBadGateway, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}
