package supervisor

import (
	"log/slog"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

// Options configure a Supervisor. Zero durations and counts take the
// defaults named on each field.
type Options struct {
	// Binary and Args are the default node command: this program's path
	// (os.Executable) and ["node"]. A non-empty node.binary in the config
	// replaces both at the next start — another archivist-node-compatible
	// executable takes the node flags directly, without a subcommand.
	Binary string
	Args   []string
	// ExtraArgs are appended to every node command line (--nat=…,
	// --bootstrap-node=…): things the app decides that are not settings.
	ExtraArgs []string

	// Config returns the current node settings; it is called at every start
	// (and after readiness, for the log level), so it must be safe for
	// concurrent use. The app's settings change while it runs.
	Config func() config.NodeConfig

	// LogFile receives the node's output (node.log); empty keeps only the
	// in-memory ring. LogMaxBytes (10 MiB) is the size at which it rotates
	// to LogFile.1, keeping LogKeep (3) old files.
	LogFile     string
	LogMaxBytes int64
	LogKeep     int
	// LogLines (1000) is how many recent lines Tail can return.
	LogLines int
	// LogFlushInterval (250 ms) batches output lines into node-log events.
	LogFlushInterval time.Duration

	// RunDir holds node.pid; empty means the directory of LogFile. Without
	// either, an orphan left by an app crash cannot be recognised.
	RunDir string

	Bus *events.Bus  // node-state, node-started, node-log; nil publishes nothing
	Log *slog.Logger // the app's log; nil is slog.Default()

	Backoff Backoff

	// ReadyTimeout (30 s) bounds how long a started node may take before
	// its API answers; NAT probing alone can take ~10 s.
	ReadyTimeout time.Duration
	// HealthInterval (10 s) is the time between health checks of a running
	// node; HealthTimeout (5 s) bounds each; HungAfter (3) failed checks in a
	// row mean the node is hung: it is stopped and restarted.
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	HungAfter      int
	// StopTimeout (10 s) is how long a node gets to exit after SIGTERM
	// before it is killed.
	StopTimeout time.Duration
}

// Backoff is the restart policy for a node that keeps failing.
type Backoff struct {
	Initial time.Duration // delay before the first restart (1 s)
	Max     time.Duration // the doubling delay stops growing here (60 s)
	// GiveUpAfter (5) failures within Window (10 min) stop the restarts.
	// Failures older than Window are forgotten, so a node that crashes
	// once a day is restarted every time.
	GiveUpAfter int
	Window      time.Duration
	// StableAfter (10 s): a node that was ready and served this long
	// before it failed had a good start, so that failure begins a new
	// streak (restart after Initial, nothing counted towards GiveUpAfter),
	// as supervisord's startsecs. A crash loop fails before that; a node
	// killed now and then (the OOM killer, a user) is always brought back.
	StableAfter time.Duration
}

func (o *Options) setDefaults() {
	if o.Config == nil {
		// A programming error, not a user's: there is nothing to run.
		panic("supervisor: Options.Config is required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.RunDir == "" && o.LogFile != "" {
		o.RunDir = dirOf(o.LogFile)
	}
	setDefault(&o.LogMaxBytes, 10<<20)
	setDefault(&o.LogKeep, 3)
	setDefault(&o.LogLines, 1000)
	setDefault(&o.LogFlushInterval, 250*time.Millisecond)
	setDefault(&o.Backoff.Initial, time.Second)
	setDefault(&o.Backoff.Max, time.Minute)
	setDefault(&o.Backoff.GiveUpAfter, 5)
	setDefault(&o.Backoff.Window, 10*time.Minute)
	setDefault(&o.Backoff.StableAfter, 10*time.Second)
	setDefault(&o.ReadyTimeout, 30*time.Second)
	setDefault(&o.HealthInterval, 10*time.Second)
	setDefault(&o.HealthTimeout, 5*time.Second)
	setDefault(&o.HungAfter, 3)
	setDefault(&o.StopTimeout, 10*time.Second)
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// delay is the wait before restart number n (1-based) of a failure streak.
func (b Backoff) delay(n int) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}
