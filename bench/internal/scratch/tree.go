package scratch

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// TreeSizes picks the sizes of n files that add up to exactly total bytes,
// in the shape of a real home folder: almost all files small (log-uniform
// from 256 B to 256 KiB: notes, sources, thumbnails) and one in a hundred
// large (log-uniform weights, sharing what is left: photos, archives,
// videos). The same seed gives the same sizes.
func TreeSizes(n int, total int64, seed uint64) ([]int64, error) {
	if n <= 0 || total < int64(n) {
		return nil, fmt.Errorf("a tree of %d files cannot hold %d bytes (at least one byte a file)", n, total)
	}
	r := rand.New(rand.NewPCG(seed, 0x5ca1e))
	large := max(1, n/100)
	sizes := make([]int64, n)
	var small int64
	logUniform := func(lo, hi float64) float64 { return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))) }
	for i := range n - large {
		sizes[i] = int64(logUniform(256, 256<<10))
		small += sizes[i]
	}
	// A tree too small for that mix keeps the shape: the small files take
	// half and the large ones the other half.
	if small > total/2 {
		scale := float64(total/2) / float64(small)
		small = 0
		for i := range n - large {
			sizes[i] = max(1, int64(float64(sizes[i])*scale))
			small += sizes[i]
		}
	}
	weights := make([]float64, large)
	var sum float64
	for i := range weights {
		weights[i] = logUniform(1, 64)
		sum += weights[i]
	}
	left := total - small
	for i, w := range weights {
		s := max(1, int64(float64(total-small)*w/sum))
		if i == large-1 {
			s = left // the exact total, whatever the rounding did
		}
		sizes[n-large+i] = s
		left -= s
	}
	if left != 0 || sizes[n-1] < 1 {
		return nil, fmt.Errorf("a tree of %d files cannot hold %d bytes in this mix", n, total)
	}
	// Large files anywhere in the tree, not all in the last directory.
	r.Shuffle(n, func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	return sizes, nil
}

// TreePath is where WriteTree puts file i: a thousand files a directory,
// a hundred directories a level, as a synced photo library or a source
// tree spreads them.
func TreePath(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("p%02d", i/100000), fmt.Sprintf("d%03d", i/1000%100), fmt.Sprintf("f%06d.bin", i))
}

// WriteTree writes len(sizes) files of those sizes under dir (at
// TreePath), each with its own incompressible ChaCha8 content from seed,
// on every core: deterministic test data at disk speed, with no two files
// alike, so nothing is deduplicated away.
func WriteTree(dir string, sizes []int64, seed uint64) error {
	var (
		wg    sync.WaitGroup
		next  = make(chan int)
		mu    sync.Mutex
		first error
	)
	for range runtime.NumCPU() {
		wg.Go(func() {
			buf := make([]byte, 1<<20)
			for i := range next {
				if err := WriteFile(TreePath(dir, i), sizes[i], seed+uint64(i)*0x9e3779b97f4a7c15, buf); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range sizes {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// WriteFile writes size bytes of ChaCha8 output for seed to path (its
// directory created); buf is the scratch buffer, nil for a fresh one.
func WriteFile(path string, size int64, seed uint64, buf []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if buf == nil {
		buf = make([]byte, 1<<20)
	}
	var key [32]byte
	for i := range 4 {
		v := seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			key[i*8+j] = byte(v >> (8 * j))
		}
	}
	src := rand.NewChaCha8(key)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		src.Read(buf[:n])
		if _, err := f.Write(buf[:n]); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		left -= n
	}
	return f.Close()
}

// ProcKiB reads a field in KiB (VmRSS, VmHWM) of /proc/pid/status.
func ProcKiB(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no " + field + " in /proc/" + strconv.Itoa(pid) + "/status")
}
