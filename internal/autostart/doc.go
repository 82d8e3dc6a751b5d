// Package autostart makes the setting start_on_boot real: it writes, or
// removes, the operating system's own "start this program when I log in"
// entry — an XDG autostart desktop entry on Linux and the other free
// desktops (~/.config/autostart/archivist.desktop), a LaunchAgent property
// list on macOS (~/Library/LaunchAgents), a value under the current user's
// Run key on Windows — each in its platform's file. The entry starts this
// binary's desktop app with --minimized, so login brings it up in the tray
// rather than in the user's face, and with the --home it runs with, so the
// same instance comes back.
//
// Follow keeps the entry in step with the configuration for as long as the
// desktop app runs: once at start (the binary may have moved since the
// entry was written, or the file was edited by hand) and on every change of
// the setting. Only the desktop window follows it: a headless `archivist
// serve` (tests, servers run by systemd) never touches the user's login.
package autostart
