package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
)

func filesCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "files",
		Short: "List and remove the files the node stores",
		Long:  "List and remove the files (datasets) the running Archivist's node stores.",
	}
	f.register(cmd, true)
	return groupCommand(cmd, filesLsCommand(&f), filesRmCommand(&f))
}

func filesLsCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the stored files: CID, name, size, type",
		Long: "List the files the node stores: CID, name, size (1024-based) and type.\n" +
			"With --json: the API's list, [{cid, filename, mimetype, size, treeCid}].",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			l, err := c.Files(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, rawOr(l.Raw, []any{}))
			}
			if len(l.Files) == 0 {
				f.note(cmd, "No files stored.")
				return nil
			}
			t := cli.NewTable(out, "CID", "SIZE", "TYPE", "NAME")
			var total uint64
			for _, file := range l.Files {
				typ := file.Mimetype
				if typ == "" {
					typ = "-"
				}
				t.Row(file.CID, cli.FormatBytes(int64(file.Size)), typ, file.Filename)
				total += file.Size
			}
			if err := t.Flush(); err != nil {
				return err
			}
			f.note(cmd, "%d file%s, %s", len(l.Files), plural(len(l.Files)), cli.FormatBytes(int64(total)))
			return nil
		},
	}
}

func filesRmCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "rm CID...",
		Aliases: []string{"remove", "delete"},
		Short:   "Remove stored files from the node",
		Long: "Remove files from the node's storage by CID. Every CID is checked before\n" +
			"anything is removed; removal stops at the first failure.\n" +
			"With --json: one {\"cid\", \"removed\": true} object per line.",
		Args: args(1, -1),
		RunE: func(cmd *cobra.Command, cids []string) error {
			for _, cid := range cids {
				if err := parseCID(cid); err != nil {
					return err
				}
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, cid := range cids {
				if err := c.DeleteFile(cmd.Context(), cid); err != nil {
					return fmt.Errorf("removing %s: %w", cid, err)
				}
				if f.json {
					if err := cli.WriteJSONLine(out, map[string]any{"cid": cid, "removed": true}); err != nil {
						return err
					}
				} else {
					f.note(cmd, "Removed %s", cid)
				}
			}
			return nil
		},
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
