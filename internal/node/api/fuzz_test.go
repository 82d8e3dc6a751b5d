package api

import (
	"strings"
	"testing"
)

// FuzzUploadHeaders: the upload's Content-Disposition and query parsing
// never panic, and a filename that passes validFilename can name nothing
// but one file in one directory: no separator, no NUL, no "..".
func FuzzUploadHeaders(f *testing.F) {
	for _, s := range []string{`attachment; filename="a.txt"`, `filename="`, `filename="../../etc/passwd"`,
		`filename=" "`, `filename="a\x00b"`, `filename="..\..\x"`, `filename=".."`, `filename="CON.txt"`} {
		f.Add(s, "level=DEBUG;TRACE:repo&x=%zz")
	}
	f.Fuzz(func(t *testing.T, disposition, query string) {
		rawQueryValue(query, "level")
		name, ok := dispositionFilename(disposition)
		if !ok || !validFilename(name) {
			return
		}
		if strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
			t.Fatalf("%q gave the filename %q", disposition, name)
		}
	})
}
