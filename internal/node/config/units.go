package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseSize reads a byte size the way archivist-node does (stew's parseSize
// with alwaysBin): a number with an optional unit, where every unit is
// binary, so "8GB" and "8GiB" are both 8·2³⁰ and "1024" is 1024 bytes.
func ParseSize(s string) (uint64, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	if num == "" {
		return 0, fmt.Errorf("invalid size %q: expected a number with an optional unit such as 512MB or 20GiB", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	shift, ok := map[string]uint{
		"": 0, "b": 0,
		"k": 10, "kb": 10, "kib": 10,
		"m": 20, "mb": 20, "mib": 20,
		"g": 30, "gb": 30, "gib": 30,
		"t": 40, "tb": 40, "tib": 40,
		"p": 50, "pb": 50, "pib": 50,
	}[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KB, MB, GB, TB or PB)", s, unit)
	}
	bytes := v * float64(uint64(1)<<shift)
	if bytes >= math.MaxUint64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return uint64(bytes), nil
}

// ParseDuration reads archivist-node's duration syntax: a number with an
// optional unit s, m, h, d or w; a bare number means seconds.
func ParseDuration(s string) (time.Duration, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	if num == "" {
		return 0, fmt.Errorf("invalid duration %q: expected a number with an optional unit s, m, h, d or w", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	unitDur, ok := map[string]time.Duration{
		"": time.Second, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
	}[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use s, m, h, d or w)", s, unit)
	}
	d := v * float64(unitDur)
	if d >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid duration %q: too long", s)
	}
	return time.Duration(d), nil
}

func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	return s[:i], s[i:]
}

// FormatDuration prints a duration in the same syntax, for help texts.
func FormatDuration(d time.Duration) string {
	switch {
	case d%(7*24*time.Hour) == 0 && d != 0:
		return fmt.Sprintf("%dw", d/(7*24*time.Hour))
	case d%(24*time.Hour) == 0 && d != 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0 && d != 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d != 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%gs", d.Seconds())
}

// sizeValue and durationValue let pflag parse the archivist syntaxes.
type sizeValue struct{ p *uint64 }

func (v sizeValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatUint(*v.p, 10)
}
func (v sizeValue) Set(s string) (err error) { *v.p, err = ParseSize(s); return err }
func (v sizeValue) Type() string             { return "size" }

type durationValue struct{ p *time.Duration }

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return FormatDuration(*v.p)
}
func (v durationValue) Set(s string) (err error) { *v.p, err = ParseDuration(s); return err }
func (v durationValue) Type() string             { return "duration" }
