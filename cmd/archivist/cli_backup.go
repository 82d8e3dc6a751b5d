package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
)

func backupCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Back up to the paired backup device now",
	}
	f.register(cmd, true)
	now := &cobra.Command{
		Use:   "now [FOLDER]",
		Short: "Publish the changes of a folder (or all) and tell the backup device",
		Long: "Publish a manifest of each watched folder's changes (FOLDER: its ID or path;\n" +
			"all folders without it) and tell the backup device to fetch them now.",
		Args: args(0, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			targets, err := folderTargets(cmd.Context(), c, a, false)
			if err != nil {
				return err
			}
			if len(targets) == 0 {
				f.note(cmd, "No watched folders. Add one: archivist folders add PATH")
				return nil
			}
			for _, fo := range targets {
				seq, err := c.BackupNow(cmd.Context(), fo.ID)
				if err != nil {
					return fmt.Errorf("%s: %w", fo.Path, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: manifest #%d sent to the backup device\n", cli.Clean(fo.Path), seq)
			}
			return nil
		},
	}
	return groupCommand(cmd, now)
}
