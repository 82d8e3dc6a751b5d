// Package paths decides where the app keeps its files. With --home every path
// lives under one directory, so several instances run side by side (tests rely
// on this); without it the OS locations of the reference app are used, so a
// user's existing config is found where they expect it. Nothing else in the
// app builds a path from a global location: it asks a Layout.
package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Layout is the set of directories one app instance owns.
type Layout struct {
	ConfigDir string // config.toml, api-key
	DataDir   string // app state, logs
	NodeDir   string // the storage node's --data-dir
}

// ConfigFile is the path of config.toml.
func (l Layout) ConfigFile() string { return filepath.Join(l.ConfigDir, "config.toml") }

// APIKeyFile is the path of the per-install UI API key.
func (l Layout) APIKeyFile() string { return filepath.Join(l.ConfigDir, "api-key") }

// DeviceKeyFile is the app's own key: its device ID on the link between
// paired apps.
func (l Layout) DeviceKeyFile() string { return filepath.Join(l.ConfigDir, "device-key.pem") }

// InstanceFile is where a running instance writes the address of its UI
// API, so the CLI (and a second launch) can find it.
func (l Layout) InstanceFile() string { return filepath.Join(l.DataDir, "instance.json") }

// NodeLog is the path of the storage node's captured output.
func (l Layout) NodeLog() string { return filepath.Join(l.DataDir, "node.log") }

// ForHome returns the layout under one directory (the --home flag).
func ForHome(home string) (Layout, error) {
	if home == "" {
		return Layout{}, errors.New("--home: empty directory name")
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return Layout{}, fmt.Errorf("--home %q: %w", home, err)
	}
	// DIR/config.toml, as `syncthing --home` keeps config.xml at the top.
	return Layout{
		ConfigDir: abs,
		DataDir:   filepath.Join(abs, "data"),
		NodeDir:   filepath.Join(abs, "node"),
	}, nil
}

// Default returns the OS locations: Linux ~/.config/archivist and
// ~/.local/share/archivist (honouring XDG_*), macOS ~/Library/Application
// Support/archivist, Windows %APPDATA%\archivist.
func Default() (Layout, error) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		return Layout{}, fmt.Errorf("locating the config directory: %w", err)
	}
	data, err := userDataDir()
	if err != nil {
		return Layout{}, err
	}
	l := Layout{
		ConfigDir: filepath.Join(cfg, "archivist"),
		DataDir:   filepath.Join(data, "archivist"),
	}
	l.NodeDir = filepath.Join(l.DataDir, "node")
	return l, nil
}

// userDataDir is the per-user data directory. Go's standard library has no
// such function: on macOS and Windows it coincides with the config directory.
func userDataDir() (string, error) {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "plan9":
		return os.UserConfigDir()
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locating the data directory: %w", err)
	}
	return filepath.Join(h, ".local", "share"), nil
}

// Create makes every directory of the layout, private to the user.
func (l Layout) Create() error {
	for _, d := range []string{l.ConfigDir, l.DataDir, l.NodeDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	return nil
}
