package autostart

import (
	"context"
	"log/slog"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// Entry is the command the login starts.
type Entry struct {
	Exe  string   // absolute path of the binary
	Args []string // e.g. app --minimized --home DIR
}

// Set installs the login entry when enabled, removes it otherwise. Removing
// an entry that is not there is not an error.
func Set(enabled bool, e Entry) error {
	if enabled {
		return install(e)
	}
	return remove()
}

// Follow applies start_on_boot now and whenever it changes, until ctx ends.
// Failures are logged, not fatal: the app runs on without the entry.
func Follow(ctx context.Context, cfg *config.Store, e Entry, log *slog.Logger) {
	// Subscribe before reading, so a change between the two is not lost.
	changes, cancel := cfg.Subscribe()
	defer cancel()
	apply := func(on bool) {
		if err := Set(on, e); err != nil {
			log.Warn("start on boot", "enabled", on, "err", err)
		}
	}
	apply(cfg.Get().StartOnBoot)
	for {
		select {
		case <-ctx.Done():
			return
		case ch, ok := <-changes:
			if !ok {
				return
			}
			if ch.Has("start_on_boot") {
				apply(ch.New.StartOnBoot)
			}
		}
	}
}
