//go:build desktop

package shell

/*
#cgo linux pkg-config: gtk+-3.0
#include <gtk/gtk.h>
static int canInitGTK(void) { return gtk_init_check(NULL, NULL); }
*/
import "C"

import (
	"errors"
	"os"
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
