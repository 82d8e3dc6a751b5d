//go:build !darwin && !windows

package shell

import (
	"bufio"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// sessionBus starts a private D-Bus session bus for the test.
func sessionBus(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed (make deps installs it)")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
}

// notificationServer is the other end of the protocol: what a desktop's
// notification daemon receives.
type notificationServer struct {
	caps []string
	mu   sync.Mutex
	got  []struct{ app, summary, body string }
}

func (s *notificationServer) GetCapabilities() ([]string, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps, nil
}

func (s *notificationServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, struct{ app, summary, body string }{app, summary, body})
	return uint32(len(s.got)), nil
}

func serveNotifications(t *testing.T, caps []string) *notificationServer {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &notificationServer{caps: caps}
	if err := conn.Export(s, "/org/freedesktop/Notifications", notifyIface); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName(notifyIface, dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDBusNotificationsArePlainText(t *testing.T) {
	sessionBus(t)
	n, err := newDBusNotifier()
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	if err := n.send(notification{Title: "Backup failed", Body: "x"}); err == nil {
		t.Fatal("sending with no notification server succeeded")
	}

	srv := serveNotifications(t, []string{"body", "body-markup"})
	if err := n.send(notification{Title: "Device connected", Body: `<b>nas</b> & "co" is connected.`}); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.caps = []string{"body"}
	srv.mu.Unlock()
	if err := n.send(notification{Title: "Backup finished", Body: "<i>Photos</i> is backed up."}); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.got) != 2 {
		t.Fatalf("server got %d notifications, want 2", len(srv.got))
	}
	if g := srv.got[0]; g.app != "Archivist" || g.summary != "Device connected" || g.body != `&lt;b&gt;nas&lt;/b&gt; &amp; "co" is connected.` {
		t.Errorf("markup server got %+v: the name must arrive escaped", g)
	}
	if g := srv.got[1]; g.body != "<i>Photos</i> is backed up." {
		t.Errorf("plain server got %+v: the body must arrive as it is", g)
	}
}
