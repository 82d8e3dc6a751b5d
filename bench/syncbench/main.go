// Command syncbench measures folder sync on the source machine against a
// real node, each figure next to a baseline taken in the same run:
//
//   - initial backup of a folder of many small files and of one big file,
//     as files/s and MB/s, next to sha256sum reading the same files;
//   - the time from a file's close to its manifest being published
//     (median and 95th percentile, default settings).
//
// It prints one line per figure for people, each figure again as a METRIC
// line for bench/run.sh's table, and exits non-zero only when it could not
// measure. bench/run.sh runs it; the rescan of unchanged files is a Go
// benchmark of internal/app/folders (BenchmarkRescan).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func main() {
	bin := flag.String("bin", "", "the archivist binary (runs the node)")
	dir := flag.String("dir", os.TempDir(), "scratch directory")
	small := flag.Int("small", 10000, "files in the small-files folder")
	smallKiB := flag.Int("small-kib", 4, "size of each small file in KiB")
	bigMiB := flag.Int("big-mib", 1024, "size of the big file in MiB")
	samples := flag.Int("latency-samples", 20, "files written one by one for the latency figure")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "syncbench: -bin is required")
		os.Exit(2)
	}
	if err := run(*bin, *dir, *small, *smallKiB, *bigMiB, *samples); err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, small, smallKiB, bigMiB, samples int) error {
	work, err := os.MkdirTemp(dir, "syncbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	smallDir := filepath.Join(work, "small")
	if err := scratch.WriteFiles(smallDir, small, smallKiB<<10); err != nil {
		return err
	}
	bigDir := filepath.Join(work, "big")
	if err := scratch.WriteFiles(bigDir, 1, bigMiB<<20); err != nil {
		return err
	}

	for _, c := range []struct {
		name  string
		key   string // the METRIC names' prefix
		dir   string
		files int
		bytes int64
	}{
		{fmt.Sprintf("initial backup, %d files of %d KiB", small, smallKiB), "sync_small", smallDir, small, int64(small) * int64(smallKiB) << 10},
		{fmt.Sprintf("initial backup, one %d MiB file", bigMiB), "sync_big", bigDir, 1, int64(bigMiB) << 20},
	} {
		base, err := scratch.Sha256sum(c.dir)
		if err != nil {
			return err
		}
		took, err := initialBackup(bin, work, c.dir, c.files)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		mb := float64(c.bytes) / 1e6
		fmt.Printf("%-45s %8.1f files/s %8.1f MB/s   sha256sum %8.1f MB/s   ratio %.2fx\n",
			c.name, float64(c.files)/took.Seconds(), mb/took.Seconds(), mb/base.Seconds(), base.Seconds()/took.Seconds())
		if c.files > 1 { // files/s of one file says nothing
			scratch.Metric(c.key+"_files_per_s", float64(c.files)/took.Seconds(), "files/s")
			scratch.Metric(c.key+"_sha256sum_files_per_s", float64(c.files)/base.Seconds(), "files/s")
		}
		scratch.Metric(c.key+"_mb_s", mb/took.Seconds(), "MB/s")
		scratch.Metric(c.key+"_sha256sum_mb_s", mb/base.Seconds(), "MB/s")
	}

	lat, err := latency(bin, work, samples)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	fmt.Printf("%-45s median %v   p95 %v   (%d files)\n", "file closed → manifest published", lat[len(lat)/2].Round(time.Millisecond),
		lat[len(lat)*95/100].Round(time.Millisecond), len(lat))
	scratch.Metric("sync_manifest_p50_s", lat[len(lat)/2].Seconds(), "s")
	scratch.Metric("sync_manifest_p95_s", lat[len(lat)*95/100].Seconds(), "s")
	return nil
}

// env is a fresh node and folder service.
type env struct {
	svc     *folders.Service
	cancel  func()
	mu      sync.Mutex
	publish map[uint64]time.Time
}

func start(bin, work string) (*env, error) {
	home, err := os.MkdirTemp(work, "home")
	if err != nil {
		return nil, err
	}
	port, err := scratch.FreePort()
	if err != nil {
		return nil, err
	}
	node := exec.Command(bin, "node", "--data-dir", filepath.Join(home, "node"), "--api-port", strconv.Itoa(port),
		"--nat=none", "--mdns=false", "--listen-addrs=/ip4/127.0.0.1/tcp/0", "--log-level", "warn")
	node.Stdout, node.Stderr = io.Discard, io.Discard
	if err := node.Start(); err != nil {
		return nil, err
	}
	client := nodeclient.New("127.0.0.1:" + strconv.Itoa(port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := client.Space(context.Background()); err == nil {
			break
		}
		if time.Now().After(deadline) {
			node.Process.Kill()
			return nil, errors.New("the node API did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	db, err := state.Open(filepath.Join(home, state.FileName))
	if err != nil {
		return nil, err
	}
	cfg := config.Default(filepath.Join(home, "node"))
	cfg.Sync.BackupEnabled = true
	e := &env{publish: map[uint64]time.Time{}}
	e.svc, err = folders.New(folders.Options{DB: db, Config: func() config.Config { return cfg },
		Node: func() (*nodeclient.Client, error) { return client, nil },
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnManifest: func(_ string, seq uint64) {
			e.mu.Lock()
			e.publish[seq] = time.Now()
			e.mu.Unlock()
		}})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.svc.Run(ctx); close(done) }()
	e.cancel = func() {
		cancel()
		<-done
		db.Close()
		node.Process.Signal(os.Interrupt)
		node.Wait()
	}
	return e, nil
}

// initialBackup times adding dir until all its files are uploaded.
func initialBackup(bin, work, dir string, files int) (time.Duration, error) {
	e, err := start(bin, work)
	if err != nil {
		return 0, err
	}
	defer e.cancel()
	begin := time.Now()
	f, err := e.svc.Add(context.Background(), dir)
	if err != nil {
		return 0, err
	}
	for {
		g, err := e.svc.Get(f.ID)
		if err != nil {
			return 0, err
		}
		if g.SyncedFiles == files && g.PendingFiles == 0 {
			return time.Since(begin), nil
		}
		if g.FailedFiles > 0 {
			failed, _ := e.svc.Failed(f.ID)
			return 0, fmt.Errorf("uploads failed: %+v", failed[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// latency writes files one at a time and measures each from its close to
// the manifest that holds it.
func latency(bin, work string, n int) ([]time.Duration, error) {
	e, err := start(bin, work)
	if err != nil {
		return nil, err
	}
	defer e.cancel()
	dir, _ := os.MkdirTemp(work, "latency")
	f, err := e.svc.Add(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := range n {
		g, _ := e.svc.Get(f.ID)
		want := g.ManifestSequence + 1
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("note%03d.txt", i)), []byte(fmt.Sprint("note ", i, time.Now())), 0o644); err != nil {
			return nil, err
		}
		closed := time.Now()
		deadline := closed.Add(30 * time.Second)
		for {
			e.mu.Lock()
			at, ok := e.publish[want]
			e.mu.Unlock()
			if ok {
				out = append(out, at.Sub(closed))
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("no manifest %d within 30 s", want)
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(2100 * time.Millisecond) // past the least interval between manifests
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
