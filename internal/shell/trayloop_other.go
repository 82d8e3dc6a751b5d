//go:build desktop && !windows

package shell

import "fyne.io/systray"

// startLoop starts systray beside Wails' loop. On Linux the tray is a
// StatusNotifierItem on D-Bus, which needs no loop of its own; on macOS it
// shares the application's main loop, which Wails runs.
func startLoop(ready func()) (stop func()) {
	start, end := systray.RunWithExternalLoop(ready, nil)
	start()
	return end
}
