package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/app"
	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/update"
)

// `archivist update`: the self-updater of the running app. A check also
// works without a running app: it reads the same config and feed itself.

func updateCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Updates of Archivist: status, check, install, rollback",
		Long: "Updates of Archivist. Releases are verified with the project's key built into this\n" +
			"program before they are installed; the previous version is kept for rollback.\n" +
			"A new version runs from the next start of Archivist.",
	}
	f.register(cmd, true)
	return groupCommand(cmd,
		updateStatusCommand(&f), updateCheckCommand(&f), updateInstallCommand(&f), updateRollbackCommand(&f))
}

func updateStatusCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show what the last check found, without checking",
		Long:  "Show what the running Archivist's last update check found.\nWith --json: the API's update state.",
		Args:  args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			st, err := c.Update(cmd.Context())
			if err != nil {
				return err
			}
			return printUpdate(cmd, f, st)
		},
	}
}

func updateCheckCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the release feed for a newer version now",
		Long: "Check the release feed for a newer version now, through the running Archivist (which\n" +
			"then offers it in its window too), or, when none runs, directly with its config.\n" +
			"Fails (exit 1) when the feed cannot be read or is invalid.\nWith --json: the update state.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			var st cli.UpdateState
			if err == nil {
				st, err = c.UpdateDo(cmd.Context(), cli.UpdateCheck)
			}
			if errors.Is(err, app.ErrNotRunning) {
				f.note(cmd, "Archivist is not running; checking the release feed directly.")
				st.State, err = checkWithoutApp(cmd.Context(), f)
			}
			if err != nil {
				return err
			}
			return printUpdate(cmd, f, st)
		},
	}
}

func updateInstallCommand(f *cliFlags) *cobra.Command {
	var onQuit bool
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Download, verify and install the newer version the last check found",
		Long: "Download the newer version the last check found, verify its size, SHA-256 and\n" +
			"signature, and install it in place of this program (kept as <program>.old for\n" +
			"rollback). It runs from the next start of Archivist. With --on-quit it is\n" +
			"downloaded and verified now and installed when Archivist quits.\n" +
			"With --json: the update state afterwards.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			when := update.WhenNow
			if onQuit {
				when = update.WhenQuit
			}
			f.note(cmd, "Downloading and verifying the update…")
			st, err := c.UpdateInstall(cmd.Context(), when)
			if err != nil {
				return err
			}
			return printUpdate(cmd, f, st)
		},
	}
	cmd.Flags().BoolVar(&onQuit, "on-quit", false, "install when Archivist quits instead of now")
	return cmd
}

func updateRollbackCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rollback",
		Short: "Put the previous version back (it runs from the next start)",
		Long:  "Put back the version an update replaced (<program>.old).\nWith --json: the update state afterwards.",
		Args:  args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			st, err := c.UpdateDo(cmd.Context(), cli.UpdateRollback)
			if err != nil {
				return err
			}
			return printUpdate(cmd, f, st)
		},
	}
}

func printUpdate(cmd *cobra.Command, f *cliFlags, st cli.UpdateState) error {
	switch {
	case f.json && st.Raw == nil: // checked without the app
		return cli.WriteValue(cmd.OutOrStdout(), st.State)
	case f.json:
		return cli.WriteJSON(cmd.OutOrStdout(), st.Raw)
	}
	return cli.PrintUpdate(cmd.OutOrStdout(), st.State)
}

// checkWithoutApp reads the feed the home's config names, as the app would.
func checkWithoutApp(ctx context.Context, f *cliFlags) (update.State, error) {
	layout, err := paths.Default()
	if f.home != "" {
		layout, err = paths.ForHome(f.home)
	}
	if err != nil {
		return update.State{}, err
	}
	cfg, err := config.Load(layout.ConfigFile(), config.Default(layout.NodeDir))
	if err != nil {
		return update.State{}, fmt.Errorf("the config (needed for the feed's address): %w", err)
	}
	svc, err := update.New(update.Options{
		Current: buildinfo.Version,
		Config:  func() config.UpdatesConfig { return cfg.Updates },
		Log:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return update.State{}, err
	}
	return svc.Check(ctx)
}
