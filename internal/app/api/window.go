package api

import (
	"context"
	"net/http"
)

// Window is the desktop window, provided by the shell; nil when headless.
type Window interface {
	// Show brings the window to the front, un-hiding it from the tray.
	Show() error
}

// windowKey marks requests that come from the window's own webview.
type windowKey struct{}

func markWindow(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), windowKey{}, true)))
	})
}

// inWindow reports whether the request came through TrustedHandler, that is
// from the UI inside the desktop window.
func inWindow(r *http.Request) bool {
	v, _ := r.Context().Value(windowKey{}).(bool)
	return v
}

// showWindow is how a second launch of the app hands over to the first: it
// finds the first through its instance file and asks it, with the API key,
// to show its window, then exits.
func (s *Server) showWindow(w http.ResponseWriter, r *http.Request) {
	if s.opts.Window == nil {
		writeError(w, http.StatusNotImplemented, "this Archivist runs without a window (archivist serve)")
		return
	}
	if err := s.opts.Window.Show(); err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
