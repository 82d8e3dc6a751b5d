// Command scalebench measures Archivist at the scale of a real home folder,
// through a real `archivist serve` (its own home, its own node, loopback
// only) driven through the UI API as the CLI drives it:
//
//   - initial backup of a watched tree (default 100,000 files, 10 GiB, a
//     realistic mix of sizes) until every file is synced: time, files/s,
//     MB/s (next to sha256sum over the same files), and the peak RSS of
//     the app and of its node, each on its own; the app must stay under
//     300 MiB;
//   - a restart (SIGTERM, start again) until the rescan has finished: its
//     time, and proof that nothing was uploaded again — the node's block
//     count and bytes, the folder's counters and manifest sequence are
//     exactly as before, and the app uploaded nothing since it started;
//   - one big file (default 10 GiB) uploaded through the app and streamed
//     back, byte count and SHA-256 checked, next to sha256sum of the same
//     file, with the RSS growth of the app and of the node over idle.
//
// It prints a summary and one `METRIC name value unit` line per figure (the
// format every bench shares, read by `make bench`'s table). Missed targets
// print MISSED and do not fail the run; it exits non-zero only when it
// could not measure or a property broke (a file not backed up, a rescan
// that uploaded, a download that differs).
//
// Knobs, flags over environment: -files (SCALE_FILES), -total-mib
// (SCALE_TOTAL_MIB), -big-mib (SCALE_BIG_MIB, 0 skips the big file), -dir
// (SCALE_DIR, else BENCH_DIR, else the temp dir), -bin (ARCHIVIST_BIN, else
// built from this tree). A small run — -files 2000 -total-mib 200 -big-mib
// 256 — takes well under a minute; the full one (`make bench-scale`) needs
// about 2.2× the larger of the tree and the big file free on disk (the
// files, and the node's copy of them), and says so before it starts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/app/paths"
)

// config is one run's shape.
type config struct {
	bin      string // the archivist binary
	dir      string // where the scratch directory is made
	files    int    // files in the watched tree
	total    int64  // bytes in the watched tree
	big      int64  // bytes in the big file; 0 skips that part
	seed     uint64 // the test data's seed
	progress io.Writer
}

// Targets of issue 10 (the app's memory) and of the node bench (flat
// memory while a big file streams: growth under 100 MiB).
const (
	appRSSTargetMiB  = 300
	flatGrowthTarget = 100
)

func main() {
	cfg := config{seed: 1, progress: os.Stderr}
	files := flag.Int("files", envInt("SCALE_FILES", 100000), "files in the watched tree")
	totalMiB := flag.Int64("total-mib", int64(envInt("SCALE_TOTAL_MIB", 10240)), "size of the watched tree in MiB")
	bigMiB := flag.Int64("big-mib", int64(envInt("SCALE_BIG_MIB", 10240)), "size of the single big file in MiB (0: skip)")
	flag.StringVar(&cfg.dir, "dir", firstNonEmpty(os.Getenv("SCALE_DIR"), os.Getenv("BENCH_DIR"), os.TempDir()), "scratch directory")
	flag.StringVar(&cfg.bin, "bin", os.Getenv("ARCHIVIST_BIN"), "the archivist binary (default: built from this tree)")
	flag.Parse()
	cfg.files, cfg.total, cfg.big = *files, *totalMiB<<20, *bigMiB<<20
	if cfg.files <= 0 || cfg.total < int64(cfg.files) || cfg.big < 0 {
		fmt.Fprintln(os.Stderr, "scalebench: -files must be > 0, -total-mib must give each file a byte, -big-mib >= 0")
		os.Exit(2)
	}
	res, err := run(context.Background(), cfg)
	if res != nil {
		res.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (c config) logf(format string, args ...any) {
	if c.progress != nil {
		fmt.Fprintf(c.progress, "[scale %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// run measures everything, in a scratch directory removed at the end. The
// result holds what was measured even when a later part failed.
func run(ctx context.Context, cfg config) (*result, error) {
	sizes, err := scratch.TreeSizes(cfg.files, cfg.total, cfg.seed)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(cfg.dir, "scalebench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := checkDisk(work, cfg, sizes); err != nil {
		return nil, err
	}
	if cfg.bin == "" {
		if cfg.bin, err = build(work); err != nil {
			return nil, err
		}
	}
	res := &result{cfg: cfg}
	if err := treeRun(ctx, cfg, work, sizes, res); err != nil {
		return res, err
	}
	if cfg.big > 0 {
		if err := bigRun(ctx, cfg, work, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// blockSize is the node's block: every dataset is stored in blocks of
// 64 KiB, the last one zero-padded, plus a manifest block (the reference
// node's format, spec §5). The node's quota counts a 1 KiB file as 64 KiB
// and change; its packs keep the file's bytes only, without the padding.
const blockSize = 64 << 10

// stored is what the node's quota counts for files of these sizes: padded
// blocks, and a manifest each (a few hundred bytes; a block's worth is an
// upper bound).
func stored(sizes ...int64) int64 {
	var n int64
	for _, s := range sizes {
		n += ((s+blockSize-1)/blockSize + 1) * blockSize
	}
	return n
}

// onDisk bounds what the node's data directory takes for files of these
// sizes: their bytes (the padding is not stored) and 2 KiB a file for its
// manifest and metadata.
func onDisk(sizes ...int64) int64 {
	var n int64
	for _, s := range sizes {
		n += s + 2<<10
	}
	return n
}

// need is the disk a run takes at its peak: the parts run one after the
// other and each is removed before the next, so the larger of the tree
// and the big file, each once as files and once in the node, with a tenth
// for the file system's and the node's metadata.
func need(cfg config, sizes []int64) int64 {
	tree := cfg.total + onDisk(sizes...)
	big := cfg.big + onDisk(cfg.big)
	return max(tree, big)*11/10 + 1<<30
}

func checkDisk(dir string, cfg config, sizes []int64) error {
	free, err := paths.DiskFree(dir)
	if err != nil {
		return fmt.Errorf("free space of %s: %w", dir, err)
	}
	if n := need(cfg, sizes); int64(free) < n {
		return fmt.Errorf("need %.1f GiB free in %s for a %.1f GiB tree of %d files and a %.1f GiB file (each on disk and in the node's 64 KiB blocks, one after the other), have %.1f GiB: set -dir/SCALE_DIR or smaller sizes",
			gib(n), dir, gib(cfg.total), cfg.files, gib(cfg.big), gib(int64(free)))
	}
	return nil
}

func gib(n int64) float64 { return float64(n) / (1 << 30) }

// quotaGiB is the node's storage quota for what a part stores: its blocks,
// with a tenth to spare, in whole GiB (node.max_storage_gb).
func quotaGiB(bytes int64) int { return int((bytes*11/10)>>30) + 1 }

// build compiles ./cmd/archivist of this tree (no embedded UI: the bench
// drives the API only).
func build(work string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot find the source tree to build archivist from: pass -bin")
	}
	out := filepath.Join(work, "archivist")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/archivist")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ./cmd/archivist: %v\n%s", err, b)
	}
	return out, nil
}
