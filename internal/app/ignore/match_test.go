package ignore

import "testing"

type check struct {
	path  string
	isDir bool
	want  bool
}

const (
	file = false
	dir  = true
)

func mustNew(t testing.TB, lines ...string) *Matcher {
	t.Helper()
	m, err := New(Source{Name: "test", Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		checks []check
	}{
		{"name at any depth", []string{"*.log"}, []check{
			{"a.log", file, true}, {"a/b/c.log", file, true}, {"x.log", dir, true},
			{"a.logx", file, false}, {"log", file, false}, {"a/log", file, false},
		}},
		// gitignore(5): "doc/frotz/" matches doc/frotz but not a/doc/frotz.
		{"doc/frotz/", []string{"doc/frotz/"}, []check{
			{"doc/frotz", dir, true}, {"doc/frotz/x.txt", file, true},
			{"a/doc/frotz", dir, false}, {"doc/frotz", file, false},
		}},
		// gitignore(5): "frotz/" matches frotz and a/frotz that are directories.
		{"frotz/", []string{"frotz/"}, []check{
			{"frotz", dir, true}, {"a/frotz", dir, true}, {"a/frotz/b.txt", file, true},
			{"frotz", file, false}, {"a/frotz", file, false}, {"frotzy", dir, false},
		}},
		{"middle slash anchors", []string{"doc/frotz"}, []check{
			{"doc/frotz", file, true}, {"doc/frotz", dir, true}, {"doc/frotz/a", file, true},
			{"a/doc/frotz", file, false}, {"doc", dir, false},
		}},
		{"leading slash anchors", []string{"/build", "/a/b"}, []check{
			{"build", dir, true}, {"build", file, true}, {"build/x.o", file, true},
			{"src/build", dir, false}, {"a/b", file, true}, {"x/a/b", file, false},
		}},
		// gitignore(5): "foo/*" matches foo/test.json and the directory
		// foo/bar; foo/bar/hello.c is then ignored through its parent.
		{"foo/*", []string{"foo/*"}, []check{
			{"foo/test.json", file, true}, {"foo/bar", dir, true}, {"foo/bar/hello.c", file, true},
			{"foo", dir, false}, {"a/foo/test.json", file, false},
		}},
		{"**/foo", []string{"**/foo"}, []check{
			{"foo", file, true}, {"a/b/foo", file, true}, {"a/foo", dir, true},
			{"foox", file, false}, {"a/xfoo", file, false},
		}},
		{"**/foo/bar", []string{"**/foo/bar"}, []check{
			{"foo/bar", file, true}, {"a/foo/bar", file, true}, {"a/b/foo/bar", dir, true},
			{"a/foo/x/bar", file, false}, {"bar", file, false},
		}},
		{"abc/**", []string{"abc/**"}, []check{
			{"abc/x", file, true}, {"abc/x/y", file, true}, {"abc/x", dir, true},
			{"abc", dir, false}, {"abc", file, false}, {"x/abc/y", file, false},
		}},
		{"a/**/b", []string{"a/**/b"}, []check{
			{"a/b", file, true}, {"a/x/b", file, true}, {"a/x/y/b", file, true},
			{"a/xb", file, false}, {"b", file, false}, {"x/a/b", file, false},
		}},
		{"repeated ** segments collapse", []string{"a/**/**/b", "c/***"}, []check{
			{"a/b", file, true}, {"a/x/y/b", file, true}, {"c/d", file, true}, {"c", dir, false},
		}},
		{"** alone and **/", []string{"**", "!keep", "!keep/**"}, []check{
			{"anything", file, true}, {"a/b", file, true}, {"keep", dir, false}, {"keep/x", file, false},
		}},
		{"**/ is every directory", []string{"**/"}, []check{
			{"d", dir, true}, {"a/f", file, true}, {"f", file, false},
		}},
		{"other asterisk runs are *", []string{"a**b", "foo/**bar"}, []check{
			{"axxb", file, true}, {"ab", file, true}, {"x/ab", file, true},
			{"foo/xbar", file, true}, {"foo/x/bar", file, false},
		}},
		{"* and ? stay within a name", []string{"a/*.txt", "?.md"}, []check{
			{"a/b.txt", file, true}, {"a/b/c.txt", file, false},
			{"x.md", file, true}, {"é.md", file, true}, {"xy.md", file, false}, {".md", file, false},
		}},
		{"general glob", []string{"a*b?c*d"}, []check{
			{"abxcd", file, true}, {"aXbYcZZd", file, true}, {"abbbcccd", file, true},
			{"abcd", file, false}, {"abxc", file, false},
		}},
		{"classes", []string{"[a-c].txt", "[!a-z0-9].md", "[^x]y", "[]z].q", "[a-].r", "[[:digit:]]*.jpg", "[[:upper:][:punct:]]k"}, []check{
			{"a.txt", file, true}, {"c.txt", file, true}, {"d.txt", file, false},
			{"Q.md", file, true}, {"q.md", file, false}, {"5.md", file, false},
			{"ay", file, true}, {"xy", file, false},
			{"].q", file, true}, {"z.q", file, true}, {"a.q", file, false},
			{"-.r", file, true}, {"a.r", file, true}, {"b.r", file, false},
			{"1x.jpg", file, true}, {"x1.jpg", file, false},
			{"Ak", file, true}, {"!k", file, true}, {"ak", file, false},
		}},
		{"class without :] is a plain set", []string{"[[:x]y"}, []check{
			{"[y", file, true}, {":y", file, true}, {"xy", file, true}, {"]y", file, false},
		}},
		{"escapes", []string{`\*.txt`, `a\?`, `[\]]x`, `a\/b`}, []check{
			{"*.txt", file, true}, {"b.txt", file, false},
			{"a?", file, true}, {"ab", file, false}, {"]x", file, true},
			{"a/b", file, true},
		}},
		{"case-sensitive", []string{"*.JPG"}, []check{
			{"a.JPG", file, true}, {"a.jpg", file, false},
		}},
		{"negation re-includes", []string{"*.log", "!important.log"}, []check{
			{"x.log", file, true}, {"important.log", file, false}, {"a/important.log", file, false},
		}},
		{"last match wins", []string{"!a.txt", "a.txt"}, []check{
			{"a.txt", file, true},
		}},
		{"excluded parent cannot be re-included", []string{"build/", "!build/keep.txt", "!keep.md"}, []check{
			{"build/keep.txt", file, true}, {"x/build/keep.md", file, true}, {"build", dir, true},
		}},
		{"re-included directory", []string{"logs/", "!logs/"}, []check{
			{"logs", dir, false}, {"logs/x", file, false},
		}},
		// The documented way to keep only foo/bar.
		{"exclude all but foo/bar", []string{"/*", "!/foo", "/foo/*", "!/foo/bar"}, []check{
			{"foo", dir, false}, {"foo/bar", dir, false}, {"foo/bar/x", file, false},
			{"foo/baz", file, true}, {"other", file, true}, {"other/foo/bar", file, true},
		}},
		{"dir-only vs file of the same name", []string{"cache/", "!cache/"}, []check{
			{"cache", file, false}, {"cache", dir, false},
		}},
		{"dir-only pattern, file of same name", []string{"cache/"}, []check{
			{"cache", file, false}, {"a/cache", file, false}, {"cache", dir, true}, {"a/cache/b", file, true},
		}},
		{"comments and escaped #", []string{"#notes", `\#todo`}, []check{
			{"#notes", file, false}, {"#todo", file, true},
		}},
		{"escaped !", []string{`\!important`}, []check{
			{"!important", file, true}, {"important", file, false},
		}},
		{"trailing spaces trimmed", []string{"foo   ", "bar\t"}, []check{
			{"foo", file, true}, {"foo ", file, false}, {"bar\t", file, true}, {"bar", file, false},
		}},
		{"escaped trailing space kept", []string{`foo\ `, `baz\  `}, []check{
			{"foo ", file, true}, {"foo", file, false}, {"baz ", file, true}, {"baz", file, false},
		}},
		{"space before # is a pattern", []string{" #x"}, []check{
			{" #x", file, true},
		}},
		{"blank and empty patterns", []string{"", "   ", "!", "/", "# only comments"}, []check{
			{"a", file, false}, {"a", dir, false},
		}},
		{"app default excludes", []string{"*.tmp", "*.temp", ".DS_Store", "Thumbs.db"}, []check{
			{"a.tmp", file, true}, {"x/y/z.tmp", file, true}, {"b.temp", file, true},
			{".DS_Store", file, true}, {"p/.DS_Store", file, true},
			{"Thumbs.db", file, true}, {"q/r/Thumbs.db", file, true},
			{"a.tmpl", file, false}, {"a.tmp.jpg", file, false}, {"thumbs.db", file, false},
			{"photos/2024/a.jpg", file, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustNew(t, tt.lines...)
			for _, c := range tt.checks {
				if got := m.Match(c.path, c.isDir); got != c.want {
					t.Errorf("patterns %q: Match(%q, dir=%v) = %v, want %v", tt.lines, c.path, c.isDir, got, c.want)
				}
			}
		})
	}
}

// The pattern "foo/*" itself does not match foo/bar/hello.c (the "*" cannot
// cross a slash); only the parent rule in Match ignores it.
func TestPatternDoesNotCrossSlash(t *testing.T) {
	p, ok, err := parsePattern("foo/*")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if p.match("foo/bar/hello.c", "hello.c", false) {
		t.Error(`"foo/*" matched foo/bar/hello.c directly`)
	}
}

func TestSourcesApplyInOrder(t *testing.T) {
	cfg := Source{Name: "config exclude_patterns", Lines: []string{"*.jpg"}}
	file := Source{Name: FileName, Lines: []string{"!keep.jpg"}}
	m, err := New(cfg, file)
	if err != nil {
		t.Fatal(err)
	}
	if m.Match("a/keep.jpg", false) || !m.Match("a/other.jpg", false) {
		t.Error("later source did not re-include")
	}
	m, err = New(file, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Match("a/keep.jpg", false) {
		t.Error("earlier source overrode a later one")
	}
}

func TestMatchEdges(t *testing.T) {
	var nilM *Matcher
	if nilM.Match("a", false) {
		t.Error("nil matcher matched")
	}
	m := mustNew(t, "*")
	if m.Match("", false) {
		t.Error("empty path matched")
	}
	if empty := mustNew(t); empty.Match("a/b", false) {
		t.Error("matcher without patterns matched")
	}
}
