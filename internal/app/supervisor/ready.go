package supervisor

import (
	"context"
	"fmt"
	"time"

	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

type readyResult struct {
	run uint64
	fig figures
	at  time.Time
	err error // not ready within ReadyTimeout
}

type healthResult struct {
	run uint64
	fig figures
	at  time.Time
	err error
}

// figures is what the node's API said about it.
type figures struct {
	info  nodeclient.DebugInfo
	space nodeclient.Space
	peers *int // nil: the node has no peers listing (archivist-node)
}

// readyPoll is how often a starting node's API is asked; requestTimeout
// bounds each question while starting.
const (
	readyPoll      = 200 * time.Millisecond
	requestTimeout = 2 * time.Second
)

// fetch asks the node what Status shows. Info and space are both needed:
// an API that serves /debug/info while its repo cannot answer /space is not
// ready. The peer count comes from our node's /peers extension; another
// archivist-node has none, and the count stays unknown.
func fetch(ctx context.Context, c *nodeclient.Client, timeout time.Duration) (figures, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var f figures
	var err error
	if f.info, err = c.Info(ctx); err != nil {
		return f, err
	}
	if f.space, err = c.Space(ctx); err != nil {
		return f, err
	}
	if peers, err := c.Peers(ctx); err == nil {
		n := len(peers)
		f.peers = &n
	}
	return f, nil
}

// probe polls a starting node until its API really answers, applies the
// configured log level, and reports to the loop. It ends with the process.
func (s *Supervisor) probe(c *child) {
	deadline := time.Now().Add(s.opts.ReadyTimeout)
	var res readyResult
	for {
		fig, err := fetch(c.ctx, c.client, requestTimeout)
		if err == nil {
			s.applyLogLevel(c.ctx, c.client, s.opts.Config().LogLevel)
			res = readyResult{run: c.run, fig: fig, at: time.Now()}
			break
		}
		if c.ctx.Err() != nil {
			return // the process ended; the loop knows
		}
		if time.Now().After(deadline) {
			res = readyResult{run: c.run, err: fmt.Errorf("last attempt: %w", err)}
			break
		}
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(readyPoll):
		}
	}
	select {
	case s.readyC <- res:
	case <-c.ctx.Done():
	}
}

// healthCheck asks a running node how it is and reports to the loop.
func (s *Supervisor) healthCheck(c *child) {
	fig, err := fetch(c.ctx, c.client, s.opts.HealthTimeout)
	select {
	case s.healthC <- healthResult{run: c.run, fig: fig, at: time.Now(), err: err}:
	case <-c.ctx.Done():
	}
}

// applyLogLevel sets the node's log level through its API. A failure is
// logged, not fatal: the node runs, only more or less verbosely.
func (s *Supervisor) applyLogLevel(ctx context.Context, c *nodeclient.Client, level string) error {
	if level == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if err := c.SetLogLevel(ctx, level); err != nil {
		s.log.Warn("setting the node's log level", "level", level, "err", err)
		return fmt.Errorf("setting the node's log level to %s: %w", level, err)
	}
	return nil
}
