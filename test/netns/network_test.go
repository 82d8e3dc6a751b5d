package netns

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/archivist-desktop/archivist/internal/testnet"
)

// prefix starts every namespace, link and mount the tests create, followed
// by the PID of the test process that owns it.
const prefix = "arvt"

// netHost is one machine: a network namespace with one interface (eth0)
// on the bridge.
type netHost struct {
	name string // a, b, c
	ns   string // the namespace
	ip   string
	link string // its cable's end in the root namespace, a bridge port
	wire *wire  // the cable when it is a TAP pair pumped by the test
}

// network is the bridge and the hosts on it.
type network struct {
	t      *testing.T
	owner  string // prefix + PID
	bridge string
	gw     string // the bridge's address, the test process's on the LAN
	hosts  map[string]*netHost
}

// requireNamespaces skips the test where it cannot build hosts.
func requireNamespaces(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts three hosts in network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: the hosts are network namespaces with veth, TAP and a bridge (run as root to include these tests)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (Debian: iproute2) to build the hosts")
	}
	probe := fmt.Sprintf("%s-%d-probe", prefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		t.Skipf("network namespaces are not permitted here: ip netns add: %v: %s", err, bytes.TrimSpace(out))
	}
	exec.Command("ip", "netns", "del", probe).Run()
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no TAP devices here (/dev/net/tun: %v)", err)
	}
	unix.Close(fd)
}

// ipCmd runs ip (or another tool) and fails the test on an error.
func ipCmd(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out)
}

// newNetwork builds the hosts on a bridge of a free private /24, host a's
// cable a pumped TAP pair and the others veth. Everything is removed when
// the test ends.
func newNetwork(t *testing.T, names ...string) *network {
	t.Helper()
	removeLeftovers(t)
	pid := os.Getpid()
	n := &network{t: t, owner: fmt.Sprint(prefix, pid), hosts: map[string]*netHost{}}
	n.bridge = n.owner + "br"
	base, err := testnet.FreeSubnet("10.213.", pid)
	if err != nil {
		t.Fatalf("the test network: %v", err)
	}
	n.gw = base + "1"
	t.Cleanup(n.remove)
	ipCmd(t, "ip", "link", "add", n.bridge, "type", "bridge")
	ipCmd(t, "ip", "addr", "add", n.gw+"/24", "dev", n.bridge)
	ipCmd(t, "ip", "link", "set", n.bridge, "up")
	for i, name := range names {
		h := &netHost{
			name: name,
			ns:   fmt.Sprintf("%s-%d-%s", prefix, pid, name),
			ip:   fmt.Sprintf("%s%d", base, 10+i),
			link: n.owner + name,
		}
		n.hosts[name] = h
		ipCmd(t, "ip", "netns", "add", h.ns)
		ipCmd(t, "ip", "-n", h.ns, "link", "set", "lo", "up")
		if i == 0 {
			w, err := newWire(h.link, h.link+"x")
			if err != nil {
				t.Fatalf("host %s's cable: %v", name, err)
			}
			h.wire = w
			ipCmd(t, "ip", "link", "set", h.link+"x", "netns", h.ns, "name", "eth0")
		} else {
			ipCmd(t, "ip", "link", "add", h.link, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
		}
		ipCmd(t, "ip", "link", "set", h.link, "master", n.bridge, "up")
		ipCmd(t, "ip", "-n", h.ns, "addr", "add", h.ip+"/24", "dev", "eth0")
		ipCmd(t, "ip", "-n", h.ns, "link", "set", "eth0", "up")
	}
	return n
}

// setLink takes a host's interface down or up, as pulling its cable does.
func (n *network) setLink(h *netHost, up bool) {
	n.t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	ipCmd(n.t, "ip", "-n", h.ns, "link", "set", "eth0", state)
}

// remove kills what still runs in the hosts (by PID: processes the test
// started, or their children) and deletes the namespaces and links.
func (n *network) remove() {
	for _, h := range n.hosts {
		testnet.RemoveNamespace(h.ns)
		if h.wire != nil {
			h.wire.close()
		}
		exec.Command("ip", "link", "del", h.link).Run()
	}
	exec.Command("ip", "link", "del", n.bridge).Run()
}

// removeLeftovers deletes what an earlier run that did not clean up (killed,
// timed out) left: namespaces, links and mounts whose owner PID is gone.
// A live owner is another run in progress, and is left alone.
func removeLeftovers(t *testing.T) {
	t.Helper()
	testnet.RemoveLeftovers(prefix, t.Logf)
	mounts, _ := os.ReadFile("/proc/self/mounts")
	for _, line := range strings.Split(string(mounts), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		i := strings.LastIndex(f[1], "/")
		if testnet.Abandoned(prefix, f[1][i+1:]) {
			t.Logf("unmounting %s left by an earlier run", f[1])
			unix.Unmount(f[1], unix.MNT_DETACH)
			os.Remove(f[1])
		}
	}
}
