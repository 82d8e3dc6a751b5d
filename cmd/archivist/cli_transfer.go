package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/progress"
)

func uploadCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "upload PATH...",
		Short: "Upload files to the node and print their CIDs",
		Long: "Upload files to the running Archivist's node. With one PATH the CID alone is\n" +
			"printed; with several, one \"CID  PATH\" line per file. Every PATH is checked\n" +
			"before anything is sent, and uploading stops at the first failure. Folders are\n" +
			"not uploaded: back them up with folder backup. Progress goes to stderr: a bar\n" +
			"on a terminal, a plain line every few seconds otherwise, nothing with --quiet.\n" +
			"With --json: one {\"path\", \"filename\", \"cid\", \"size\"} object per line.",
		Args: args(1, -1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			type item struct {
				path string
				size int64
			}
			var items []item
			for _, p := range paths {
				st, err := os.Stat(p)
				if err != nil {
					return fmt.Errorf("cannot upload %s: %w", p, unwrapPath(err))
				}
				if st.IsDir() {
					return cli.Usagef("%s is a folder: upload takes files; back folders up with folder backup (the Backups page)", p)
				}
				size := st.Size()
				if !st.Mode().IsRegular() {
					size = -1
				} else if size == 0 {
					return fmt.Errorf("cannot upload %s: the file is empty, and the node stores no empty files", p)
				}
				items = append(items, item{p, size})
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			mode := cli.ModeFor(cmd.ErrOrStderr(), f.quiet)
			for _, it := range items {
				cid, err := uploadFile(cmd.Context(), c, it.path, it.size, cmd.ErrOrStderr(), mode)
				if err != nil {
					return fmt.Errorf("uploading %s: %w", it.path, err)
				}
				switch {
				case f.json:
					abs, _ := filepath.Abs(it.path)
					err = cli.WriteJSONLine(out, map[string]any{"path": abs, "filename": filepath.Base(it.path), "cid": cid, "size": it.size})
				case len(items) == 1:
					_, err = fmt.Fprintln(out, cid)
				default:
					_, err = fmt.Fprintf(out, "%s  %s\n", cid, it.path)
				}
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	f.register(cmd, false)
	return cliCommand(cmd)
}

// uploadFile streams one file, counting the bytes handed to the
// connection for the progress bar.
func uploadFile(ctx context.Context, c *cli.Client, path string, size int64, stderr io.Writer, mode cli.ProgressMode) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", unwrapPath(err)
	}
	defer file.Close()
	name := filepath.Base(path)
	mimetype := mimeOf(path)
	for {
		bar := cli.NewBar(stderr, mode, "upload "+name, size)
		r := progress.NewReader(file, bar.Set)
		cid, err := c.Upload(ctx, r, size, name, mimetype)
		bar.Finish(r.N(), err)
		// The node knows a fixed list of MIME types; one it does not know
		// is no reason to refuse the file: send it untyped.
		var api *cli.APIError
		if err != nil && mimetype != "" && errors.As(err, &api) && api.Status == http.StatusUnprocessableEntity && strings.Contains(api.Message, "MIME type") {
			if _, serr := file.Seek(0, io.SeekStart); serr == nil {
				mimetype = ""
				continue
			}
		}
		return cid, err
	}
}

// mimeOf guesses a file's type from its extension, bare (the node accepts
// no parameters), as the app does for files it uploads from a path.
func mimeOf(path string) string {
	t, _, _ := strings.Cut(mime.TypeByExtension(filepath.Ext(path)), ";")
	return strings.TrimSpace(t)
}

// unwrapPath drops the *PathError's repetition of the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func downloadCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "download CID [DEST]",
		Short: "Download a file by CID: into a folder, to a new file, or to stdout",
		Long: "Download a file by its CID; the node fetches from the network what it does not hold.\n" +
			"  DEST an existing folder  the app saves the file there under its own name (never\n" +
			"                           replacing a file: \"name (1).ext\" when taken)\n" +
			"  DEST a new file path     the content is written to a temporary file next to it,\n" +
			"                           synced, then renamed to DEST (an existing file is refused)\n" +
			"  DEST '-' or none         the content is written to stdout\n" +
			"The saved file's path is printed. Progress goes to stderr: a bar on a terminal, a\n" +
			"plain line every few seconds otherwise, nothing with --quiet.\n" +
			"With --json: {\"cid\", \"path\", \"size\"} (not with stdout, which gets the content).",
		Args: args(1, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			cid, dest := a[0], "-"
			if len(a) == 2 {
				dest = a[1]
			}
			if err := parseCID(cid); err != nil {
				return err
			}
			if dest == "" {
				return cli.Usagef("DEST is empty: name a folder, a new file, or '-' for stdout")
			}
			if dest == "-" && f.json {
				return cli.Usagef("--json cannot be used when the content goes to stdout")
			}
			d := &downloader{f: &f, cmd: cmd, cid: cid, mode: cli.ModeFor(cmd.ErrOrStderr(), f.quiet)}
			if dest == "-" {
				return d.toStdout()
			}
			abs, err := filepath.Abs(dest)
			if err != nil {
				return err
			}
			st, err := os.Stat(abs)
			switch {
			case err == nil && st.IsDir():
				return d.toFolder(abs)
			case err == nil:
				return fmt.Errorf("%s already exists: name a new file or a folder", dest)
			case !errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("cannot download to %s: %w", dest, unwrapPath(err))
			case strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, string(filepath.Separator)):
				return fmt.Errorf("folder %s does not exist", dest)
			}
			if st, err := os.Stat(filepath.Dir(abs)); err != nil || !st.IsDir() {
				return fmt.Errorf("cannot download to %s: folder %s does not exist", dest, filepath.Dir(abs))
			}
			return d.toFile(abs)
		},
	}
	f.register(cmd, false)
	return cliCommand(cmd)
}

