package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Real node processes on loopback exchanging data: connect by multiaddr, by
// SPR (bootstrap) and by peer ID through the DHT; download by streaming and
// in the background, from one and from two holders; resume after a crash.

func info(t *testing.T, n *nodetest.Proc) nodeclient.DebugInfo {
	t.Helper()
	i, err := n.Client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func loopbackAddr(t *testing.T, i nodeclient.DebugInfo) string {
	t.Helper()
	for _, a := range i.Addrs {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/") {
			return a
		}
	}
	t.Fatalf("no loopback address in %v", i.Addrs)
	return ""
}

func connect(t *testing.T, from *nodetest.Proc, to nodeclient.DebugInfo, withAddr bool) {
	t.Helper()
	u := from.URL + "/connect/" + to.ID
	if withAddr {
		u += "?addrs=" + url.QueryEscape(loopbackAddr(t, to))
	}
	expect(t, "connect", call(t, "GET", u, nil, nil), 200, "Successfully connected to peer")
}

func randomData(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func upload(t *testing.T, n *nodetest.Proc, data []byte) string {
	t.Helper()
	c, err := n.Client.Upload(context.Background(), bytes.NewReader(data), int64(len(data)), "data.bin", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func streamSHA(t *testing.T, n *nodetest.Proc, cid string) [32]byte {
	t.Helper()
	content, err := n.Client.DownloadNetwork(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	defer content.Close()
	h := sha256.New()
	if _, err := io.Copy(h, content); err != nil {
		t.Fatalf("network stream: %v", err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// waitLocal waits until a background download completed: the local
// download route serves the whole dataset.
func waitLocal(t *testing.T, n *nodetest.Proc, cid string, want [32]byte) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := n.Client.Download(context.Background(), cid); err == nil {
			h := sha256.New()
			_, err := io.Copy(h, c)
			c.Close()
			if err == nil && bytes.Equal(h.Sum(nil), want[:]) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dataset %s not complete after 60 s\n%s", cid, n.Stderr())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestTwoNodesByMultiaddrStream(t *testing.T) {
	a := nodetest.Start(t, t.TempDir())
	b := nodetest.Start(t, t.TempDir())
	data := randomData(3<<20 + 777)
	cid := upload(t, a, data)
	connect(t, b, info(t, a), true)
	if got := streamSHA(t, b, cid); got != sha256.Sum256(data) {
		t.Fatal("streamed data differs")
	}
	// B now holds it: the local route serves it and lists it.
	waitLocal(t, b, cid, sha256.Sum256(data))
	expect(t, "manifest on B", call(t, "GET", b.URL+"/data/"+cid+"/network/manifest", nil, nil), 200,
		call(t, "GET", a.URL+"/data/"+cid+"/network/manifest", nil, nil).body)
}

func TestBootstrapBySPRAndDownloadFromTwoHolders(t *testing.T) {
	a := nodetest.Start(t, t.TempDir())
	ai := info(t, a)
	b := nodetest.Start(t, t.TempDir(), "--bootstrap-node", ai.SPR)
	data := randomData(4 << 20)
	cid := upload(t, a, data)
	want := sha256.Sum256(data)
	// B learned A from its SPR alone and fetches in the background.
	var item nodeclient.DataItem
	fetch := call(t, "POST", b.URL+"/data/"+cid+"/network", nil, nil)
	if fetch.status != 200 || json.Unmarshal([]byte(fetch.body), &item) != nil || item.CID != cid || item.Manifest.DatasetSize != uint64(len(data)) {
		t.Fatalf("network fetch: %d %s", fetch.status, fetch.body)
	}
	waitLocal(t, b, cid, want)

	// C knows both holders and downloads from them.
	c := nodetest.Start(t, t.TempDir(), "--bootstrap-node", ai.SPR, "--bootstrap-node", info(t, b).SPR)
	if got := streamSHA(t, c, cid); got != want {
		t.Fatal("data from two holders differs")
	}
	var peers []struct {
		PeerID   string `json:"peerId"`
		BytesIn  int64  `json:"bytesIn"`
		BytesOut int64  `json:"bytesOut"`
	}
	json.Unmarshal([]byte(call(t, "GET", c.URL+"/peers", nil, nil).body), &peers)
	if len(peers) < 2 {
		t.Fatalf("C is connected to %d peers, want both holders: %+v", len(peers), peers)
	}
}

func TestConnectByPeerIDThroughTheDHT(t *testing.T) {
	hub := nodetest.Start(t, t.TempDir())
	spr := info(t, hub).SPR
	a := nodetest.Start(t, t.TempDir(), "--bootstrap-node", spr)
	b := nodetest.Start(t, t.TempDir(), "--bootstrap-node", spr)
	bi := info(t, b)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := call(t, "GET", a.URL+"/connect/"+bi.ID, nil, nil)
		if got.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A could not find B by peer ID: %d %q", got.status, got.body)
		}
		time.Sleep(500 * time.Millisecond)
	}
	expectTextError(t, "unknown peer", call(t, "GET", a.URL+"/connect/16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8s", nil, nil), 400, "Unable to find Peer!")
	if got := call(t, "GET", a.URL+"/connect/nope", nil, nil); got.status != 400 || got.body == "" {
		t.Fatalf("bad peer id: %d %q", got.status, got.body)
	}
}

func TestDownloadResumesAfterTheDownloaderIsKilled(t *testing.T) {
	a := nodetest.Start(t, t.TempDir())
	ai := info(t, a)
	data := randomData(24 << 20)
	cid := upload(t, a, data)
	dir := t.TempDir()
	b := nodetest.Start(t, dir, "--bootstrap-node", ai.SPR)
	expect(t, "start fetch", call(t, "POST", b.URL+"/data/"+cid+"/network", nil, nil), 200,
		call(t, "GET", a.URL+"/data/"+cid+"/network/manifest", nil, nil).body)
	// Kill B once some, not all, blocks have arrived.
	deadline := time.Now().Add(30 * time.Second)
	for {
		sp, err := b.Client.Space(context.Background())
		if err == nil && sp.TotalBlocks > 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no blocks arrived: %+v %v", sp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Kill9()
	again := nodetest.Start(t, dir, "--bootstrap-node", ai.SPR)
	before, _ := again.Client.Space(context.Background())
	if before.TotalBlocks == 0 {
		t.Fatal("blocks stored before the crash were lost")
	}
	call(t, "POST", again.URL+"/data/"+cid+"/network", nil, nil)
	waitLocal(t, again, cid, sha256.Sum256(data))
}
