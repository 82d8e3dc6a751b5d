package exchange

import (
	"context"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// FetchBlock makes sure the block at addr is in the store, fetching it if
// it is not: a manifest by CidAddress, or one dataset block by LeafAddress.
// It returns nil once the block is stored. The request goes ahead of
// dataset read-ahead, and if a running FetchDataset already requested the
// block, FetchBlock waits for that request instead of making another. It
// fails with ctx's error, ErrStalled after StallTimeout, the store's error,
// or ErrClosed.
func (e *Engine) FetchBlock(ctx context.Context, addr BlockAddress) error {
	if err := checkAddress(addr); err != nil {
		return err
	}
	if e.store.HasBlock(addr) {
		return nil
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	w := e.acquireLocked(nil, addr, true)
	e.mu.Unlock()
	defer e.release(nil, w)
	e.kick()

	stall := time.NewTimer(e.opts.StallTimeout)
	defer stall.Stop()
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	case <-stall.C:
		return fmt.Errorf("%w: %s", ErrStalled, addr)
	}
}

// FetchDataset downloads every block of the dataset treeCid (leaves blocks,
// the manifest's block count) that is not stored yet, and returns nil when
// all of them are. have reports whether block i is already stored; nil
// asks the Store. Blocks it reports are never requested, so calling
// FetchDataset again after an interruption fetches only what is missing.
//
// Blocks are requested in index order, DatasetWindow at a time, spread
// over every peer that has them, so a reader that follows the dataset from
// the start (see FetchBlock) finds most blocks already there. onBlock, if
// not nil, is called with the index of each block stored, in the order
// they arrive, from FetchDataset's goroutine. The error is ctx's, ErrStalled
// when nothing arrived for StallTimeout, a store error (quota), or
// ErrClosed.
func (e *Engine) FetchDataset(ctx context.Context, treeCid cid.Cid, leaves int, have func(i int) bool, onBlock func(i int)) error {
	if err := checkAddress(LeafAddress(treeCid, 0)); err != nil {
		return err
	}
	if leaves <= 0 {
		return fmt.Errorf("exchange: dataset %s with %d blocks", dag.CIDString(treeCid), leaves)
	}
	if have == nil {
		have = func(i int) bool { return e.store.HasBlock(LeafAddress(treeCid, i)) }
	}
	s := newSession()
	active := make(map[*want]int)
	defer func() {
		ws := make([]*want, 0, len(active))
		for w := range active {
			ws = append(ws, w)
		}
		e.release(s, ws...)
	}()

	stall := time.NewTimer(e.opts.StallTimeout)
	defer stall.Stop()
	next := 0
	for {
		var add []int
		for len(active)+len(add) < e.opts.DatasetWindow && next < leaves {
			if next%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !have(next) {
				add = append(add, next)
			}
			next++
		}
		if len(add) > 0 {
			e.mu.Lock()
			if e.closed {
				e.mu.Unlock()
				return ErrClosed
			}
			for _, i := range add {
				active[e.acquireLocked(s, LeafAddress(treeCid, i), false)] = i
			}
			e.mu.Unlock()
			e.kick()
		}
		if len(active) == 0 {
			return nil
		}

		select {
		case <-s.kick:
		case <-ctx.Done():
			return ctx.Err()
		case <-stall.C:
			return fmt.Errorf("%w: dataset %s, %d blocks to go", ErrStalled, dag.CIDString(treeCid), len(active)+leaves-next)
		}
		e.mu.Lock()
		done := s.completed
		s.completed = nil
		e.mu.Unlock()
		progressed := false
		for _, w := range done {
			i, ok := active[w]
			if !ok {
				continue
			}
			delete(active, w)
			if w.err != nil {
				return fmt.Errorf("block %d: %w", i, w.err)
			}
			progressed = true
			if onBlock != nil {
				onBlock(i)
			}
		}
		if progressed {
			stall.Reset(e.opts.StallTimeout)
		}
	}
}
