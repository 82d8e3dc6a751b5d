//go:build !darwin && !windows

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Path is the XDG autostart entry: $XDG_CONFIG_HOME/autostart, by default
// ~/.config/autostart (XDG Base Directory and Desktop Application Autostart
// specifications).
func Path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the autostart directory: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", "archivist.desktop"), nil
}

func install(e Entry) error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
	}
	return writeAtomic(p, []byte(desktopEntry(e)))
}

func remove() error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", p, err)
	}
	return nil
}

func desktopEntry(e Entry) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Archivist\n" +
		"Comment=Back your folders up to your own machines, peer to peer\n" +
		"Exec=" + execLine(append([]string{e.Exe}, e.Args...)) + "\n" +
		"Icon=archivist\n" +
		"Terminal=false\n" +
		"Categories=Utility;Archiving;\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// execLine quotes a command for the Exec key. The Desktop Entry
// specification's rules: an argument with a reserved character is put in
// double quotes, inside which ", `, $ and \ are backslash-escaped; a literal
// % is %%; and then the whole value is a string, whose own escape rule
// doubles every backslash again.
func execLine(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		a = strings.ReplaceAll(a, "%", "%%")
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`=") {
			var b strings.Builder
			b.WriteByte('"')
			for _, r := range a {
				if strings.ContainsRune("\"`$\\", r) {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteByte('"')
			a = b.String()
		}
		quoted[i] = a
	}
	line := strings.Join(quoted, " ")
	line = strings.ReplaceAll(line, `\`, `\\`)
	return strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(line)
}

// writeAtomic writes through a temporary file and a rename, so a login
// never reads half an entry.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
