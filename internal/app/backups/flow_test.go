package backups

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// folderState is the server's record of a source's folder.
func (d *device) folderState(source *device, folderID string) (folderRecord, bool) {
	st, _ := source.link.Status(context.Background())
	var f folderRecord
	var ok bool
	d.db.View(func(tx *bolt.Tx) error {
		f, ok, _ = getFolder(tx, st.Device, folderID)
		return nil
	})
	return f, ok
}

// waitVersion waits until the server has the source folder's sequence seq
// (or newer) as a version.
func (d *device) waitVersion(source *device, folderID string, atLeast uint64) folderRecord {
	d.t.Helper()
	var f folderRecord
	eventually(d.t, fmt.Sprintf("version %d of the folder on %s", atLeast, d.name), 60*time.Second, func() bool {
		var ok bool
		f, ok = d.folderState(source, folderID)
		return ok && f.LastSeq >= atLeast
	})
	return f
}

// restoreTo restores a version into a new directory and waits for it.
func (d *device) restoreTo(req RestoreRequest) Restore {
	d.t.Helper()
	job, err := d.backups.StartRestore(context.Background(), context.Background(), req)
	if err != nil {
		d.t.Fatalf("restore %+v: %v", req, err)
	}
	var r Restore
	eventually(d.t, "the restore", 60*time.Second, func() bool {
		r, _ = d.backups.RestoreJob(job.ID)
		return r.Status != RestoreRunning
	})
	return r
}

