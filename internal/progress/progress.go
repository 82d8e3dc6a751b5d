// Package progress counts bytes as they pass through a reader and reports
// the running total, throttled so that a fast transfer does not flood the
// UI with events: at most ten reports a second, plus the final one at EOF or
// error, so a consumer always sees the true end figure.
package progress

import (
	"io"
	"time"
)

// Interval is the minimum time between two reports.
const Interval = 100 * time.Millisecond

// Reader reports the bytes read through it.
type Reader struct {
	r    io.Reader
	n    int64
	fn   func(total int64)
	last time.Time
}

// NewReader wraps r; fn receives the running total.
func NewReader(r io.Reader, fn func(total int64)) *Reader {
	return &Reader{r: r, fn: fn}
}

// Read implements io.Reader.
func (p *Reader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); err != nil || now.Sub(p.last) >= Interval {
		p.last = now
		p.fn(p.n)
	}
	return n, err
}

// N is the number of bytes read so far.
func (p *Reader) N() int64 { return p.n }
