/*
Package config holds the desktop app's settings, config.toml, and is the one
place every service reads them from.

The file keeps the reference app's keys (spec §2), so a user's existing file
loads unchanged. Loading decodes the file over the defaults: a key the file
leaves out takes its default, a key the app does not know is an error that
names the key and its line (a misspelt key silently ignored is a setting the
user believes is in force and is not), and the result is validated as a whole:
ports in range and not shared, intervals positive, patterns, addresses and
paths well formed. Every problem is reported at once, by its TOML key path
(node.api_port, backup_server.source_peers[1].host), with the line when it
comes from the file.

A file that cannot be loaded is never replaced. The reference app fell back to
defaults in memory and then wrote them over the user's file at the next save,
losing every setting because of one typo. Here the Store opens in a broken
state instead: the app runs on the defaults so it can start and say what is
wrong, but Update refuses to save until the user either fixes the file and
reloads it, or resets to defaults, which first renames the broken file to
config.toml.broken-<time> so nothing they wrote is lost. For the same reason
an Update refuses to save over edits made to the file since the store read it.

Saves are atomic: the new file is written to a temporary file in the same
directory, synced, renamed over the old one and the directory synced, so a
crash or power cut leaves the old file or the new one, never a torn one. The
file is private to the user (0600) and written as pretty TOML with unset
optional values left out.

Settings are meant to take effect while the app runs, so Store.Update
validates, saves and then sends every subscriber a Changes value: the old and new configuration,
the keys that changed, and whether the node must restart (every [node] key is
a flag of the node's command line except log_level, which the node's REST API
sets live, and auto_start, which only matters at launch). Delivery never waits
for a subscriber; one that has not read the previous Changes gets them merged
with the new ones, so a slow service still ends up applying every change.

	store, err := config.Open(layout.ConfigFile(), config.Default(layout.NodeDir))
	if store == nil {
		return err // invalid defaults: a bug, not the user's file
	}
	if le := store.Broken(); le != nil {
		// show le (file, key, line, problem); offer Reload and ResetToDefaults
	}
	changes, cancel := store.Subscribe()
	defer cancel()
	for ch := range changes {
		if ch.NodeRestart {
			// restart the node with ch.New.Node
		}
		if ch.Has("manifest_server") {
			// rebind the manifest server
		}
	}
*/
package config
