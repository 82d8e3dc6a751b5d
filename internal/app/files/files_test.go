package files

import (
	"bytes"
	"context"
	"crypto/rand"
	"mime"
	"os"
	"path/filepath"
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":       "report.pdf",
		"../../etc/passwd": "_.._etc_passwd",
		"/abs/path.txt":    "_abs_path.txt",
		`C:\evil.exe`:      "C__evil.exe",
		"..":               "zCID",
		"":                 "zCID",
		"  spaced  ":       "spaced",
		"bell\a.txt":       "bell_.txt",
		"con.txt":          "_con.txt",
		"<script>.html":    "_script_.html",
		"ok name (1).jpeg": "ok name (1).jpeg",
	} {
		if got := SafeName(in, "zCID"); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUploadListDownloadThroughARealNode(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	bus := events.NewBus()
	evs, cancel := bus.Subscribe()
	defer cancel()
	svc := New(func() (*nodeclient.Client, error) { return n.Client, nil }, bus)
	ctx := context.Background()

	src := filepath.Join(t.TempDir(), "photo.jpg")
	data := make([]byte, 300_000)
	rand.Read(data)
	os.WriteFile(src, data, 0o600)
	cid, err := svc.UploadPath(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 1 || list[0].CID != cid || list[0].Filename != "photo.jpg" || list[0].Mimetype != "image/jpeg" || list[0].Size != 300_000 {
		t.Fatalf("list %+v %v", list, err)
	}

	dest := t.TempDir()
	os.WriteFile(filepath.Join(dest, "photo.jpg"), []byte("the user's own file"), 0o600)
	path, err := svc.Download(ctx, cid, dest)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dest, "photo (1).jpg") {
		t.Fatalf("downloaded to %s; must not replace the existing photo.jpg", path)
	}
	got, _ := os.ReadFile(path)
	mine, _ := os.ReadFile(filepath.Join(dest, "photo.jpg"))
	if !bytes.Equal(got, data) || string(mine) != "the user's own file" {
		t.Fatal("content wrong or existing file touched")
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 2 {
		t.Fatalf("leftover temporary files: %v", entries)
	}

	var uploadDone, downloadDone bool
	for len(evs) > 0 {
		ev := <-evs
		if p, ok := ev.Data.(Progress); ok && p.Done && p.Error == "" {
			switch ev.Type {
			case EventUploadProgress:
				uploadDone = p.BytesDone == 300_000 && p.Percent == 100 && p.CID == cid
			case EventDownloadProgress:
				downloadDone = p.BytesDone == 300_000 && p.Percent == 100
			}
		}
	}
	if !uploadDone || !downloadDone {
		t.Fatalf("final progress events missing or wrong (upload %v, download %v)", uploadDone, downloadDone)
	}

	if _, err := svc.Upload(ctx, bytes.NewReader([]byte("second")), 6, "second.txt", ""); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.DeleteAll(ctx); err != nil || n != 2 {
		t.Fatalf("delete all: %d %v", n, err)
	}
	if list, _ := svc.List(ctx); len(list) != 0 {
		t.Fatalf("list after delete: %+v", list)
	}
}

// A type the machine's MIME table knows but the node refuses (Debian maps
// .raw to image/x-panasonic-rw) must not make the file unuploadable: it
// goes up without a type.
func TestUploadOfATypeTheNodeRefuses(t *testing.T) {
	if err := mime.AddExtensionType(".e2eraw", "image/x-panasonic-rw"); err != nil {
		t.Fatal(err)
	}
	if got := MimeOf("a.e2eraw"); got != "" {
		t.Fatalf("MimeOf(a.e2eraw) = %q, want none: the node refuses it", got)
	}
	if got := MimeOf("a.pdf"); got != "application/pdf" {
		t.Fatalf("MimeOf(a.pdf) = %q", got)
	}
	n := nodetest.Start(t, t.TempDir())
	svc := New(func() (*nodeclient.Client, error) { return n.Client, nil }, events.NewBus())
	src := filepath.Join(t.TempDir(), "img-0.e2eraw")
	os.WriteFile(src, []byte("raw sensor data"), 0o600)
	cid, err := svc.UploadPath(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(context.Background())
	if err != nil || len(list) != 1 || list[0].CID != cid || list[0].Filename != "img-0.e2eraw" || list[0].Mimetype != "application/octet-stream" {
		t.Fatalf("list %+v %v", list, err)
	}
}

func TestNodeNotRunningIsReported(t *testing.T) {
	svc := New(func() (*nodeclient.Client, error) { return nil, ErrNodeNotRunning }, events.NewBus())
	if _, err := svc.List(context.Background()); err != ErrNodeNotRunning {
		t.Fatalf("err %v", err)
	}
}
