package node

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// slowProvider takes a while per announcement and records how many run
// at once.
type slowProvider struct {
	running, peak atomic.Int32
	mu            sync.Mutex
	got           map[cid.Cid]bool
}

func (p *slowProvider) Provide(ctx context.Context, c cid.Cid) error {
	n := p.running.Add(1)
	defer p.running.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	time.Sleep(time.Millisecond)
	p.mu.Lock()
	p.got[c] = true
	p.mu.Unlock()
	return nil
}

// A burst of uploads is announced by a few workers, not a goroutine per
// upload, and every CID is announced once the burst is over.
func TestAnnouncementsAreQueued(t *testing.T) {
	p := &slowProvider{got: map[cid.Cid]bool{}}
	n := &Node{log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n.AttachNetwork(ctx, nil, p)
	const uploads = 300
	for i := range uploads {
		n.announce(dag.BlockCID([]byte(fmt.Sprint("manifest ", i))), dag.BlockCID([]byte(fmt.Sprint("tree ", i))))
	}
	n.net.wg.Wait()
	if got := len(p.got); got != 2*uploads {
		t.Fatalf("%d CIDs announced, want %d", got, 2*uploads)
	}
	if peak := p.peak.Load(); peak > announceWorkers {
		t.Fatalf("%d announcements ran at once, want at most %d", peak, announceWorkers)
	}
	if n.net.announcers != 0 || len(n.net.announcing) != 0 {
		t.Fatalf("%d workers and %d CIDs left", n.net.announcers, len(n.net.announcing))
	}
}

// blockedProvider holds every announcement until release is closed.
type blockedProvider struct{ release chan struct{} }

func (p blockedProvider) Provide(ctx context.Context, c cid.Cid) error {
	select {
	case <-p.release:
	case <-ctx.Done():
	}
	return nil
}

// Behind a DHT that does not answer, the queue stops at its bound and
// leaves the rest to the reprovide round instead of growing without end.
func TestAnnouncementBacklogIsBounded(t *testing.T) {
	p := blockedProvider{release: make(chan struct{})}
	n := &Node{log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	n.AttachNetwork(ctx, nil, p)
	c := dag.BlockCID([]byte("same"))
	for range announceBacklog/2 + announceWorkers + 10 {
		n.announce(c, c)
	}
	n.net.mu.Lock()
	queued, skipped := len(n.net.announcing), n.net.skipped
	n.net.mu.Unlock()
	if queued > announceBacklog || skipped == 0 {
		t.Fatalf("%d queued, %d skipped; want at most %d queued and some skipped", queued, skipped, announceBacklog)
	}
	cancel()
	close(p.release)
	n.net.wg.Wait()
}
