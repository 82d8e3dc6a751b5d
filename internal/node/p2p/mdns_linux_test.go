package p2p

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"golang.org/x/sys/unix"
)

// inNetnsEnv marks the copy of the test binary that runs inside its own
// network namespace.
const inNetnsEnv = "ARCHIVIST_P2P_TEST_NETNS"

// TestMDNSDiscovery: two hosts find each other by mDNS and connect, with no
// address given. mDNS multicasts on every interface, and tests must not
// send traffic onto the machine's real network, so the test re-runs itself
// in a new network namespace whose only interface is loopback, with
// multicast switched on there.
func TestMDNSDiscovery(t *testing.T) {
	if os.Getenv(inNetnsEnv) == "" {
		runInNetns(t, "^TestMDNSDiscovery$")
		return
	}
	if err := loopbackMulticast(); err != nil {
		t.Fatalf("setting up loopback in the namespace: %v", err)
	}
	mdnsOn := func(o *Options) { o.DisableMDNS = false; o.DisableDHT = true }
	a, b := newHost(t, mdnsOn), newHost(t, mdnsOn)
	if a.mdns == nil || b.mdns == nil {
		t.Skip("skipped: multicast is unavailable even on a private loopback, so mDNS cannot start here")
	}
	eventually(t, 30*time.Second, "the hosts to find each other by mDNS", func() bool {
		return a.h.Network().Connectedness(b.ID()) == network.Connected
	})
}

// runInNetns runs the named test in a copy of this test binary inside a new
// network namespace, as root or else in a new user namespace; when neither
// is allowed the test is skipped, saying why.
func runInNetns(t *testing.T, run string) {
	// -test.v so that a skip inside shows in the output.
	args := []string{"-test.run=" + run, "-test.count=1", "-test.timeout=90s", "-test.v"}
	attempts := []*syscall.SysProcAttr{
		{Cloneflags: syscall.CLONE_NEWNET},
		{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		},
	}
	var startErr error
	for _, attr := range attempts {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), inNetnsEnv+"=1")
		cmd.SysProcAttr = attr
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err == nil {
			if i := bytes.Index(out, []byte("--- SKIP")); i >= 0 {
				t.Skipf("in the namespace:\n%s", out[i:])
			}
			if testing.Verbose() {
				t.Logf("in the namespace:\n%s", out)
			}
			return
		}
		if errors.As(err, &exit) {
			t.Fatalf("in the namespace: %v\n%s", err, out)
		}
		startErr = err // could not create the namespace: try the next way
	}
	t.Skipf("skipped: mDNS multicast is tested only inside a private network namespace, "+
		"which this sandbox does not allow (%v)", startErr)
}

// loopbackMulticast brings the namespace's loopback up with the multicast
// flag, which Linux leaves off for lo and without which mDNS ignores it.
func loopbackMulticast() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP | unix.IFF_MULTICAST)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
