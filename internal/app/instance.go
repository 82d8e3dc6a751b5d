package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Instance is what a running app records about itself for the CLI: where
// its UI API listens. The API key is read from its own file, never here.
type Instance struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// ErrNotRunning means no instance file: the app is not running there.
var ErrNotRunning = errors.New("Archivist is not running")

func writeInstance(path string, in Instance) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// ReadInstance reads the instance file of a home.
func ReadInstance(path string) (Instance, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Instance{}, ErrNotRunning
	}
	if err != nil {
		return Instance{}, err
	}
	var in Instance
	if err := json.Unmarshal(b, &in); err != nil || in.URL == "" {
		return Instance{}, fmt.Errorf("%s is damaged; restart Archivist to rewrite it", path)
	}
	return in, nil
}
