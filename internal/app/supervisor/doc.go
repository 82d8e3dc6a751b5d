/*
Package supervisor runs the desktop app's storage node as a child process:
it starts it, knows when it is really ready, watches it, captures its output,
restarts it when it crashes or hangs, and stops it — and only it.

# The node process

The node is `archivist node` (this program re-executed) or, when node.binary
is set, another archivist-node-compatible executable. Its command line is
built from config.NodeConfig at every start (--data-dir, --api-bindaddr,
--api-port, --disc-port, --listen-addrs, --storage-quota, --log-level), so a
changed setting takes effect at the next start; Apply decides whether a
change needs one (log_level does not: it is set live through the REST API).

Before exec, start checks what it can check better than the node can explain:
the binary exists and is executable, the data directory can be created and
written, and the API, listen and discovery ports are free. Each failure is a
sentence telling the user which setting to change. What only the node knows
(a key file with the wrong mode, say) comes from the node itself: when it
exits while starting, the error carries the last lines it printed.

# One owner

A single goroutine (the loop) owns the process and every piece of state.
Start, Stop, Restart and Close send it a command and wait for the outcome;
slow work — readiness polling, health checks — runs in helper goroutines that
report back to the loop, so the loop never blocks on the node and no state is
shared behind locks except the published Status snapshot, which makes Status
cheap enough for a UI that polls.

States go stopped → starting → running → stopping → stopped, or to error when
a start fails or the supervisor gives up. Running means ready: the REST API
answered /debug/info and /space, not merely that the process exists or the
port is open (the reference marked the node running and played the start
sound whether or not its API ever came up).

# Failures and restarts

A node that exits unexpectedly, never becomes ready within ReadyTimeout, or
stops answering HealthInterval checks HungAfter times in a row (hung but
alive, which the reference never restarted) is stopped if needed and started
again after an exponential backoff (Backoff.Initial doubling to Backoff.Max).
After Backoff.GiveUpAfter failures within Backoff.Window the supervisor gives
up: state error, GaveUp set and LastError saying why, until the user starts
the node again. A node that had been ready for Backoff.StableAfter before it
failed had a good start (supervisord's startsecs): its failure begins a new
streak, so a node killed now and then is always restarted, while a crash
loop still backs off and gives up. Failures that a retry cannot fix — a missing binary, a port
taken by another program — end a user's Start at once instead.

# Only our own process

The supervisor signals only processes it started. The child runs in its own
process group (Unix), so a stop reaches anything the node spawned, and its
PID and OS start time go to <RunDir>/node.pid. After an app crash the next
supervisor finds that file and stops the process only if the PID is alive
with the same start time and the same command line — an orphan of ours, not
an unrelated program that reused the PID. Nothing is ever found or killed by
name or port: the reference SIGTERMed whatever *archivist* process held the
configured ports, other users' and other instances' included.

# Output

The node's stdout and stderr go, line by line, to node.log with size
rotation (node.log.1 … node.log.N), to an in-memory ring for the UI's log
view (Tail), and to `node-log` events batched every LogFlushInterval, so a
node logging at TRACE costs a few events a second, not one per line. The
supervisor's own notes (started, exited, restarting) are written into the
same stream, so the log explains itself.

# Privacy

The supervisor talks to the node's loopback API only. Status and Diagnostics
derive reachability from the node's own listen and announce addresses; there
is no public-IP lookup (the reference called api.ipify.org every five
minutes, undocumented).
*/
package supervisor
