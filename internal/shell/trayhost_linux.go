//go:build !darwin && !windows

package shell

import "github.com/godbus/dbus/v5"

// trayHostPresent reports whether a StatusNotifierWatcher (the panel's
// tray host, KDE's, GNOME's AppIndicator extension, waybar, …) is on the
// session bus, to show the tray item to.
func trayHostPresent() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
