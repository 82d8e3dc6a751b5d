package supervisor

import (
	"fmt"
	"time"
)

// stopReason is why the supervisor is stopping a process, which decides
// what happens when it has exited.
type stopReason int

const (
	reasonNone     stopReason = iota // not stopping: an exit is a crash
	reasonNotReady                   // API never answered: a failure, restart
	reasonHung                       // API stopped answering: a failure, restart
	reasonRestart                    // the user's Restart: start again at once
	reasonStop                       // the user's Stop
	reasonClose                      // the app is quitting
)

func (r stopReason) internal() bool { return r == reasonNotReady || r == reasonHung }

// loop owns the process and the state; see the package doc.
func (s *Supervisor) loop() {
	defer close(s.done)
	// An orphan of a crashed earlier run holds the ports and the data
	// directory, and the UI would call it stopped: end it before anything.
	s.recoverOrphan()
	s.commit()
	for {
		select {
		case c := <-s.cmds:
			s.handle(c)
		case ex := <-s.exitC():
			s.onExit(ex)
		case r := <-s.readyC:
			s.onReady(r)
		case h := <-s.healthC:
			s.onHealth(h)
		case <-timerC(s.retryT):
			s.retryT = nil
			s.onRetry()
		case <-timerC(s.killT):
			s.killT = nil
			s.onStopTimeout()
		case <-timerC(s.healthT):
			s.healthT = nil
			s.checkHealth()
		}
		if s.closing && s.proc == nil {
			s.capture.close()
			s.resolve(&s.closeWaiters, nil)
		}
		// Callers hear back only after the snapshot is published, so a
		// Status read right after Start returns agrees with its result.
		s.commit()
		for _, r := range s.outbox {
			r.ch <- r.err
		}
		s.outbox = nil
		if s.closing && s.proc == nil {
			return
		}
	}
}

func (s *Supervisor) handle(c command) {
	if s.closing {
		s.reply(c.reply, ErrClosed)
		return
	}
	switch c.kind {
	case cmdStart:
		switch s.st.State {
		case StateRunning:
			s.reply(c.reply, ErrAlreadyRunning)
			return
		case StateStarting:
			s.reply(c.reply, ErrAlreadyStarting)
			return
		case StateStopping:
			s.reply(c.reply, ErrStopping)
			return
		}
		s.startWaiters = append(s.startWaiters, c.reply)
		s.freshStart()
	case cmdRestart:
		s.startWaiters = append(s.startWaiters, c.reply)
		if s.proc != nil {
			s.stopProc(reasonRestart, nil) // onExit starts it again
		} else {
			s.freshStart()
		}
	case cmdStop:
		if s.proc != nil {
			s.stopWaiters = append(s.stopWaiters, c.reply)
			s.stopProc(reasonStop, nil)
			return
		}
		s.settleStopped(ErrStopped)
		s.reply(c.reply, nil)
	case cmdRefresh:
		if s.proc == nil {
			s.fillConfigFieldsFrom(s.opts.Config())
		}
		s.reply(c.reply, nil)
	case cmdClose:
		s.closing = true
		s.closeWaiters = append(s.closeWaiters, c.reply)
		if s.proc != nil {
			s.stopProc(reasonClose, nil)
			return
		}
		s.settleStopped(ErrClosed)
	}
}

// settleStopped ends whatever is pending without a process: a backoff wait
// or a given-up state. LastError stays, as the record of what happened.
func (s *Supervisor) settleStopped(waiterErr error) {
	s.cancelRetry()
	s.st.State, s.st.GaveUp = StateStopped, false
	s.resolve(&s.startWaiters, waiterErr)
}

// freshStart is a start the user asked for: earlier failures no longer
// count against the new attempt.
func (s *Supervisor) freshStart() {
	s.cancelRetry()
	s.failures = nil
	s.st.GaveUp, s.st.LastError = false, ""
	s.attempt(false)
}

// attempt runs the checks and spawns the node. auto marks an automatic
// restart, for which a failed check is one more failure to back off from
// (a port may be freed a moment later); for the user's start it is the
// answer, at once.
func (s *Supervisor) attempt(auto bool) {
	cfg := s.opts.Config()
	s.fillConfigFieldsFrom(cfg)
	s.recoverOrphan()
	argv := s.commandLine(cfg)
	err := preflight(argv[0], cfg, cfg.Binary != "")
	var c *child
	if err == nil {
		c, err = s.spawn(argv, cfg)
	}
	if err != nil {
		s.notes.Error("node not started", "err", err.Error())
		s.log.Error("node not started", "err", err)
		if auto {
			s.failed(err)
		} else {
			s.fail(err)
		}
		return
	}
	s.proc = c
	now := c.started
	s.st.State, s.st.PID, s.st.StartedAt, s.st.APIURL = StateStarting, c.pid, &now, c.apiURL
	s.healthFails = 0
	s.writePIDFile(c)
	s.notes.Info("node process started", "pid", c.pid, "cmd", fmt.Sprint(argv))
	s.log.Info("node process started", "pid", c.pid, "binary", argv[0])
	go s.probe(c)
}

