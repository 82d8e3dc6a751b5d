//go:build unix

package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func TestStartRunningStop(t *testing.T) {
	h := newHarness(t, nil)
	rec := record(t, h.bus)
	s := h.start()
	ctx := testCtx(t, 40*time.Second)

	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st := s.Status()
	if st.State != StateRunning || st.PID == 0 || st.Version == "" || st.PeerID == "" || st.SPR == "" {
		t.Fatalf("status after start: %+v", st)
	}
	if st.StorageQuotaBytes != 1<<30 || st.StorageAvailableBytes != 1<<30 {
		t.Errorf("quota %d, available %d; want 1 GiB from max_storage_gb = 1", st.StorageQuotaBytes, st.StorageAvailableBytes)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(h.cfg.APIPort); st.APIURL != want {
		t.Errorf("apiUrl %q, want %q", st.APIURL, want)
	}
	if st.PeerCount == nil || *st.PeerCount != 0 {
		t.Errorf("peerCount %v, want 0 from the node's peers listing", st.PeerCount)
	}
	if len(st.Addresses) == 0 || st.StartedAt == nil {
		t.Errorf("addresses %v, startedAt %v", st.Addresses, st.StartedAt)
	}
	// Running means the API answers.
	if _, err := nodeclient.New(st.APIURL).Info(ctx); err != nil {
		t.Fatalf("API of a running node: %v", err)
	}
	if err := s.Start(ctx); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("second Start: %v, want ErrAlreadyRunning", err)
	}

	pr, err := readPIDFile(h.pidPath())
	if err != nil || pr.PID != st.PID || pr.Start == "" || !slices.Contains(pr.Argv, "node") {
		t.Fatalf("node.pid: %+v, %v", pr, err)
	}
	if !isOurs(pr) {
		t.Error("node.pid does not identify the running node")
	}

	// The JSON shape the UI reads.
	b, _ := json.Marshal(s.Status())
	for _, key := range []string{`"state":"running"`, `"pid":`, `"peerCount":0`, `"storageQuotaBytes":1073741824`, `"restartCount":0`, `"apiUrl":`, `"announceAddresses":[`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("status JSON lacks %s: %s", key, b)
		}
	}

	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	st2 := s.Status()
	if st2.State != StateStopped || st2.PID != 0 || st2.APIURL != "" || st2.LastError != "" {
		t.Errorf("status after stop: %+v", st2)
	}
	if st2.StorageQuotaBytes != 1<<30 || st2.Version == "" {
		t.Errorf("storage figures and version should survive a stop: %+v", st2)
	}
	if alive(st.PID) {
		t.Errorf("node process %d still alive after Stop", st.PID)
	}
	if _, err := os.Stat(h.pidPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("node.pid after stop: %v", err)
	}
	if !tailHas(s, "exit status 0") {
		t.Error("the node did not exit cleanly (exit status 0) on SIGTERM")
	}
	if err := s.Stop(ctx); err != nil {
		t.Errorf("Stop of a stopped node: %v", err)
	}
	log, _ := os.ReadFile(h.opts.LogFile)
	if !strings.Contains(string(log), "REST API listening") {
		t.Errorf("node.log lacks the node's output:\n%s", log)
	}

	// Events arrive asynchronously: wait for the last one before comparing.
	var states []State
	waitFor(t, "node-state stopped event", 2*time.Second, func() bool {
		states = states[:0]
		for _, e := range rec.of("node-state") {
			st := e.Data.(Status)
			if len(states) == 0 || states[len(states)-1] != st.State {
				states = append(states, st.State)
			}
		}
		return len(states) > 0 && states[len(states)-1] == StateStopped
	})
	waitFor(t, "node-started event", 2*time.Second, func() bool { return len(rec.of("node-started")) == 1 })
	want := []State{StateStarting, StateRunning, StateStopping, StateStopped}
	if !slices.Equal(states, want) {
		t.Errorf("node-state sequence %v, want %v", states, want)
	}
	waitFor(t, "node-log events", 2*time.Second, func() bool { return len(rec.of("node-log")) > 0 })
}

