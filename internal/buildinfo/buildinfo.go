// Package buildinfo holds the version, git revision and build date of the
// binary. The Makefile sets them with -ldflags -X; a plain `go build` reports
// a development build rather than pretending to be a release.
package buildinfo

// Set by the linker: -X github.com/archivist-desktop/archivist/internal/buildinfo.Version=…
var (
	Version   = "dev"
	Revision  = "unknown"
	BuildDate = "unknown"
)

// Info is the JSON shape the UI API and `archivist version` report.
type Info struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	BuildDate string `json:"buildDate"`
}

// Get returns the build information of this binary.
func Get() Info {
	return Info{Version: Version, Revision: Revision, BuildDate: BuildDate}
}
