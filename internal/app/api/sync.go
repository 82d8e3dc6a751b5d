package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
)

// The Backups page: watched folders, uploads, manifests.

func (s *Server) syncState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Folders.State())
}

func (s *Server) addFolder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Path string `json:"path"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	f, err := s.opts.Folders.Add(r.Context(), req.Path)
	if err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

func (s *Server) setFolder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Enabled == nil {
		writeError(w, http.StatusBadRequest, `missing "enabled"`)
		return
	}
	f, err := s.opts.Folders.SetEnabled(r.PathValue("id"), *req.Enabled)
	if err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) removeFolder(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Folders.Remove(r.PathValue("id")); err != nil {
		writeFolderError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) rescanFolder(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Folders.Rescan(r.PathValue("id")); err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "scanning"})
}

func (s *Server) rescanAll(w http.ResponseWriter, r *http.Request) {
	s.opts.Folders.RescanAll()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "scanning"})
}

func (s *Server) pauseSync(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Folders.Pause(); err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Folders.State())
}

func (s *Server) resumeSync(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Folders.Resume(); err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Folders.State())
}

func (s *Server) failedFiles(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Folders.Failed(r.PathValue("id"))
	if err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": list})
}

func (s *Server) retryFolder(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Folders.Retry(r.PathValue("id")); err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "retrying"})
}

func (s *Server) quickstart(w http.ResponseWriter, r *http.Request) {
	f, err := s.opts.Folders.Quickstart(r.Context())
	if err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) backupNow(w http.ResponseWriter, r *http.Request) {
	seq, err := s.opts.Link.BackupNow(r.Context(), r.PathValue("id"))
	if err != nil {
		writeFolderError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]uint64{"sequence": seq})
}

func writeFolderError(w http.ResponseWriter, err error) {
	var inv *folders.InvalidError
	switch {
	case errors.Is(err, folders.ErrNoFolder):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, link.ErrNoBackupPeer):
		writeError(w, http.StatusConflict, err.Error())
	case errors.As(err, &inv):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, files.ErrNodeNotRunning):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}
