//go:build !desktop

package shell

import (
	"context"
	"errors"
	"log/slog"

	"github.com/archivist-desktop/archivist/internal/app/api"
)

var errNoWindow = errors.New("this binary was built without the desktop window (build it with `make build`)")

// Available reports whether a window can be opened.
func Available() error { return errNoWindow }

// Shell is the window; without the desktop tag there is none, and the
// caller never gets past Available.
type Shell struct{}

// New returns a shell that cannot open.
func New(Options, *slog.Logger) *Shell { return &Shell{} }

// Show has no window to show.
func (*Shell) Show() error { return errNoWindow }

// ChooseDirectory has no window to open a dialog in.
func (*Shell) ChooseDirectory(context.Context, api.DialogOptions) (string, error) {
	return "", errNoWindow
}

// ChooseFile has no window to open a dialog in.
func (*Shell) ChooseFile(context.Context, api.DialogOptions) (string, error) {
	return "", errNoWindow
}

// ChooseSaveFile has no window to open a dialog in.
func (*Shell) ChooseSaveFile(context.Context, api.DialogOptions) (string, error) {
	return "", errNoWindow
}

// Run is never reached without the desktop tag: Available already said no.
func (*Shell) Run(context.Context, RunOptions) error { return errNoWindow }
