// Package logging sets up the node's log/slog output the way archivist-node's
// flags describe it: --log-level with chronicles-style topic directives
// ("INFO;TRACE:blockexc,discovery"), --log-format, and --log-file as a second
// destination. The level can be changed while running (the REST API's
// /debug/chronicles/loglevel); a logger's topic is its "topic" attribute.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Archivist's levels mapped onto slog's scale.
var levels = map[string]slog.Level{
	"trace": slog.LevelDebug - 4, "debug": slog.LevelDebug, "info": slog.LevelInfo,
	"notice": slog.LevelInfo + 2, "warn": slog.LevelWarn, "error": slog.LevelError, "fatal": slog.LevelError + 4,
}

// Filter is a parsed log level: a default and per-topic overrides.
type Filter struct {
	Default slog.Level
	Topics  map[string]slog.Level
}

// ParseLevel reads "LEVEL[;LEVEL:topic[,topic]…]".
func ParseLevel(s string) (Filter, error) {
	f := Filter{Topics: map[string]slog.Level{}}
	for i, part := range strings.Split(s, ";") {
		lvlText, topics, hasTopics := strings.Cut(part, ":")
		lvl, ok := levels[strings.ToLower(strings.TrimSpace(lvlText))]
		if !ok {
			return Filter{}, fmt.Errorf("unknown log level %q: use trace, debug, info, notice, warn, error or fatal", lvlText)
		}
		if i == 0 && !hasTopics {
			f.Default = lvl
			continue
		}
		if strings.TrimSpace(topics) == "" {
			return Filter{}, fmt.Errorf("log level directive %q needs topics (LEVEL:topic)", part)
		}
		for _, t := range strings.Split(topics, ",") {
			if t = strings.TrimSpace(t); t != "" {
				f.Topics[t] = lvl
			}
		}
	}
	return f, nil
}

// Logger is the node's root logger with a changeable level.
type Logger struct {
	*slog.Logger
	filter atomic.Pointer[Filter]
	close  func() error
}

// Options configure New.
type Options struct {
	Level  string // archivist syntax
	Format string // auto, colors, nocolors, json, none
	File   string // extra destination, appended to
	Stderr io.Writer
}

// New builds the logger.
func New(opts Options) (*Logger, error) {
	f, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, err
	}
	l := &Logger{close: func() error { return nil }}
	l.filter.Store(&f)
	var out io.Writer = opts.Stderr
	if out == nil {
		out = os.Stderr
	}
	if opts.Format == "none" {
		out = io.Discard
	}
	if opts.File != "" {
		file, err := os.OpenFile(opts.File, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--log-file: %w", err)
		}
		out = io.MultiWriter(out, file)
		l.close = file.Close
	}
	out = &lockedWriter{w: out}
	hopts := &slog.HandlerOptions{Level: slog.Level(-100), ReplaceAttr: levelNames}
	var h slog.Handler = slog.NewTextHandler(out, hopts)
	if opts.Format == "json" {
		h = slog.NewJSONHandler(out, hopts)
	}
	l.Logger = slog.New(&topicHandler{inner: h, filter: &l.filter})
	return l, nil
}

// SetLevel changes the level while running.
func (l *Logger) SetLevel(s string) error {
	f, err := ParseLevel(s)
	if err != nil {
		return err
	}
	l.filter.Store(&f)
	return nil
}

// Close closes the log file, if any.
func (l *Logger) Close() error { return l.close() }

// levelNames prints archivist's names for the levels slog lacks.
func levelNames(_ []string, a slog.Attr) slog.Attr {
	if a.Key != slog.LevelKey {
		return a
	}
	lvl, _ := a.Value.Any().(slog.Level)
	for name, v := range levels {
		if v == lvl {
			a.Value = slog.StringValue(strings.ToUpper(name))
		}
	}
	return a
}

// topicHandler applies the filter using the logger's "topic" attribute.
type topicHandler struct {
	inner  slog.Handler
	filter *atomic.Pointer[Filter]
	topic  string
}

func (h *topicHandler) Enabled(_ context.Context, lvl slog.Level) bool {
	f := h.filter.Load()
	if t, ok := f.Topics[h.topic]; ok && h.topic != "" {
		return lvl >= t
	}
	return lvl >= f.Default
}

func (h *topicHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.Handle(ctx, r)
}

func (h *topicHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	for _, a := range attrs {
		if a.Key == "topic" {
			n.topic = a.Value.String()
		}
	}
	n.inner = h.inner.WithAttrs(attrs)
	return &n
}

func (h *topicHandler) WithGroup(name string) slog.Handler {
	n := *h
	n.inner = h.inner.WithGroup(name)
	return &n
}

// lockedWriter keeps lines from two handlers (after With) from interleaving
// inside a MultiWriter.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
