//go:build !darwin && !windows

package shell

import (
	"time"

	"github.com/godbus/dbus/v5"
)

// trayHost reports whether there is a session bus (which the tray item
// lives on) and a StatusNotifierWatcher on it (the panel's tray host: KDE's,
// GNOME's AppIndicator extension, waybar, …) to show the item. At login the
// app may start before the panel, so it waits up to wait for a watcher.
func trayHost(wait time.Duration) (bus, host bool) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false, false
	}
	defer conn.Close()
	deadline := time.Now().Add(wait)
	for {
		var has bool
		err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
		if err == nil && has {
			return true, true
		}
		if time.Now().After(deadline) {
			return true, false
		}
		time.Sleep(250 * time.Millisecond)
	}
}
