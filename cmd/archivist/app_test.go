package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
)

// A second desktop launch on a home that a headless `archivist serve` holds
// finds it through its instance file and API, and says so instead of
// waiting or starting a second app on the same data. (With a window there,
// the hand-over itself is e2e/desktop-smoke.sh's.)
func TestSecondLaunchOnAHeadlessHome(t *testing.T) {
	home := startCLIApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	err := showRunning(ctx, appFlags{home: home})
	if err == nil || !strings.Contains(err.Error(), "without a window") {
		t.Fatalf("showRunning = %v, want the running headless instance named", err)
	}
	layout, _ := paths.ForHome(home)
	c, cerr := cli.Connect(layout)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if !strings.Contains(err.Error(), c.URL()) {
		t.Fatalf("%v: does not say where it runs (%s)", err, c.URL())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v: a headless instance answers at once", d)
	}
}
