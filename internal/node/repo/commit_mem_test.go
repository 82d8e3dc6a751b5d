package repo

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// BenchmarkCommitLarge measures what one very large upload costs the repo:
// n blocks, each with its leaf, and a manifest, put and committed into a
// fresh repo, with no proofs (as the node will store them) and with 620-byte
// ones (what the node passes for a 4 GiB tree today). Blocks are 16 bytes
// unless REPO_BENCH_BLOCK_SIZE says otherwise (65536 for real blocks), so
// that by default it isolates the metadata cost; every block has its own
// CID, made as the upload goes, as the node does. Metrics, as growth over
// the figures right before the first put:
//
//	commit-s        wall time of Commit (sync of the block files included)
//	batch-MiB       live heap of the batch before Commit (after a forced GC)
//	put-peak-MiB    peak HeapInuse while putting
//	heap-peak-MiB   peak HeapInuse over puts and Commit; the GC forced for
//	                batch-MiB makes the Commit part a slight underestimate
//	rss-peak-MiB    peak VmRSS, the bbolt mmap pages included
//	rss-file-MiB    the file-backed part of VmRSS after Commit
//	heap-after-MiB  HeapInuse after Commit and a GC
//
// Run one iteration:
//
//	go test -run '^$' -bench CommitLarge -benchtime 1x ./internal/node/repo/
//
// REPO_BENCH_BLOCKS (comma separated) picks other batch sizes, and
// REPO_BENCH_CHUNK another stageChunk.
func BenchmarkCommitLarge(b *testing.B) {
	sizes := []int{65536, 163840}
	if s := os.Getenv("REPO_BENCH_BLOCKS"); s != "" {
		sizes = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	blockSize := 16
	if s := os.Getenv("REPO_BENCH_BLOCK_SIZE"); s != "" {
		var err error
		if blockSize, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, n := range sizes {
		for _, proofLen := range []int{0, 620} {
			b.Run(fmt.Sprintf("blocks=%d/proof=%d", n, proofLen), func(b *testing.B) {
				benchCommitLarge(b, n, blockSize, proofLen)
			})
		}
	}
}

func benchCommitLarge(b *testing.B, n, blockSize, proofLen int) {
	data := make([]byte, blockSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tree := cidOf(treeCodec, []byte("bench large"))
	chunk := 0
	if s := os.Getenv("REPO_BENCH_CHUNK"); s != "" {
		var err error
		if chunk, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	it := 0
	var commitTotal time.Duration
	var peakHeap, peakRSS, fileRSS, batchHeap, afterHeap, putHeap uint64
	for b.Loop() {
		b.StopTimer()
		r := openTest(b, b.TempDir(), Options{Quota: 1 << 50, TTL: DefaultTTL})
		if chunk > 0 {
			r.stageChunk = chunk
		}
		it++
		runtime.GC()
		baseHeap, baseRSS, baseFile := heapInuse(), rssBytes(), rssFileBytes()
		s := startMemSampler()
		b.StartTimer()

		bt := r.NewBatch()
		for i := range n {
			c := benchCID(it, i)
			if err := bt.PutBlock(c, data); err != nil {
				b.Fatal(err)
			}
			var proof []byte
			if proofLen > 0 {
				proof = make([]byte, proofLen)
				proof[0] = byte(i)
			}
			if err := bt.PutProof(tree, i, c, proof); err != nil {
				b.Fatal(err)
			}
		}
		m := cidOf(manifestCodec, tree.Bytes())
		if err := bt.PutManifest(m, tree.Bytes()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		bt.writers.Wait()
		putHeap = max(putHeap, sub(s.heap.Load(), baseHeap))
		runtime.GC()
		batchHeap = max(batchHeap, sub(heapInuse(), baseHeap))
		b.StartTimer()
		t0 := time.Now()
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
		commitTotal += time.Since(t0)
		b.StopTimer()
		ph, pr := s.stop()
		peakHeap = max(peakHeap, sub(ph, baseHeap))
		peakRSS = max(peakRSS, sub(pr, baseRSS))
		fileRSS = max(fileRSS, sub(rssFileBytes(), baseFile))
		runtime.GC()
		afterHeap = max(afterHeap, sub(heapInuse(), baseHeap))
		wantSpace(b, r, int64(n+1), int64(n*blockSize+len(tree.Bytes())))
		r.Close()
		b.StartTimer()
	}
	b.ReportMetric(commitTotal.Seconds()/float64(it), "commit-s")
	b.ReportMetric(mib(batchHeap), "batch-MiB")
	b.ReportMetric(mib(putHeap), "put-peak-MiB")
	b.ReportMetric(mib(peakHeap), "heap-peak-MiB")
	b.ReportMetric(mib(peakRSS), "rss-peak-MiB")
	b.ReportMetric(mib(afterHeap), "heap-after-MiB")
	b.ReportMetric(mib(fileRSS), "rss-file-MiB")
}

// benchCID is a distinct CID per (it, i), built fresh on every call.
func benchCID(it, i int) cid.Cid {
	var seed [16]byte
	binary.BigEndian.PutUint64(seed[:], uint64(it))
	binary.BigEndian.PutUint64(seed[8:], uint64(i))
	d := sha256.Sum256(seed[:])
	h, _ := mh.Encode(d[:], mh.SHA2_256)
	return cid.NewCidV1(blockCodec, h)
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// heapInuse is MemStats.HeapInuse, read without stopping the world.
func heapInuse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// rssBytes is VmRSS of this process, file-backed pages (the bbolt mmap)
// included, as the node benchmark measures it.
func rssBytes() uint64 { return procStatus("VmRSS:") }

// rssFileBytes is the file-backed part of VmRSS: the pages of the bbolt
// mmap that were read.
func rssFileBytes() uint64 { return procStatus("RssFile:") }

func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kib, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib << 10
		}
	}
	return 0
}

type memSampler struct {
	heap, rss atomic.Uint64
	done      chan struct{}
	wg        sync.WaitGroup
}

func startMemSampler() *memSampler {
	s := &memSampler{done: make(chan struct{})}
	s.sample()
	s.wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-tick.C:
				s.sample()
			}
		}
	})
	return s
}

func (s *memSampler) sample() {
	if h := heapInuse(); h > s.heap.Load() {
		s.heap.Store(h)
	}
	if r := rssBytes(); r > s.rss.Load() {
		s.rss.Store(r)
	}
}

func (s *memSampler) stop() (heap, rss uint64) {
	close(s.done)
	s.wg.Wait()
	s.sample()
	return s.heap.Load(), s.rss.Load()
}