func TestKilledNodeIsRestarted(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start()
	ctx := testCtx(t, 40*time.Second)
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	pid := s.Status().PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the node restarted", 30*time.Second, func() bool {
		st := s.Status()
		return st.State == StateRunning && st.PID != pid && st.PID != 0
	})
	st := s.Status()
	if st.RestartCount != 1 {
		t.Errorf("restartCount %d, want 1", st.RestartCount)
	}
	if !tailHas(s, "node exited unexpectedly") || !tailHas(s, "signal: killed") {
		t.Errorf("the log does not record the crash:\n%s", strings.Join(s.Tail(30), "\n"))
	}
	pr, err := readPIDFile(h.pidPath())
	if err != nil || pr.PID != st.PID {
		t.Errorf("node.pid after restart: %+v, %v (want pid %d)", pr, err, st.PID)
	}
}

// A node killed again and again, each time after it had served a while,
// is restarted every time: each good run ends the failure streak. Killed
// as soon as it is ready instead, it is a crash loop, and the supervisor
// gives up.
func TestStableRunsEndTheFailureStreak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stable time.Duration
		gaveUp bool
	}{
		{"killed after a stable run", 300 * time.Millisecond, false},
		{"killed right away", time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(h *harness) {
				h.opts.Backoff.GiveUpAfter = 2
				h.opts.Backoff.StableAfter = tc.stable
			})
			s := h.start()
			ctx := testCtx(t, 60*time.Second)
			if err := s.Start(ctx); err != nil {
				t.Fatalf("Start: %v", err)
			}
			for kill := 1; kill <= 3; kill++ {
				st := s.Status()
				if st.State != StateRunning {
					if !tc.gaveUp {
						t.Fatalf("kill %d: node %s, want running: %s", kill, st.State, st.LastError)
					}
					break
				}
				if !tc.gaveUp {
					time.Sleep(2 * tc.stable)
				}
				if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "the node restarted or given up", 30*time.Second, func() bool {
					now := s.Status()
					return (now.State == StateRunning && now.PID != st.PID) || now.GaveUp
				})
			}
			st := s.Status()
			if st.GaveUp != tc.gaveUp {
				t.Fatalf("gave up %v, want %v: %+v", st.GaveUp, tc.gaveUp, st)
			}
			if !tc.gaveUp && st.RestartCount != 3 {
				t.Errorf("restartCount %d, want 3", st.RestartCount)
			}
		})
	}
}

func TestGivesUpOnANodeThatAlwaysExits(t *testing.T) {
	fake := script(t, `echo "fake node started with: $*"
echo "fatal: cannot open the frobnicator" >&2
exit 3`)
	h := newHarness(t, func(h *harness) { h.cfg.Binary = fake })
	s := h.start()
	ctx := testCtx(t, 20*time.Second)
	err := s.Start(ctx)
	if err == nil {
		t.Fatal("Start of a node that always exits succeeded")
	}
	for _, want := range []string{"gave up", "frobnicator", "exit status 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	st := s.Status()
	if st.State != StateError || !st.GaveUp || st.PID != 0 || !strings.Contains(st.LastError, "frobnicator") {
		t.Errorf("status after giving up: %+v", st)
	}
	// GiveUpAfter 3: the first start and two restarts.
	if st.RestartCount != 2 {
		t.Errorf("restartCount %d, want 2", st.RestartCount)
	}
	// node.binary replaces our binary and its "node" subcommand.
	if !tailHas(s, "fake node started with: --data-dir=") {
		t.Errorf("a configured binary should get the flags without a subcommand:\n%s", strings.Join(s.Tail(20), "\n"))
	}
	if err := s.Stop(ctx); err != nil || s.Status().State != StateStopped {
		t.Errorf("Stop after giving up: %v, %s", err, s.Status().State)
	}
}

func TestExitDuringStartSaysWhy(t *testing.T) {
	h := newHarness(t, func(h *harness) { h.opts.Backoff.GiveUpAfter = 1 })
	// A key readable by others: the node refuses it and says how to fix it.
	os.MkdirAll(h.cfg.DataDirectory, 0o700)
	if err := os.WriteFile(filepath.Join(h.cfg.DataDirectory, "key"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := h.start()
	err := s.Start(testCtx(t, 20*time.Second))
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), "exited while starting") {
		t.Fatalf("Start with a bad key mode: %v", err)
	}
}

func TestPortInUse(t *testing.T) {
	for _, tc := range []struct {
		key  string
		hold func(h *harness) (func(), error)
	}{
		{"node.api_port", func(h *harness) (func(), error) {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(h.cfg.APIPort))
			return func() { ln.Close() }, err
		}},
		{"node.listen_port", func(h *harness) (func(), error) {
			ln, err := net.Listen("tcp", "0.0.0.0:"+strconv.Itoa(h.cfg.ListenPort))
			return func() { ln.Close() }, err
		}},
		{"node.discovery_port", func(h *harness) (func(), error) {
			pc, err := net.ListenPacket("udp", "0.0.0.0:"+strconv.Itoa(h.cfg.DiscoveryPort))
			return func() { pc.Close() }, err
		}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			h := newHarness(t, nil)
			release, err := tc.hold(h)
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			s := h.start()
			err = s.Start(testCtx(t, 10*time.Second))
			port := map[string]int{"node.api_port": h.cfg.APIPort, "node.listen_port": h.cfg.ListenPort, "node.discovery_port": h.cfg.DiscoveryPort}[tc.key]
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d", port)) ||
				!strings.Contains(err.Error(), "in use by another program") || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("Start with %s taken: %v", tc.key, err)
			}
			if st := s.Status(); st.State != StateError || st.PID != 0 || st.RestartCount != 0 {
				t.Errorf("status: %+v", st)
			}
			if _, err := os.Stat(h.pidPath()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("node.pid exists although nothing started: %v", err)
			}
		})
	}
}

