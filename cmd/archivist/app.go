package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/app"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/autostart"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/shell"
	"github.com/archivist-desktop/archivist/web"
)

// appFlags are shared by `archivist`, `archivist app` and `archivist serve`.
type appFlags struct {
	home         string
	guiAddress   string
	allowedHosts []string
	linkAddress  string
	minimized    bool // the window starts hidden in the tray
}

func (f *appFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.home, "home", "", "keep config, state and node data under this directory (default: the OS locations)")
	cmd.Flags().StringVar(&f.guiAddress, "gui-address", "127.0.0.1:1420", "address of the headless web UI (host:port; port 0 picks a free one)")
	cmd.Flags().StringArrayVar(&f.allowedHosts, "gui-allowed-host", nil, "host name the web UI accepts besides IP addresses and localhost (repeatable)")
	cmd.Flags().StringVar(&f.linkAddress, "link-address", "", "IP address the manifest and trigger servers listen on and that this device's code advertises (default: every interface)")
}

// registerWindow adds the flags that only the window has.
func (f *appFlags) registerWindow(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.minimized, "minimized", false, "start hidden in the system tray (as start_minimized does; used when started at login)")
}

func appCommand() *cobra.Command {
	var af appFlags
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Open the desktop app (the default); headless where there is no display",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApp(cmd.Context(), af, true)
		},
	}
	af.register(cmd)
	af.registerWindow(cmd)
	return cmd
}

func serveCommand() *cobra.Command {
	var af appFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run headless: serve the UI and API over HTTP and print the address to open",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApp(cmd.Context(), af, false)
		},
	}
	af.register(cmd)
	return cmd
}

func layoutOf(af appFlags) (paths.Layout, error) {
	if af.home != "" {
		return paths.ForHome(af.home)
	}
	return paths.Default()
}

func newApp(af appFlags, sh *shell.Shell) (*app.App, error) {
	layout, err := layoutOf(af)
	if err != nil {
		return nil, err
	}
	opts := app.Options{
		Layout:       layout,
		UI:           web.FS(),
		GUIAddress:   af.guiAddress,
		AllowedHosts: af.allowedHosts,
		LinkAddress:  af.linkAddress,
		Log:          slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}
	if sh != nil {
		opts.Window, opts.Dialogs = sh, sh
	}
	return app.New(opts)
}

// runApp opens the window when asked and possible, otherwise serves the UI
// over HTTP; either way the same app backend runs underneath, and the UI API
// listens on loopback for the CLI and browsers.
//
// One instance runs per home: the state database's lock says whether one
// already does. A second launch of the desktop app then asks the first to
// show its window, through the first's UI API, and exits.
func runApp(ctx context.Context, af appFlags, window bool) error {
	if window {
		if why := shell.Available(); why != nil {
			fmt.Fprintf(os.Stderr, "No window: %v. Running headless instead.\n", why)
			window = false
		}
	}
	var sh *shell.Shell
	if window {
		sh = shell.New(shell.Options{Title: "Archivist"}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	}
	a, err := newApp(af, sh)
	if window && errors.Is(err, state.ErrInUse) {
		return showRunning(ctx, af)
	}
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start()
	ln, err := a.Listen(window)
	if err != nil {
		return err
	}
	if window {
		serveCtx, stop := context.WithCancel(ctx)
		served := make(chan struct{})
		go func() { ln.Serve(serveCtx); close(served) }()
		if entry, err := autostartEntry(af); err != nil {
			fmt.Fprintf(os.Stderr, "Start on boot is unavailable: %v\n", err)
		} else {
			go autostart.Follow(serveCtx, a.ConfigStore(), entry, slog.New(slog.NewTextHandler(os.Stderr, nil)))
		}
		err := sh.Run(ctx, shell.RunOptions{
			Handler:     a.TrustedHandler(),
			Backend:     a,
			LoginURL:    ln.URL,
			StartHidden: af.minimized || a.Config().StartMinimized,
		})
		stop()
		<-served
		return err
	}
	fmt.Printf("Archivist is running. Open this address in a browser:\n\n    %s\n\n", ln.URL)
	return ln.Serve(ctx)
}

// autostartEntry is how the login starts this app: this binary, in the
// tray, on the same home.
func autostartEntry(af appFlags) (autostart.Entry, error) {
	exe, err := os.Executable()
	if err != nil {
		return autostart.Entry{}, fmt.Errorf("locating this program: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return autostart.Entry{}, fmt.Errorf("locating this program: %w", err)
	}
	e := autostart.Entry{Exe: exe, Args: []string{"app", "--minimized"}}
	if af.home != "" {
		home, err := filepath.Abs(af.home)
		if err != nil {
			return autostart.Entry{}, err
		}
		e.Args = append(e.Args, "--home", home)
	}
	return e, nil
}

// handOverWait bounds how long a second launch waits for the first
// instance to answer: it may hold the lock before it listens.
const handOverWait = 15 * time.Second

// showRunning asks the instance that holds the home to show its window.
func showRunning(ctx context.Context, af appFlags) error {
	layout, err := layoutOf(af)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(handOverWait)
	for {
		c, err := cli.Connect(layout)
		if err == nil {
			callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = c.ShowWindow(callCtx)
			cancel()
			var apiErr *cli.APIError
			if err == nil {
				fmt.Fprintln(os.Stderr, "Archivist is already running: its window is shown.")
				return nil
			}
			if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotImplemented {
				return fmt.Errorf("Archivist is already running on this home without a window (archivist serve, pid %d); open %s in a browser, or quit it first", c.PID(), c.URL())
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("Archivist is already running on this home (its state database is locked) but did not answer: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
