package main

import (
	"sync"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
)

// sampler reads VmRSS of a set of processes every interval until stopped:
// the peak of each, and its first reading (the level before the phase).
type sampler struct {
	stopc chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	mu    sync.Mutex
	first map[int]int64
	peak  map[int]int64
	anon  map[int]int64 // peak RssAnon: the heap and stacks, not mapped files
	anon0 map[int]int64 // first RssAnon
	n     int
}

func sample(every time.Duration, pids ...int) *sampler {
	s := &sampler{stopc: make(chan struct{}), first: map[int]int64{}, peak: map[int]int64{}, anon: map[int]int64{}, anon0: map[int]int64{}}
	s.read(pids)
	s.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stopc:
				s.read(pids) // a short phase is never missed entirely
				return
			case <-t.C:
				s.read(pids)
			}
		}
	})
	return s
}

func (s *sampler) read(pids []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	for _, pid := range pids {
		kib, err := scratch.ProcKiB(pid, "VmRSS")
		if err != nil {
			continue // gone: its peak is what was seen
		}
		if _, ok := s.first[pid]; !ok {
			s.first[pid] = kib
		}
		s.peak[pid] = max(s.peak[pid], kib)
		if kib, err := scratch.ProcKiB(pid, "RssAnon"); err == nil {
			if _, ok := s.anon0[pid]; !ok {
				s.anon0[pid] = kib
			}
			s.anon[pid] = max(s.anon[pid], kib)
		}
	}
}

// stop ends the sampling; the figures are final after it. Stopping twice
// is harmless, so a deferred stop can back up the one on the normal path.
func (s *sampler) stop() {
	s.once.Do(func() { close(s.stopc) })
	s.wg.Wait()
}

// mib of a process: its first reading and its peak, in MiB.
func (s *sampler) mib(pid int) (first, peak float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.first[pid]) / 1024, float64(s.peak[pid]) / 1024
}

// anonMiB is a process's peak RssAnon in MiB: its own memory, without the
// pages of files it maps (the node's database), which the kernel can drop.
func (s *sampler) anonMiB(pid int) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.anon[pid]) / 1024
}

// anonGrowthMiB is how far a process's RssAnon rose above its first
// reading, in MiB.
func (s *sampler) anonGrowthMiB(pid int) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.anon[pid]-s.anon0[pid]) / 1024
}

// hwmMiB is the kernel's high-water mark of a process's RSS (VmHWM), which
// also catches a spike between two samples; 0 when it cannot be read.
func hwmMiB(pid int) float64 {
	kib, err := scratch.ProcKiB(pid, "VmHWM")
	if err != nil {
		return 0
	}
	return float64(kib) / 1024
}
