package supervisor

import (
	"context"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Apply makes a settings change take effect: a new log level is set on the
// running node through its API, with no restart; a change to anything that
// is a flag of the node's command line (binary, data directory, ports,
// quota) restarts a running or starting node. A stopped node needs nothing:
// every start reads the current settings. The app calls Apply after the
// config store has saved new (Options.Config already returns it).
func (s *Supervisor) Apply(ctx context.Context, old, new config.NodeConfig) error {
	st := s.Status()
	switch st.State {
	case StateStopped, StateError:
		return s.do(ctx, cmdRefresh)
	case StateStarting:
		if st.PID == 0 {
			// Waiting out a backoff: the next attempt reads the new
			// settings anyway.
			return s.do(ctx, cmdRefresh)
		}
	case StateStopping:
		// Whatever comes next (nothing, or a restart) reads the settings
		// afresh; a user's stop must not become a restart.
		return nil
	}
	if config.NeedsNodeRestart(config.Config{Node: old}, config.Config{Node: new}) {
		return s.Restart(ctx)
	}
	if new.LogLevel != old.LogLevel && st.State == StateRunning && st.APIURL != "" {
		return s.applyLogLevel(ctx, nodeclient.New(st.APIURL), new.LogLevel)
	}
	// A starting node gets the level from Options.Config once it is ready.
	return nil
}

// fillConfigFieldsFrom shows which binary and data directory a start uses.
func (s *Supervisor) fillConfigFieldsFrom(cfg config.NodeConfig) {
	s.st.Binary = s.commandLine(cfg)[0]
	s.st.DataDir = cfg.DataDirectory
}
