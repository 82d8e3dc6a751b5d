//go:build !darwin && !windows

package shell

import (
	"fmt"
	"slices"
	"strings"

	"github.com/godbus/dbus/v5"
)

// dbusNotifier sends notifications to the freedesktop notification server
// (org.freedesktop.Notifications) on the session bus. It has its own
// connection: systray closes the shared one when it quits.
type dbusNotifier struct {
	conn *dbus.Conn
}

func newDBusNotifier() (*dbusNotifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("connecting to the D-Bus session bus: %w", err)
	}
	return &dbusNotifier{conn: conn}, nil
}

func (d *dbusNotifier) close() { d.conn.Close() }

const notifyIface = "org.freedesktop.Notifications"

// send shows n. The body of a server that announces "body-markup" is
// parsed as markup, so there it is escaped: a folder named "<b>x" must be
// shown as those characters. The summary is plain text on every server.
func (d *dbusNotifier) send(n notification) error {
	obj := d.conn.Object(notifyIface, "/org/freedesktop/Notifications")
	var caps []string
	if err := obj.Call(notifyIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return fmt.Errorf("no notification server: %w", err)
	}
	body := n.Body
	if slices.Contains(caps, "body-markup") {
		body = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(body)
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("archivist")}
	call := obj.Call(notifyIface+".Notify", 0,
		"Archivist", uint32(0), "archivist", n.Title, body, []string{}, hints, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("sending a notification: %w", call.Err)
	}
	return nil
}