// TestBackupFlow: files created, modified and deleted on a source arrive
// on the backup server as versions; the source is told; every version
// restores byte for byte; the content of a deleted file is removed once no
// kept version names it, while content it shares with a kept file stays.
func TestBackupFlow(t *testing.T) {
	ctx := context.Background()
	a, b := newDevice(t, "alpha", false), newDevice(t, "bravo", true)
	// Keep only the newest two versions, to see pruning and the sweep.
	b.cfg.Update(func(c *configT) error {
		c.BackupServer.KeepLast, c.BackupServer.KeepHourly, c.BackupServer.KeepDaily, c.BackupServer.KeepWeekly = 2, 0, 0, 0
		return nil
	})
	a.pairAsSource(b)
	root := filepath.Join(t.TempDir(), "Documents")
	write(t, filepath.Join(root, "a.txt"), "alpha one")
	write(t, filepath.Join(root, "sub/dir/b.txt"), strings.Repeat("b", 300_000))
	write(t, filepath.Join(root, "same1.txt"), "shared content")
	write(t, filepath.Join(root, "empty"), "")
	f := a.watch(root)

	v1 := b.waitVersion(a, f.ID, 1)
	if v1.Files != 4 || v1.Name != "Documents" {
		t.Fatalf("first version: %+v", v1)
	}
	first := readTree(t, root)
	eventually(t, "the source to hear its folder is backed up", 20*time.Second, func() bool {
		g, _ := a.folders.Get(f.ID)
		return g.BackupAckReceived && g.BackupSequence == v1.LastSeq
	})

	// Modify, add a duplicate of shared content, delete.
	time.Sleep(1100 * time.Millisecond) // a new mtime second
	write(t, filepath.Join(root, "a.txt"), "alpha two, longer")
	write(t, filepath.Join(root, "same2.txt"), "shared content")
	os.Remove(filepath.Join(root, "sub/dir/b.txt"))
	eventually(t, "the source to publish the changes", 30*time.Second, func() bool {
		g, _ := a.folders.Get(f.ID)
		return g.ManifestSequence > v1.LastSeq && g.FileCount == 4
	})
	g, _ := a.folders.Get(f.ID)
	v2 := b.waitVersion(a, f.ID, g.ManifestSequence)
	second := readTree(t, root)
	if v2.Files != 4 {
		t.Fatalf("second version: %+v (source %+v)", v2, g)
	}

	st, err := b.backups.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Totals.ManifestsProcessed < 2 || st.Totals.FilesDownloaded < 4 || st.Totals.BytesDownloaded < 300_000 || len(st.Sources) != 1 || st.Sources[0].Folders[0].LastSeq != v2.LastSeq {
		t.Fatalf("state: %+v", st)
	}

	// Every kept version restores as the folder was.
	aDev, _ := a.link.Status(ctx)
	for _, want := range []struct {
		seq  uint64
		tree map[string]string
	}{{v1.LastSeq, first}, {v2.LastSeq, second}} {
		dest := filepath.Join(t.TempDir(), "restore")
		r := b.restoreTo(RestoreRequest{Source: aDev.Device, Folder: "Documents", Sequence: want.seq, Dest: dest})
		if r.Status != RestoreDone || r.FilesDone != len(want.tree) {
			t.Fatalf("restore of %d: %+v", want.seq, r)
		}
		if got := readTree(t, dest); fmt.Sprint(got) != fmt.Sprint(want.tree) {
			t.Fatalf("restore of version %d:\n got %v\nwant %v", want.seq, keys(got), keys(want.tree))
		}
	}

	// Existing files are left alone unless asked. The source can be named
	// by the name it gave itself.
	srcPeer, err := b.link.Peer(aDev.Device)
	if err != nil {
		t.Fatal(err)
	}
	srcName := strings.ToUpper(srcPeer.Name)
	dest := filepath.Join(t.TempDir(), "again")
	write(t, filepath.Join(dest, "a.txt"), "mine")
	r := b.restoreTo(RestoreRequest{Source: srcName, Folder: f.ID, Dest: dest})
	if r.SkippedCount != 1 || r.Skipped[0] != "a.txt" || readTree(t, dest)["a.txt"] != "mine" {
		t.Fatalf("restore over an existing file: %+v", r)
	}
	r = b.restoreTo(RestoreRequest{Source: srcName, Folder: f.ID, Dest: dest, Overwrite: true})
	if r.Status != RestoreDone || readTree(t, dest)["a.txt"] != "alpha two, longer" {
		t.Fatalf("restore with overwrite: %+v", r)
	}

	bCID := cidOf(t, b, v1, "sub/dir/b.txt")
	// A third version pushes the first out (keep 2): b.txt's content is
	// then named by no kept version and is deleted; the shared content
	// stays.
	write(t, filepath.Join(root, "c.txt"), "charlie")
	eventually(t, "the third manifest", 30*time.Second, func() bool {
		g, _ := a.folders.Get(f.ID)
		return g.ManifestSequence > v2.LastSeq
	})
	g, _ = a.folders.Get(f.ID)
	b.waitVersion(a, f.ID, g.ManifestSequence)
	eventually(t, "the sweep of the pruned version's content", 20*time.Second, func() bool {
		_, err := b.node.Client.Download(ctx, bCID)
		return err != nil
	})
	cat, _ := b.backups.Catalog()
	if n := len(cat.Sources[0].Folders[0].Versions); n != 2 {
		t.Fatalf("kept %d versions, want 2", n)
	}
	shared := readTree(t, b.restoreDir(aDev.Device, "Documents"))
	if shared["same1.txt"] != "shared content" || shared["same2.txt"] != "shared content" {
		t.Fatalf("shared content after the sweep: %v", keys(shared))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s(%d)", k, len(v)))
	}
	return out
}

// restoreDir restores a folder's newest version into a new directory.
func (d *device) restoreDir(source, folder string) string {
	dest := filepath.Join(d.t.TempDir(), "r")
	r := d.restoreTo(RestoreRequest{Source: source, Folder: folder, Dest: dest})
	if r.Status != RestoreDone {
		d.t.Fatalf("restore: %+v", r)
	}
	return dest
}

// cidOf finds a file's CID in a version's manifest record.
func cidOf(t *testing.T, d *device, f folderRecord, path string) string {
	t.Helper()
	var cid string
	d.db.View(func(tx *bolt.Tx) error {
		return folderManifests(tx, f.Source, f.FolderID, func(m Manifest) error {
			if m.Sequence == 1 {
				cid = m.CID
			}
			return nil
		})
	})
	c, err := d.node.Client.Download(context.Background(), cid)
	if err != nil {
		t.Fatalf("the first manifest %s: %v", cid, err)
	}
	defer c.Close()
	var m struct {
		Files []struct {
			Path string `json:"path"`
			CID  string `json:"cid"`
		} `json:"files"`
	}
	if err := jsonDecode(c, &m); err != nil {
		t.Fatal(err)
	}
	for _, x := range m.Files {
		if x.Path == path {
			return x.CID
		}
	}
	t.Fatalf("no %s in the first manifest", path)
	return ""
}
