package testnet

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The test binary plays both ends of a connection inside the namespaces:
// NETPAIR_SERVE=addr accepts two connections and writes "hello" on each,
// NETPAIR_DIAL=addr prints what the server wrote.
func TestMain(m *testing.M) {
	if addr := os.Getenv("NETPAIR_SERVE"); addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Stdout.WriteString("listening\n")
		for range 2 {
			c, err := l.Accept()
			if err != nil {
				os.Exit(1)
			}
			c.Write([]byte("hello"))
			c.Close()
		}
		os.Exit(0)
	}
	if addr := os.Getenv("NETPAIR_DIAL"); addr != "" {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		io.Copy(os.Stdout, c)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Host a reaches host b across the bridge, the benchmark process reaches
// it too, and Close leaves no namespace behind.
func TestPairConnects(t *testing.T) {
	p, err := Setup()
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	addr := net.JoinHostPort(p.B.IP, "7777")

	server := p.B.Command(os.Args[0])
	server.Env = append(os.Environ(), "NETPAIR_SERVE="+addr)
	out, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Process.Kill()
	buf := make([]byte, len("listening\n"))
	if _, err := io.ReadFull(out, buf); err != nil {
		t.Fatalf("the server in %s did not start: %v", p.B.NS, err)
	}

	client := p.A.Command(os.Args[0])
	client.Env = append(os.Environ(), "NETPAIR_DIAL="+addr)
	got, err := client.CombinedOutput()
	if err != nil || string(got) != "hello" {
		t.Fatalf("from %s to %s: %q, %v", p.A.NS, addr, got, err)
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("from the root namespace to %s: %v", addr, err)
	}
	got, _ = io.ReadAll(c)
	c.Close()
	if string(got) != "hello" {
		t.Fatalf("from the root namespace: %q", got)
	}
	server.Wait()

	p.Close()
	list, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(list), p.A.NS) || strings.Contains(string(list), p.B.NS) {
		t.Fatalf("namespaces left after Close: %s", list)
	}
}

// The zero Host is loopback and runs commands as they are.
func TestZeroHostIsLoopback(t *testing.T) {
	var h Host
	if h.Addr() != "127.0.0.1" {
		t.Fatalf("Addr = %s", h.Addr())
	}
	if cmd := h.Command("true", "x"); cmd.Args[0] != "true" || len(cmd.Args) != 2 {
		t.Fatalf("Command = %v", cmd.Args)
	}
	h = Host{NS: "ns1", IP: "10.0.0.2"}
	if cmd := h.Command("true", "x"); strings.Join(cmd.Args, " ") != "ip netns exec ns1 true x" {
		t.Fatalf("Command in a namespace = %v", cmd.Args)
	}
}

// Only names of this prefix whose owner PID is gone are abandoned.
func TestAbandoned(t *testing.T) {
	own := fmt.Sprint(os.Getpid())
	for name, want := range map[string]bool{
		"arvt999999999-a":    true,  // no such process
		"arvt999999999br":    true,  // a bridge of that run
		"arvt-" + own + "-a": false, // this run's
		"arvb999999999-a":    false, // another prefix
		"arvt":               false, // no PID
		"eth0":               false,
	} {
		if got := Abandoned("arvt", name); got != want {
			t.Errorf("Abandoned(arvt, %s) = %v, want %v", name, got, want)
		}
	}
}
