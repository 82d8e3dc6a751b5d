package backups

import (
	"context"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/dag"
)

func cidOfName(name string) string { return dag.CIDString(dag.ManifestCID([]byte(name))) }

// TestSequenceRules: sequences of a source's folder only grow. A known
// sequence offered with another manifest, or an unknown one below the
// newest, is rejected; a jump leaves gaps that are filled when offered.
func TestSequenceRules(t *testing.T) {
	server := newDevice(t, "server", true)
	if err := server.backups.Pause(); err != nil { // plan is driven by hand here
		t.Fatal(err)
	}
	a := newDevice(t, "a", false)
	a.pairAsSource(server)
	ast, _ := a.link.Status(context.Background())
	p, err := server.link.Peer(ast.Device)
	if err != nil {
		t.Fatal(err)
	}
	dev := p.Device.String()
	offer := func(entries ...link.ManifestInfo) {
		t.Helper()
		if err := server.backups.plan(p, link.ManifestList{PeerID: p.NodePeerID, Manifests: entries}); err != nil {
			t.Fatal(err)
		}
	}
	status := func(seq uint64) string {
		var m Manifest
		server.db.View(func(tx *bolt.Tx) error {
			state.GetJSON(tx.Bucket(bucketManifests), manifestKey(dev, "f", seq), &m)
			return nil
		})
		return m.Status
	}
	rejections := func() []Rejection {
		var r sourceRecord
		server.db.View(func(tx *bolt.Tx) error { r, _ = getSource(tx, dev); return nil })
		return r.Rejections
	}
	// CIDs are named by a word, made real so that only the rules under
	// test refuse them.
	e := func(seq uint64, name string) link.ManifestInfo {
		return link.ManifestInfo{FolderID: "f", FolderName: "F", SequenceNumber: seq, ManifestCID: cidOfName(name)}
	}

	offer(e(4, "cid4"), e(5, "cid5"))
	if status(4) != StatusPending || status(5) != StatusPending || status(3) != "" {
		t.Fatalf("first contact: %s %s %s", status(3), status(4), status(5))
	}
	// 5 is done; then the source jumps to 9: 6..8 are gaps.
	server.db.Update(func(tx *bolt.Tx) error {
		for _, seq := range []uint64{4, 5} {
			m := Manifest{Source: dev, FolderID: "f", Sequence: seq, CID: cidOfName(fmt.Sprint("cid", seq)), Status: StatusDone}
			putManifest(tx, &m)
		}
		f := folderRecord{Source: dev, FolderID: "f", LastSeq: 5}
		return putFolderForTest(tx, f)
	})
	offer(e(9, "cid9"))
	for _, seq := range []uint64{6, 7, 8} {
		if status(seq) != StatusMissing {
			t.Fatalf("gap %d: %q", seq, status(seq))
		}
	}
	// The gap is filled when offered.
	offer(e(7, "cid7"), e(9, "cid9"))
	if status(7) != StatusPending {
		t.Fatalf("filled gap: %q", status(7))
	}
	if len(rejections()) != 0 {
		t.Fatalf("rejections: %+v", rejections())
	}
	// A replay: sequence 5 with another manifest.
	offer(e(5, "forged"))
	// A stale one: below the newest, never seen.
	offer(e(2, "old"))
	r := rejections()
	if len(r) != 2 || !strings.Contains(r[0].Reason, "replayed or forged") || !strings.Contains(r[1].Reason, "stale") {
		t.Fatalf("rejections: %+v", r)
	}
	if status(5) != StatusDone || status(2) != "" {
		t.Fatalf("a rejected offer changed the records: %s %s", status(5), status(2))
	}
	// Offered again, a rejection is not listed twice.
	offer(e(5, "forged"))
	if len(rejections()) != 2 {
		t.Fatalf("rejection listed twice: %+v", rejections())
	}
	// A CID that is not one is refused before anything is fetched.
	bad := e(10, "x")
	bad.ManifestCID = "zNotACid"
	offer(bad)
	if r := rejections(); len(r) != 3 || !strings.Contains(r[2].Reason, "not valid") || status(10) != "" {
		t.Fatalf("bad CID: %+v %q", r, status(10))
	}
}
