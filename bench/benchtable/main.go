package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	format := flag.String("format", "text", "text (aligned columns) or md (a markdown table)")
	syncthing := flag.String("syncthing", "", "heading of the Syncthing column (empty: no column)")
	flag.Parse()
	if *format != "text" && *format != "md" {
		fmt.Fprintln(os.Stderr, "benchtable: -format must be text or md")
		os.Exit(2)
	}
	var in io.Reader = os.Stdin
	if flag.NArg() > 0 {
		var readers []io.Reader
		for _, p := range flag.Args() {
			f, err := os.Open(p)
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchtable:", err)
				os.Exit(1)
			}
			defer f.Close()
			readers = append(readers, f)
		}
		in = io.MultiReader(readers...)
	}
	ms, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	render(os.Stdout, *format, *syncthing, build(rows, ms, *syncthing != ""), unused(rows, ms))
}

// metric is one METRIC line.
type metric struct {
	value float64
	unit  string
}

// parse reads METRIC lines and ignores every other line, so that a
// benchmark's whole output can be fed in. A later value of a name replaces
// an earlier one. A METRIC line that is malformed is an error: a figure
// silently lost would make the table lie by omission.
func parse(r io.Reader) (map[string]metric, error) {
	ms := map[string]metric{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "METRIC" {
			continue
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want \"METRIC <name> <value> <unit>\", got %q", n, sc.Text())
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: metric %s: value %q: %w", n, f[1], f[2], err)
		}
		ms[f[1]] = metric{v, f[3]}
	}
	return ms, sc.Err()
}

func first(ms map[string]metric, names []string) (metric, bool) {
	for _, n := range names {
		if m, ok := ms[n]; ok {
			return m, true
		}
	}
	return metric{}, false
}

// cells are one row's columns as printed.
type cells struct {
	figure, value, baseline, ratio, target, result, syncthing string
}

func build(rs []row, ms map[string]metric, withST bool) []cells {
	var out []cells
	for _, r := range rs {
		c := cells{figure: r.figure, value: "not measured", baseline: "-", ratio: "-", target: "-", result: "-", syncthing: "-"}
		v, ok := first(ms, r.value)
		b, hasBase := first(ms, r.baseline)
		switch r.goal {
		case ratioGE:
			c.target = fmt.Sprintf(">= %.2fx", r.target)
		case atMost:
			unit := v.unit
			if !ok {
				unit = unitOf(r.value[0])
			}
			c.target = "<= " + format(r.target, unit)
		}
		if hasBase {
			c.baseline = format(b.value, b.unit) + " sha256sum"
		}
		if ok {
			c.value = format(v.value, v.unit)
			c.result = "info"
			ratio := 0.0
			if hasBase && b.value > 0 {
				ratio = v.value / b.value
				c.ratio = fmt.Sprintf("%.2fx", ratio)
			}
			switch {
			case r.goal == ratioGE && !hasBase:
				c.result = "no baseline"
			case r.goal == ratioGE:
				c.result = passed(ratio >= r.target)
			case r.goal == atMost:
				c.result = passed(v.value <= r.target)
			}
		} else if r.goal != info {
			c.result = "-"
		}
		if withST {
			if s, ok := first(ms, r.syncthing); ok {
				c.syncthing = format(s.value, s.unit)
				if sb, ok := first(ms, r.stBase); ok && sb.value > 0 {
					c.syncthing += fmt.Sprintf(" (%.2fx)", s.value/sb.value)
				}
			} else if len(r.syncthing) > 0 {
				c.syncthing = "not measured"
			}
		}
		out = append(out, c)
	}
	return out
}

// unitOf guesses a metric's unit from its name's suffix, for the target of
// a row nothing was measured for.
func unitOf(name string) string {
	// Longest suffix first: "_mib_s" before "_s".
	for _, u := range []struct{ suffix, unit string }{
		{"_mib_s", "MiB/s"}, {"_mb_s", "MB/s"}, {"_mib", "MiB"}, {"_pct", "%"}, {"_s", "s"},
	} {
		if strings.HasSuffix(name, u.suffix) {
			return u.unit
		}
	}
	return ""
}

func passed(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISSED"
}

// unused lists the metrics no row shows, baselines included in "shown".
func unused(rs []row, ms map[string]metric) []string {
	shown := map[string]bool{}
	for _, r := range rs {
		for _, l := range [][]string{r.value, r.baseline, r.syncthing, r.stBase} {
			for _, n := range l {
				shown[n] = true
			}
		}
	}
	var out []string
	for n, m := range ms {
		if !shown[n] {
			out = append(out, n+" "+format(m.value, m.unit))
		}
	}
	sort.Strings(out)
	return out
}

// format prints a value with the precision its unit deserves.
func format(v float64, unit string) string {
	switch unit {
	case "s":
		if v < 10 {
			return fmt.Sprintf("%.3f s", v)
		}
		return fmt.Sprintf("%.1f s", v)
	case "%":
		return fmt.Sprintf("%.2f%%", v)
	case "files/s":
		return fmt.Sprintf("%.0f files/s", v)
	case "":
		return strconv.FormatFloat(v, 'g', 4, 64)
	default:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
}

func render(w io.Writer, format, stHeading string, cs []cells, extra []string) {
	head := []string{"figure", "value", "baseline", "ratio", "target", "result"}
	if stHeading != "" {
		head = append(head, stHeading)
	}
	rowsOf := [][]string{head}
	for _, c := range cs {
		r := []string{c.figure, c.value, c.baseline, c.ratio, c.target, c.result}
		if stHeading != "" {
			r = append(r, c.syncthing)
		}
		rowsOf = append(rowsOf, r)
	}
	if format == "md" {
		for i, r := range rowsOf {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			if i == 0 {
				fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(r)))
			}
		}
	} else {
		width := make([]int, len(head))
		for _, r := range rowsOf {
			for i, c := range r {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
		for i, r := range rowsOf {
			var b strings.Builder
			for j, c := range r {
				if j > 0 {
					b.WriteString(" | ")
				}
				b.WriteString(c + strings.Repeat(" ", width[j]-len([]rune(c))))
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
			if i == 0 {
				var sep []string
				for _, n := range width {
					sep = append(sep, strings.Repeat("-", n))
				}
				fmt.Fprintln(w, strings.Join(sep, "-|-"))
			}
		}
	}
	if len(extra) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Other figures of this run:")
		for _, e := range extra {
			if format == "md" {
				fmt.Fprintf(w, "- %s\n", e)
			} else {
				fmt.Fprintf(w, "  %s\n", e)
			}
		}
	}
	missed := 0
	for _, c := range cs {
		if c.result == "MISSED" {
			missed++
		}
	}
	if missed > 0 {
		fmt.Fprintf(w, "\nMISSED: %d target(s) not met (see the result column)\n", missed)
	}
}
