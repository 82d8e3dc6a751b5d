// Package testnet builds machines out of Linux network namespaces for the
// tests (test/netns) and the benchmarks. Pair gives the benchmarks two
// machines on a LAN: two namespaces, each with one veth interface on a
// bridge in the root namespace, on a free private /24. A process started
// with Host.Command runs inside its namespace and can only reach the other
// machine through the bridge, as across a switch; the benchmark process
// itself, in the root namespace, reaches both through the bridge's address.
//
// Every namespace, link and mount carries a prefix and its owner's PID, so
// parallel runs do not collide and RemoveLeftovers can delete what a killed
// run left (its owner is gone) without touching a run in progress.
//
// Building machines needs root and the ip command; Setup says why it
// cannot, and the benchmarks then run on loopback and say so.
package testnet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// pairPrefix starts every namespace and link of a Pair.
const pairPrefix = "arvb"

// Host is one machine: its namespace and its address. The zero Host is
// the benchmark's own machine, on loopback.
type Host struct {
	NS string
	IP string
}

// Addr is the address a server on the host listens on.
func (h Host) Addr() string {
	if h.IP == "" {
		return "127.0.0.1"
	}
	return h.IP
}

// Command runs name in the host's namespace (`ip netns exec`, which
// execs it: the process started is name itself, so its PID is the one to
// measure).
func (h Host) Command(name string, args ...string) *exec.Cmd {
	if h.NS == "" {
		return exec.Command(name, args...)
	}
	return exec.Command("ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
}

// Pair is two hosts on a bridge.
type Pair struct {
	A, B   Host
	bridge string
	links  []string
}

// ErrUnavailable is wrapped by Setup's error when this machine cannot
// build the hosts (not root, no ip command, namespaces not permitted).
var ErrUnavailable = errors.New("network namespaces unavailable")

// Setup builds the two hosts.
func Setup() (*Pair, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: needs root", ErrUnavailable)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, fmt.Errorf("%w: no ip command (Debian: iproute2)", ErrUnavailable)
	}
	RemoveLeftovers(pairPrefix, func(string, ...any) {})
	pid := os.Getpid()
	owner := fmt.Sprint(pairPrefix, pid)
	p := &Pair{bridge: owner + "br"}
	base, err := FreeSubnet("10.214.", pid)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err := ip("link", "add", p.bridge, "type", "bridge"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	setup := [][]string{
		{"addr", "add", base + "1/24", "dev", p.bridge},
		{"link", "set", p.bridge, "up"},
	}
	for i, h := range []*Host{&p.A, &p.B} {
		name := string(rune('a' + i))
		h.NS = fmt.Sprintf("%s-%d-%s", pairPrefix, pid, name)
		h.IP = fmt.Sprintf("%s%d", base, 10+i)
		link := owner + name
		p.links = append(p.links, link)
		setup = append(setup,
			[]string{"netns", "add", h.NS},
			[]string{"-n", h.NS, "link", "set", "lo", "up"},
			[]string{"link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", h.NS},
			[]string{"link", "set", link, "master", p.bridge, "up"},
			[]string{"-n", h.NS, "addr", "add", h.IP + "/24", "dev", "eth0"},
			[]string{"-n", h.NS, "link", "set", "eth0", "up"},
		)
	}
	for _, args := range setup {
		if err := ip(args...); err != nil {
			p.Close()
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
	return p, nil
}

// Close kills what still runs in the hosts and removes them.
func (p *Pair) Close() {
	for _, h := range []Host{p.A, p.B} {
		if h.NS != "" {
			RemoveNamespace(h.NS)
		}
	}
	for _, l := range p.links {
		exec.Command("ip", "link", "del", l).Run()
	}
	exec.Command("ip", "link", "del", p.bridge).Run()
}

// Hosts is what a benchmark's -netns flag asks for: with want, a fresh
// pair, or, when this machine cannot make one, loopback with the reason
// printed; without it, loopback. done removes the pair; it may be called
// more than once (a benchmark that exits on an error calls it first).
func Hosts(want bool, who string) (a, b Host, done func()) {
	if !want {
		fmt.Printf("%-45s loopback (127.0.0.1)\n", "machines")
		return Host{}, Host{}, func() {}
	}
	p, err := Setup()
	if err != nil {
		fmt.Printf("%-45s loopback (127.0.0.1): %v\n", "machines", err)
		fmt.Fprintf(os.Stderr, "%s: %v; the two machines run on loopback\n", who, err)
		return Host{}, Host{}, func() {}
	}
	fmt.Printf("%-45s network namespaces %s (%s) and %s (%s), veth on a bridge\n", "machines", p.A.NS, p.A.IP, p.B.NS, p.B.IP)
	closed := false
	return p.A, p.B, func() {
		if !closed {
			closed = true
			p.Close()
		}
	}
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// FreeSubnet picks base+"X." (base like "10.213.") whose /24 no address
// on the machine uses, starting from one the PID chooses.
func FreeSubnet(base string, pid int) (string, error) {
	out, err := exec.Command("ip", "-4", "-o", "addr").Output()
	if err != nil {
		return "", fmt.Errorf("ip addr: %v", err)
	}
	for i := range 250 {
		net := fmt.Sprintf("%s%d.", base, (pid+i)%250+1)
		if !strings.Contains(string(out), " "+net) {
			return net, nil
		}
	}
	return "", fmt.Errorf("no free %sX.0/24", base)
}

// RemoveNamespace kills what runs in a namespace and deletes it.
func RemoveNamespace(ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
}

// Abandoned reports whether name (a namespace, link or mount point's last
// element) starts with prefix and a PID that is not this process's and
// no longer runs: what a killed run left behind.
func Abandoned(prefix, name string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, "-")
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	pid, err := strconv.Atoi(rest[:end])
	if err != nil {
		return false
	}
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	return pid != os.Getpid() && errors.Is(err, os.ErrNotExist)
}

// RemoveLeftovers deletes the namespaces and links under prefix that
// Abandoned says a killed run left, telling logf about each.
func RemoveLeftovers(prefix string, logf func(format string, args ...any)) {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && Abandoned(prefix, f[0]) {
			logf("removing namespace %s left by an earlier run", f[0])
			RemoveNamespace(f[0])
		}
	}
	out, _ = exec.Command("ip", "-o", "link").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if Abandoned(prefix, name) {
			logf("removing link %s left by an earlier run", name)
			exec.Command("ip", "link", "del", name).Run()
		}
	}
}
