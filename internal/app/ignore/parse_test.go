package ignore

import (
	"slices"
	"strings"
	"testing"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		src  Source
		want string
	}{
		{Source{FileName, []string{"*.tmp", "# c", "[abc"}},
			`.archivistignore:3: invalid pattern "[abc": unterminated character class`},
		{Source{"config exclude_patterns", []string{`foo\`}},
			`config exclude_patterns:1: invalid pattern "foo\\": trailing backslash`},
		{Source{"s", []string{"ok", "a/[b-"}}, `s:2: invalid pattern "a/[b-": unterminated character class`},
		{Source{"s", []string{`[\`}}, `s:1: invalid pattern "[\\": unterminated character class`},
		{Source{"s", []string{"[]"}}, `s:1: invalid pattern "[]": unterminated character class`},
		{Source{"s", []string{"[[:alpha:]"}}, `s:1: invalid pattern "[[:alpha:]": unterminated character class`},
		{Source{"s", []string{"[[:bogus:]]"}}, `s:1: invalid pattern "[[:bogus:]]": unknown character class "bogus"`},
		{Source{"s", []string{"![a"}}, `s:1: invalid pattern "![a": unterminated character class`},
	}
	for _, tt := range tests {
		m, err := New(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("New(%q) = %v, %v; want error %s", tt.src.Lines, m, err, tt.want)
		}
	}
}

func TestNewErrorNamesLaterSource(t *testing.T) {
	_, err := New(Source{"a", []string{"x"}}, Source{"b", []string{"", "y", "z?[", "w"}})
	if want := `b:3: invalid pattern "z?[": unterminated character class`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestParseFile(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"empty", "", nil},
		{"lf", "a\nb\n", []string{"a", "b"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"crlf", "a\r\n\r\nb\r\n", []string{"a", "", "b"}},
		{"bom", "\ufeff*.tmp\n", []string{"*.tmp"}},
		{"bom and crlf", "\ufeff# c\r\n/build/\r\n", []string{"# c", "/build/"}},
		{"blank lines keep numbering", "\n\nx\n", []string{"", "", "x"}},
	}
	for _, tt := range tests {
		src, err := ParseFile(FileName, []byte(tt.data))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if src.Name != FileName || !slices.Equal(src.Lines, tt.want) {
			t.Errorf("%s: got %q %q, want %q", tt.name, src.Name, src.Lines, tt.want)
		}
	}
}

func TestParseFileLineNumbers(t *testing.T) {
	src, err := ParseFile(FileName, []byte("\ufeff# c\r\n\r\n[x\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(src)
	if want := `.archivistignore:3: invalid pattern "[x": unterminated character class`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestParseFileCRLFMatches(t *testing.T) {
	src, err := ParseFile(FileName, []byte("*.log\r\n!keep.log\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(src)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Match("a.log", false) || m.Match("keep.log", false) {
		t.Error("CRLF lines did not compile to the expected patterns")
	}
}

func TestParseFileSizeLimit(t *testing.T) {
	line := strings.Repeat("x", 1023) + "\n"
	ok := []byte(strings.Repeat(line, 1024)) // exactly 1 MiB
	if _, err := ParseFile(FileName, ok); err != nil {
		t.Errorf("1 MiB refused: %v", err)
	}
	_, err := ParseFile(FileName, append(ok, 'x'))
	if err == nil || !strings.Contains(err.Error(), FileName) || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("oversized file: err = %v", err)
	}
}

func TestBuiltin(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".archivistignore", true}, {".git", true}, {".foo.swp", true}, {".DS_Store", true},
		{"notes.txt~", true}, {"~", true},
		{"a.tmp", true}, {"a.TMP", true}, {"a.temp", true}, {"a.Temp", true},
		{"movie.mkv.part", true}, {"x.PART", true}, {"setup.exe.crdownload", true}, {"a.CrDownload", true},
		{"", false}, {"a.jpg", false}, {"tmp", false}, {"a.tmpl", false}, {"a~b", false},
		{"a.partial", false}, {"crdownload", false}, {"photo.jpg.tmp.jpg", false},
	}
	for _, tt := range tests {
		if got := Builtin(tt.name); got != tt.want {
			t.Errorf("Builtin(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTrimTrailingSpaces(t *testing.T) {
	tests := map[string]string{
		"a":       "a",
		"a  ":     "a",
		`a\ `:     `a\ `,
		`a\  `:    `a\ `,
		`a \ `:    `a \ `,
		"a b  ":   "a b",
		`a  \`:    `a  \`,
		`a\\  `:   `a\\`,
		"   ":     "",
		"a\t ":    "a\t",
		"\\\\ \\": "\\\\ \\",
	}
	for in, want := range tests {
		if got := trimTrailingSpaces(in); got != want {
			t.Errorf("trimTrailingSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}
