package exchange

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// BenchmarkTransfer64MiB fetches a 64 MiB dataset between two hosts on
// loopback into a fresh repo each time: verification, storage (group
// commits) and the protocol, end to end.
func BenchmarkTransfer64MiB(b *testing.B) {
	const size = 64 << 20
	a := newNode(b, Options{})
	d := storeDataset(b, a.r, randomBytes(size, 10))
	b.SetBytes(size)
	b.Run("repo", func(b *testing.B) { benchTransfer(b, a, d, true) })
	b.Run("memory", func(b *testing.B) { benchTransfer(b, a, d, false) })
}

func benchTransfer(b *testing.B, a *testNode, d *dataset, onDisk bool) {
	const size = 64 << 20
	b.SetBytes(size)
	for range b.N {
		b.StopTimer()
		dir, err := os.MkdirTemp("", "exchange-bench-")
		if err != nil {
			b.Fatal(err)
		}
		r, err := repo.Open(dir, repo.Options{Quota: 1 << 30, TTL: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		h := newHost(b)
		var store Store = newMemStore()
		if onDisk {
			store = NewRepoStore(r)
		}
		e := New(h, store, testLogger(), Options{})
		connect(b, h, a.h)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		b.StartTimer()

		err = e.FetchDataset(ctx, d.treeCid, d.leaves, nil, nil)

		b.StopTimer()
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if got := e.Stats().BytesReceived; got != size {
			b.Fatalf("received %d bytes", got)
		}
		e.Close()
		h.Close()
		r.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
