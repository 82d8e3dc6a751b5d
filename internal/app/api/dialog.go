package api

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
)

// Dialogs are the operating system's file choosers. The desktop shell
// provides them; they are offered only to the UI inside its window (the
// trusted in-process handler), never over the network listener: a dialog
// asked for by a browser would open on the desktop of the machine the app
// runs on, in front of whoever sits there, not in the browser.
type Dialogs interface {
	// Each returns the chosen path, or "" when the user cancelled.
	ChooseDirectory(ctx context.Context, o DialogOptions) (string, error)
	ChooseFile(ctx context.Context, o DialogOptions) (string, error)
	ChooseSaveFile(ctx context.Context, o DialogOptions) (string, error)
}

// DialogOptions are what the UI may ask of a dialog.
type DialogOptions struct {
	Title string `json:"title"`
	// DefaultPath is the directory the dialog opens in (absolute; empty:
	// the dialog's own choice).
	DefaultPath string `json:"defaultPath"`
	// DefaultFilename is the name a save dialog proposes.
	DefaultFilename string `json:"defaultFilename"`
}

const errNoDialogs = "native dialogs are only available in the desktop window"

// maxDialogTitle bounds a title: it is shown in a window's title bar.
const maxDialogTitle = 200

func (s *Server) dialogAvailable(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"available": s.dialogs(r) != nil})
}

// dialogs is the shell's dialogs for a request from the window, else nil.
func (s *Server) dialogs(r *http.Request) Dialogs {
	if !inWindow(r) {
		return nil
	}
	return s.opts.Dialogs
}

// dialog serves one kind of dialog; save says whether defaultFilename is
// accepted.
func (s *Server) dialog(save bool, choose func(Dialogs, context.Context, DialogOptions) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := s.dialogs(r)
		if d == nil {
			writeError(w, http.StatusNotImplemented, errNoDialogs)
			return
		}
		var o DialogOptions
		if !decodeBody(w, r, &o) {
			return
		}
		if msg := checkDialogOptions(o, save); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		path, err := choose(d, r.Context(), o)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "the dialog failed: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"path": path})
	}
}

func checkDialogOptions(o DialogOptions, save bool) string {
	switch {
	case len(o.Title) > maxDialogTitle:
		return "title is too long (at most 200 bytes)"
	case strings.ContainsAny(o.Title, "\x00\n\r"):
		return "title must be one line of text"
	case o.DefaultPath != "" && !filepath.IsAbs(o.DefaultPath):
		return "defaultPath must be an absolute path"
	case strings.ContainsRune(o.DefaultPath, 0):
		return "defaultPath contains a NUL byte"
	case o.DefaultFilename != "" && !save:
		return "defaultFilename is only for the save dialog"
	case o.DefaultFilename != "" && (strings.ContainsAny(o.DefaultFilename, "/\\\x00") || o.DefaultFilename == "." || o.DefaultFilename == ".."):
		return "defaultFilename must be a file name, not a path"
	}
	return ""
}
