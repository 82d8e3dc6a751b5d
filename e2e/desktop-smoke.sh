#!/usr/bin/env bash
# Desktop smoke test: the real window under Xvfb, with a window manager
# (openbox, so closing a window is the WM_DELETE_WINDOW a user's close button
# sends) and a D-Bus session. First without a tray host: closing the window
# must quit. Then with one (e2e/trayhost, a StatusNotifierWatcher): starts the app, waits for its window, takes a
# screenshot; drives the tray over D-Bus as a panel would (tooltip, menu,
# Pause sync checked through the app's API); closes the window and sees the
# app stay in the tray; launches a second instance, which must show the first
# window and exit 0; quits from the tray and checks that the app exits
# cleanly; starts it again --minimized (tray only, shown by a left click on
# the icon), turns start_on_boot on and off through the API and checks the
# XDG autostart entry, sees a failed tray action reported as a notification
# (the tray host is the notification daemon too), and ends it with SIGTERM. GTK can hang, so every wait is bounded and a hung app is killed and
# reported as a failure.
set -euo pipefail
bin=$(realpath "${1:?usage: desktop-smoke.sh path/to/archivist}")
out=$(realpath -m "$(dirname "$0")/artifacts")
mkdir -p "$out"

if ! "$bin" version >/dev/null; then echo "desktop: $bin does not run"; exit 1; fi
for tool in xvfb-run xwininfo import convert dbus-run-session openbox wmctrl curl node; do
  command -v "$tool" >/dev/null || { echo "desktop: $tool is missing (make deps installs it)"; exit 1; }
done

if [ "${DESKTOP_SMOKE_INNER:-}" != 1 ]; then
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  export DESKTOP_SMOKE_HOME=$home
  # The test's tray host, built from this repository.
  (cd "$(dirname "$0")/.." && go build -o "$home/trayhost" ./e2e/trayhost) || { echo "desktop: cannot build e2e/trayhost"; exit 1; }
fi
home=${DESKTOP_SMOKE_HOME}

if [ "${DESKTOP_SMOKE_INNER:-}" != 1 ]; then
  # Node ports of our own, so the test never meets another program's.
  node -e '
    const net = require("net");
    const free = () => new Promise(r => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
    (async () => { const [a, d, l] = [await free(), await free(), await free()];
      process.stdout.write(`[node]\napi_port = ${a}\ndiscovery_port = ${d}\nlisten_port = ${l}\n`); })();
  ' > "$home/config.toml"
fi

# wait_for DESCRIPTION SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "desktop: $what: not within $secs s"; return 1
}

