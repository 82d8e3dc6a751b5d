package supervisor

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNodeStopsWhenTheAppIsKilled re-runs this test binary as a stand-in
// for the app: it starts a child with the node's process attributes and
// prints its PID. Killing the stand-in with SIGKILL must take the child
// down too — no orphan left on the ports.
func TestNodeStopsWhenTheAppIsKilled(t *testing.T) {
	if os.Getenv("SUPERVISOR_DEATHSIG_PARENT") == "1" {
		child := exec.Command("sleep", "60")
		setProcAttrs(child)
		if err := child.Start(); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString(strconv.Itoa(child.Process.Pid) + "\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	parent := exec.Command(os.Args[0], "-test.run=^TestNodeStopsWhenTheAppIsKilled$")
	parent.Env = append(os.Environ(), "SUPERVISOR_DEATHSIG_PARENT=1")
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		parent.Process.Kill()
		t.Fatalf("reading the child's PID: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })

	parent.Process.Kill()
	parent.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the child %d outlived its killed parent", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
