package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

var units = []string{"B", "KB", "MB", "GB", "TB"}

// FormatBytes writes sizes as the UI does: 1024-based, B/KB/MB/GB/TB, at
// most two decimals with trailing zeros dropped ("1.5 KB", "1 MB"); a
// negative (unknown) size is "—".
func FormatBytes(n int64) string {
	if n < 0 {
		return "—"
	}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	r := math.Round(v*100) / 100
	if r >= 1024 && u < len(units)-1 {
		u++
		r = math.Round(v/1024*100) / 100
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + " " + units[u]
}

// FormatUptime writes a duration as the UI does: "1h 2m 3s".
func FormatUptime(d time.Duration) string {
	s := max(0, int64(d/time.Second))
	return fmt.Sprintf("%dh %dm %ds", s/3600, s%3600/60, s%60)
}

// formatElapsed is a short duration: "0.4s" below ten seconds, else as
// formatETA.
func formatElapsed(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return formatETA(d)
}

// formatETA is a short remaining time: "42s", "3m05s", "2h07m".
func formatETA(d time.Duration) string {
	s := max(0, int64(math.Ceil(d.Seconds())))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
}

// Table writes aligned columns for people. Cells are sanitised: strings
// that came from peers (file names, nicknames) cannot move the cursor or
// break the columns.
type Table struct {
	tw *tabwriter.Writer
}

// NewTable starts a table with a header row (none when header is empty).
func NewTable(w io.Writer, header ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(header...)
	}
	return t
}

// Row adds a row.
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		cells[i] = Clean(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.tw.Flush() }

// Clean makes an untrusted string safe to print on a terminal: control
// characters (escape sequences, tabs, newlines) become '?'.
func Clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return '?'
		}
		return r
	}, s)
}

// WriteJSON writes an API answer for scripts: the API's own JSON, indented,
// one value per output, ending with a newline.
func WriteJSON(w io.Writer, raw json.RawMessage) error {
	if len(raw) == 0 {
		raw = json.RawMessage("null")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteValue writes a value the CLI composed (not an API answer) as JSON.
func WriteValue(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return WriteJSON(w, b)
}

// WriteJSONLine writes one compact JSON value on its own line: verbs that
// report several results (upload, files rm) print one line per result, so
// a script can read them as they come.
func WriteJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
