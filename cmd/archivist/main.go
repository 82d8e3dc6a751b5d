// Command archivist is Archivist Desktop in one binary: the desktop app (the
// default), the headless server (`serve`), the storage node the app runs as
// a sidecar (`node`), and `version`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := rootCommand()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "archivist:", err)
		os.Exit(exitCode(err))
	}
}

func rootCommand() *cobra.Command {
	var af appFlags
	root := &cobra.Command{
		Use:   "archivist",
		Short: "Back your folders up to your own machines, peer to peer",
		Long: "Archivist backs folders up, continuously and content-addressed, to your own other\n" +
			"machines over an encrypted peer-to-peer network. Without a subcommand it opens the\n" +
			"desktop app (or runs headless where there is no display).",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApp(cmd.Context(), af, true)
		},
	}
	af.register(root)
	af.registerWindow(root)
	root.AddCommand(append([]*cobra.Command{appCommand(), serveCommand(), withNodeControl(nodeCommand()), versionCommand()}, cliCommands()...)...)
	return root
}
