#!/usr/bin/env bash
# Desktop smoke test: the real window under Xvfb. Starts the app, waits for
# its window, takes a screenshot, checks it is not blank, then asks the app to
# quit and checks that it exits cleanly. GTK can hang, so every wait is
# bounded and a hung app is killed and reported as a failure.
set -euo pipefail
bin=$(realpath "${1:?usage: desktop-smoke.sh path/to/archivist}")
out=$(realpath -m "$(dirname "$0")/artifacts")
mkdir -p "$out"

if ! "$bin" version >/dev/null; then echo "desktop: $bin does not run"; exit 1; fi
for tool in xvfb-run xwininfo import convert dbus-run-session; do
  command -v "$tool" >/dev/null || { echo "desktop: $tool is missing (make deps installs it)"; exit 1; }
done

if [ "${DESKTOP_SMOKE_INNER:-}" != 1 ]; then
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  export DESKTOP_SMOKE_HOME=$home
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

inner() {
  set -euo pipefail
  "$bin" app --home "$home" >"$home/app.log" 2>&1 &
  pid=$!
  win=""
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then echo "desktop: the app exited early:"; cat "$home/app.log"; return 1; fi
    # GTK may map the window small first (and make small helper windows
    # with the same title): wait for the one that has at least the minimum
    # size of the app window.
    win=$(xwininfo -root -tree | grep '"Archivist"' | awk '{ for (i = 1; i <= NF; i++) if (match($i, /^[0-9]+x[0-9]+\+/)) { split($i, g, /[x+]/); if (g[1] >= 800 && g[2] >= 600) print $1 } }' | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.5
  done
  [ -n "$win" ] || { echo "desktop: no window titled Archivist within 30 s:"; cat "$home/app.log"; kill -9 "$pid"; return 1; }
  geometry=$(xwininfo -id "$win" | awk '/Width:/{w=$2} /Height:/{h=$2} END{print w"x"h}')
  # Give the webview time to load and render the UI.
  sleep 4
  import -window root "$out/desktop.png"
  kill -TERM "$pid"
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "desktop: the app did not exit within 10 s of SIGTERM"; kill -9 "$pid"; return 1; fi
  wait "$pid" && rc=0 || rc=$?
  [ "$rc" = 0 ] || { echo "desktop: the app exited with $rc:"; cat "$home/app.log"; return 1; }
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
