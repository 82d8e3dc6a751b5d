// Package shell is the desktop window around the app: a Wails v2 webview
// that shows the React UI, served in-process from the app's trusted HTTP
// handler through Wails' AssetServer, so the window and a browser talk to
// exactly the same API. Wails' asset server cannot stream responses, so the
// window receives the app's live events through Wails' own event bridge
// (event name EventName) instead of /api/events; the UI picks whichever
// transport it finds.
//
// This is the only package that imports Wails. It is compiled in with the
// `desktop` build tag (plus `production` and `webkit2_41` on Linux); without
// it, Available reports why there is no window and the caller runs headless,
// so `go test ./...` needs neither cgo nor WebKit.
package shell

// EventName is the Wails event that carries the app's bus events.
const EventName = "archivist:event"

// Options describe the window.
type Options struct {
	Title       string
	StartHidden bool
}
