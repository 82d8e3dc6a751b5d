package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// testLog sends the bench's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestScaleSmall is the scale run at a size `make test` affords: a real
// `archivist serve` backs up a tree of 2,000 files (200 MiB, the full
// run's mix of sizes), is restarted, and uploads and streams back a
// 256 MiB file. It asserts the properties the full run measures: every
// file reaches the node (listed at its size, a sample byte for byte), the
// app stays under 300 MiB, the restart re-uploads nothing (the node's
// block count and bytes, the folder's counters and manifest sequence are
// exactly as before), and the big file round-trips with flat memory.
func TestScaleSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes and moves 450 MiB")
	}
	cfg := config{
		bin:      nodetest.Binary(t),
		dir:      t.TempDir(),
		files:    2000,
		total:    200 << 20,
		big:      256 << 20,
		seed:     7,
		progress: testLog{t},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res, err := run(ctx, cfg)
	if res != nil {
		var out strings.Builder
		res.print(&out)
		t.Log("\n" + out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if !res.treeDone || res.syncedFiles != cfg.files || res.sampled < 2 {
		t.Errorf("initial backup: done %v, %d of %d files synced, %d streamed back", res.treeDone, res.syncedFiles, cfg.files, res.sampled)
	}
	if res.appPeakMiB <= 0 || res.appPeakMiB >= appRSSTargetMiB {
		t.Errorf("app peak RSS during the initial backup %.1f MiB, want (0, %d)", res.appPeakMiB, appRSSTargetMiB)
	}
	if !res.rescanDone || res.reuploaded != 0 || !res.countersKept {
		t.Errorf("restart: rescan done %v, %d re-uploaded, counters changed: %q", res.rescanDone, res.reuploaded, res.countersChanged)
	}
	if !res.bigDone || !res.bigRoundTrip || res.bigDownloadedByte != cfg.big {
		t.Errorf("big file: done %v, round trip %v, %d of %d bytes back", res.bigDone, res.bigRoundTrip, res.bigDownloadedByte, cfg.big)
	}
	if res.bigAppGrowthMiB >= flatGrowthTarget || res.bigNodeGrowthMiB >= flatGrowthTarget {
		t.Errorf("a %d MiB file moved with RSS growth app %.1f MiB, node %.1f MiB; want both < %d MiB (flat)",
			cfg.big>>20, res.bigAppGrowthMiB, res.bigNodeGrowthMiB, flatGrowthTarget)
	}
}