type downloader struct {
	f    *cliFlags
	cmd  *cobra.Command
	cid  string
	mode cli.ProgressMode
}

func (d *downloader) result(path string, size int64) error {
	out := d.cmd.OutOrStdout()
	if d.f.json {
		return cli.WriteValue(out, map[string]any{"cid": d.cid, "path": path, "size": size})
	}
	_, err := fmt.Fprintln(out, path)
	return err
}

func (d *downloader) label(name string) string {
	if name == "" {
		name = d.cid
		if len(name) > 16 {
			name = name[:8] + "…" + name[len(name)-6:]
		}
	}
	return "download " + name
}

// toFolder has the app download into dir (the app runs on this machine, so
// the absolute path means the same to it) and follows its progress events.
func (d *downloader) toFolder(dir string) error {
	ctx := d.cmd.Context()
	c, err := d.f.connect()
	if err != nil {
		return err
	}
	bar := cli.NewBar(d.cmd.ErrOrStderr(), d.mode, d.label(""), -1)
	followed := make(chan struct{})
	evCtx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	if d.mode != cli.ProgressNone {
		// Subscribed before the download starts, so no event is missed; a
		// stream that cannot be opened only costs the progress display.
		if evs, err := c.Events(evCtx); err == nil {
			go func() {
				defer close(followed)
				defer evs.Close()
				followDownload(evs, d.cid, bar, d.label)
			}()
		} else {
			close(followed)
		}
	} else {
		close(followed)
	}
	path, err := c.DownloadTo(ctx, d.cid, dir)
	size := int64(-1)
	if err == nil {
		if st, serr := os.Stat(path); serr == nil {
			size = st.Size()
		}
		// The final event was published before the answer; give the
		// stream a moment to deliver it.
		select {
		case <-followed:
		case <-time.After(3 * time.Second):
		}
	}
	stopEvents()
	bar.Finish(size, err)
	if err != nil {
		return err
	}
	return d.result(path, size)
}

// followDownload feeds the bar from the download-progress events of cid;
// with several downloads of one CID it follows the first it sees.
func followDownload(evs *cli.EventStream, cid string, bar *cli.Bar, label func(string) string) {
	var id string
	for {
		ev, err := evs.Next()
		if err != nil {
			return
		}
		if ev.Type != cli.EventDownloadProgress {
			continue
		}
		var p cli.Progress
		if json.Unmarshal(ev.Data, &p) != nil || p.CID != cid || (id != "" && p.ID != id) {
			continue
		}
		if id == "" {
			id = p.ID
			bar.SetLabel(label(p.Filename))
		}
		bar.SetTotal(p.TotalBytes)
		if p.Done {
			return
		}
		bar.Set(p.BytesDone)
	}
}

// toFile streams the content into a temporary file next to path, syncs it
// and renames it to path; path is never replaced if it appeared meanwhile.
func (d *downloader) toFile(path string) (err error) {
	ctx := d.cmd.Context()
	c, err := d.f.connect()
	if err != nil {
		return err
	}
	content, err := c.Content(ctx, d.cid)
	if err != nil {
		return err
	}
	defer content.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".archivist-download-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := d.copy(tmp, content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := placeNew(tmp.Name(), path); err != nil {
		return err
	}
	return d.result(path, n)
}

// placeNew moves the finished temporary file to path without replacing
// anything: a hard link fails if path exists, where a rename would not.
func placeNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s appeared while downloading: not replaced", path)
	}
	if err != nil {
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%s appeared while downloading: not replaced", path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

func (d *downloader) toStdout() error {
	c, err := d.f.connect()
	if err != nil {
		return err
	}
	content, err := c.Content(d.cmd.Context(), d.cid)
	if err != nil {
		return err
	}
	defer content.Close()
	_, err = d.copy(d.cmd.OutOrStdout(), content)
	return err
}

// copy writes the content to w with progress, and checks that all of it
// arrived.
func (d *downloader) copy(w io.Writer, content *cli.Content) (int64, error) {
	bar := cli.NewBar(d.cmd.ErrOrStderr(), d.mode, d.label(content.Filename), content.Size)
	r := progress.NewReader(content, bar.Set)
	n, err := io.Copy(w, r)
	if err == nil && content.Size >= 0 && n != content.Size {
		err = fmt.Errorf("the download ended after %d of %d bytes", n, content.Size)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("downloading %s: %w", d.cid, err)
	}
	bar.Finish(n, err)
	return n, err
}