// fail ends a start: state error, and every waiting Start gets err.
func (s *Supervisor) fail(err error) {
	s.st.State, s.st.LastError = StateError, err.Error()
	s.resolve(&s.startWaiters, err)
}

// failed records a failure of the node and schedules the next attempt, or
// gives up when there were too many.
func (s *Supervisor) failed(err error) {
	now := time.Now()
	b := s.opts.Backoff
	kept := s.failures[:0]
	for _, t := range s.failures {
		if now.Sub(t) < b.Window {
			kept = append(kept, t)
		}
	}
	s.failures = append(kept, now)
	s.st.LastError = err.Error()
	n := len(s.failures)
	if n >= b.GiveUpAfter {
		s.st.GaveUp = true
		gaveUp := fmt.Errorf("gave up after the node failed %d times within %s; start it again when the cause is fixed. Last failure: %w", n, b.Window, err)
		s.notes.Error("giving up on the node", "failures", n, "err", err.Error())
		s.log.Error("giving up on the node", "failures", n, "err", err)
		s.fail(gaveUp)
		return
	}
	d := b.delay(n)
	at := now.Add(d)
	s.st.State, s.st.NextRestartAt = StateStarting, &at
	s.retryT = time.NewTimer(d)
	s.notes.Warn("node will be restarted", "in", d.String(), "failure", n, "giveUpAfter", b.GiveUpAfter)
	s.log.Warn("node failed; restarting", "in", d, "err", err)
}

func (s *Supervisor) onRetry() {
	s.st.NextRestartAt = nil
	s.st.RestartCount++
	s.attempt(true)
}

func (s *Supervisor) cancelRetry() {
	stopTimer(&s.retryT)
	s.st.NextRestartAt = nil
}

// stopProc asks the process to exit and arms the kill timer. A user's
// command overrides an internal reason (and a later command an earlier
// one); nothing overrides the app quitting.
func (s *Supervisor) stopProc(reason stopReason, err error) {
	c := s.proc
	if c.reason != reasonClose && (!reason.internal() || c.reason == reasonNone) {
		c.reason, c.reasonErr = reason, err
	}
	s.st.State = StateStopping
	stopTimer(&s.healthT)
	if !c.signaled {
		c.signaled = true
		if err := terminate(c); err != nil {
			// No way to ask nicely (on Windows, no console shared with
			// the node): waiting StopTimeout for nothing would only delay
			// the app's quit. The node's repo is crash-safe.
			s.log.Warn("cannot ask the node to stop; killing it", "pid", c.pid, "err", err)
			kill(c)
		}
		s.killT = time.NewTimer(s.opts.StopTimeout)
	}
}

func (s *Supervisor) onStopTimeout() {
	if s.proc == nil {
		return
	}
	s.notes.Warn("node did not exit after SIGTERM; killing it", "pid", s.proc.pid, "waited", s.opts.StopTimeout.String())
	if err := kill(s.proc); err != nil {
		s.log.Warn("killing the node", "pid", s.proc.pid, "err", err)
	}
}

