//go:build desktop && !darwin && !windows

package shell

import (
	"context"
	"log/slog"
)

func newNotifier(_ context.Context, log *slog.Logger) notifier {
	n, err := newDBusNotifier()
	if err != nil {
		log.Info("no desktop notifications", "err", err)
		return nil
	}
	return n
}
