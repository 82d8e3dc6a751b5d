//go:build desktop && !linux

package shell

// Available: macOS and Windows always have a desktop to open a window on.
func Available() error { return nil }
