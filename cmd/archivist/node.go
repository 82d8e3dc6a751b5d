package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/node/config"
)

func nodeCommand() *cobra.Command {
	var showVersion bool
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run the storage node (archivist-node compatible flags and REST API)",
		Args:  cobra.NoArgs,
	}
	cfg := config.Flags(cmd.Flags())
	cmd.Flags().BoolVar(&showVersion, "version", false, "print the node version and exit")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if showVersion {
			b := buildinfo.Get()
			fmt.Fprintf(cmd.OutOrStdout(), "Archivist node version:  %s\nArchivist node revision: %s\nArchivist contracts revision: none\nGo storage node (archivist-desktop)\n", b.Version, b.Revision)
			return nil
		}
		if err := cfg.Resolve(cmd.Flags(), os.Getenv); err != nil {
			return err
		}
		return runNode(cmd.Context(), cfg)
	}
	cmd.AddCommand(&cobra.Command{
		Use:                "persistence",
		Short:              "Marketplace persistence (not supported by this node)",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("the marketplace (persistence) is not supported by this node: it stores and exchanges data only; run `archivist node` without `persistence`")
		},
	})
	return cmd
}