func TestStartChecks(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "archivist-node")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	aFile := filepath.Join(t.TempDir(), "file")
	os.WriteFile(aFile, nil, 0o600)
	for _, tc := range []struct {
		name string
		mod  func(h *harness)
		want []string
	}{
		{"configured binary missing", func(h *harness) { h.cfg.Binary = "/nonexistent/archivist-node" },
			[]string{"node binary /nonexistent/archivist-node not found", "node.binary in Settings"}},
		{"own binary missing", func(h *harness) { h.opts.Binary = "/nonexistent/archivist" },
			[]string{"node binary /nonexistent/archivist not found", "reinstall"}},
		{"binary not executable", func(h *harness) { h.cfg.Binary = notExec },
			[]string{"is not executable", "chmod +x"}},
		{"data dir under a file", func(h *harness) { h.cfg.DataDirectory = filepath.Join(aFile, "node") },
			[]string{"cannot create the node data directory", "node.data_directory"}},
		{"data dir is a file", func(h *harness) { h.cfg.DataDirectory = aFile },
			[]string{"is a file, not a folder", "node.data_directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.mod)
			s := h.start()
			err := s.Start(testCtx(t, 10*time.Second))
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Start: %v; want it to say %q", err, w)
				}
			}
			if st := s.Status(); st.State != StateError || st.LastError != err.Error() {
				t.Errorf("status: %+v", st)
			}
		})
	}
}

