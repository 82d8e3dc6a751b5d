package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/cli"
)

// The backup server's side: its mode and work (backup-server), the
// versions kept here and on the paired backup servers (versions), and
// restoring one (restore).

func backupServerCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "backup-server",
		Short: "This device as a backup server: status, enable, disable, pause, resume",
		Long: "This device as a backup server for your other devices: it fetches the manifests\n" +
			"they publish and keeps every version of their folders.",
	}
	f.register(cmd, true)
	subs := []*cobra.Command{backupServerStatusCommand(&f)}
	for _, a := range []struct {
		action cli.BackupServerAction
		short  string
	}{
		{cli.BackupServerEnable, "Turn the backup server on (and unpause it)"},
		{cli.BackupServerDisable, "Turn the backup server off; the backups it keeps stay restorable"},
		{cli.BackupServerPause, "Stop fetching backups until resume, across restarts"},
		{cli.BackupServerResume, "Undo pause and poll the source devices now"},
	} {
		subs = append(subs, backupServerActionCommand(&f, a.action, a.short))
	}
	return groupCommand(cmd, subs...)
}

func backupServerActionCommand(f *cliFlags, action cli.BackupServerAction, short string) *cobra.Command {
	return &cobra.Command{
		Use:   string(action),
		Short: short,
		Long:  short + ".\nPrints the resulting mode. With --json: the API's backup server state.",
		Args:  args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			st, err := c.BackupServerDo(cmd.Context(), action)
			if err != nil {
				return err
			}
			if f.json {
				return cli.WriteJSON(cmd.OutOrStdout(), st.Raw)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Backup server: %s\n", cli.Clean(st.Mode))
			return err
		},
	}
}

func backupServerStatusCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the backup server: mode, totals, sources, manifests in progress and failed",
		Long: "Show the backup server: its mode (disabled, paused, running), what it did (manifests\n" +
			"processed, files and bytes downloaded, files deleted, last activity and poll), each\n" +
			"paired source device (state, files and bytes downloaded, failures, and the last\n" +
			"sequence of each of its folders), then the manifests in progress and the failed ones.\n" +
			"With --json: the API's backup server state.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			st, err := c.BackupServer(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, st.Raw)
			}
			return printBackupServer(cmd, f, out, st)
		},
	}
}

