package ignore

import (
	"strings"
	"testing"
)

func FuzzMatch(f *testing.F) {
	f.Add("*.log\n!keep.log", "a/b/keep.log", false)
	f.Add("doc/frotz/\n/build", "doc/frotz/x", false)
	f.Add("a/**/b\nabc/**\n**/foo", "a/x/y/b", true)
	f.Add("[!a-c]?\n[[:digit:][:x]*\n\\#x\\ ", "#x ", false)
	f.Add("**/**/*a*b*c*d*e*\n!\n/", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbb", true)
	f.Add("[]-]\n[\\\n[a-\\", "é/\xff", false)
	f.Fuzz(func(t *testing.T, lines, path string, isDir bool) {
		m, err := New(Source{Name: "fuzz", Lines: strings.Split(lines, "\n")})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error does not name the source: %v", err)
			}
			return
		}
		got := m.Match(path, isDir)
		// An ignored directory hides everything under it.
		if i := strings.LastIndexByte(path, '/'); i > 0 && m.Match(path[:i], true) && !got {
			t.Fatalf("%q: parent %q is ignored but the child is not", path, path[:i])
		}
	})
}

// benchPatterns is a realistic mix: the app's defaults, suffixes, anchored
// directories, "**" and a re-include.
var benchPatterns = []string{
	"*.tmp", "*.temp", ".DS_Store", "Thumbs.db", "desktop.ini",
	"*.log", "*.bak", "*.o", "node_modules/", "/build/",
	"target/", "**/cache/**", "vendor/**/testdata", "*.[oa]", "~$*",
	"photos/**/raw/", "!important.log", "IMG_????.tmp", "[Dd]ebug/", "*.swp",
}

var benchPaths = []string{
	"photos/2024/06/IMG_1234.JPG",
	"photos/2024/06/raw/IMG_1234.CR2",
	"Documents/work/reports/q3/summary.docx",
	"projects/app/node_modules/react/index.js",
	"projects/app/src/components/Button.tsx",
	"music/Artist/Album/01 - Track.flac",
	"a.txt",
	"projects/tool/build/out.bin",
}

func BenchmarkMatch(b *testing.B) {
	m := mustNew(b, benchPatterns...)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range benchPaths {
			m.Match(p, false)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	m := mustNew(t, benchPatterns...)
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range benchPaths {
			m.Match(p, false)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocated %v times per run", allocs)
	}
}
