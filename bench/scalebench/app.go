package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// app is one `archivist serve` with its own home, driven through its UI
// API as the CLI drives it.
type app struct {
	bin, home string
	quotaGiB  int
	cmd       *exec.Cmd
	done      chan struct{}
	log       *os.File
	c         *cli.Client
	node      *nodeclient.Client // the node's own API, for exact figures
	nodePID   int
}

// newApp writes the home's config (its own ports, so it never meets
// another app on this machine; a quota that fits the run) and starts it.
func newApp(bin, home string, quotaGiB int) (*app, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	ports := make([]int, 5)
	for i := range ports {
		p, err := scratch.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	cfg := fmt.Sprintf("[node]\napi_port = %d\ndiscovery_port = %d\nlisten_port = %d\nlog_level = \"WARN\"\nmax_storage_gb = %d\n\n[manifest_server]\nport = %d\n\n[backup_server]\ntrigger_port = %d\n",
		ports[0], ports[1], ports[2], quotaGiB, ports[3], ports[4])
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	a := &app{bin: bin, home: home, quotaGiB: quotaGiB, node: nodeclient.New("127.0.0.1:" + strconv.Itoa(ports[0]))}
	return a, a.start()
}

// start runs the app and waits (bounded) until its node runs.
func (a *app) start() error {
	logf, err := os.OpenFile(filepath.Join(a.home, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(a.bin, "serve", "--home", a.home, "--gui-address", "127.0.0.1:0", "--link-address", "127.0.0.1")
	cmd.Env = append(os.Environ(), "ARCHIVIST_NAT=none", "ARCHIVIST_MDNS=false")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting archivist serve: %w", err)
	}
	a.cmd, a.log, a.done = cmd, logf, make(chan struct{})
	go func() { cmd.Wait(); close(a.done) }()
	layout, err := paths.ForHome(a.home)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-a.done:
			return fmt.Errorf("archivist serve exited at start (%v); its log is %s", cmd.ProcessState, logf.Name())
		default:
		}
		if c, err := cli.Connect(layout); err == nil && c.PID() == cmd.Process.Pid {
			if st, err := c.NodeStatus(context.Background()); err == nil && st.State == "running" && st.PID > 0 {
				a.c, a.nodePID = c, st.PID
				return nil
			}
		}
		if time.Now().After(deadline) {
			a.stop()
			return fmt.Errorf("the app and its node did not come up in 60 s; its log is %s", logf.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pid is the app's process.
func (a *app) pid() int { return a.cmd.Process.Pid }

// stop sends SIGTERM, as a desktop session's logout does, and waits for the
// app and for its node to be gone; SIGKILL after a minute.
func (a *app) stop() error {
	if a.cmd == nil {
		return nil
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case <-a.done:
	case <-time.After(60 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
		err = errors.New("the app did not exit within 60 s of SIGTERM")
	}
	if a.nodePID > 0 {
		for deadline := time.Now().Add(30 * time.Second); processAlive(a.nodePID); {
			if time.Now().After(deadline) {
				err = errors.Join(err, fmt.Errorf("the node (pid %d) outlived its app by 30 s", a.nodePID))
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if code := a.cmd.ProcessState.ExitCode(); err == nil && code != 0 {
		err = fmt.Errorf("the app exited with status %d on SIGTERM; its log is %s", code, a.log.Name())
	}
	a.log.Close()
	a.cmd, a.c, a.nodePID = nil, nil, 0
	return err
}

// processAlive: the process exists and is not a zombie waiting for its
// parent (the app reaps its node; once the app is gone init does).
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ')' {
			return i+2 < len(b) && b[i+2] != 'Z'
		}
	}
	return true
}

// folderView is the part of GET /api/sync this bench reads, with the two
// fields the CLI's typed view leaves out: when the folder's last full scan
// ended, and what the app uploaded since it started.
type folderView struct {
	cli.Folder
	LastScan *time.Time `json:"lastScan"`
}

type syncView struct {
	Folders       []folderView      `json:"folders"`
	RecentUploads []json.RawMessage `json:"recentUploads"`
}

func (a *app) sync(ctx context.Context) (syncView, error) {
	st, err := a.c.Sync(ctx)
	if err != nil {
		return syncView{}, err
	}
	var v syncView
	if err := json.Unmarshal(st.Raw, &v); err != nil {
		return syncView{}, fmt.Errorf("reading GET /api/sync: %w", err)
	}
	return v, nil
}

func (v syncView) folder(id string) (folderView, bool) {
	for _, f := range v.Folders {
		if f.ID == id {
			return f, true
		}
	}
	return folderView{}, false
}

// logTail is the end of the app's log (its node's warnings included), to
// say why a run failed before the scratch directory is removed.
func (a *app) logTail() string {
	b, err := os.ReadFile(filepath.Join(a.home, "serve.log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return "\nthe app's log ends:\n  " + strings.Join(lines[max(0, len(lines)-10):], "\n  ")
}