inner() {
  set -euo pipefail
  th="$home/trayhost"
  # The login entry start_on_boot writes goes here, not to the real home.
  export XDG_CONFIG_HOME="$home/xdg"
  openbox >"$home/openbox.log" 2>&1 &
  obpid=$!
  trap 'kill "$thpid" "$obpid" 2>/dev/null || true' RETURN
  thpid=""
  shown() { xwininfo -root -tree | grep '"Archivist"' | awk '{print $1}' | while read -r w; do xwininfo -id "$w" | grep -q IsViewable && echo "$w"; done | grep -q .; }

  # Without a tray host (GNOME without its extension), closing the window
  # quits: a hidden window could not be found again.
  "$bin" app --home "$home" >"$home/notray.log" 2>&1 &
  pid=$!
  wait_for "the window without a tray" 30 shown || { echo "desktop: no window"; cat "$home/notray.log"; kill -9 "$pid"; return 1; }
  sleep 1
  # A fresh install opens on the first-run screens. Finish them through the
  # API (as "Skip setup" would) so that the next launch shows the app itself.
  import -window root "$out/desktop-onboarding.png"
  url=$(find "$home" -name instance.json -exec sed -n 's/.*"url":"\([^"]*\)".*/\1/p' {} \; | head -1)
  key=$(cat "$(find "$home" -name api-key | head -1)")
  curl -fsS -X PUT -H "X-API-Key: $key" -H "Content-Type: application/json" --data '{"complete":true,"step":""}' "$url/api/onboarding" >/dev/null ||
    { echo "desktop: could not finish onboarding through the API"; kill -9 "$pid"; return 1; }
  wmctrl -c Archivist
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "desktop: with no tray, closing the window did not quit"; kill -9 "$pid"; return 1; fi
  wait "$pid" && rc=0 || rc=$?
  [ "$rc" = 0 ] || { echo "desktop: closing the window without a tray exited with $rc"; cat "$home/notray.log"; return 1; }
  echo "no tray: closing quits"

  "$th" watch >"$home/trayhost.log" 2>&1 &
  thpid=$!
  wait_for "the tray host on D-Bus" 10 "$th" items
  "$bin" app --home "$home" >"$home/app.log" 2>&1 &
  pid=$!
  fail() { echo "desktop: $*"; echo "--- app log:"; tail -40 "$home/app.log"; kill -9 "$pid" 2>/dev/null || true; return 1; }
  win=""
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then fail "the app exited early"; return 1; fi
    # GTK may map the window small first (and make small helper windows
    # with the same title): wait for the one that has at least the minimum
    # size of the app window.
    win=$(xwininfo -root -tree | grep '"Archivist"' | awk '{ for (i = 1; i <= NF; i++) if (match($i, /^[0-9]+x[0-9]+\+/)) { split($i, g, /[x+]/); if (g[1] >= 800 && g[2] >= 600) print $1 } }' | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.5
  done
  [ -n "$win" ] || { fail "no window titled Archivist within 30 s"; return 1; }
  geometry=$(xwininfo -id "$win" | awk '/Width:/{w=$2} /Height:/{h=$2} END{print w"x"h}')
  # Give the webview time to load and render the UI.
  sleep 4
  import -window root "$out/desktop.png"

  # The tray, as a panel sees it.
  tooltip=$("$th" tooltip) || { fail "no tray item"; return 1; }
  [ "$tooltip" = "Archivist - Decentralized Storage" ] || { fail "tray tooltip is '$tooltip'"; return 1; }
  "$th" menu > "$home/menu.txt"
  for label in "Show Archivist" "Pause sync" "Backup now" "Open in browser" "Quit"; do
    grep -q "enabled	$label\$" "$home/menu.txt" || { cat "$home/menu.txt"; fail "tray menu lacks '$label'"; return 1; }
  done
  grep -Eq "disabled	Node (starting|running|stopped|error).* · " "$home/menu.txt" || { cat "$home/menu.txt"; fail "tray menu lacks the status line"; return 1; }
  grep -Eq "enabled	(Start|Stop) node\$" "$home/menu.txt" || { cat "$home/menu.txt"; fail "tray menu lacks Start/Stop node"; return 1; }

  # Pause sync from the tray; the app's API must say paused.
  url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$home/data/instance.json" 2>/dev/null || true)
  [ -n "$url" ] || url=$(find "$home" -name instance.json -exec sed -n 's/.*"url":"\([^"]*\)".*/\1/p' {} \; | head -1)
  key=$(cat "$(find "$home" -name api-key | head -1)")
  paused() { curl -fsS -H "X-API-Key: $key" "$url/api/sync" | grep -q '"paused":true'; }
  "$th" click "Pause sync"
  wait_for "sync paused after the tray's Pause sync" 5 paused || { fail "sync not paused"; return 1; }
  wait_for "the tray offering Resume sync" 5 sh -c "'$th' menu | grep -q 'Resume sync'" || { fail "menu not updated"; return 1; }
  "$th" click "Resume sync"
  wait_for "sync resumed" 5 sh -c "! curl -fsS -H 'X-API-Key: $key' '$url/api/sync' | grep -q '\"paused\":true'" || { fail "sync not resumed"; return 1; }

  # Stop node: the status line, the action and the icon follow the node;
  # Start node brings it all back.
  wait_for "the node running" 30 sh -c "'$th' menu | grep -q 'Node running'" || { fail "node not running"; return 1; }
  running_icon=$("$th" icon)
  "$th" click "Stop node"
  wait_for "the tray saying the node stopped" 20 sh -c "'$th' menu | grep -q 'disabled	Node stopped' && '$th' menu | grep -q 'enabled	Start node'" || { "$th" menu; fail "tray did not follow the node stopping"; return 1; }
  [ "$("$th" icon)" != "$running_icon" ] || { fail "the icon did not change when the node stopped"; return 1; }
  curl -fsS -H "X-API-Key: $key" "$url/api/node/status" | grep -q '"state":"stopped"' || { fail "the API does not say stopped"; return 1; }
  "$th" click "Start node"
  wait_for "the tray saying the node runs again" 30 sh -c "'$th' menu | grep -q 'disabled	Node running'" || { "$th" menu; fail "tray did not follow the node starting"; return 1; }
  wait_for "the running icon back" 5 sh -c "[ \"\$('$th' icon)\" = '$running_icon' ]" || { fail "the icon did not return to running"; return 1; }
  echo "tray: node stopped and started, status and icon followed"

  # Closing the window hides it; the app stays.
  viewable() { xwininfo -id "$win" | grep -q IsViewable; }
  wmctrl -c Archivist
  wait_for "the window hidden after closing it" 10 sh -c "! xwininfo -id $win | grep -q IsViewable" || { fail "window still shown"; return 1; }
  sleep 1
  kill -0 "$pid" 2>/dev/null || { fail "closing the window quit the app"; return 1; }
  echo "closed: still running"

  # The tray's Show brings it back.
  "$th" click "Show Archivist"
  wait_for "the window shown by the tray" 10 viewable || { fail "Show Archivist did not show the window"; return 1; }
  wmctrl -c Archivist
  wait_for "the window hidden again" 10 sh -c "! xwininfo -id $win | grep -q IsViewable" || { fail "window still shown"; return 1; }

  # A second launch shows the first window and exits 0.
  timeout 30 "$bin" app --home "$home" >"$home/second.log" 2>&1 && rc=0 || rc=$?
  [ "$rc" = 0 ] || { cat "$home/second.log"; fail "the second instance exited with $rc"; return 1; }
  wait_for "the window shown by a second launch" 10 viewable || { fail "the second launch did not show the window"; return 1; }
  kill -0 "$pid" 2>/dev/null || { fail "the first instance died"; return 1; }
  echo "second instance: handed over"

  # Quit from the tray: a clean exit.
  "$th" click "Quit"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then fail "the app did not exit within 20 s of Quit"; return 1; fi
  wait "$pid" && rc=0 || rc=$?
  [ "$rc" = 0 ] || { fail "the app exited with $rc after Quit"; return 1; }
  if pgrep -f "^$bin node" >/dev/null 2>&1; then fail "the node outlived the app"; return 1; fi
  echo "quit: clean exit"

  # --minimized (as the login starts it): the tray, no window, until the
  # icon is clicked.
  "$bin" app --home "$home" --minimized >"$home/app.log" 2>&1 &
  pid=$!
  wait_for "the minimized app's tray item" 30 sh -c "'$th' menu | grep -q 'Node running'" || { fail "no tray item for the minimized app"; return 1; }
  if shown; then fail "--minimized showed the window"; return 1; fi
  "$th" activate
  wait_for "the window shown by a left click on the icon" 10 shown || { fail "activating the tray icon did not show the window"; return 1; }
  echo "minimized: shown by the tray icon"

  # start_on_boot, set through the app's API, writes the login entry; off
  # removes it.
  url=$(find "$home" -name instance.json -exec sed -n 's/.*"url":"\([^"]*\)".*/\1/p' {} \; | head -1)
  entry="$XDG_CONFIG_HOME/autostart/archivist.desktop"
  set_boot() {
    curl -fsS -H "X-API-Key: $key" "$url/api/config" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s).config;c.start_on_boot=process.argv[1]==="on";process.stdout.write(JSON.stringify(c))})' "$1" |
      curl -fsS -X PUT -H "X-API-Key: $key" -H "Content-Type: application/json" --data-binary @- "$url/api/config" >/dev/null
  }
  set_boot on
  wait_for "the autostart entry" 5 test -f "$entry" || { fail "start_on_boot wrote no $entry"; return 1; }
  grep -q "^Exec=$bin app --minimized --home $home\$" "$entry" || { cat "$entry"; fail "the autostart entry does not start this app minimized on this home"; return 1; }
  set_boot off
  wait_for "the autostart entry removed" 5 test ! -e "$entry" || { fail "start_on_boot off left $entry"; return 1; }
  echo "start on boot: entry written and removed"

  # An action that fails is told by an OS notification (here: no folder).
  "$th" click "Backup now"
  wait_for "the notification of Backup now" 10 grep -q "^notify	Could not back up	no folder is being backed up" "$home/trayhost.log" || { cat "$home/trayhost.log"; fail "no notification"; return 1; }
  echo "notification: received"

  # SIGTERM (a logout, systemd, kill) is a clean exit too.
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then fail "the app did not exit within 20 s of SIGTERM"; return 1; fi
  wait "$pid" && rc=0 || rc=$?
  [ "$rc" = 0 ] || { fail "the app exited with $rc after SIGTERM"; return 1; }
  if pgrep -f "^$bin node" >/dev/null 2>&1; then fail "the node outlived the app"; return 1; fi
  echo "window $win $geometry"
}
if [ "${DESKTOP_SMOKE_INNER:-}" = 1 ]; then inner; exit; fi

