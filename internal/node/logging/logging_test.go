package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTopicDirectivesAndLiveLevelChange(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(Options{Level: "INFO;TRACE:blockexc", Stderr: &buf})
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("hidden")
	l.With("topic", "blockexc").Debug("shown-topic")
	l.With("topic", "repo").Debug("hidden-topic")
	l.Info("shown-info")
	if err := l.SetLevel("debug"); err != nil {
		t.Fatal(err)
	}
	l.Debug("shown-after-change")
	out := buf.String()
	for _, want := range []string{"shown-topic", "shown-info", "shown-after-change"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
	for _, not := range []string{"msg=hidden "} {
		if strings.Contains(out, not) {
			t.Errorf("unexpected %q in %s", not, out)
		}
	}
	if strings.Contains(out, "hidden-topic") || strings.Contains(out, "msg=hidden\n") {
		t.Errorf("filtered lines leaked: %s", out)
	}
	if l.SetLevel("loud") == nil {
		t.Error("bad level accepted")
	}
}

func TestLogFileGetsTheLinesToo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.log")
	var buf bytes.Buffer
	l, err := New(Options{Level: "notice", File: path, Stderr: &buf, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("below notice")
	l.Log(nil, levels["notice"], "a notice")
	l.Close()
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"level":"NOTICE"`) || strings.Contains(string(b), "below notice") || buf.String() != string(b) {
		t.Fatalf("file %q stderr %q", b, buf.String())
	}
}

func TestLevelSyntax(t *testing.T) {
	for _, ok := range []string{"DEBUG", "info", "DEBUG;TRACE:archivist", "warn;DEBUG:blockexc,discovery;trace:node"} {
		if _, err := ParseLevel(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "verbose", "DEBUG;archivist", "DEBUG;TRACE:", "DEBUG;loud:x"} {
		if _, err := ParseLevel(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