// startOrphan runs a node the way the supervisor would, as a crashed app
// run would have left it, and records it in node.pid.
func startOrphan(t *testing.T, h *harness) *exec.Cmd {
	t.Helper()
	argv := (&Supervisor{opts: h.opts}).commandLine(h.cfg)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := nodeclient.New("127.0.0.1:" + strconv.Itoa(h.cfg.APIPort))
	waitFor(t, "the orphan's API", 20*time.Second, func() bool {
		_, err := c.Info(testCtx(t, time.Second))
		return err == nil
	})
	start, _, err := processStart(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeJSONAtomic(h.pidPath(), pidRecord{PID: cmd.Process.Pid, Start: start, Argv: argv}); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func TestOrphanOfACrashedRunIsStopped(t *testing.T) {
	h := newHarness(t, nil)
	orphan := startOrphan(t, h)
	exited := make(chan error, 1)
	go func() { exited <- orphan.Wait() }()

	s := h.start()
	if err := s.Start(testCtx(t, 40*time.Second)); err != nil {
		t.Fatalf("Start with an orphan on the ports: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the orphan should exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the orphan is still running")
	}
	if pid := s.Status().PID; pid == orphan.Process.Pid || pid == 0 {
		t.Errorf("running pid %d (orphan was %d)", pid, orphan.Process.Pid)
	}
	if !tailHas(s, "left running by an earlier run") {
		t.Error("the log does not say an orphan was stopped")
	}
}

func TestUnrelatedProcessInPIDFileIsNotKilled(t *testing.T) {
	h := newHarness(t, nil)
	argv := (&Supervisor{opts: h.opts}).commandLine(h.cfg)
	for _, tc := range []struct {
		name string
		rec  func(pid int, start string, own []string) pidRecord
	}{
		// The PID and start time are right, but it is not our node.
		{"other command line", func(pid int, start string, _ []string) pidRecord {
			return pidRecord{PID: pid, Start: start, Argv: argv}
		}},
		// The command line is right, but it started at another time: a
		// reused PID.
		{"other start time", func(pid int, start string, own []string) pidRecord {
			return pidRecord{PID: pid, Start: start + "1", Argv: own}
		}},
		// No start time recorded: nothing can be proved.
		{"no start time", func(pid int, _ string, own []string) pidRecord {
			return pidRecord{PID: pid, Argv: own}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sleep := exec.Command("sleep", "30")
			if err := sleep.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
			pid := sleep.Process.Pid
			own := []string{"sleep", "30"}
			var start string
			// Under load /proc can show the child before its exec is
			// visible; give it a moment to settle.
			waitFor(t, "the exact record to match (test premise)", 2*time.Second, func() bool {
				var err error
				start, _, err = processStart(pid)
				return err == nil && isOurs(pidRecord{PID: pid, Start: start, Argv: own})
			})
			rec := tc.rec(pid, start, own)
			if isOurs(rec) {
				t.Fatalf("%+v is taken for our node", rec)
			}
			if err := writeJSONAtomic(h.pidPath(), rec); err != nil {
				t.Fatal(err)
			}
			s := (&Supervisor{opts: h.opts, log: h.opts.Log})
			s.notes = s.log
			s.recoverOrphan()
			if !alive(pid) {
				t.Fatal("an unrelated process was killed")
			}
			if _, err := os.Stat(h.pidPath()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the stale node.pid should be removed: %v", err)
			}
		})
	}
	// And through the real path: New + Start with such a record.
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	start, _, _ := processStart(sleep.Process.Pid)
	writeJSONAtomic(h.pidPath(), pidRecord{PID: sleep.Process.Pid, Start: start, Argv: argv})
	s := h.start()
	if err := s.Start(testCtx(t, 40*time.Second)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !alive(sleep.Process.Pid) {
		t.Fatal("New+Start killed an unrelated process named in node.pid")
	}
}

func TestNodeThatNeverAnswersIsKilled(t *testing.T) {
	fake := script(t, `echo "pretending to be a node"
exec sleep 60`)
	h := newHarness(t, func(h *harness) {
		h.opts.Binary, h.opts.Args = fake, nil
		h.opts.ReadyTimeout = 500 * time.Millisecond
		h.opts.Backoff.GiveUpAfter = 2
	})
	rec := record(t, h.bus)
	s := h.start()
	err := s.Start(testCtx(t, 20*time.Second))
	if err == nil || !strings.Contains(err.Error(), "did not answer within") || !strings.Contains(err.Error(), "pretending") {
		t.Fatalf("Start of a node that never answers: %v", err)
	}
	pids := map[int]bool{}
	for _, e := range rec.of("node-state") {
		if pid := e.Data.(Status).PID; pid != 0 {
			pids[pid] = true
		}
	}
	if len(pids) != 2 {
		t.Errorf("%d processes started, want 2 (GiveUpAfter)", len(pids))
	}
	for pid := range pids {
		if alive(pid) {
			t.Errorf("process %d still alive", pid)
		}
	}
	if st := s.Status(); st.State != StateError || !st.GaveUp {
		t.Errorf("status: %+v", st)
	}
}

func TestHungNodeIsRestarted(t *testing.T) {
	h := newHarness(t, func(h *harness) { h.opts.StopTimeout = time.Second })
	s := h.start()
	ctx := testCtx(t, 40*time.Second)
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	pid := s.Status().PID
	// Alive but answering nothing: stopped processes ignore SIGTERM too,
	// so this also exercises the kill after StopTimeout.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the hung node replaced", 30*time.Second, func() bool {
		st := s.Status()
		return st.State == StateRunning && st.PID != pid && st.PID != 0
	})
	if alive(pid) {
		t.Error("the hung process is still alive")
	}
	if st := s.Status(); st.RestartCount != 1 {
		t.Errorf("restartCount %d, want 1", st.RestartCount)
	}
	if !tailHas(s, "node is hung") || !tailHas(s, "killing it") {
		t.Errorf("the log does not explain the restart:\n%s", strings.Join(s.Tail(30), "\n"))
	}
}

func TestStopWhileStarting(t *testing.T) {
	fake := script(t, "exec sleep 60")
	h := newHarness(t, func(h *harness) { h.opts.Binary, h.opts.Args = fake, nil })
	s := h.start()
	ctx := testCtx(t, 20*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- s.Start(ctx) }()
	waitFor(t, "starting", 5*time.Second, func() bool { return s.Status().PID != 0 })
	if err := s.Start(ctx); !errors.Is(err, ErrAlreadyStarting) {
		t.Errorf("Start while starting: %v", err)
	}
	pid := s.Status().PID
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrStopped) {
		t.Errorf("the pending Start returned %v, want ErrStopped", err)
	}
	if alive(pid) || s.Status().State != StateStopped {
		t.Errorf("after Stop: alive=%v status %+v", alive(pid), s.Status())
	}
}

