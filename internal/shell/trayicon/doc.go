// Package trayicon draws the tray icons, one per state the tray shows
// (running, syncing, error, stopped), with Go's image package: a dark
// rounded tile, the app's green, and a mark whose colour and shape both
// change with the state, so it reads without colour vision too. The PNGs
// are generated (go generate) into this directory and embedded; a test
// redraws them and compares pixels, so the files cannot drift from the code.
package trayicon

//go:generate go run gen.go
