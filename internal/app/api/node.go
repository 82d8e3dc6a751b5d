package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/archivist-desktop/archivist/internal/app/supervisor"
)

func (s *Server) nodeStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Node.Status())
}

func (s *Server) nodeDiagnostics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Node.Diagnostics(r.Context()))
}

// nodeAction runs start, stop or restart and answers with the status after
// it; a refusal (already running, …) is a 409 with the reason.
func (s *Server) nodeAction(action func(*supervisor.Supervisor) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := action(s.opts.Node); err != nil {
			status := http.StatusInternalServerError
			for _, conflict := range []error{supervisor.ErrAlreadyRunning, supervisor.ErrAlreadyStarting, supervisor.ErrStopping, supervisor.ErrClosed} {
				if errors.Is(err, conflict) {
					status = http.StatusConflict
				}
			}
			writeJSON(w, status, map[string]any{"error": err.Error(), "status": s.opts.Node.Status()})
			return
		}
		writeJSON(w, http.StatusOK, s.opts.Node.Status())
	}
}

// maxLogLines bounds a log request to what the supervisor keeps.
const maxLogLines = 1000

func (s *Server) nodeLogs(w http.ResponseWriter, r *http.Request) {
	n := 200
	if v := r.URL.Query().Get("lines"); v != "" {
		parsed, err := strconv.Atoi(v)
		if err != nil || parsed < 1 {
			writeError(w, http.StatusBadRequest, "lines must be a positive number")
			return
		}
		n = min(parsed, maxLogLines)
	}
	lines := s.opts.Node.Tail(n)
	if lines == nil {
		lines = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines": lines, "file": s.opts.Node.LogFile()})
}
