package repo

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Small commits that arrive together are made durable together, as
// databases do with their logs: one sync of every pack they wrote into and
// one bbolt transaction (two syncs) for all of them, where each alone
// costs three syncs, and a sync, not the writing, is what a small upload
// waits for. The first commit to arrive leads: it takes every commit
// queued so far (up to stageChunk records in all), commits them, answers
// each, and hands the lead to the first commit that queued meanwhile, so
// no caller waits for more than its own group and the one before. The
// batches are applied one after another inside the transaction, so the
// result is the one sequential commits would give; if one of them fails,
// the transaction is dropped and each is committed on its own, so that a
// bad batch fails alone.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*commitRequest
	leading bool
}

type commitRequest struct {
	b    *Batch
	done chan error // the result, or errLead
}

// errLead tells a queued commit to lead the next group.
var errLead = errors.New("lead the next group")

// commitGrouped commits a small batch in a group. The caller holds b.mu;
// the leader works on b meanwhile, on the caller's behalf.
func (r *Repo) commitGrouped(b *Batch) error {
	req := &commitRequest{b: b, done: make(chan error, 1)}
	g := &r.group
	g.mu.Lock()
	g.queue = append(g.queue, req)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		r.leadGroup()
	}
	for {
		err := <-req.done
		if err != errLead {
			return err
		}
		r.leadGroup()
	}
}

// leadGroup commits the queued requests that fit one transaction and hands
// the lead on.
func (r *Repo) leadGroup() {
	g := &r.group
	g.mu.Lock()
	n, records := 0, 0
	for _, req := range g.queue {
		records += req.b.records()
		if n > 0 && records > r.stageChunk {
			break
		}
		n++
	}
	group := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	errs := r.commitGroup(group)
	for i, req := range group {
		req.done <- errs[i]
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
		return
	}
	g.leading = false
}

// commitGroup makes the batches durable and visible and returns each one's
// result.
func (r *Repo) commitGroup(group []*commitRequest) []error {
	errs := make([]error, len(group))
	// Each pack once: uploads running together share the active pack.
	synced := map[*packFile]error{}
	for i, req := range group {
		for _, w := range req.b.wrote {
			err, done := synced[w.p]
			if !done {
				err = w.p.sync()
				synced[w.p] = err
			}
			if err != nil && errs[i] == nil {
				errs[i] = fmt.Errorf("sync packs: %w", err)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.settleLocked(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	expiry := r.expiryFor(r.now())
	var ready []int
	for i := range group {
		if errs[i] == nil {
			ready = append(ready, i)
		}
	}
	err := r.db.Update(func(tx *bolt.Tx) error {
		for _, i := range ready {
			w, err := r.newWriter(group[i].b, expiry)
			if err == nil {
				err = w.writeAll(tx)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if len(ready) == 1 {
			errs[ready[0]] = err
		} else {
			for _, i := range ready {
				errs[i] = r.apply(group[i].b, expiry)
			}
		}
	}
	for i, req := range group {
		if errs[i] == nil {
			// Only now, with the blocks in the DB, may deletes touch their
			// files and packs.
			r.unclaimLocked(req.b, true)
			req.b.forget()
		}
	}
	return errs
}
