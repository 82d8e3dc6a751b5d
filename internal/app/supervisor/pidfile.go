package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// pidRecord is node.pid: enough to recognise our node after an app crash.
// A PID alone is not: PIDs are reused, and killing whatever now has the
// number could end anyone's program. The OS start time and the exact
// command line together identify the process we started.
type pidRecord struct {
	PID   int      `json:"pid"`
	Start string   `json:"start"` // OS start stamp (Linux: /proc/PID/stat field 22), "" when unknown
	Argv  []string `json:"argv"`
	// Started is for people reading the file.
	Started time.Time `json:"started"`
}

func (s *Supervisor) writePIDFile(c *child) {
	path := s.pidFile()
	if path == "" {
		return
	}
	start, _, err := processStart(c.pid)
	if err != nil {
		// Without a start stamp the record can never prove an orphan is
		// ours, so it will never be killed: safe, merely less helpful.
		s.log.Warn("reading the node's start time for node.pid", "pid", c.pid, "err", err)
	}
	rec := pidRecord{PID: c.pid, Start: start, Argv: c.argv, Started: c.started.UTC()}
	if err := writeJSONAtomic(path, rec); err != nil {
		s.log.Warn("writing node.pid; a node left by an app crash will not be recognised", "err", err)
	}
}

func (s *Supervisor) removePIDFile(c *child) {
	path := s.pidFile()
	if path == "" {
		return
	}
	// Only our own record: never a file a newer run may have written.
	if rec, err := readPIDFile(path); err == nil && rec.PID != c.pid {
		return
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("removing node.pid", "err", err)
	}
}

func readPIDFile(path string) (pidRecord, error) {
	var rec pidRecord
	b, err := os.ReadFile(path)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("%s: %w", path, err)
	}
	if rec.PID <= 0 || len(rec.Argv) == 0 {
		return rec, fmt.Errorf("%s: incomplete record", path)
	}
	return rec, nil
}

// writeJSONAtomic writes v to path through a temporary file and a rename,
// so a crash leaves the old record or the new one.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".node.pid-*")
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// isOurs reports whether rec still describes a live process: same PID,
// same start stamp, same command line. Where the OS cannot tell the start
// time, the answer is no — an orphan left running is a nuisance the user
// can see (its port is reported in use); a stranger killed is not undoable.
func isOurs(rec pidRecord) bool {
	if rec.Start == "" {
		return false
	}
	start, zombie, err := processStart(rec.PID)
	if err != nil || zombie || start != rec.Start {
		return false
	}
	return cmdlineMatches(rec.PID, rec.Argv)
}

// recoverOrphan stops the node an earlier, crashed run of the app left
// running, if node.pid proves it is ours, and removes the record either way.
func (s *Supervisor) recoverOrphan() {
	path := s.pidFile()
	if path == "" {
		return
	}
	rec, err := readPIDFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		s.log.Warn("ignoring an unreadable node.pid", "err", err)
		os.Remove(path)
		return
	}
	if s.proc != nil && s.proc.pid == rec.PID {
		return // our current child
	}
	if !isOurs(rec) {
		s.log.Info("node.pid names no running node of ours; removing it", "pid", rec.PID)
		os.Remove(path)
		return
	}
	s.notes.Warn("stopping a node left running by an earlier run of the app", "pid", rec.PID)
	s.log.Warn("stopping a node left running by an earlier run of the app", "pid", rec.PID)
	gone := func() bool { return !isOurs(rec) }
	if err := terminatePID(rec.PID); err != nil {
		s.log.Warn("signalling the orphaned node", "pid", rec.PID, "err", err)
	}
	if !waitUntil(gone, s.opts.StopTimeout) {
		s.notes.Warn("orphaned node did not exit after SIGTERM; killing it", "pid", rec.PID)
		if err := killPID(rec.PID); err != nil {
			s.log.Warn("killing the orphaned node", "pid", rec.PID, "err", err)
		}
		if !waitUntil(gone, 5*time.Second) {
			s.log.Error("the orphaned node is still running", "pid", rec.PID)
			return // keep the record: the next start tries again
		}
	}
	os.Remove(path)
}

func waitUntil(cond func() bool, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
