package supervisor

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// Supervisor runs one storage node. Its methods are safe for concurrent use.
type Supervisor struct {
	opts    Options
	log     *slog.Logger // the app's log
	notes   *slog.Logger // the supervisor's lines in node.log and the ring
	capture *capture

	cmds chan command
	done chan struct{} // closed when the loop has ended (after Close)

	mu       sync.Mutex
	snapshot Status // the loop's last published status

	// Everything below belongs to the loop goroutine alone.
	st           Status
	proc         *child
	runs         uint64
	failures     []time.Time // recent failures, for backoff and giving up
	startWaiters []chan error
	stopWaiters  []chan error
	closeWaiters []chan error
	outbox       []pendingReply // answers sent after the next commit
	closing      bool
	retryT       *time.Timer
	killT        *time.Timer
	healthT      *time.Timer
	healthBusy   bool
	healthFails  int
	events       []string // node-started/-stopped/-crashed, published after the next node-state
	readyC       chan readyResult
	healthC      chan healthResult
}

type cmdKind int

const (
	cmdStart cmdKind = iota
	cmdStop
	cmdRestart
	cmdClose
	cmdRefresh // re-read the settings Status shows, when no node runs
)

type command struct {
	kind  cmdKind
	reply chan error // buffered: the loop never waits for a caller
}

// New returns a supervisor with the node stopped and starts its loop. If
// node.pid names a node left running by a crashed earlier run, the loop
// stops that node first, before it accepts commands.
func New(opts Options) *Supervisor {
	opts.setDefaults()
	s := &Supervisor{
		opts:    opts,
		log:     opts.Log.With("component", "node-supervisor"),
		cmds:    make(chan command),
		done:    make(chan struct{}),
		readyC:  make(chan readyResult),
		healthC: make(chan healthResult),
	}
	s.capture = newCapture(opts, s.log)
	s.notes = slog.New(slog.NewTextHandler(s.capture, nil)).With("source", "supervisor")
	s.st = Status{State: StateStopped, Addresses: []string{}, AnnounceAddresses: []string{}, LogFile: opts.LogFile}
	s.fillConfigFieldsFrom(opts.Config())
	s.snapshot = s.st.clone()
	go s.loop()
	return s
}

// Status returns the node's status as last observed; it does not wait for
// the node.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	st := s.snapshot.clone()
	s.mu.Unlock()
	if st.StartedAt != nil {
		st.UptimeSeconds = int64(time.Since(*st.StartedAt) / time.Second)
	}
	return st
}

// Start starts the node and waits until its API answers (nil), the start
// fails for a reason a retry cannot fix, or the supervisor gives up after
// repeated failures (the error says why, with the node's last output).
// It is refused while the node is running, starting or stopping. When ctx
// ends first, Start returns ctx.Err() and the node keeps starting.
func (s *Supervisor) Start(ctx context.Context) error { return s.do(ctx, cmdStart) }

// Stop stops the node: SIGTERM, then SIGKILL after StopTimeout. It also
// cancels a pending automatic restart. Stopping a stopped node is not an
// error. When ctx ends first, Stop returns ctx.Err() and the stop goes on.
func (s *Supervisor) Stop(ctx context.Context) error { return s.do(ctx, cmdStop) }

// Restart stops the node if it runs, then starts it and waits as Start
// does. It also restarts at once a node that is waiting out a backoff or
// that the supervisor gave up on, and resets the failure count.
func (s *Supervisor) Restart(ctx context.Context) error { return s.do(ctx, cmdRestart) }

// Close stops the node cleanly and ends the supervisor; the app calls it
// when quitting. Later calls return nil; other methods return ErrClosed.
func (s *Supervisor) Close(ctx context.Context) error {
	err := s.do(ctx, cmdClose)
	if err == ErrClosed {
		return nil
	}
	return err
}

// Tail returns up to n of the most recent output lines (oldest first).
func (s *Supervisor) Tail(n int) []string { return s.capture.tail(n) }

// LogFile is the path of node.log ("" when output is kept in memory only).
func (s *Supervisor) LogFile() string { return s.opts.LogFile }

func (s *Supervisor) do(ctx context.Context, kind cmdKind) error {
	reply := make(chan error, 1)
	select {
	case s.cmds <- command{kind: kind, reply: reply}:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Supervisor) pidFile() string {
	if s.opts.RunDir == "" {
		return ""
	}
	return filepath.Join(s.opts.RunDir, "node.pid")
}

func dirOf(path string) string { return filepath.Dir(path) }
