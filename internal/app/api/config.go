package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// configView is what the Settings page reads: the config in force, where it
// lives, and — when the file on disk could not be used — why, so the page can
// show the problem and offer the way out instead of silently losing it.
type configView struct {
	Config config.Config     `json:"config"`
	Path   string            `json:"path"`
	Broken *config.LoadError `json:"broken"`
}

// saveResult tells the UI what a save changed and whether the node must
// restart for it to apply.
type saveResult struct {
	configView
	Changed     []string `json:"changed"`
	NodeRestart bool     `json:"nodeRestart"`
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.configView())
}

func (s *Server) configView() configView {
	st := s.opts.Config
	return configView{Config: st.Get(), Path: st.Path(), Broken: st.Broken()}
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var c config.Config
	if !decodeBody(w, r, &c) {
		return
	}
	ch, err := s.opts.Config.Save(c)
	s.writeSaveResult(w, ch, err)
}

func (s *Server) resetConfig(w http.ResponseWriter, r *http.Request) {
	ch, _, err := s.opts.Config.ResetToDefaults()
	s.writeSaveResult(w, ch, err)
}

func (s *Server) reloadConfig(w http.ResponseWriter, r *http.Request) {
	ch, err := s.opts.Config.Reload()
	s.writeSaveResult(w, ch, err)
}

func (s *Server) writeSaveResult(w http.ResponseWriter, ch config.Changes, err error) {
	var verr *config.ValidationError
	var lerr *config.LoadError
	switch {
	case errors.As(err, &verr):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": verr.Error(), "problems": verr.Problems})
		return
	case errors.As(err, &lerr):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": lerr.Error(), "problems": lerr.Problems})
		return
	case errors.Is(err, config.ErrBroken), errors.Is(err, config.ErrChangedOnDisk):
		writeError(w, http.StatusConflict, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	changed := ch.Keys
	if changed == nil {
		changed = []string{}
	}
	writeJSON(w, http.StatusOK, saveResult{configView: s.configView(), Changed: changed, NodeRestart: ch.NodeRestart})
}
