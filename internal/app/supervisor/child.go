package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// child is one node process. The loop owns it; the goroutines that wait
// for it and read its output touch only exited and tail.
type child struct {
	run     uint64
	cmd     *exec.Cmd
	pid     int
	argv    []string
	started time.Time
	readyAt time.Time // when it answered as ready; zero before
	apiURL  string
	client  *nodeclient.Client
	exited  chan exitInfo // receives once, when the process has ended
	tail    *tailBuf      // this run's last output lines, for error messages

	// ctx ends when the process has ended; probes and health checks of
	// this run stop with it.
	ctx    context.Context
	cancel context.CancelFunc

	reason    stopReason
	reasonErr error
	signaled  bool // SIGTERM sent (or its Windows substitute)
	// reaped is set once Wait has returned: the PID may then be reused,
	// so nothing is signalled any more.
	reaped atomic.Bool
}

type exitInfo struct{ err error }

// commandLine is the node's argv for cfg: the flags of spec §3, with the
// API bound to loopback explicitly (the UI API is the only way in).
func (s *Supervisor) commandLine(cfg config.NodeConfig) []string {
	argv := []string{s.opts.Binary}
	argv = append(argv, s.opts.Args...)
	if cfg.Binary != "" {
		argv = []string{cfg.Binary}
	}
	argv = append(argv,
		"--data-dir="+cfg.DataDirectory,
		"--api-bindaddr=127.0.0.1",
		"--api-port="+strconv.Itoa(cfg.APIPort),
		"--disc-port="+strconv.Itoa(cfg.DiscoveryPort),
		"--listen-addrs=/ip4/0.0.0.0/tcp/"+strconv.Itoa(cfg.ListenPort),
		"--storage-quota="+strconv.FormatUint(uint64(max(cfg.MaxStorageGB, 0))<<30, 10),
	)
	// The flag makes the first lines honour the level too; it is applied
	// again through the API once the node is ready (see probe).
	if cfg.LogLevel != "" {
		argv = append(argv, "--log-level="+cfg.LogLevel)
	}
	return append(argv, s.opts.ExtraArgs...)
}

// spawn starts the process with its output on a pipe. The pipe's write end
// is handed to the child as a file, so exec starts no copying goroutine and
// Wait does not hang on a grandchild that inherited it.
func (s *Supervisor) spawn(argv []string, cfg config.NodeConfig) (*child, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("cannot start the node: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = w, w
	setProcAttrs(cmd)
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, execError(argv[0], cfg.Binary != "", err)
	}
	w.Close() // the child has its copy; EOF comes when it (and its children) exit
	s.runs++
	ctx, cancel := context.WithCancel(context.Background())
	api := "http://127.0.0.1:" + strconv.Itoa(cfg.APIPort)
	c := &child{
		run: s.runs, cmd: cmd, pid: cmd.Process.Pid, argv: argv, started: time.Now(),
		apiURL: api, client: nodeclient.New(api), exited: make(chan exitInfo, 1),
		tail: &tailBuf{max: 8}, ctx: ctx, cancel: cancel,
	}
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		defer r.Close()
		s.capture.pump(r, c.tail)
	}()
	go func() {
		err := cmd.Wait()
		c.reaped.Store(true)
		// Let the reader take the last lines (the node's own reason for
		// exiting) before the exit is reported; a grandchild keeping the
		// pipe open must not delay it for long.
		select {
		case <-pumped:
		case <-time.After(time.Second):
		}
		c.exited <- exitInfo{err: err}
	}()
	return c, nil
}

// execError explains an exec failure the checks did not foresee.
func execError(bin string, configured bool, err error) error {
	fix := "reinstall Archivist"
	if configured {
		fix = "check node.binary in Settings, or clear it to use the node built into Archivist"
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("node binary %s not found: %s", bin, fix)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("node binary %s cannot be run (permission denied): %s", bin, fix)
	}
	return fmt.Errorf("cannot run node binary %s (%v): %s", bin, err, fix)
}

// describeExit says how a process ended, in the words of its exit status.
func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String() // "exit status 3", "signal: killed"
	}
	return err.Error()
}

// tailBuf keeps the last lines of one run's output.
type tailBuf struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tailBuf) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// explain is appended to an error: the node's last words, which usually
// name the cause (a key file with a wrong mode, a bad flag).
func (t *tailBuf) explain() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var kept []string
	for _, l := range t.lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return "; it printed nothing"
	}
	return "; its last output:\n" + strings.Join(kept, "\n")
}
