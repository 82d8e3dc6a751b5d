//go:build desktop

package shell

import (
	"runtime"

	"fyne.io/systray"
)

// startLoop runs systray's own message loop on a thread of its own: on
// Windows a window's messages only reach the thread that created it, so
// the tray's hidden window and its GetMessage loop must share one locked
// thread (its external-loop mode would pump them from another).
func startLoop(ready func()) (stop func()) {
	go func() {
		runtime.LockOSThread()
		systray.Run(ready, nil)
	}()
	return systray.Quit
}
