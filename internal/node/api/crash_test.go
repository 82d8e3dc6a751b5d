package api_test

import (
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// A node killed with SIGKILL in the middle of an upload must come back with
// the upload simply absent: no accounting for it, nothing of it on disk,
// and the data committed before it intact.
func TestKill9DuringUploadLeavesRepoConsistent(t *testing.T) {
	dir := t.TempDir()
	n := nodetest.Start(t, dir)
	expect(t, "committed upload", call(t, "POST", n.URL+"/data", strings.NewReader("some file contents"), nil), 200, vectorCID)
	before := call(t, "GET", n.URL+"/space", nil, nil).body
	_, committed := blockFiles(t, dir)

	pr, pw := io.Pipe()
	uploadDone := make(chan error, 1)
	go func() {
		_, err := n.Client.Upload(context.Background(), pr, -1, "big.bin", "", nil)
		uploadDone <- err
	}()
	chunk := make([]byte, 1<<20)
	written := 0
	// Feed until the node has written 20 blocks of the new upload to disk.
	for deadline := time.Now().Add(20 * time.Second); ; written++ {
		if _, n := blockFiles(t, dir); n-committed >= 20<<16 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no block files appeared after %d MiB", written)
		}
		rand.Read(chunk)
		if _, err := pw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	n.Kill9()
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if err := <-uploadDone; err == nil {
		t.Fatal("the interrupted upload reported success")
	}

	again := nodetest.Start(t, dir)
	expect(t, "space after crash", call(t, "GET", again.URL+"/space", nil, nil), 200, before)
	list := call(t, "GET", again.URL+"/data", nil, nil)
	if strings.Count(list.body, `"cid"`) != 1 || !strings.Contains(list.body, vectorCID) {
		t.Fatalf("list after crash: %s", list.body)
	}
	expect(t, "committed data intact", call(t, "GET", again.URL+"/data/"+vectorCID, nil, nil), 200, "some file contents")
	if files, n := blockFiles(t, dir); len(files) != 1 || n != committed {
		t.Fatalf("after recovery the repo holds %v (%d bytes), want the one pack of the committed dataset (%d bytes)", files, n, committed)
	}
	again.Stop()
}
