package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/onboarding"
)

func (s *Server) getOnboarding(w http.ResponseWriter, r *http.Request) {
	st, found, err := s.opts.Onboarding.Get()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if !found && s.opts.Folders != nil {
		// An install from before onboarding: a user with folders is not new.
		st.Complete = len(s.opts.Folders.State().Folders) > 0
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) putOnboarding(w http.ResponseWriter, r *http.Request) {
	var st onboarding.State
	if !decodeBody(w, r, &st) {
		return
	}
	if err := s.opts.Onboarding.Put(st); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, onboarding.ErrInvalid) {
			status = http.StatusBadRequest
		}
		writeError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}
