// Package nodetest runs real `archivist node` processes for tests: it builds
// the binary once per test binary (the Go build cache makes that quick) and
// starts nodes on free ports in their own data dirs, so tests exercise the
// node exactly as the app and users do — flags, process, REST API, signals.
package nodetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary returns the path of a freshly built archivist binary.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archivist-nodetest-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "archivist")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/archivist")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building archivist: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Proc is a running node.
type Proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	stderr  *Buffer
	done    chan struct{}
	DataDir string
	Port    int
	Client  *nodeclient.Client
	URL     string // base URL of the REST API, with /api/archivist/v1
}

// Start runs `archivist node` on a free API port with dataDir and args, and
// waits until its API answers. The node is killed when the test ends.
func Start(t testing.TB, dataDir string, args ...string) *Proc {
	t.Helper()
	port := FreePort(t)
	// Tests stay on loopback: no port mapping, no LAN multicast — traffic
	// to other addresses is not what a test may send.
	all := []string{"node", "--data-dir", dataDir, "--api-port", strconv.Itoa(port), "--log-level", "info", "--nat=none", "--mdns=false"}
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--listen-addrs") }) {
		all = append(all, "--listen-addrs=/ip4/127.0.0.1/tcp/0")
	}
	all = append(all, args...)
	cmd := exec.Command(Binary(t), all...)
	// The caller's ARCHIVIST_* variables would configure the node behind the
	// test's back.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARCHIVIST_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := &Proc{t: t, cmd: cmd, stderr: &Buffer{}, done: make(chan struct{}), DataDir: dataDir, Port: port}
	cmd.Stderr = p.stderr
	cmd.Stdout = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if !p.Exited() {
			cmd.Process.Kill()
			<-p.done
		}
	})
	p.URL = fmt.Sprintf("http://127.0.0.1:%d%s", port, nodeclient.BasePath)
	p.Client = nodeclient.New(fmt.Sprintf("127.0.0.1:%d", port))
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := p.Client.Space(ctx)
		cancel()
		if err == nil {
			return p
		}
		if p.Exited() {
			t.Fatalf("node exited before its API came up: %v\n%s", cmd.ProcessState, p.Stderr())
		}
		if time.Now().After(deadline) {
			t.Fatalf("node API not up after 20 s: %v\n%s", err, p.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stderr is what the node logged so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Terminate ends a process as a user quitting it does: SIGTERM, then a
// wait of up to within for done to be closed (by whoever waits for the
// process), past which it is killed. It reports whether the process exited
// by itself; done is closed either way when it returns.
func Terminate(p *os.Process, done <-chan struct{}, within time.Duration) bool {
	p.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return true
	case <-time.After(within):
		p.Kill()
		<-done
		return false
	}
}

// Stop sends SIGTERM and waits (bounded) for the node to exit; it fails the
// test unless the exit is clean and prompt.
func (p *Proc) Stop() {
	p.t.Helper()
	if !Terminate(p.cmd.Process, p.done, 15*time.Second) {
		p.t.Fatalf("node did not exit within 15 s of SIGTERM\n%s", p.Stderr())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		p.t.Fatalf("node exited with %d after SIGTERM\n%s", code, p.Stderr())
	}
}

// Kill9 kills the node without warning, as a crash or power cut would.
func (p *Proc) Kill9() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Buffer collects a process's output while it runs: the process writes
// from its own goroutines while the test reads it for a failure message.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// AppConfig is a config.toml for an app instance under test: its node on
// free ports of its own, so instances run side by side.
func AppConfig(t testing.TB) []byte {
	t.Helper()
	return []byte(fmt.Sprintf("[node]\napi_port = %d\ndiscovery_port = %d\nlisten_port = %d\nlog_level = \"INFO\"\n",
		FreePort(t), FreePort(t), FreePort(t)))
}

// WaitFor polls cond every 200 ms until it holds, and fails the test after
// timeout saying what it waited for.
func WaitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
