//go:build desktop

package shell

/*
#cgo linux pkg-config: gtk+-3.0
#include <gtk/gtk.h>
static int canInitGTK(void) { return gtk_init_check(NULL, NULL); }
*/
import "C"

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/archivist-desktop/archivist/internal/app/events"
)

// Available reports whether a window can be opened. Wails panics when GTK
// cannot start, so ask GTK first, the way it would be asked.
func Available() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display ($DISPLAY and $WAYLAND_DISPLAY are not set)")
	}
	if C.canInitGTK() == 0 {
		return errors.New("GTK cannot open the display")
	}
	return nil
}

// Run shows the window until the user closes it or the process is asked to
// stop (SIGINT/SIGTERM).
func Run(_ context.Context, h http.Handler, bus *events.Bus, opts Options) error {
	return wails.Run(&options.App{
		Title:            opts.Title,
		Width:            1200,
		Height:           800,
		MinWidth:         800,
		MinHeight:        600,
		StartHidden:      opts.StartHidden,
		BackgroundColour: &options.RGBA{R: 0x01, G: 0x03, B: 0x02, A: 0xff},
		AssetServer:      &assetserver.Options{Handler: h},
		// Wails installs its own SIGINT/SIGTERM handler that quits the GTK
		// loop; quitting a second time from here on the same signal races
		// it inside gtk_main_quit and crashes, so signals are left to it.
		OnStartup: func(wctx context.Context) { go forwardEvents(wctx, bus) },
	})
}

// forwardEvents carries bus events to the webview, since Wails' asset
// server cannot hold an SSE stream open. A subscription dropped for lagging
// is renewed: the window must not go deaf after a burst.
func forwardEvents(wctx context.Context, bus *events.Bus) {
	for wctx.Err() == nil {
		ch, cancel := bus.Subscribe()
		for open := true; open; {
			select {
			case <-wctx.Done():
				open = false
			case ev, ok := <-ch:
				if open = ok; ok {
					wruntime.EventsEmit(wctx, EventName, ev)
				}
			}
		}
		cancel()
	}
}
