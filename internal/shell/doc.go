// Package shell is the desktop around the app: a Wails v2 webview window
// that shows the React UI, served in-process from the app's trusted HTTP
// handler through Wails' AssetServer, so the window and a browser talk to
// exactly the same API; a system tray (fyne.io/systray) that stays when the
// window is closed; OS notifications; and the native file dialogs the API
// offers the window's UI.
//
// Wails' asset server cannot stream responses, so the window receives the
// app's live events through Wails' own event bridge (event name EventName)
// instead of /api/events; the UI picks whichever transport it finds. The
// tray and the notifications follow the same bus: the tray keeps the last
// node-state and sync-state and redraws its icon and menu from them; the
// notifications turn backup-finished, backup-failed and a paired device's
// peer-connected into OS notifications under the user's settings.
//
// Closing the window hides it to the tray only when there is a tray to come
// back from: on Linux a StatusNotifierWatcher must be on the session bus
// (GNOME without its AppIndicator extension has none), otherwise closing
// quits, since a hidden window without a tray could only be found again by
// launching the app a second time.
//
// This is the only package that imports Wails and systray. They are compiled
// in with the `desktop` build tag (plus `production` and `webkit2_41` on
// Linux); without it, Available reports why there is no window and the
// caller runs headless, so `go test ./...` needs neither cgo nor WebKit. The
// pieces that decide (tray state, notification wording) carry no tag and are
// tested in plain `go test`.
package shell

// EventName is the Wails event that carries the app's bus events.
const EventName = "archivist:event"
