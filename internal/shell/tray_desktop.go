//go:build desktop

package shell

import (
	"context"
	"errors"
	"sync"

	"fyne.io/systray"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/shell/trayicon"
)

// tray is the system tray icon and its menu, redrawn from the bus.
type tray struct {
	s    *Shell
	b    Backend
	wctx context.Context
	url  string
	end  func()

	mu      sync.Mutex
	state   trayState
	icon    trayicon.Kind
	stopped bool // systray's connection is closed: no more drawing

	status, node, sync *systray.MenuItem
}

func startTray(wctx context.Context, s *Shell, ro RunOptions) *tray {
	t := &tray{s: s, b: ro.Backend, wctx: wctx, url: ro.LoginURL}
	// Set before the loop starts: it decides whether a left click
	// activates the item (shows the window) or opens the menu.
	systray.SetOnTapped(func() { t.do("show", s.Show) })
	t.end = startLoop(t.ready)
	return t
}

// stop removes the tray. The node stops after the window closes, and its
// last status changes must not reach a closed connection (systray panics).
func (t *tray) stop() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	t.end()
}

func (t *tray) ready() {
	systray.SetTitle("Archivist")
	systray.SetTooltip(Tooltip)
	show := systray.AddMenuItem("Show Archivist", "Open the Archivist window")
	t.status = systray.AddMenuItem("…", "")
	t.status.Disable()
	systray.AddSeparator()
	t.node = systray.AddMenuItem("Stop node", "")
	t.sync = systray.AddMenuItem("Pause sync", "")
	backup := systray.AddMenuItem("Backup now", "Publish every folder's changes and tell the backup server")
	systray.AddSeparator()
	browser := systray.AddMenuItem("Open in browser", "Open the app in the web browser")
	if t.url == "" {
		browser.Disable()
	}
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "Stop the node and quit Archivist")

	// Subscribe before reading the state, so no change falls between.
	bus := t.b.Bus()
	ch, cancel := bus.Subscribe()
	t.mu.Lock()
	t.state = trayState{node: t.b.NodeStatus(), sync: t.b.SyncState()}
	t.mu.Unlock()
	t.render()
	go func() {
		t.consume(ch)
		cancel()
		follow(t.wctx, bus, t.observe)
	}()
	// systray serves the menu only once ready has returned.
	go t.clicks(show, backup, browser, quit)
}

func (t *tray) clicks(show, backup, browser, quit *systray.MenuItem) {
	for {
		select {
		case <-t.wctx.Done():
			return
		case <-show.ClickedCh:
			t.do("show", t.s.Show)
		case <-t.node.ClickedCh:
			t.toggleNode()
		case <-t.sync.ClickedCh:
			t.toggleSync()
		case <-backup.ClickedCh:
			go t.do("back up", func() error { return t.b.BackupNow(t.wctx) })
		case <-browser.ClickedCh:
			wruntime.BrowserOpenURL(t.wctx, t.url)
		case <-quit.ClickedCh:
			t.s.quit()
			return
		}
	}
}

// consume reads the first subscription until it ends (lagging, or quit).
func (t *tray) consume(ch <-chan events.Event) {
	for {
		select {
		case <-t.wctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			t.observe(ev)
		}
	}
}

func (t *tray) observe(ev events.Event) {
	t.mu.Lock()
	switch d := ev.Data.(type) {
	case supervisor.Status:
		if ev.Type != supervisor.EventState {
			t.mu.Unlock()
			return
		}
		t.state.node = d
	case folders.State:
		t.state.sync = d
	default:
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	t.render()
}

func (t *tray) render() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	if k := t.state.icon(); k != t.icon {
		t.icon = k
		systray.SetIcon(trayicon.PNG(k))
	}
	t.status.SetTitle(t.state.statusLine())
	label, enabled := t.state.nodeAction()
	t.node.SetTitle(label)
	if enabled {
		t.node.Enable()
	} else {
		t.node.Disable()
	}
	t.sync.SetTitle(t.state.syncAction())
}

func (t *tray) toggleNode() {
	t.mu.Lock()
	st := t.state.node.State
	t.mu.Unlock()
	if st == supervisor.StateRunning || st == supervisor.StateStarting {
		go t.do("stop the node", func() error { return t.b.StopNode(t.wctx) })
		return
	}
	go t.do("start the node", func() error { return t.b.StartNode(t.wctx) })
}

func (t *tray) toggleSync() {
	t.mu.Lock()
	paused := t.state.sync.Paused
	t.mu.Unlock()
	if paused {
		t.do("resume sync", t.b.ResumeSync)
		return
	}
	t.do("pause sync", t.b.PauseSync)
}

// do runs a menu action; a failure is shown as a notification, since the
// user clicked and is waiting for something to happen.
func (t *tray) do(what string, action func() error) {
	err := action()
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	msg := err.Error()
	if errors.Is(err, link.ErrNoBackupPeer) {
		msg = "No backup server is set up: pair one on the Add Device page."
	}
	t.s.log.Warn("tray action failed", "action", what, "err", err)
	t.s.alert(notification{Title: "Could not " + what, Body: msg})
}