func TestLogLevelLiveAndRestartOnPortChange(t *testing.T) {
	h := newHarness(t, func(h *harness) { h.cfg.LogLevel = "WARN" })
	s := h.start()
	ctx := testCtx(t, 40*time.Second)
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st := s.Status()
	c := nodeclient.New(st.APIURL)
	upload := func(name string) {
		if _, err := c.Upload(ctx, strings.NewReader("hello "+name), -1, name, "text/plain", nil); err != nil {
			t.Fatal(err)
		}
	}
	upload("a.txt")
	time.Sleep(300 * time.Millisecond)
	if tailHas(s, "stored dataset") {
		t.Fatal("an INFO line was logged at level WARN")
	}

	old, new := h.setConfig(func(c *config.NodeConfig) { c.LogLevel = "INFO" })
	if err := s.Apply(ctx, old, new); err != nil {
		t.Fatalf("Apply log level: %v", err)
	}
	upload("b.txt")
	waitFor(t, "an INFO line after the live change", 5*time.Second, func() bool { return tailHas(s, "stored dataset") })
	if s.Status().PID != st.PID {
		t.Error("a log level change restarted the node")
	}

	newPort := 0
	old, new = h.setConfig(func(c *config.NodeConfig) { newPort = freePortOtherThan(t, c.APIPort); c.APIPort = newPort })
	if err := s.Apply(ctx, old, new); err != nil {
		t.Fatalf("Apply port change: %v", err)
	}
	st2 := s.Status()
	if st2.State != StateRunning || st2.PID == st.PID || st2.APIURL != "http://127.0.0.1:"+strconv.Itoa(newPort) {
		t.Fatalf("after a port change: %+v", st2)
	}
	if _, err := nodeclient.New(st2.APIURL).Space(ctx); err != nil {
		t.Errorf("API on the new port: %v", err)
	}
	if st2.RestartCount != 0 {
		t.Errorf("a requested restart counted as a failure restart: %d", st2.RestartCount)
	}
}

func freePortOtherThan(t *testing.T, p int) int {
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		q := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if q != p {
			return q
		}
	}
}

func TestCloseStopsTheNode(t *testing.T) {
	h := newHarness(t, nil)
	s := New(h.opts)
	ctx := testCtx(t, 40*time.Second)
	if err := s.Start(ctx); err != nil {
		s.Close(ctx)
		t.Fatalf("Start: %v", err)
	}
	pid := s.Status().PID
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if alive(pid) {
		t.Error("the node outlived Close")
	}
	if st := s.Status(); st.State != StateStopped {
		t.Errorf("state after Close: %s", st.State)
	}
	if err := s.Start(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDiagnostics(t *testing.T) {
	h := newHarness(t, nil)
	s := h.start()
	ctx := testCtx(t, 40*time.Second)

	d := s.Diagnostics(ctx)
	if d.APIReachable || d.Error == "" || check(d, "api").Status != CheckFail || check(d, "api").Tip == "" {
		t.Errorf("diagnostics of a stopped node: %+v", d)
	}
	if check(d, "disk").Status == CheckUnknown {
		t.Errorf("disk check before the data dir exists: %+v", check(d, "disk"))
	}

	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	d = s.Diagnostics(ctx)
	if !d.APIReachable || d.NodeVersion == "" || d.PeerID == "" || d.AddressCount == 0 {
		t.Errorf("diagnostics of a running node: %+v", d)
	}
	for id, want := range map[string]CheckStatus{"api": CheckOK, "addresses": CheckOK, "peers": CheckWarn} {
		if got := check(d, id).Status; got != want {
			t.Errorf("check %s: %s (%+v), want %s", id, got, check(d, id), want)
		}
	}
	for _, id := range []string{"announce", "nat", "disk"} {
		if c := check(d, id); c.Status == "" || c.Detail == "" {
			t.Errorf("check %s missing: %+v", id, c)
		}
	}
}

func check(d Diagnostics, id string) Check {
	for _, c := range d.Checks {
		if c.ID == id {
			return c
		}
	}
	return Check{}
}
