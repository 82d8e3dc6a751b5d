//go:build !desktop

package shell

import (
	"context"
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/events"
)

// Available reports whether a window can be opened.
func Available() error {
	return errors.New("this binary was built without the desktop window (build it with `make build`)")
}

// Run is never reached without the desktop tag: Available already said no.
func Run(ctx context.Context, h http.Handler, bus *events.Bus, opts Options) error {
	return Available()
}
