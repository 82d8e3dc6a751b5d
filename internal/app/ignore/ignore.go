package ignore

import (
	"fmt"
	"strings"
)

// FileName is the per-folder ignore file's name.
const FileName = ".archivistignore"

// maxFileSize bounds what ParseFile accepts: an ignore file is a handful of
// lines, so anything bigger is a mistake and must not be held in memory.
const maxFileSize = 1 << 20

// Source is one origin of pattern lines, such as the config's
// exclude_patterns or a folder's .archivistignore.
type Source struct {
	Name  string // for error messages
	Lines []string
}

// Matcher decides whether a relative path is ignored. It is immutable after
// New, so it is safe for concurrent use.
type Matcher struct {
	pats []pattern
}

// New compiles gitignore-syntax lines. Sources apply in the order given, so a
// `!pattern` in a later source can re-include what an earlier one excluded.
// Blank lines and `#` comments are skipped. An invalid pattern is an error
// naming the source and line, e.g.
// `.archivistignore:3: invalid pattern "[abc": unterminated character class`.
func New(sources ...Source) (*Matcher, error) {
	m := &Matcher{}
	for _, src := range sources {
		for i, line := range src.Lines {
			p, ok, err := parsePattern(line)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: invalid pattern %q: %w", src.Name, i+1, line, err)
			}
			if ok {
				m.pats = append(m.pats, p)
			}
		}
	}
	return m, nil
}

// ParseFile reads an ignore file's contents into a Source: it strips a UTF-8
// BOM and splits lines on "\n" or "\r\n", so line numbers in New's errors
// match what an editor shows. Files larger than 1 MiB are refused.
func ParseFile(name string, data []byte) (Source, error) {
	if len(data) > maxFileSize {
		return Source{}, fmt.Errorf("%s: ignore file is %d bytes, over the 1 MiB limit", name, len(data))
	}
	s := strings.TrimPrefix(string(data), "\ufeff")
	// A final newline ends the last line rather than starting an empty one.
	s = strings.TrimSuffix(s, "\n")
	src := Source{Name: name}
	if s == "" {
		return src, nil
	}
	src.Lines = strings.Split(s, "\n")
	for i, l := range src.Lines {
		src.Lines[i] = strings.TrimSuffix(l, "\r")
	}
	return src, nil
}

// Match reports whether rel (a file when isDir is false, a directory when
// true) is ignored. Each ancestor directory is checked first, because git
// cannot re-include a file whose parent directory is excluded: the walk never
// looks inside that directory.
func (m *Matcher) Match(rel string, isDir bool) bool {
	if m == nil || len(m.pats) == 0 || rel == "" {
		return false
	}
	start := 0
	for i := 0; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		if i > start && m.excluded(rel[:i], rel[start:i], true) {
			return true
		}
		start = i + 1
	}
	return m.excluded(rel, rel[start:], isDir)
}

// excluded applies the patterns to one path, ignoring its ancestors. Walking
// backwards lets the first hit decide, which is git's "last match wins".
func (m *Matcher) excluded(p, base string, isDir bool) bool {
	for i := len(m.pats) - 1; i >= 0; i-- {
		if m.pats[i].match(p, base, isDir) {
			return !m.pats[i].negate
		}
	}
	return false
}

// tempSuffixes mark downloads in progress; browsers and sync tools rename the
// file when done, so syncing the partial file would only waste an upload.
var tempSuffixes = [...]string{".tmp", ".temp", ".part", ".crdownload"}

// Builtin reports whether a file or directory name is always skipped by the
// app, regardless of patterns: hidden names (which covers FileName and editor
// swap files such as ".foo.swp"), editor backups ending in "~", and names
// ending in .tmp, .temp, .part or .crdownload in any case.
func Builtin(name string) bool {
	if name == "" {
		return false
	}
	if name[0] == '.' || name[len(name)-1] == '~' {
		return true
	}
	for _, suf := range tempSuffixes {
		if len(name) >= len(suf) && strings.EqualFold(name[len(name)-len(suf):], suf) {
			return true
		}
	}
	return false
}
