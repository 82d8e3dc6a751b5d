// Command stbench measures Syncthing doing what bench/backupbench measures
// Archivist doing, so that bench/run.sh can put the two side by side: two
// Syncthing instances on the same two machines as backupbench's (network
// namespaces with -netns, else loopback), each with its own home, introduced to each other by device ID
// and address, sharing one folder, with global and local discovery, relays,
// NAT traversal and usage reporting off, everything else at Syncthing's
// defaults (among them the file watcher's 10 s delay, which sets its
// latency, as Archivist's defaults set Archivist's).
//
//   - the time from a file written on A to the file present on B (median
//     and 95th percentile of 20 files written one by one, 2.1 s apart, as
//     backupbench writes them);
//   - a folder of the same size and file count as backupbench's, from the
//     moment A is given it until B holds every file, as MB/s, next to
//     sha256sum reading the same files; B's copy is then checked byte for
//     byte.
//
// It drives Syncthing only through its REST API. It prints one line per
// figure for people and each again as a METRIC line (st_…); it exits
// non-zero only when it could not measure.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/testnet"
)

func main() {
	bin := flag.String("bin", "syncthing", "the syncthing binary")
	dir := flag.String("dir", os.TempDir(), "scratch directory")
	sizeMiB := flag.Int("mib", 1024, "size of the folder in MiB")
	files := flag.Int("files", 16, "files in the folder")
	samples := flag.Int("latency-samples", 20, "files written one by one for the latency figure")
	netns := flag.Bool("netns", false, "run the two instances in network namespaces (needs root; loopback otherwise)")
	flag.Parse()
	if *sizeMiB < 1 || *files < 1 || *samples < 1 {
		fmt.Fprintln(os.Stderr, "stbench: -mib, -files and -latency-samples must be >= 1")
		os.Exit(2)
	}
	path, err := exec.LookPath(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stbench: no syncthing binary:", err)
		os.Exit(1)
	}
	hostA, hostB, done := testnet.Hosts(*netns, "stbench")
	defer done()
	if err := run(path, *dir, *sizeMiB, *files, *samples, hostA, hostB); err != nil {
		done()
		fmt.Fprintln(os.Stderr, "stbench:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, sizeMiB, files, samples int, hostA, hostB testnet.Host) error {
	work, err := os.MkdirTemp(dir, "stbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	out, _ := exec.Command(bin, "--version").Output()
	fmt.Printf("%-45s %s", "syncthing", out)

	a, err := start(hostA, bin, work, "a")
	if err != nil {
		return err
	}
	defer a.stop()
	b, err := start(hostB, bin, work, "b")
	if err != nil {
		return err
	}
	defer b.stop()
	if err := introduce(a, b); err != nil {
		return err
	}

	lat, err := latency(work, a, b, samples)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
	fmt.Printf("%-45s median %v   p95 %v   (%d files)\n", "file written on A → present on B",
		p50.Round(time.Millisecond), p95.Round(time.Millisecond), len(lat))
	scratch.Metric("st_latency_p50_s", p50.Seconds(), "s")
	scratch.Metric("st_latency_p95_s", p95.Seconds(), "s")

	srcDir := filepath.Join(work, "big-a")
	if err := scratch.WriteFiles(srcDir, files, (sizeMiB<<20)/files); err != nil {
		return err
	}
	base, err := scratch.Sha256sum(srcDir)
	if err != nil {
		return err
	}
	took, err := transfer(work, a, b, srcDir, files)
	if err != nil {
		return fmt.Errorf("folder transfer: %w", err)
	}
	mb := float64(int64(files)*int64((sizeMiB<<20)/files)) / 1e6
	fmt.Printf("%-45s %8.1f MB/s   sha256sum %8.1f MB/s   ratio %.2fx\n",
		fmt.Sprintf("transfer A→B of a %d MiB folder (%d files)", sizeMiB, files), mb/took.Seconds(), mb/base.Seconds(), base.Seconds()/took.Seconds())
	scratch.Metric("st_transfer_mb_s", mb/took.Seconds(), "MB/s")
	scratch.Metric("st_sha256sum_mb_s", mb/base.Seconds(), "MB/s")

	for _, side := range []*instance{a, b} {
		peak, err := scratch.PeakRSSMiB(side.worker())
		if err != nil {
			return err
		}
		fmt.Printf("%-45s %.1f MiB\n", "peak RSS, syncthing "+side.name, peak)
		scratch.Metric("st_"+side.name+"_peak_rss_mib", peak, "MiB")
	}
	return nil
}

// latency shares an empty folder and writes files into A's copy one at a
// time, timing each until B has it.
func latency(work string, a, b *instance, n int) ([]time.Duration, error) {
	dirA, dirB := filepath.Join(work, "latency-a"), filepath.Join(work, "latency-b")
	if err := share("latency", a, dirA, b, dirB); err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := range n {
		name := fmt.Sprintf("note%03d.txt", i)
		body := []byte(fmt.Sprint("note ", i, time.Now()))
		if err := os.WriteFile(filepath.Join(dirA, name), body, 0o644); err != nil {
			return nil, err
		}
		written := time.Now()
		for {
			// Syncthing writes into a temporary name and renames it: the
			// final name appears only with the whole content.
			if st, err := os.Stat(filepath.Join(dirB, name)); err == nil && st.Size() == int64(len(body)) {
				out = append(out, time.Since(written))
				break
			}
			if time.Since(written) > 120*time.Second {
				return nil, fmt.Errorf("file %d not on B after 120 s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(2100 * time.Millisecond) // as backupbench paces its writes
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// transfer shares srcDir (already full) with B, timing from A being given
// the folder until B holds every file at its full size, then checks B's
// copy byte for byte.
func transfer(work string, a, b *instance, srcDir string, files int) (time.Duration, error) {
	dstDir := filepath.Join(work, "big-b")
	want, err := sizes(srcDir)
	if err != nil {
		return 0, err
	}
	// B is told first, so that A's offer finds it ready and the clock
	// runs only over A's scan and the transfer.
	if err := b.addFolder("big", dstDir, a.id, b.id); err != nil {
		return 0, err
	}
	begin := time.Now()
	if err := a.addFolder("big", srcDir, a.id, b.id); err != nil {
		return 0, err
	}
	for {
		got, err := sizes(dstDir)
		if err != nil && !os.IsNotExist(err) {
			return 0, err
		}
		if sameSizes(want, got) {
			break
		}
		if time.Since(begin) > 30*time.Minute {
			return 0, fmt.Errorf("only %d of %d files on B after 30 minutes", len(got), files)
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(begin)
	if err := sameContent(srcDir, dstDir, want); err != nil {
		return 0, err
	}
	return took, nil
}