func printBackupServer(cmd *cobra.Command, f *cliFlags, out io.Writer, st cli.BackupServer) error {
	t := cli.NewTable(out)
	mode := st.Mode
	if st.Polling {
		mode += ", polling now"
	}
	t.Row("Backup server", mode)
	tot := st.Totals
	t.Row("Manifests", fmt.Sprintf("%d processed", tot.ManifestsProcessed))
	down := fmt.Sprintf("%d files, %s", tot.FilesDownloaded, cli.FormatBytes(tot.BytesDownloaded))
	if st.RateBytesPerSec > 0 {
		down += fmt.Sprintf(" (%s/s now)", cli.FormatBytes(st.RateBytesPerSec))
	}
	t.Row("Downloaded", down)
	t.Row("Deleted", fmt.Sprintf("%d files, %s", tot.FilesDeleted, cli.FormatBytes(tot.BytesDeleted)))
	t.Row("Last activity", when(tot.LastActivity))
	t.Row("Last poll", when(tot.LastPoll))
	if err := t.Flush(); err != nil {
		return err
	}
	if st.Mode == "disabled" {
		f.note(cmd, "The backup server is off. Turn it on: archivist backup-server enable")
	}

	if len(st.Sources) == 0 {
		f.note(cmd, "No paired devices to back up. Pair one: run `archivist devices code` here, then `archivist devices add CODE` there.")
	} else {
		fmt.Fprintln(out, "\nSources:")
		t = cli.NewTable(out, "NAME", "DEVICE", "DOWNLOADED", "FAILURES", "STATE")
		for _, s := range st.Sources {
			t.Row(orDash(s.Name), shortDevice(s.Device),
				fmt.Sprintf("%d files, %s", s.Totals.FilesDownloaded, cli.FormatBytes(s.Totals.BytesDownloaded)),
				fmt.Sprint(s.Failures), sourceState(s))
		}
		if err := t.Flush(); err != nil {
			return err
		}
		var rows [][]string
		for _, s := range st.Sources {
			for _, fo := range s.Folders {
				rows = append(rows, []string{orDash(s.Name), orDash(fo.Name), seq(fo.LastSeq), when(fo.LastAt),
					fmt.Sprint(fo.Versions), fmt.Sprint(fo.Files), cli.FormatBytes(fo.Bytes)})
			}
		}
		if len(rows) > 0 {
			fmt.Fprintln(out, "\nFolders:")
			t = cli.NewTable(out, "SOURCE", "FOLDER", "LAST SEQUENCE", "AT", "VERSIONS", "FILES", "SIZE")
			for _, r := range rows {
				t.Row(r...)
			}
			if err := t.Flush(); err != nil {
				return err
			}
		}
	}

	if len(st.InProgress) > 0 {
		fmt.Fprintln(out, "\nIn progress:")
		t = cli.NewTable(out, "SOURCE", "FOLDER", "VERSION", "STATUS", "FILES", "BYTES")
		for _, m := range st.InProgress {
			files := fmt.Sprintf("%d/%d", m.FilesDone, m.TotalFiles)
			if m.FilesFailed > 0 {
				files += fmt.Sprintf(" (%d failed)", m.FilesFailed)
			}
			t.Row(manifestSource(m), manifestFolder(m), seq(m.Sequence), m.Status, files,
				cli.FormatBytes(m.BytesDone)+" / "+cli.FormatBytes(m.TotalBytes))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(st.Failed) > 0 {
		fmt.Fprintln(out, "\nFailed:")
		t = cli.NewTable(out, "SOURCE", "FOLDER", "VERSION", "ATTEMPTS", "NEXT RETRY", "ERROR")
		for _, m := range st.Failed {
			next := "out of retries"
			if !m.NextRetry.IsZero() {
				next = when(m.NextRetry)
			}
			t.Row(manifestSource(m), manifestFolder(m), seq(m.Sequence), fmt.Sprint(m.Attempts), next, orDash(oneLine(m.Error)))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// sourceState is how a source answered its last poll.
func sourceState(s cli.BackupSource) string {
	switch {
	case s.LastError != "":
		return "offline: " + oneLine(s.LastError)
	case s.LastPoll.IsZero():
		return "not polled yet"
	case !s.Offers:
		return "not a source"
	case s.Busy:
		return "ok, fetching"
	}
	return "ok"
}

func manifestSource(m cli.BackupManifest) string {
	if m.SourceName != "" {
		return m.SourceName
	}
	return shortDevice(m.Source)
}

func manifestFolder(m cli.BackupManifest) string {
	if m.FolderName != "" {
		return m.FolderName
	}
	return orDash(m.FolderID)
}

// shortDevice is a device ID's first two groups, enough to tell devices
// apart on screen.
func shortDevice(id string) string {
	if d, err := peerlink.ParseDeviceID(id); err == nil {
		return d.ShortString()
	}
	return orDash(id)
}

// sameDevice reports whether arg names the device ID id, in any case or
// spacing.
func sameDevice(arg, id string) bool {
	if strings.EqualFold(arg, id) {
		return true
	}
	a, err := peerlink.ParseDeviceID(arg)
	return err == nil && a.String() == id
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func seq(n uint64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("#%d", n)
}

func versionsCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "versions",
		Short: "Backed-up versions kept on this device and on the paired backup servers",
	}
	f.register(cmd, true)
	ls := &cobra.Command{
		Use:     "ls [SOURCE] [FOLDER]",
		Aliases: []string{"list"},
		Short:   "List the versions that can be restored",
		Long: "List, for this device and each paired backup server, the source devices, their\n" +
			"folders and the versions kept (sequence, date, files, size), newest first.\n" +
			"SOURCE (a device ID or name, in any case) and FOLDER (an ID or name) narrow the\n" +
			"list; one that matches nothing exits 5. Restore one: archivist restore.\n" +
			"With --json: the API's {\"servers\": [...]}, narrowed the same way.",
		Args: args(0, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			v, err := c.Versions(cmd.Context())
			if err != nil {
				return err
			}
			for _, s := range v.Servers {
				if s.Error != "" {
					f.note(cmd, "%s: its backups could not be listed: %s", cli.Clean(serverName(s)), cli.Clean(oneLine(s.Error)))
				}
			}
			filtered, err := filterVersions(v, a)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				if len(a) == 0 {
					return cli.WriteJSON(out, v.Raw)
				}
				return cli.WriteValue(out, filtered)
			}
			shown := false
			for _, s := range filtered.Servers {
				if len(s.Catalog.Sources) == 0 {
					continue
				}
				if shown {
					fmt.Fprintln(out)
				}
				shown = true
				fmt.Fprintf(out, "On %s:\n", cli.Clean(serverName(s)))
				t := cli.NewTable(out, "SOURCE", "DEVICE", "FOLDER", "VERSION", "DATE", "FILES", "SIZE")
				for _, src := range s.Catalog.Sources {
					for _, fo := range src.Folders {
						for _, ver := range fo.Versions {
							t.Row(orDash(src.Name), shortDevice(src.Device), orDash(fo.Name), seq(ver.Sequence),
								when(ver.At), fmt.Sprint(ver.Files), cli.FormatBytes(ver.Bytes))
						}
					}
				}
				if err := t.Flush(); err != nil {
					return err
				}
			}
			if !shown {
				f.note(cmd, "No backups: this device keeps none, and no paired backup server has any of yours.")
			}
			return nil
		},
	}
	return groupCommand(cmd, ls)
}

func serverName(s cli.VersionServer) string {
	switch {
	case s.Device == "":
		return "this device"
	case s.Name != "":
		return s.Name + " (" + shortDevice(s.Device) + ")"
	}
	return shortDevice(s.Device)
}

// filterVersions keeps the sources named by a[0] (device ID or name) and
// their folders named by a[1] (ID or name); a name that matches nothing
// on any server is not found.
func filterVersions(v cli.Versions, a []string) (cli.Versions, error) {
	out := cli.Versions{Servers: []cli.VersionServer{}}
	if len(a) == 0 {
		out.Servers = append(out.Servers, v.Servers...)
		return out, nil
	}
	source, folder := a[0], ""
	if len(a) > 1 {
		folder = a[1]
	}
	var sourceFound, folderFound bool
	var sourceNames, folderNames []string
	for _, s := range v.Servers {
		ns := s
		ns.Catalog.Sources = []cli.CatalogSource{}
		for _, src := range s.Catalog.Sources {
			sourceNames = append(sourceNames, src.Name)
			if !sameDevice(source, src.Device) && !strings.EqualFold(source, src.Name) {
				continue
			}
			sourceFound = true
			nsrc := src
			if folder != "" {
				nsrc.Folders = []cli.CatalogFolder{}
				for _, fo := range src.Folders {
					folderNames = append(folderNames, fo.Name)
					if fo.ID == folder || strings.EqualFold(fo.Name, folder) {
						folderFound = true
						nsrc.Folders = append(nsrc.Folders, fo)
					}
				}
				if len(nsrc.Folders) == 0 {
					continue
				}
			}
			ns.Catalog.Sources = append(ns.Catalog.Sources, nsrc)
		}
		if len(ns.Catalog.Sources) > 0 {
			out.Servers = append(out.Servers, ns)
		}
	}
	switch {
	case !sourceFound:
		return out, notFound("no backups of a device %q (kept: %s)%s", source, listOrNone(sourceNames), unreachable(v))
	case folder != "" && !folderFound:
		return out, notFound("%s has no backed-up folder %q (kept: %s)%s", source, folder, listOrNone(folderNames), unreachable(v))
	}
	return out, nil
}

// unreachable names the servers whose backups could not be listed, as a
// suffix for a not-found message.
func unreachable(v cli.Versions) string {
	var names []string
	for _, s := range v.Servers {
		if s.Error != "" {
			names = append(names, serverName(s))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; could not ask " + strings.Join(names, ", ")
}

func listOrNone(names []string) string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func notFound(format string, a ...any) error {
	return &cli.APIError{Status: http.StatusNotFound, Message: cli.Clean(fmt.Sprintf(format, a...))}
}

// restoreInterval is how often a restore's progress is asked for.
const restoreInterval = 300 * time.Millisecond

// restoreListed is how many skipped files the summary names.
const restoreListed = 5

func restoreCommand() *cobra.Command {
	var f cliFlags
	var version uint64
	var server string
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "restore SOURCE FOLDER DEST",
		Short: "Restore a backed-up folder into DEST",
		Long: "Restore a version of a backed-up folder into the directory DEST (created when\n" +
			"missing; a relative DEST is taken from the current directory). SOURCE is the\n" +
			"device the folder was backed up from (its device ID or name), FOLDER the folder's\n" +
			"ID or name, as `archivist versions ls` lists them. The newest version is restored\n" +
			"unless --version says which; the backup is read from this device unless --server\n" +
			"names the paired backup server that keeps it. Files that exist in DEST are left\n" +
			"alone and listed, unless --overwrite. Progress goes to stderr on a terminal; at the\n" +
			"end a summary says what was restored, skipped and failed. A restore with failed\n" +
			"files exits 1. With --json: the API's final restore.",
		Args: args(3, 3),
		RunE: func(cmd *cobra.Command, a []string) error {
			source, folder, dest := strings.TrimSpace(a[0]), strings.TrimSpace(a[1]), a[2]
			if source == "" || folder == "" {
				return cli.Usagef("SOURCE and FOLDER must not be empty (see `archivist versions ls`)")
			}
			if dest == "" {
				return cli.Usagef("DEST is empty: name the directory to restore into")
			}
			abs, err := filepath.Abs(dest)
			if err != nil {
				return cli.Usagef("%s: %v", dest, err)
			}
			// The app matches device IDs as it writes them.
			if d, err := peerlink.ParseDeviceID(source); err == nil {
				source = d.String()
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			serverID := ""
			if server != "" {
				if serverID, err = findBackupServer(ctx, c, server); err != nil {
					return err
				}
			}
			job, err := c.StartRestore(ctx, cli.RestoreRequest{
				Server: serverID, Source: source, Folder: folder, Sequence: version, Dest: abs, Overwrite: overwrite,
			})
			if err != nil {
				return err
			}
			job, err = followRestore(ctx, c, job, cmd.ErrOrStderr(), f.quiet)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				if err := cli.WriteJSON(out, job.Raw); err != nil {
					return err
				}
			} else if err := printRestore(out, job); err != nil {
				return err
			}
			if job.Status != cli.RestoreDone {
				msg := job.Error
				if msg == "" {
					msg = "status " + job.Status
				}
				return fmt.Errorf("the restore failed: %s", cli.Clean(oneLine(msg)))
			}
			return nil
		},
	}
	f.register(cmd, false)
	cmd.Flags().Uint64Var(&version, "version", 0, "the version (sequence) to restore (default: the newest)")
	cmd.Flags().StringVar(&server, "server", "", "the paired backup server that keeps the backup: its device ID or name (default: this device)")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace files that exist in DEST (default: leave them and list them)")
	return cliCommand(cmd)
}

// findBackupServer resolves --server: a device ID as it is, a name among
// the paired backup servers.
func findBackupServer(ctx context.Context, c *cli.Client, arg string) (string, error) {
	if d, err := peerlink.ParseDeviceID(arg); err == nil {
		return d.String(), nil
	}
	v, err := c.Versions(ctx)
	if err != nil {
		return "", err
	}
	var names []string
	id := ""
	for _, s := range v.Servers {
		if s.Device == "" {
			continue
		}
		names = append(names, s.Name)
		if strings.EqualFold(s.Name, arg) {
			if id != "" && id != s.Device {
				return "", cli.Usagef("two backup servers are named %q: give its device ID", arg)
			}
			id = s.Device
		}
	}
	if id == "" {
		return "", notFound("no paired backup server %q (paired: %s)", arg, listOrNone(names))
	}
	return id, nil
}

// followRestore asks for the restore's progress until it ends, showing it
// on stderr when that is a terminal.
func followRestore(ctx context.Context, c *cli.Client, job cli.Restore, stderr io.Writer, quiet bool) (cli.Restore, error) {
	mode := cli.ModeFor(stderr, quiet)
	if mode != cli.ProgressBar {
		mode = cli.ProgressNone
	}
	bar := cli.NewBar(stderr, mode, restoreLabel(job), job.Bytes)
	tick := time.NewTicker(restoreInterval)
	defer tick.Stop()
	for job.Status == cli.RestoreRunning {
		select {
		case <-ctx.Done():
			bar.Finish(-1, ctx.Err())
			return job, fmt.Errorf("stopped following the restore, which goes on in Archivist: %w", ctx.Err())
		case <-tick.C:
		}
		next, err := c.RestoreStatus(ctx, job.ID)
		if err != nil {
			bar.Finish(-1, err)
			return job, fmt.Errorf("following the restore: %w", err)
		}
		job = next
		bar.SetTotal(job.Bytes)
		bar.SetLabel(restoreLabel(job))
		bar.Set(job.BytesDone)
	}
	var err error
	if job.Status != cli.RestoreDone {
		err = errors.New(job.Error)
	}
	bar.Finish(job.BytesDone, err)
	return job, nil
}

func restoreLabel(j cli.Restore) string {
	return fmt.Sprintf("restore %d/%d files", j.FilesDone+j.SkippedCount+j.FailedCount, j.Files)
}

// printRestore is the summary: what was restored where, what was left
// alone, what failed and why.
func printRestore(out io.Writer, j cli.Restore) error {
	fmt.Fprintf(out, "Restored %d file%s (%s) to %s\n", j.FilesDone, plural(j.FilesDone), cli.FormatBytes(j.BytesDone), cli.Clean(j.Request.Dest))
	from := "  version " + seq(j.Sequence)
	if !j.VersionAt.IsZero() {
		from += " (" + when(j.VersionAt) + ")"
	}
	from += fmt.Sprintf(" of %s from %s", orDash(j.FolderName), orDash(j.SourceName))
	if j.ServerName != "" && j.ServerName != "this device" {
		from += ", kept on " + j.ServerName
	}
	fmt.Fprintln(out, cli.Clean(from))
	if j.SkippedCount > 0 {
		fmt.Fprintf(out, "Skipped %d existing %s (--overwrite replaces them):\n", j.SkippedCount, "file"+plural(j.SkippedCount))
		n := min(len(j.Skipped), restoreListed)
		for _, p := range j.Skipped[:n] {
			fmt.Fprintf(out, "  %s\n", cli.Clean(p))
		}
		if more := j.SkippedCount - n; more > 0 {
			fmt.Fprintf(out, "  … and %d more\n", more)
		}
	}
	if j.FailedCount > 0 {
		fmt.Fprintf(out, "Failed %d %s:\n", j.FailedCount, "file"+plural(j.FailedCount))
		for _, ff := range j.Failed {
			fmt.Fprintf(out, "  %s: %s\n", cli.Clean(ff.Path), cli.Clean(oneLine(ff.Error)))
		}
		if more := j.FailedCount - len(j.Failed); more > 0 {
			fmt.Fprintf(out, "  … and %d more\n", more)
		}
	}
	return nil
}
