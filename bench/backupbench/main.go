// Command backupbench measures the backup flow between two machines — a
// source and a backup server, each a real `archivist serve` with its own
// node, paired as a user pairs them, default settings — each figure next to
// a baseline taken in the same run. With -netns the two machines are two
// network namespaces on a bridge (internal/testnet), as bench/stbench
// runs Syncthing's; without it, or where namespaces cannot be made, two
// process trees on loopback.
//
//   - the time from a file written on the source to its content stored on
//     the backup server (median and 95th percentile);
//   - the backup of a 1 GiB folder from the source's first look at it to
//     the backup server holding every file, as MB/s, next to sha256sum
//     reading the same files.
//
// It also reports the peak resident memory of both apps and both nodes.
// It prints one line per figure for people, each figure again as a METRIC
// line for bench/run.sh's table, and exits non-zero only when it could not
// measure. bench/run.sh runs it.
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
	"github.com/archivist-desktop/archivist/internal/testnet"
)

func main() {
	bin := flag.String("bin", "", "the archivist binary")
	dir := flag.String("dir", os.TempDir(), "scratch directory")
	sizeMiB := flag.Int("mib", 1024, "size of the folder in MiB")
	files := flag.Int("files", 16, "files in the folder")
	samples := flag.Int("latency-samples", 20, "files written one by one for the latency figure")
	netns := flag.Bool("netns", false, "run the two machines in network namespaces (needs root; loopback otherwise)")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "backupbench: -bin is required")
		os.Exit(2)
	}
	a, b, done := testnet.Hosts(*netns, "backupbench")
	defer done()
	if err := run(*bin, *dir, *sizeMiB, *files, *samples, a, b); err != nil {
		done()
		fmt.Fprintln(os.Stderr, "backupbench:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, sizeMiB, files, samples int, hostA, hostB testnet.Host) error {
	work, err := os.MkdirTemp(dir, "backupbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ctx := context.Background()

	source, err := startApp(hostA, bin, work, "source", false)
	if err != nil {
		return err
	}
	defer source.Stop()
	server, err := startApp(hostB, bin, work, "server", true)
	if err != nil {
		return err
	}
	defer server.Stop()
	if err := pair(ctx, source, server); err != nil {
		return err
	}

	lat, err := latency(ctx, work, source, server, samples)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	fmt.Printf("%-45s median %v   p95 %v   (%d files, target median < 2s)\n", "file written on A → stored on B",
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*95/100].Round(time.Millisecond), len(lat))
	scratch.Metric("backup_latency_p50_s", lat[len(lat)/2].Seconds(), "s")
	scratch.Metric("backup_latency_p95_s", lat[len(lat)*95/100].Seconds(), "s")

	big := filepath.Join(work, "big")
	if err := scratch.WriteFiles(big, files, (sizeMiB<<20)/files); err != nil {
		return err
	}
	base, err := scratch.Sha256sum(big)
	if err != nil {
		return err
	}
	took, err := backup(ctx, source, server, big, files)
	if err != nil {
		return fmt.Errorf("folder backup: %w", err)
	}
	mb := float64(int64(sizeMiB)<<20) / 1e6
	fmt.Printf("%-45s %8.1f MB/s   sha256sum %8.1f MB/s   ratio %.2fx\n",
		fmt.Sprintf("backup A→B of a %d MiB folder (%d files)", sizeMiB, files), mb/took.Seconds(), mb/base.Seconds(), base.Seconds()/took.Seconds())
	scratch.Metric("backup_mb_s", mb/took.Seconds(), "MB/s")
	scratch.Metric("backup_sha256sum_mb_s", mb/base.Seconds(), "MB/s")
	return peaks(ctx, source, server)
}

// peaks prints the high-water mark of resident memory of each side's app
// and node over the whole run (latency and the folder backup), which the
// kernel keeps exactly; a sampler could miss a short peak.
func peaks(ctx context.Context, source, server *app) error {
	for _, side := range []struct {
		name string
		a    *app
	}{{"source", source}, {"server", server}} {
		st, err := side.a.C.NodeStatus(ctx)
		if err != nil {
			return fmt.Errorf("%s node status: %w", side.name, err)
		}
		appMiB, err := scratch.PeakRSSMiB(side.a.Cmd.Process.Pid)
		if err != nil {
			return err
		}
		nodeMiB, err := scratch.PeakRSSMiB(st.PID)
		if err != nil {
			return err
		}
		fmt.Printf("%-45s app %.1f MiB   node %.1f MiB\n", "peak RSS, "+side.name, appMiB, nodeMiB)
		scratch.Metric("backup_"+side.name+"_app_peak_rss_mib", appMiB, "MiB")
		scratch.Metric("backup_"+side.name+"_node_peak_rss_mib", nodeMiB, "MiB")
	}
	return nil
}

// app is one `archivist serve` with its own home.
type app = scratch.App

func startApp(h testnet.Host, bin, work, name string, backupServer bool) (*app, error) {
	home := filepath.Join(work, name)
	if err := scratch.WriteAppConfig(home, backupServer); err != nil {
		return nil, err
	}
	return scratch.StartAppOn(h, bin, home)
}

// pair pastes the server's code on the source and approves it on the
// server, as a user does.
func pair(ctx context.Context, source, server *app) error {
	code, err := server.C.DeviceCode(ctx)
	if err != nil {
		return err
	}
	own, err := source.C.DeviceCode(ctx)
	if err != nil {
		return err
	}
	if _, err := source.C.AddDevice(ctx, code.Code, "server"); err != nil {
		return fmt.Errorf("pairing: %w", err)
	}
	return server.C.ApproveDevice(ctx, own.DeviceID)
}

// stored is the server's newest version of a folder: its file count.
func stored(ctx context.Context, server *app, folder string) (files int, err error) {
	st, err := server.C.BackupServer(ctx)
	if err != nil {
		return 0, err
	}
	for _, s := range st.Sources {
		for _, f := range s.Folders {
			if f.Name == folder {
				return f.Files, nil
			}
		}
	}
	return 0, nil
}

// latency writes files one at a time on the source and times each until
// the server's newest version holds it.
func latency(ctx context.Context, work string, source, server *app, n int) ([]time.Duration, error) {
	dir := filepath.Join(work, "latency")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := source.C.AddFolder(ctx, dir); err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("note%03d.txt", i)), []byte(fmt.Sprint("note ", i, time.Now())), 0o644); err != nil {
			return nil, err
		}
		written := time.Now()
		for {
			files, err := stored(ctx, server, "latency")
			if err != nil {
				return nil, err
			}
			if files == i+1 {
				out = append(out, time.Since(written))
				break
			}
			if time.Since(written) > 60*time.Second {
				return nil, fmt.Errorf("file %d not on the server after 60 s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(2100 * time.Millisecond) // past the least interval between a folder's manifests
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// backup times a folder from the moment the source is given it until the
// server holds all of its files.
func backup(ctx context.Context, source, server *app, dir string, files int) (time.Duration, error) {
	start := time.Now()
	if _, err := source.C.AddFolder(ctx, dir); err != nil {
		return 0, err
	}
	for {
		n, err := stored(ctx, server, filepath.Base(dir))
		if err != nil {
			return 0, err
		}
		if n == files {
			return time.Since(start), nil
		}
		if time.Since(start) > 30*time.Minute {
			return 0, fmt.Errorf("only %d of %d files on the server after 30 minutes", n, files)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
