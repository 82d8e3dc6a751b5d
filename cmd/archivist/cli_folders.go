package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
)

func foldersCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:     "folders",
		Aliases: []string{"folder"},
		Short:   "Watched folders: add, list, remove, rescan",
		Long: "The folders backed up continuously: every new or changed file in them is\n" +
			"stored on the node, and the backup device is told.",
	}
	f.register(cmd, true)
	return groupCommand(cmd, foldersLsCommand(&f), foldersAddCommand(&f), foldersRmCommand(&f), foldersRescanCommand(&f))
}

func foldersLsCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List watched folders with their status",
		Long: "List the watched folders: status, files synced of all, size, last manifest\n" +
			"sequence, and when the backup device last confirmed it.\n" +
			"With --json: the API's sync state.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			st, err := c.Sync(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, st.Raw)
			}
			if len(st.Folders) == 0 {
				f.note(cmd, "No watched folders. Add one: archivist folders add PATH")
				return nil
			}
			t := cli.NewTable(out, "ID", "PATH", "STATUS", "FILES", "SIZE", "MANIFEST", "BACKED UP")
			for _, fo := range st.Folders {
				files := fmt.Sprintf("%d/%d", fo.SyncedFiles, fo.FileCount)
				if fo.FailedFiles > 0 {
					files += fmt.Sprintf(" (%d failed)", fo.FailedFiles)
				}
				manifest := "-"
				if fo.ManifestSequence > 0 {
					manifest = fmt.Sprintf("#%d", fo.ManifestSequence)
				}
				backed := "-"
				if fo.BackupSequence > 0 {
					backed = fmt.Sprintf("#%d %s", fo.BackupSequence, fo.BackupSyncedAt)
				}
				t.Row(fo.ID, cli.Clean(fo.Path), fo.Status, files, cli.FormatBytes(fo.TotalSizeBytes), manifest, backed)
			}
			if err := t.Flush(); err != nil {
				return err
			}
			for _, fo := range st.Folders {
				if fo.Error != "" {
					f.note(cmd, "%s: %s", cli.Clean(fo.Name), cli.Clean(fo.Error))
				}
				if fo.NotifyError != "" {
					f.note(cmd, "%s: the backup device was not told: %s", cli.Clean(fo.Name), cli.Clean(fo.NotifyError))
				}
				if fo.WatchLimited {
					f.note(cmd, "%s: too many folders for live watching; changes are picked up by the periodic rescan", cli.Clean(fo.Name))
				}
			}
			if st.Paused {
				f.note(cmd, "Uploads are paused.")
			}
			if !st.NodeRunning && st.QueueSize > 0 {
				f.note(cmd, "%d files wait for the node to start.", st.QueueSize)
			}
			return nil
		},
	}
}

func foldersAddCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "add PATH",
		Short: "Watch a folder and back it up",
		Long:  "Watch the folder at PATH (relative paths are taken from the current directory).\nWith --json: the API's folder.",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			path, err := filepath.Abs(a[0])
			if err != nil {
				return cli.Usagef("%s: %v", a[0], err)
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			fo, err := c.AddFolder(cmd.Context(), path)
			if err != nil {
				return err
			}
			if f.json {
				return cli.WriteJSON(cmd.OutOrStdout(), fo.Raw)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Watching %s (%s)\n", cli.Clean(fo.Path), fo.ID)
			return err
		},
	}
}

func foldersRmCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "rm ID|PATH",
		Aliases: []string{"remove"},
		Short:   "Stop watching a folder (nothing is deleted)",
		Args:    args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			fo, err := findFolder(cmd.Context(), c, a[0])
			if err != nil {
				return err
			}
			if err := c.RemoveFolder(cmd.Context(), fo.ID); err != nil {
				return err
			}
			f.note(cmd, "Stopped watching %s. Nothing was deleted.", cli.Clean(fo.Path))
			return nil
		},
	}
}

func foldersRescanCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rescan [ID|PATH]",
		Short: "Scan a folder (or all) for changes now",
		Args:  args(0, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			targets, err := folderTargets(cmd.Context(), c, a, true)
			if err != nil {
				return err
			}
			for _, fo := range targets {
				if err := c.RescanFolder(cmd.Context(), fo.ID); err != nil {
					return err
				}
				f.note(cmd, "Scanning %s", cli.Clean(fo.Path))
			}
			return nil
		},
	}
}

// folderTargets is the folder named in args (by ID or path), or without
// one every watched folder (only the enabled ones with onlyEnabled).
func folderTargets(ctx context.Context, c *cli.Client, args []string, onlyEnabled bool) ([]cli.Folder, error) {
	if len(args) == 1 {
		fo, err := findFolder(ctx, c, args[0])
		if err != nil {
			return nil, err
		}
		return []cli.Folder{fo}, nil
	}
	st, err := c.Sync(ctx)
	if err != nil {
		return nil, err
	}
	var out []cli.Folder
	for _, fo := range st.Folders {
		if fo.Enabled || !onlyEnabled {
			out = append(out, fo)
		}
	}
	return out, nil
}

// findFolder resolves a folder given by ID or by path.
func findFolder(ctx context.Context, c *cli.Client, arg string) (cli.Folder, error) {
	st, err := c.Sync(ctx)
	if err != nil {
		return cli.Folder{}, err
	}
	abs, _ := filepath.Abs(arg)
	for _, fo := range st.Folders {
		if fo.Path == abs || strings.EqualFold(fo.ID, arg) {
			return fo, nil
		}
	}
	return cli.Folder{}, &cli.APIError{Status: http.StatusNotFound, Message: fmt.Sprintf("no watched folder %q (see archivist folders ls)", arg)}
}
