package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/buildinfo"
)

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, git revision and build date",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			b := buildinfo.Get()
			fmt.Fprintf(cmd.OutOrStdout(), "archivist %s\nrevision: %s\nbuilt:    %s\n", b.Version, b.Revision, b.BuildDate)
		},
	}
}
