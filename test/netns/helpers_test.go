package netns

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// writeRandom writes size random bytes: nothing a transfer could compress
// or deduplicate.
func writeRandom(t testing.TB, path string, size int) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	writeFile(t, path, data)
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sums is the SHA-256 of every regular file under root, by slash path.
func sums(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatalf("hashing %s: %v", root, err)
	}
	return out
}

// sameSums fails the test naming the first files that differ.
func sameSums(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	var diff []string
	for p, w := range want {
		switch g, ok := got[p]; {
		case !ok:
			diff = append(diff, p+": missing")
		case g != w:
			diff = append(diff, p+": other content")
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diff = append(diff, p+": should not be there")
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		t.Fatalf("%s: %d of %d files differ: %s", what, len(diff), len(want), strings.Join(diff[:min(len(diff), 10)], "; "))
	}
}

// sourceFolder is the watched folder on a source, as its API says.
func sourceFolder(t testing.TB, a *app, id string) cli.Folder {
	t.Helper()
	st, err := a.api.Sync(ctx(t))
	if err != nil {
		t.Fatalf("%s: sync state: %v", a.host.name, err)
	}
	for _, f := range st.Folders {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("%s: no folder %s in %s", a.host.name, id, st.Raw)
	return cli.Folder{}
}

// converge waits until the source has published the folder as it is on
// disk and the backup server has that manifest as its newest version (as
// many files and bytes as the disk holds), then returns its sequence. The
// calls may fail meanwhile: an app may be restarting.
func converge(t testing.TB, src, server *app, dir, folder string, timeout time.Duration) uint64 {
	t.Helper()
	files, bytes := diskUsage(t, dir)
	last := "no answer"
	deadline := time.Now().Add(timeout)
	for {
		f, ok := tryFolder(src, folder)
		if ok && f.PendingFiles == 0 && f.FailedFiles == 0 {
			st, err := server.api.BackupServer(ctx(t))
			if err == nil {
				b, busy := folderOf(st, src.id, folder)
				last = fmt.Sprintf("disk %d files %d bytes; source at %d (%s, %d files); server at %d (%d files %d bytes), busy %v, %d failed",
					files, bytes, f.ManifestSequence, f.Status, f.FileCount, b.LastSeq, b.Files, b.Bytes, busy, len(st.Failed))
				if b.LastSeq == f.ManifestSequence && b.Files == files && b.Bytes == bytes && !busy {
					return b.LastSeq
				}
			}
		} else if ok {
			last = fmt.Sprintf("source: %d pending, %d failed, sequence %d, %s", f.PendingFiles, f.FailedFiles, f.ManifestSequence, f.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("not converged after %s: %s\nsource log:\n%s\nserver log:\n%s", timeout, last, tail(src.log.String()), tail(server.log.String()))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// diskUsage counts the regular files under dir and their bytes.
func diskUsage(t testing.TB, dir string) (files int, bytes int64) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		files, bytes = files+1, bytes+info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, bytes
}

func tryFolder(a *app, id string) (cli.Folder, bool) {
	if a.api == nil {
		return cli.Folder{}, false
	}
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := a.api.Sync(c)
	if err != nil {
		return cli.Folder{}, false
	}
	for _, f := range st.Folders {
		if f.ID == id {
			return f, true
		}
	}
	return cli.Folder{}, false
}

// folderOf is the folder as the backup server keeps it, and whether a
// manifest of it is in progress.
func folderOf(st cli.BackupServer, source, folder string) (cli.BackupFolder, bool) {
	busy := slices.ContainsFunc(st.InProgress, func(m cli.BackupManifest) bool { return m.Source == source && m.FolderID == folder })
	for _, s := range st.Sources {
		if s.Device == source {
			for _, f := range s.Folders {
				if f.ID == folder {
					return f, busy
				}
			}
		}
	}
	return cli.BackupFolder{}, busy
}

// restore restores a version (0: the newest) of the source's folder on
// restorer from server ("" : restorer's own backups) into a new directory,
// and returns it once every file is written.
func restore(t testing.TB, restorer *app, server, source, folder string, seq uint64) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "restored")
	job, err := restorer.api.StartRestore(ctx(t), cli.RestoreRequest{Server: server, Source: source, Folder: folder, Sequence: seq, Dest: dest})
	if err != nil {
		t.Fatalf("%s: restore of version %d: %v", restorer.host.name, seq, err)
	}
	nodetest.WaitFor(t, "the restore of version "+fmt.Sprint(seq), 120*time.Second, func() bool {
		job, err = restorer.api.RestoreStatus(ctx(t), job.ID)
		return err == nil && job.Status != cli.RestoreRunning
	})
	if job.Status != cli.RestoreDone || job.FailedCount > 0 || (seq != 0 && job.Sequence != seq) {
		t.Fatalf("%s: restore of version %d: %s", restorer.host.name, seq, job.Raw)
	}
	return dest
}

// checkCatalog fails on a duplicate in what the server lists of the folder:
// a version or a processed manifest twice, or versions out of order.
func checkCatalog(t testing.TB, server *app, source, folder string) []cli.CatalogVersion {
	t.Helper()
	v, err := server.api.Versions(ctx(t))
	if err != nil {
		t.Fatalf("%s: versions: %v", server.host.name, err)
	}
	var versions []cli.CatalogVersion
	for _, s := range v.Servers {
		if s.Device != "" {
			continue
		}
		for _, src := range s.Catalog.Sources {
			for _, f := range src.Folders {
				if src.Device == source && f.ID == folder {
					versions = f.Versions
				}
			}
		}
	}
	if len(versions) == 0 {
		t.Fatalf("%s lists no version of the folder: %s", server.host.name, v.Raw)
	}
	for i := 1; i < len(versions); i++ {
		if versions[i].Sequence >= versions[i-1].Sequence {
			raw, _ := json.Marshal(versions)
			t.Fatalf("versions not newest first, or twice: %s", raw)
		}
	}
	st, err := server.api.BackupServer(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range st.Processed {
		k := fmt.Sprint(m.Source, "/", m.FolderID, "/", m.Sequence)
		if seen[k] {
			t.Fatalf("manifest %s processed twice: %s", k, st.Raw)
		}
		seen[k] = true
	}
	return versions
}
