package netns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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
	base := freeSubnet(t, pid)
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

// freeSubnet picks 10.213.X.0/24 not used by any address on the machine.
func freeSubnet(t *testing.T, pid int) string {
	t.Helper()
	addrs := ipCmd(t, "ip", "-4", "-o", "addr")
	for i := range 250 {
		base := fmt.Sprintf("10.213.%d.", (pid+i)%250+1)
		if !strings.Contains(addrs, " "+base) {
			return base
		}
	}
	t.Fatal("no free 10.213.X.0/24 for the test network")
	return ""
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
		removeNamespace(h.ns)
		if h.wire != nil {
			h.wire.close()
		}
		exec.Command("ip", "link", "del", h.link).Run()
	}
	exec.Command("ip", "link", "del", n.bridge).Run()
}

func removeNamespace(ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
}

var owned = regexp.MustCompile("^" + prefix + `-?(\d+)`)

// removeLeftovers deletes what an earlier run that did not clean up (killed,
// timed out) left: namespaces, links and mounts whose owner PID is gone.
// A live owner is another run in progress, and is left alone.
func removeLeftovers(t *testing.T) {
	t.Helper()
	gone := func(name string) bool {
		m := owned.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		pid, _ := strconv.Atoi(m[1])
		_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
		return pid != os.Getpid() && errors.Is(err, os.ErrNotExist)
	}
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && gone(f[0]) {
			t.Logf("removing namespace %s left by an earlier run", f[0])
			removeNamespace(f[0])
		}
	}
	out, _ = exec.Command("ip", "-o", "link").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if gone(name) {
			t.Logf("removing link %s left by an earlier run", name)
			exec.Command("ip", "link", "del", name).Run()
		}
	}
	mounts, _ := os.ReadFile("/proc/self/mounts")
	for _, line := range strings.Split(string(mounts), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		i := strings.LastIndex(f[1], "/")
		if gone(f[1][i+1:]) {
			t.Logf("unmounting %s left by an earlier run", f[1])
			unix.Unmount(f[1], unix.MNT_DETACH)
			os.Remove(f[1])
		}
	}
}
