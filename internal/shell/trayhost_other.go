//go:build darwin || windows

package shell

import "time"

// trayHost: the menu bar (macOS) and the notification area (Windows) are
// always there.
func trayHost(time.Duration) (bus, host bool) { return true, true }