# Run this same script inside Xvfb and a D-Bus session (xvfb-run uses sh,
# which drops exported bash functions, hence the re-entry).
export DESKTOP_SMOKE_INNER=1
export NO_AT_BRIDGE=1
# The node inherits these: tests send nothing beyond loopback.
export ARCHIVIST_NAT=none ARCHIVIST_MDNS=false
timeout -k 5 90 xvfb-run -a -s "-screen 0 1280x900x24 -br" dbus-run-session -- "$0" "$bin" 2>"$home/session.log" | tee "$home/result"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "desktop: FAILED; Xvfb/D-Bus said:"; cat "$home/session.log"; exit 1; }
result=$(cat "$home/result")
# A blank screen has one colour; the UI renders text, borders and glow.
colours=$(convert "$out/desktop.png" -format %k info:)
geometry=$(echo "$result" | awk '/^window/{print $3}')
echo "desktop: window $geometry, screenshot $out/desktop.png with $colours colours"
[ "$geometry" = "1200x800" ] || { echo "desktop: window is $geometry, want 1200x800"; exit 1; }
[ "$colours" -ge 32 ] || { echo "desktop: the screenshot looks blank ($colours colours)"; exit 1; }
# The UI itself, not a fallback page: the sidebar's background (#0a0f0c)
# covers a 220 px column of the window.
sidebar=$(convert "$out/desktop.png" -fill black +opaque '#0A0F0C' -fill white -opaque '#0A0F0C' -format '%[fx:round(mean*w*h)]' info:)
echo "desktop: $sidebar pixels of sidebar colour"
[ "$sidebar" -ge 50000 ] || { echo "desktop: the window does not show the app's UI (no sidebar)"; exit 1; }
echo "desktop: ok"
