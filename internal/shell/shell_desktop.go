//go:build desktop

package shell

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/archivist-desktop/archivist/internal/app/api"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

// Shell is the window, its tray and its dialogs. It exists before the
// window does, so the app's API can be handed it (as api.Window and
// api.Dialogs) before Run opens the window.
type Shell struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	wctx     context.Context // Wails' context, once the window is up
	notifier notifier        // nil when the OS has no notification service
	tray     *tray           // nil without a session bus

	// Wails delivers every dialog's answer on one channel: one dialog at
	// a time, or answers could cross.
	dialogMu sync.Mutex
}

// New prepares the shell.
func New(opts Options, log *slog.Logger) *Shell {
	if log == nil {
		log = slog.Default()
	}
	return &Shell{opts: opts, log: log}
}

// trayHostWait bounds the wait for a tray host when starting hidden.
const trayHostWait = 10 * time.Second

var errNotUp = errors.New("the window is still opening")

func (s *Shell) context() (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wctx == nil {
		return nil, errNotUp
	}
	return s.wctx, nil
}

// Show un-hides the window and brings it to the front (api.Window).
func (s *Shell) Show() error {
	wctx, err := s.context()
	if err != nil {
		return err
	}
	wruntime.WindowShow(wctx)
	wruntime.WindowUnminimise(wctx) // gtk_window_present: raise and focus
	return nil
}

// ChooseDirectory is the OS's folder chooser (api.Dialogs).
func (s *Shell) ChooseDirectory(_ context.Context, o api.DialogOptions) (string, error) {
	return s.dialog(func(wctx context.Context) (string, error) {
		return wruntime.OpenDirectoryDialog(wctx, wruntime.OpenDialogOptions{
			Title: o.Title, DefaultDirectory: o.DefaultPath, CanCreateDirectories: true,
		})
	})
}

// ChooseFile is the OS's file chooser (api.Dialogs).
func (s *Shell) ChooseFile(_ context.Context, o api.DialogOptions) (string, error) {
	return s.dialog(func(wctx context.Context) (string, error) {
		return wruntime.OpenFileDialog(wctx, wruntime.OpenDialogOptions{
			Title: o.Title, DefaultDirectory: o.DefaultPath,
		})
	})
}

// ChooseSaveFile is the OS's save dialog (api.Dialogs).
func (s *Shell) ChooseSaveFile(_ context.Context, o api.DialogOptions) (string, error) {
	return s.dialog(func(wctx context.Context) (string, error) {
		return wruntime.SaveFileDialog(wctx, wruntime.SaveDialogOptions{
			Title: o.Title, DefaultDirectory: o.DefaultPath, DefaultFilename: o.DefaultFilename,
			CanCreateDirectories: true,
		})
	})
}

func (s *Shell) dialog(open func(context.Context) (string, error)) (string, error) {
	wctx, err := s.context()
	if err != nil {
		return "", err
	}
	s.dialogMu.Lock()
	defer s.dialogMu.Unlock()
	return open(wctx)
}

// Run shows the window (or only the tray, when starting hidden) until the
// user quits from the tray, closes the window where there is no tray, or
// the process is asked to stop (SIGINT/SIGTERM).
func (s *Shell) Run(ctx context.Context, ro RunOptions) error {
	// Starting hidden, give a panel that starts with the same login a
	// moment to come up.
	wait := time.Duration(0)
	if ro.StartHidden {
		wait = trayHostWait
	}
	onBus, trayHost := trayHost(wait)
	if !trayHost {
		s.log.Info("no system tray on this desktop: closing the window quits Archivist")
	}
	hidden := ro.StartHidden
	if hidden && !trayHost {
		s.log.Info("asked to start in the tray, but there is none: showing the window")
		hidden = false
	}
	err := wails.Run(&options.App{
		Title:             s.opts.Title,
		Width:             1200,
		Height:            800,
		MinWidth:          800,
		MinHeight:         600,
		StartHidden:       hidden,
		HideWindowOnClose: trayHost,
		BackgroundColour:  &options.RGBA{R: 0x01, G: 0x03, B: 0x02, A: 0xff},
		AssetServer:       &assetserver.Options{Handler: ro.Handler},
		// Wails installs its own SIGINT/SIGTERM handler that quits the GTK
		// loop; quitting a second time from here on the same signal races
		// it inside gtk_main_quit and crashes, so signals are left to it.
		OnStartup: func(wctx context.Context) {
			s.mu.Lock()
			s.wctx = wctx
			s.notifier = newNotifier(wctx, s.log)
			s.mu.Unlock()
			bus := ro.Backend.Bus()
			go follow(wctx, bus, func(ev events.Event) { wruntime.EventsEmit(wctx, EventName, ev) })
			go follow(wctx, bus, func(ev events.Event) { s.notify(ev, ro.Backend) })
			// Without a host yet, the item is still put on the bus: it
			// registers when a panel starts later.
			if onBus {
				t := startTray(wctx, s, ro)
				s.mu.Lock()
				s.tray = t
				s.mu.Unlock()
			}
		},
		OnShutdown: func(context.Context) {
			s.mu.Lock()
			if s.tray != nil {
				s.tray.stop()
			}
			if s.notifier != nil {
				s.notifier.close()
			}
			s.mu.Unlock()
		},
	})
	return err
}

// quit ends Run, as the tray's Quit; the caller then stops the node.
func (s *Shell) quit() {
	if wctx, err := s.context(); err == nil {
		wruntime.Quit(wctx)
	}
}

// notify sends the OS notification an event deserves, if any.
func (s *Shell) notify(ev events.Event, b Backend) {
	n, ok := notificationFor(ev, b.Config(), b.PairedDevice)
	if ok {
		s.alert(n)
	}
}

// alert shows a notification, or logs it where the OS has no service.
func (s *Shell) alert(n notification) {
	s.mu.Lock()
	nt := s.notifier
	s.mu.Unlock()
	if nt == nil {
		s.log.Info("notification", "title", n.Title, "body", n.Body)
		return
	}
	if err := nt.send(n); err != nil {
		s.log.Warn("notification not shown", "title", n.Title, "err", err)
	}
}

// follow calls fn with every bus event until ctx ends. A subscription
// dropped for lagging is renewed: the window and the tray must not go deaf
// after a burst.
func follow(ctx context.Context, bus *events.Bus, fn func(events.Event)) {
	for ctx.Err() == nil {
		ch, cancel := bus.Subscribe()
		for open := true; open; {
			select {
			case <-ctx.Done():
				open = false
			case ev, ok := <-ch:
				if open = ok; ok {
					fn(ev)
				}
			}
		}
		cancel()
	}
}

// notifier is the OS's notification service.
type notifier interface {
	send(notification) error
	close()
}
