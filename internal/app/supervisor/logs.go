package supervisor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/events"
)

// maxLine bounds one output line; a longer one is split, so a node that
// prints a huge line cannot make the reader hold it whole.
const maxLine = 64 << 10

// LogBatch is the data of a node-log event: the lines printed since the
// previous one, oldest first. Dropped counts lines left out because more
// arrived in one interval than the ring holds (they are in node.log).
type LogBatch struct {
	Lines   []string `json:"lines"`
	Dropped int      `json:"dropped,omitempty"`
}

// capture is where every output line goes: node.log, the ring behind
// Tail, and node-log events. One mutex keeps the three in the same order.
type capture struct {
	mu      sync.Mutex
	file    *rotatingFile // nil: memory only
	ring    []string      // circular, len ≤ size
	next    int           // where the next line goes once the ring is full
	size    int
	pending []string // lines for the next node-log event
	dropped int
	armed   bool // a flush is scheduled
	closed  bool
	partial []byte // Write's incomplete last line

	bus   *events.Bus
	every time.Duration
	log   *slog.Logger
	warn  sync.Once // a failing log file is reported once, not per line
}

func newCapture(opts Options, log *slog.Logger) *capture {
	c := &capture{size: opts.LogLines, bus: opts.Bus, every: opts.LogFlushInterval, log: log}
	if opts.LogFile != "" {
		f, err := openRotating(opts.LogFile, opts.LogMaxBytes, opts.LogKeep)
		if err != nil {
			log.Warn("node output will not be written to a file", "file", opts.LogFile, "err", err)
		} else {
			c.file = f
		}
	}
	return c
}

// pump reads a child's output until EOF, line by line.
func (c *capture) pump(r io.Reader, tail *tailBuf) {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			line := strings.TrimRight(string(b), "\r\n")
			tail.add(line)
			c.add(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// Write takes the supervisor's own log records (one slog line per call).
func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.partial = append(c.partial, p...)
	var lines []string
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, string(c.partial[:i]))
		c.partial = c.partial[i+1:]
	}
	c.mu.Unlock()
	for _, l := range lines {
		c.add(l)
	}
	return len(p), nil
}

func (c *capture) add(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.file != nil {
		if err := c.file.write(line + "\n"); err != nil {
			c.warn.Do(func() { c.log.Warn("writing node.log", "err", err) })
		}
	}
	if len(c.ring) < c.size {
		c.ring = append(c.ring, line)
	} else {
		c.ring[c.next] = line
		c.next = (c.next + 1) % c.size
	}
	if c.bus == nil {
		return
	}
	if len(c.pending) >= c.size {
		c.pending = c.pending[1:]
		c.dropped++
	}
	c.pending = append(c.pending, line)
	if !c.armed {
		c.armed = true
		time.AfterFunc(c.every, c.flush)
	}
}

func (c *capture) flush() {
	c.mu.Lock()
	batch := LogBatch{Lines: c.pending, Dropped: c.dropped}
	c.pending, c.dropped, c.armed = nil, 0, false
	c.mu.Unlock()
	if len(batch.Lines) > 0 {
		c.bus.Publish("node-log", batch)
	}
}

func (c *capture) tail(n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n = min(max(n, 0), len(c.ring))
	out := make([]string, 0, n)
	for i := len(c.ring) - n; i < len(c.ring); i++ {
		out = append(out, c.ring[(c.next+i)%len(c.ring)])
	}
	return out
}

// close sends what is pending and closes node.log.
func (c *capture) close() {
	c.mu.Lock()
	c.closed = true
	if c.file != nil {
		c.file.close()
	}
	c.mu.Unlock()
	if c.bus != nil {
		c.flush()
	}
}

// rotatingFile is node.log: appended to, and moved to node.log.1 (and .1
// to .2 …, keeping keep old files) before a write would take it past max.
// The reference never rotated it and re-read it whole every two seconds.
type rotatingFile struct {
	path string
	max  int64
	keep int
	f    *os.File
	size int64
}

func openRotating(path string, max int64, keep int) (*rotatingFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	r := &rotatingFile{path: path, max: max, keep: keep}
	return r, r.open()
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, fi.Size()
	return nil
}

func (r *rotatingFile) write(s string) error {
	if r.f == nil {
		// A failed rotation left no file; try again, it may have been
		// a passing problem.
		if err := r.open(); err != nil {
			return err
		}
	}
	if r.size > 0 && r.size+int64(len(s)) > r.max {
		if err := r.rotate(); err != nil {
			return err
		}
	}
	n, err := r.f.WriteString(s)
	r.size += int64(n)
	return err
}

func (r *rotatingFile) rotate() error {
	// Closed before the renames: Windows does not rename open files.
	r.f.Close()
	r.f = nil
	if r.keep > 0 {
		for i := r.keep - 1; i >= 1; i-- {
			old := fmt.Sprintf("%s.%d", r.path, i)
			if err := os.Rename(old, fmt.Sprintf("%s.%d", r.path, i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		if err := os.Rename(r.path, r.path+".1"); err != nil {
			return err
		}
	} else if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return r.open()
}

func (r *rotatingFile) close() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}