func (s *Supervisor) onExit(ex exitInfo) {
	c := s.proc
	s.proc = nil
	c.cancel()
	stopTimer(&s.killT)
	stopTimer(&s.healthT)
	s.healthBusy = false
	s.removePIDFile(c)
	wasRunning := s.st.State == StateRunning
	if wasRunning && time.Since(c.readyAt) >= s.opts.Backoff.StableAfter {
		// A good run ends a failure streak: this failure starts anew.
		s.failures = nil
	}
	s.st.clearProcess()
	how := describeExit(ex.err)
	switch c.reason {
	case reasonStop, reasonClose:
		s.notes.Info("node stopped", "pid", c.pid, "exit", how)
		s.log.Info("node stopped", "pid", c.pid, "exit", how)
		s.st.State = StateStopped
		s.events = append(s.events, EventStopped)
		s.resolve(&s.stopWaiters, nil)
		if c.reason == reasonClose {
			s.resolve(&s.startWaiters, ErrClosed)
		} else {
			s.resolve(&s.startWaiters, ErrStopped)
		}
	case reasonRestart:
		s.notes.Info("node stopped for a restart", "pid", c.pid, "exit", how)
		s.st.State = StateStopped
		s.resolve(&s.stopWaiters, nil)
		s.freshStart()
	case reasonNotReady, reasonHung:
		s.notes.Warn("node stopped", "pid", c.pid, "exit", how, "why", c.reasonErr.Error())
		s.events = append(s.events, EventCrashed)
		s.failed(c.reasonErr)
	default:
		what := "node exited while starting"
		if wasRunning {
			what = "node exited unexpectedly"
		}
		err := fmt.Errorf("%s (%s)%s", what, how, c.tail.explain())
		s.notes.Error(what, "pid", c.pid, "exit", how)
		s.log.Error(what, "pid", c.pid, "exit", how)
		s.events = append(s.events, EventCrashed)
		s.failed(err)
	}
}

func (s *Supervisor) onReady(r readyResult) {
	c := s.proc
	if c == nil || r.run != c.run || s.st.State != StateStarting {
		return // a probe of a process that is gone or being stopped
	}
	if r.err != nil {
		err := fmt.Errorf("node process %d runs but its API at %s did not answer within %s (%v)%s",
			c.pid, c.apiURL, s.opts.ReadyTimeout, r.err, c.tail.explain())
		s.notes.Error("node not ready in time; stopping it", "pid", c.pid, "err", r.err.Error())
		s.stopProc(reasonNotReady, err)
		return
	}
	s.st.State, s.st.LastError = StateRunning, ""
	c.readyAt = time.Now()
	s.st.setFigures(r.fig, r.at)
	s.resolve(&s.startWaiters, nil)
	s.events = append(s.events, EventStarted)
	s.notes.Info("node ready", "pid", c.pid, "api", c.apiURL, "version", r.fig.info.Archivist.Version)
	s.log.Info("node ready", "pid", c.pid, "api", c.apiURL)
	s.healthT = time.NewTimer(s.opts.HealthInterval)
}

func (s *Supervisor) checkHealth() {
	if s.proc == nil || s.st.State != StateRunning || s.healthBusy {
		return
	}
	s.healthBusy = true
	go s.healthCheck(s.proc)
}

func (s *Supervisor) onHealth(h healthResult) {
	c := s.proc
	if c == nil || h.run != c.run {
		return
	}
	s.healthBusy = false
	if s.st.State != StateRunning {
		return
	}
	if h.err != nil {
		s.healthFails++
		s.log.Warn("node health check failed", "pid", c.pid, "failures", s.healthFails, "err", h.err)
		if s.healthFails >= s.opts.HungAfter {
			err := fmt.Errorf("node process %d stopped answering on its API (%d health checks in a row failed, last: %v); it was restarted",
				c.pid, s.healthFails, h.err)
			s.notes.Error("node is hung; stopping it", "pid", c.pid, "failedChecks", s.healthFails)
			s.stopProc(reasonHung, err)
			return
		}
	} else {
		s.healthFails = 0
		s.st.setFigures(h.fig, h.at)
	}
	s.healthT = time.NewTimer(s.opts.HealthInterval)
}

// commit publishes the loop's state: the snapshot Status reads, and a
// node-state event when something a subscriber sees changed.
func (s *Supervisor) commit() {
	s.mu.Lock()
	changed := !s.snapshot.equal(s.st)
	s.snapshot = s.st.clone()
	s.mu.Unlock()
	events := s.events
	s.events = nil
	if s.opts.Bus == nil {
		return
	}
	if changed {
		s.opts.Bus.Publish(EventState, s.Status())
	}
	for _, ev := range events {
		s.opts.Bus.Publish(ev, s.Status())
	}
}

func (s *Supervisor) exitC() <-chan exitInfo {
	if s.proc == nil {
		return nil
	}
	return s.proc.exited
}

// resolve answers every waiter with err (after the next commit).
func (s *Supervisor) resolve(waiters *[]chan error, err error) {
	for _, w := range *waiters {
		s.reply(w, err)
	}
	*waiters = nil
}

func (s *Supervisor) reply(ch chan error, err error) {
	s.outbox = append(s.outbox, pendingReply{ch, err})
}

type pendingReply struct {
	ch  chan error
	err error
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

// stopTimer disarms *t. Since Go 1.23 a stopped timer delivers nothing
// stale, so the loop cannot see a fire of a timer it already cancelled.
func stopTimer(t **time.Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}
