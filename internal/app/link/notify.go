package link

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// notifier tells the backup server about new manifests: one pending
// notification per folder (a newer sequence replaces an older one, since
// the backup server fetches the whole list anyway), retried with
// exponential backoff from manifest_retry_interval_secs for
// manifest_max_retries attempts. The backup server also polls on its own,
// so a notification given up on delays the backup; it does not lose it.
type notifier struct {
	s       *Service
	mu      sync.Mutex
	pending map[string]*notice
	wake    chan struct{}
}

type notice struct {
	seq      uint64
	attempts int
	due      time.Time
}

func newNotifier(s *Service) *notifier {
	return &notifier{s: s, pending: map[string]*notice{}, wake: make(chan struct{}, 1)}
}

// want queues a notification about a folder's manifest seq, due now.
func (n *notifier) want(folderID string, seq uint64) {
	n.mu.Lock()
	n.pending[folderID] = &notice{seq: seq}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *notifier) run(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.wake:
		}
		n.mu.Lock()
		due := map[string]notice{}
		now := time.Now()
		for id, w := range n.pending {
			if !now.Before(w.due) {
				due[id] = *w
			}
		}
		n.mu.Unlock()
		for id, w := range due {
			n.send(ctx, id, w)
		}
	}
}

// send notifies about one folder and schedules a retry on failure.
func (n *notifier) send(ctx context.Context, folderID string, w notice) {
	s := n.s
	err := func() error {
		p, err := s.backupPeer()
		if err != nil {
			return err
		}
		body := map[string]any{"folderId": folderID, "sequence": w.seq}
		return s.call(ctx, p, http.MethodPost, "/v1/trigger", body, nil)
	}()
	if ctx.Err() != nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	cur := n.pending[folderID]
	if cur == nil || cur.seq != w.seq {
		return // replaced meanwhile by a newer manifest
	}
	if err == nil {
		delete(n.pending, folderID)
		s.opts.Folders.SetNotifyState(folderID, false, "")
		s.log.Info("told the backup server about a manifest", "folder", folderID, "sequence", w.seq)
		return
	}
	cfg := s.config().Sync
	cur.attempts++
	if cur.attempts > cfg.ManifestMaxRetries {
		delete(n.pending, folderID)
		s.opts.Folders.SetNotifyState(folderID, false, fmt.Sprintf("gave up telling the backup server after %d attempts (it will still find the manifest when it polls): %v", cur.attempts, err))
		s.log.Warn("gave up notifying the backup server", "folder", folderID, "sequence", w.seq, "err", err)
		return
	}
	base := s.opts.RetryBase
	if base <= 0 {
		base = time.Duration(cfg.ManifestRetryIntervalSecs) * time.Second
	}
	wait := base << (cur.attempts - 1)
	cur.due = time.Now().Add(wait)
	s.opts.Folders.SetNotifyState(folderID, true, err.Error())
	s.log.Info("the backup server was not told; retrying", "folder", folderID, "sequence", w.seq, "attempt", cur.attempts, "retryIn", wait, "err", err)
}
