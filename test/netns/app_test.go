package netns

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// app is `archivist serve` on one host: its own home, the UI API on the
// host's address (where the test, on the bridge, reaches it as a browser
// on the LAN would), the link servers and the node on that address too.
type app struct {
	t      *testing.T
	host   *netHost
	home   string
	layout paths.Layout
	cmd    *exec.Cmd
	done   chan struct{}
	log    *nodetest.Buffer
	api    *cli.Client
	id     string // device ID
}

// config is what differs from the defaults: a quieter node log, and a
// backup server that polls more often than every 30 s so a trigger lost to
// a fault costs the test seconds, not half a minute.
const config = "[node]\nlog_level = \"INFO\"\n\n[backup_server]\npoll_interval_secs = 5\n"

// newApp starts the app of host h in home (created when empty).
func newApp(t *testing.T, h *netHost, home string) *app {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, host: h, home: home, layout: layout, log: &nodetest.Buffer{}}
	a.start()
	t.Cleanup(a.stop)
	code, err := a.api.DeviceCode(ctx(t))
	if err != nil {
		t.Fatalf("%s: device code: %v", h.name, err)
	}
	a.id = code.DeviceID
	return a
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// start runs the app in the host's namespace and waits for its node.
func (a *app) start() {
	a.t.Helper()
	ip := a.host.ip
	cmd := exec.Command("ip", "netns", "exec", a.host.ns, nodetest.Binary(a.t), "serve",
		"--home", a.home, "--gui-address", ip+":1420", "--link-address", ip)
	// No port mapping and no multicast: the hosts find each other by the
	// codes they exchange, as across the internet.
	cmd.Env = append(os.Environ(), "ARCHIVIST_NAT=none", "ARCHIVIST_MDNS=false")
	cmd.Stdout, cmd.Stderr = a.log, a.log
	if err := cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	a.cmd, a.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(a.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := a.nodeStatus()
		if err == nil && st.State == "running" {
			return
		}
		select {
		case <-a.done:
			a.t.Fatalf("%s: the app exited while starting: %v\n%s", a.host.name, cmd.ProcessState, tail(a.log.String()))
		default:
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: node not running 60 s after the start (%v, %+v)\n%s", a.host.name, err, st, tail(a.log.String()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// nodeStatus connects (again: a restarted app has a new instance file) and
// asks for the node's state.
func (a *app) nodeStatus() (cli.NodeStatus, error) {
	c, err := cli.Connect(a.layout)
	if err != nil {
		return cli.NodeStatus{}, err
	}
	if !strings.Contains(c.URL(), a.host.ip) {
		return cli.NodeStatus{}, errors.New("the instance file names " + c.URL() + ", not the host's address")
	}
	a.api = c
	cx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.NodeStatus(cx)
}

// stop ends the app as a user quitting it does.
func (a *app) stop() {
	if a.cmd == nil {
		return
	}
	if !nodetest.Terminate(a.cmd.Process, a.done, 30*time.Second) {
		a.t.Errorf("%s: the app did not exit within 30 s of SIGTERM", a.host.name)
	}
	a.cmd = nil
}

// kill9 ends the app as a crash does; its node is left running, an orphan
// the next start must stop.
func (a *app) kill9() {
	a.cmd.Process.Kill()
	<-a.done
	a.cmd = nil
}

// killNode kills the app's node (a child of the app, PID from the app's
// API) and waits until the supervisor has started a new one.
func (a *app) killNode() {
	a.t.Helper()
	st, err := a.nodeStatus()
	if err != nil || st.PID == 0 {
		a.t.Fatalf("%s: node PID: %v %+v", a.host.name, err, st)
	}
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		a.t.Fatalf("%s: kill -9 node %d: %v", a.host.name, st.PID, err)
	}
	var (
		now     cli.NodeStatus
		lastErr error
	)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		now, lastErr = a.nodeStatus()
		if lastErr == nil && now.State == "running" && now.PID != st.PID {
			return
		}
		if time.Now().After(deadline) {
			nodeLog, _ := os.ReadFile(a.layout.NodeLog())
			a.t.Fatalf("%s's supervisor did not restart the killed node (PID %d) in 60 s: status %+v, %v\napp log:\n%s\nnode.log:\n%s",
				a.host.name, st.PID, now, lastErr, tail(a.log.String()), tail(string(nodeLog)))
		}
	}
}

func tail(s string) string {
	const n = 4000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
