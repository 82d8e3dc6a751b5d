// Package web holds the built React UI for embedding in the binary. The real
// bundle (web/dist, built by `npm run build`) is embedded only with the
// `embedui` build tag, which the Makefile sets, so that a fresh clone still
// compiles and tests the Go code before the UI has been built; without the
// tag the binary serves a page that says how to build the UI.
package web

import "io/fs"

// FS returns the UI's files with index.html at the root.
func FS() fs.FS {
	sub, err := fs.Sub(files, root)
	if err != nil {
		panic(err) // root is a constant path inside the embedded tree
	}
	return sub
}
