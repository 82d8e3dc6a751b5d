// Command appbench measures the app itself, on loopback, at default
// settings:
//
//   - cold start: from exec of `archivist serve` until GET /api/node/status
//     says running and GET / serves the UI's index page. The first start
//     of a fresh home (it creates keys and the node's store) and the median
//     of later starts of the same home are reported apart; the page cache
//     is warm for both (dropping it would disturb everything else running
//     on the machine);
//   - idle cost: with a folder of small files watched and uploaded and
//     nothing changing, the CPU time of the app and of its node over a
//     window, from utime+stime in /proc/<pid>/stat, as % of one core, and
//     their resident memory at the end.
//
// It prints one line per figure for people and each again as a METRIC line
// for bench/run.sh's table; it exits non-zero only when it could not
// measure.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
)

func main() {
	bin := flag.String("bin", "", "the archivist binary")
	dir := flag.String("dir", os.TempDir(), "scratch directory")
	starts := flag.Int("starts", 5, "restarts of the same home timed after the first start")
	files := flag.Int("files", 1000, "small files in the watched folder")
	idle := flag.Duration("idle", 30*time.Second, "window over which idle CPU is measured")
	flag.Parse()
	if *bin == "" || *starts < 1 || *files < 1 || *idle < time.Second {
		fmt.Fprintln(os.Stderr, "appbench: -bin is required; -starts and -files must be >= 1, -idle >= 1s")
		os.Exit(2)
	}
	if err := run(*bin, *dir, *starts, *files, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "appbench:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, starts, files int, idle time.Duration) error {
	work, err := os.MkdirTemp(dir, "appbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	home := filepath.Join(work, "home")
	if err := scratch.WriteAppConfig(home, false); err != nil {
		return err
	}

	a, err := scratch.StartApp(bin, home)
	if err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	first := a.Ready
	a.Stop()
	var later []time.Duration
	for i := range starts {
		a, err := scratch.StartApp(bin, home)
		if err != nil {
			return fmt.Errorf("start %d: %w", i+2, err)
		}
		later = append(later, a.Ready)
		a.Stop()
	}
	sort.Slice(later, func(i, j int) bool { return later[i] < later[j] })
	med := later[len(later)/2]
	fmt.Printf("%-45s first %v   then median %v of %d (max %v)\n", "cold start → node running, UI served",
		first.Round(time.Millisecond), med.Round(time.Millisecond), len(later), later[len(later)-1].Round(time.Millisecond))
	scratch.Metric("cold_start_first_s", first.Seconds(), "s")
	scratch.Metric("cold_start_s", med.Seconds(), "s")

	return idleCost(bin, home, work, files, idle)
}

// idleCost starts the app, gives it a folder, waits until every file is
// backed up and the app has settled, and then measures what doing nothing
// costs.
func idleCost(bin, home, work string, files int, window time.Duration) error {
	ctx := context.Background()
	folder := filepath.Join(work, "watched")
	if err := scratch.WriteFiles(folder, files, 4<<10); err != nil {
		return err
	}
	a, err := scratch.StartApp(bin, home)
	if err != nil {
		return err
	}
	defer a.Stop()
	f, err := a.C.AddFolder(ctx, folder)
	if err != nil {
		return fmt.Errorf("adding the folder: %w", err)
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		st, err := a.C.Sync(ctx)
		if err != nil {
			return err
		}
		done := false
		for _, g := range st.Folders {
			if g.ID == f.ID && g.SyncedFiles == files && g.PendingFiles == 0 {
				done = true
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the folder of %d files was not backed up within 10 minutes", files)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The last upload's manifest, index writes and the Go runtime's
	// background work (GC, scavenger) settle within a few seconds.
	time.Sleep(5 * time.Second)

	node, err := a.C.NodeStatus(ctx)
	if err != nil {
		return err
	}
	pids := []struct {
		name string
		pid  int
	}{{"app", a.Cmd.Process.Pid}, {"node", node.PID}}
	before := make([]float64, len(pids))
	for i, p := range pids {
		if before[i], err = scratch.CPUSeconds(p.pid); err != nil {
			return err
		}
	}
	begin := time.Now()
	time.Sleep(window)
	elapsed := time.Since(begin).Seconds()
	for i, p := range pids {
		after, err := scratch.CPUSeconds(p.pid)
		if err != nil {
			return err
		}
		rss, err := scratch.RSSMiB(p.pid)
		if err != nil {
			return err
		}
		pct := 100 * (after - before[i]) / elapsed
		fmt.Printf("%-45s %.2f%% of one core over %.0f s   RSS %.1f MiB\n",
			fmt.Sprintf("idle %s, %d files watched", p.name, files), pct, elapsed, rss)
		scratch.Metric(p.name+"_idle_cpu_pct", pct, "%")
		scratch.Metric(p.name+"_idle_rss_mib", rss, "MiB")
	}
	return nil
}
