package autostart

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey    = `Software\Microsoft\Windows\CurrentVersion\Run`
	valueName = "Archivist"
)

// Path names the Run key value, for messages.
func Path() (string, error) { return `HKCU\` + runKey + `\` + valueName, nil }

func install(e Entry) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if err := k.SetStringValue(valueName, commandLine(e)); err != nil {
		return fmt.Errorf("writing HKCU\\%s\\%s: %w", runKey, valueName, err)
	}
	return nil
}

func remove() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if err := k.DeleteValue(valueName); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("removing HKCU\\%s\\%s: %w", runKey, valueName, err)
	}
	return nil
}

// commandLine quotes each argument the way CommandLineToArgvW splits them.
func commandLine(e Entry) string {
	args := make([]string, 0, 1+len(e.Args))
	for _, a := range append([]string{e.Exe}, e.Args...) {
		args = append(args, syscall.EscapeArg(a))
	}
	return strings.Join(args, " ")
}
