package backups

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// TestHostileManifestsFromAPairedSource: a paired source that publishes
// manifests naming files outside the folder, another node as their
// source, or millions of entries has each one fetched over the network,
// rejected with its reason, and none of them becomes a version or costs
// a file download.
func TestHostileManifestsFromAPairedSource(t *testing.T) {
	// Registered first, so restored after the devices' goroutines stop.
	saved := maxManifestFiles
	t.Cleanup(func() { maxManifestFiles = saved })
	maxManifestFiles = 1000

	server := newDevice(t, "server", true)
	if err := server.backups.Pause(); err != nil { // processed by hand here
		t.Fatal(err)
	}
	a := newDevice(t, "a", false)
	a.pairAsSource(server)
	ast, _ := a.link.Status(context.Background())
	p, err := server.link.Peer(ast.Device)
	if err != nil {
		t.Fatal(err)
	}
	head := func(seq int, source string) string {
		return fmt.Sprintf(`{"version":%q,"folder_id":"f","folder_path":"Docs","source_peer_id":%q,"sequence_number":%d,`,
			folders.ManifestVersion, source, seq)
	}
	file := `{"path":%q,"cid":"","size_bytes":0}`
	cases := []struct{ body, reason string }{
		{head(1, p.NodePeerID) + `"files":[` + fmt.Sprintf(file, "../../.bashrc") + `]}`, "leaves the folder"},
		{head(2, p.NodePeerID) + `"files":[` + fmt.Sprintf(file, "/etc/cron.d/x") + `]}`, "absolute path"},
		{head(3, p.NodePeerID) + `"deleted_files":[{"path":"a/../../b"}]}`, "path not in clean form"},
		{head(4, "16Uiu2HAmSomeoneElsesNode") + `"files":[]}`, "names node"},
		{head(5, p.NodePeerID) + `"files":[` + strings.Repeat(`{},`, 100_000) + `{}]}`, "more than the 1000 files"},
	}
	var offered []link.ManifestInfo
	for i, c := range cases {
		cid, err := a.node.Client.Upload(context.Background(), strings.NewReader(c.body), int64(len(c.body)), "manifest.json", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		offered = append(offered, link.ManifestInfo{FolderID: "f", FolderName: "Docs", SequenceNumber: uint64(i + 1), ManifestCID: cid,
			FileCount: 1_000_000_000, TotalSizeBytes: -1})
	}
	if err := server.backups.plan(p, link.ManifestList{PeerID: p.NodePeerID, Manifests: offered}); err != nil {
		t.Fatal(err)
	}
	// Processed as the service does it, woken as a source's trigger would.
	if err := server.backups.Resume(); err != nil {
		t.Fatal(err)
	}
	server.backups.PollNow()
	dev := p.Device.String()
	record := func(seq int) (m Manifest) {
		server.db.View(func(tx *bolt.Tx) error {
			_, err := state.GetJSON(tx.Bucket(bucketManifests), manifestKey(dev, "f", uint64(seq)), &m)
			return err
		})
		return m
	}
	nodetest.WaitFor(t, "every manifest to be decided", 60*time.Second, func() bool {
		for i := range cases {
			if s := record(i + 1).Status; s == StatusPending || s == StatusDownloading {
				return false
			}
		}
		return true
	})
	for i, c := range cases {
		m := record(i + 1)
		if m.Status != StatusRejected || !strings.Contains(m.Error, c.reason) {
			t.Errorf("manifest %d: %s %q, want rejected for %q", i+1, m.Status, m.Error, c.reason)
		}
		if m.FilesFetched != 0 || m.BytesFetched != 0 {
			t.Errorf("manifest %d: %d files fetched", i+1, m.FilesFetched)
		}
		if m.TotalFiles != 0 || m.TotalBytes != 0 {
			t.Errorf("manifest %d: the list's claim of %d files, %d bytes is still shown", i+1, m.TotalFiles, m.TotalBytes)
		}
	}
	if st, err := server.backups.State(); err != nil || st.Totals.FilesDownloaded != 0 {
		t.Errorf("files downloaded for rejected manifests: %+v %v", st.Totals, err)
	}
}
