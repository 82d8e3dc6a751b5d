package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ProgressMode is how a transfer's progress is shown on stderr.
type ProgressMode int

// The modes.
const (
	ProgressNone  ProgressMode = iota // --quiet
	ProgressLines                     // stderr is not a terminal: a plain line now and then
	ProgressBar                       // stderr is a terminal: a bar redrawn in place
)

// ModeFor picks the mode for writing to w: a bar on a terminal, plain lines
// elsewhere (a log file, a pipe, CI), nothing when quiet.
func ModeFor(w io.Writer, quiet bool) ProgressMode {
	if quiet {
		return ProgressNone
	}
	if IsTerminal(w) {
		return ProgressBar
	}
	return ProgressLines
}

// IsTerminal reports whether w is a character device (a terminal or
// console).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Intervals between two renderings.
var (
	BarInterval  = 100 * time.Millisecond
	LineInterval = 2 * time.Second
)

// Bar shows the progress of one transfer from real byte counts: bytes,
// percent, rate and ETA. Set may be called from any goroutine.
type Bar struct {
	w     io.Writer
	mode  ProgressMode
	label string
	now   func() time.Time

	mu       sync.Mutex
	total    int64 // -1 when unknown
	done     int64
	start    time.Time
	last     time.Time // last rendering
	lastDone int64     // bytes at the last rendering
	rendered bool
	width    int // visible width of the last bar line, to clear it
	finished bool
}

// NewBar starts a bar for a transfer of total bytes (-1: unknown).
func NewBar(w io.Writer, mode ProgressMode, label string, total int64) *Bar {
	return newBar(w, mode, label, total, time.Now)
}

func newBar(w io.Writer, mode ProgressMode, label string, total int64, now func() time.Time) *Bar {
	return &Bar{w: w, mode: mode, label: Clean(label), total: total, now: now, start: now(), lastDone: -1}
}

// SetLabel names the transfer once its name is known.
func (b *Bar) SetLabel(label string) {
	b.mu.Lock()
	b.label = Clean(label)
	b.mu.Unlock()
}

// SetTotal sets the size once it is known.
func (b *Bar) SetTotal(total int64) {
	b.mu.Lock()
	b.total = total
	b.mu.Unlock()
}

// Set records the bytes done so far and renders when due.
func (b *Bar) Set(done int64) {
	if b == nil || b.mode == ProgressNone {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done = done
	now := b.now()
	every := BarInterval
	if b.mode == ProgressLines {
		every = LineInterval
	}
	if b.rendered && now.Sub(b.last) < every {
		return
	}
	b.render(now, false)
}

// Finish renders the final state: done bytes, or the failure.
func (b *Bar) Finish(done int64, err error) {
	if b == nil || b.mode == ProgressNone {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if done >= 0 {
		b.done = done
	}
	if err == nil && b.total < 0 {
		b.total = b.done
	}
	now := b.now()
	if err != nil {
		// The error itself is printed by the caller; a bar that was shown
		// gives way to a line saying how far it got.
		if !b.rendered {
			return
		}
		if b.mode == ProgressBar {
			fmt.Fprint(b.w, "\r"+strings.Repeat(" ", b.width)+"\r")
		}
		fmt.Fprintf(b.w, "%s: failed after %s\n", b.label, FormatBytes(b.done))
		return
	}
	if b.mode == ProgressLines && b.rendered && b.lastDone == b.done {
		return // the last line already said it
	}
	b.render(now, true)
}

func (b *Bar) render(now time.Time, final bool) {
	b.last, b.lastDone, b.rendered = now, b.done, true
	elapsed := now.Sub(b.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(b.done) / s
	}
	var parts []string
	pct := -1
	if b.total > 0 {
		pct = int(min(100, b.done*100/b.total))
	} else if b.total == 0 && final {
		pct = 100
	}
	if pct >= 0 {
		parts = append(parts, fmt.Sprintf("%3d%%", pct))
		parts = append(parts, FormatBytes(b.done)+" / "+FormatBytes(b.total))
	} else {
		parts = append(parts, FormatBytes(b.done))
	}
	if rate > 0 {
		parts = append(parts, FormatBytes(int64(rate))+"/s")
	}
	switch {
	case final:
		parts = append(parts, "in "+formatElapsed(elapsed))
	case b.total > 0 && rate > 0 && b.done < b.total:
		parts = append(parts, "ETA "+formatETA(time.Duration(float64(b.total-b.done)/rate*float64(time.Second))))
	}
	if b.mode == ProgressLines {
		fmt.Fprintf(b.w, "%s: %s\n", b.label, strings.Join(parts, ", "))
		return
	}
	line := truncate(b.label, 24) + "  "
	if pct >= 0 {
		const cells = 20
		full := pct * cells / 100
		line += "[" + strings.Repeat("=", full)
		if full < cells {
			line += ">" + strings.Repeat(" ", cells-full-1)
		}
		line += "]  "
	}
	line += strings.Join(parts, "  ")
	pad := ""
	if w := utf8.RuneCountInString(line); w < b.width {
		pad = strings.Repeat(" ", b.width-w)
	}
	b.width = utf8.RuneCountInString(line)
	fmt.Fprint(b.w, "\r"+line+pad)
	if final {
		fmt.Fprint(b.w, "\n")
	}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
