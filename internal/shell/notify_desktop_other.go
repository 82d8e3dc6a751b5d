//go:build desktop && (darwin || windows)

package shell

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// wailsNotifier uses Wails' notifications: the Notification Center on
// macOS, toasts on Windows. Both show the text as text.
type wailsNotifier struct {
	wctx context.Context
	seq  atomic.Uint64
}

func newNotifier(wctx context.Context, log *slog.Logger) notifier {
	if err := wruntime.InitializeNotifications(wctx); err != nil {
		log.Info("no desktop notifications", "err", err)
		return nil
	}
	if ok, err := wruntime.RequestNotificationAuthorization(wctx); err != nil || !ok {
		log.Info("desktop notifications not allowed", "err", err)
		return nil
	}
	return &wailsNotifier{wctx: wctx}
}

func (w *wailsNotifier) send(n notification) error {
	return wruntime.SendNotification(w.wctx, wruntime.NotificationOptions{
		ID: fmt.Sprintf("archivist-%d", w.seq.Add(1)), Title: n.Title, Body: n.Body,
	})
}

func (w *wailsNotifier) close() { wruntime.CleanupNotifications(w.wctx) }
