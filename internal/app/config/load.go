package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// LoadError is why a config file could not be used: the file, and for each
// problem the key, the line where the file has it (when known) and what is
// wrong. Err is the underlying error (a *toml.DecodeError,
// *toml.StrictMissingError, *ValidationError or an I/O error).
type LoadError struct {
	Path     string    `json:"path"`
	Problems []Problem `json:"problems"`
	Err      error     `json:"-"`
}

func (e *LoadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		loc := e.Path
		if p.Line > 0 {
			loc += fmt.Sprintf(":%d", p.Line)
			if p.Column > 0 {
				loc += fmt.Sprintf(":%d", p.Column)
			}
		}
		parts[i] = loc + ": " + p.String()
	}
	return strings.Join(parts, "; ")
}

func (e *LoadError) Unwrap() error { return e.Err }

// Load reads the config file at path. A missing file is not an error: it
// yields defaults, and nothing is written, so a first run leaves no file
// until the user saves. Keys missing from the file take their value from
// defaults; unknown keys are errors, because a misspelt key silently ignored
// is a setting the user believes is in force and is not.
//
// On a *LoadError the returned Config is defaults, so the app can run, but
// the caller must not write it over the file (Store takes care of that).
func Load(path string, defaults Config) (Config, error) {
	c, _, err := loadFile(path, defaults)
	return c, err
}

// loadFile is Load that also returns the bytes read (nil for a missing file).
// Its error is always a *LoadError.
func loadFile(path string, defaults Config) (Config, []byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return defaults.Clone(), nil, nil
	}
	if err != nil {
		return defaults.Clone(), nil, &LoadError{Path: path, Err: err,
			Problems: []Problem{{Message: "cannot read the file: " + err.Error()}}}
	}
	c, problems, err := parse(data, defaults)
	if err != nil {
		return defaults.Clone(), nil, &LoadError{Path: path, Problems: problems, Err: err}
	}
	return c, data, nil
}

// parse decodes data over defaults and validates the result.
func parse(data []byte, defaults Config) (Config, []Problem, error) {
	c := defaults.Clone()
	// go-toml decodes [[array tables]] into the existing elements of a
	// slice, so starting with the defaults' source peers would blend them
	// into the file's; peers are per user, so the file's list is the list.
	c.BackupServer.SourcePeers = nil
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, decodeProblems(err), err
	}
	if err := sourcePeerDefaults(data, &c); err != nil {
		return Config{}, decodeProblems(err), err
	}
	c = c.Clone() // no nil lists: they must round-trip as `key = []`
	if err := c.Validate(); err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return Config{}, []Problem{{Message: err.Error()}}, err
		}
		lines := keyLines(data)
		problems := make([]Problem, len(ve.Problems))
		for i, p := range ve.Problems {
			p.Line, p.Column = lines.find(p.Key)
			problems[i] = p
		}
		return Config{}, problems, &ValidationError{Problems: problems}
	}
	return c, nil, nil
}

// sourcePeerDefaults gives a [[backup_server.source_peers]] entry that leaves
// out enabled or manifest_port the values the UI's "Add Source Peer" form
// starts with, rather than false and 0: a peer someone bothered to list is
// meant to be used, and 0 is not a port. The decoder cannot tell a missing
// key from a zero one, so the document is read a second time, loosely.
func sourcePeerDefaults(data []byte, c *Config) error {
	var doc struct {
		BackupServer struct {
			SourcePeers []map[string]any `toml:"source_peers"`
		} `toml:"backup_server"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return err
	}
	for i, raw := range doc.BackupServer.SourcePeers {
		if i >= len(c.BackupServer.SourcePeers) {
			break
		}
		p := &c.BackupServer.SourcePeers[i]
		if _, ok := raw["enabled"]; !ok {
			p.Enabled = true
		}
		if _, ok := raw["manifest_port"]; !ok {
			p.ManifestPort = defaultManifestPort
		}
	}
	return nil
}

// decodeProblems turns go-toml's errors into problems with a TOML key path
// and a position, and without Go type names, which mean nothing to a person
// editing a settings file.
func decodeProblems(err error) []Problem {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		problems := make([]Problem, len(strict.Errors))
		for i := range strict.Errors {
			e := &strict.Errors[i]
			line, col := e.Position()
			msg := "unknown key"
			if strings.Contains(e.Error(), "missing table") {
				msg = "unknown table"
			}
			problems[i] = Problem{Key: strings.Join(e.Key(), "."), Line: line, Column: col, Message: msg}
		}
		return problems
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		key := []string(de.Key())
		return []Problem{{Key: strings.Join(key, "."), Line: line, Column: col,
			Message: friendlyDecodeMessage(key, strings.TrimPrefix(de.Error(), "toml: "))}}
	}
	return []Problem{{Message: strings.TrimPrefix(err.Error(), "toml: ")}}
}

var foundKindRE = regexp.MustCompile(`^cannot (?:decode TOML ([a-z ]+?) into|store (an array table|a table))`)

func friendlyDecodeMessage(key []string, msg string) string {
	m := foundKindRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := describeType(fieldType(reflect.TypeFor[Config](), key))
	if want == "" {
		return msg
	}
	found := m[1]
	switch {
	case found != "":
		found = "a TOML " + found
	case m[2] == "a table":
		found = "a table"
	default:
		found = "an array of tables"
	}
	return "expected " + want + ", found " + found
}

// fieldType is the Go type of the field at a TOML key path, or nil.
func fieldType(t reflect.Type, key []string) reflect.Type {
	for _, name := range key {
		for t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		var next reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("toml"), ","); tag == name {
				next = f.Type
				break
			}
		}
		if next == nil {
			return nil
		}
		t = next
	}
	return t
}

func describeType(t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Int:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "a table"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "an array of tables"
		}
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "an "), "a ") + "s"
	}
	return ""
}
