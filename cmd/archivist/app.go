package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/app"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/shell"
	"github.com/archivist-desktop/archivist/web"
)

// appFlags are shared by `archivist`, `archivist app` and `archivist serve`.
type appFlags struct {
	home         string
	guiAddress   string
	allowedHosts []string
	linkAddress  string
}

func (f *appFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.home, "home", "", "keep config, state and node data under this directory (default: the OS locations)")
	cmd.Flags().StringVar(&f.guiAddress, "gui-address", "127.0.0.1:1420", "address of the headless web UI (host:port; port 0 picks a free one)")
	cmd.Flags().StringArrayVar(&f.allowedHosts, "gui-allowed-host", nil, "host name the web UI accepts besides IP addresses and localhost (repeatable)")
	cmd.Flags().StringVar(&f.linkAddress, "link-address", "", "IP address the manifest and trigger servers listen on and that this device's code advertises (default: every interface)")
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

func newApp(af appFlags) (*app.App, error) {
	layout, err := paths.Default()
	if af.home != "" {
		layout, err = paths.ForHome(af.home)
	}
	if err != nil {
		return nil, err
	}
	return app.New(app.Options{
		Layout:       layout,
		UI:           web.FS(),
		GUIAddress:   af.guiAddress,
		AllowedHosts: af.allowedHosts,
		LinkAddress:  af.linkAddress,
		Log:          slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
}

// runApp opens the window when asked and possible, otherwise serves the UI
// over HTTP; either way the same app backend runs underneath, and the UI API
// listens on loopback for the CLI and browsers.
func runApp(ctx context.Context, af appFlags, window bool) error {
	a, err := newApp(af)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start()
	if window {
		if why := shell.Available(); why != nil {
			fmt.Fprintf(os.Stderr, "No window: %v. Running headless instead.\n", why)
			window = false
		}
	}
	ln, err := a.Listen(window)
	if err != nil {
		return err
	}
	if window {
		serveCtx, stop := context.WithCancel(ctx)
		served := make(chan struct{})
		go func() { ln.Serve(serveCtx); close(served) }()
		err := shell.Run(ctx, a.TrustedHandler(), a.Bus(), shell.Options{Title: "Archivist"})
		stop()
		<-served
		return err
	}
	fmt.Printf("Archivist is running. Open this address in a browser:\n\n    %s\n\n", ln.URL)
	return ln.Serve(ctx)
}
