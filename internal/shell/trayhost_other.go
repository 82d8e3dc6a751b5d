//go:build darwin || windows

package shell

// trayHostPresent: the menu bar (macOS) and the notification area
// (Windows) are always there.
func trayHostPresent() bool { return true }
