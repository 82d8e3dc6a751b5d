package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// These tests run a real `archivist node` process and talk HTTP to it, the
// way the app and users do, and compare every answer with spec §1.1.

type reply struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, method, url string, body io.Reader, hdr map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if h, ok := hdr["Host"]; ok { // net/http sends req.Host, not the header
		req.Host = h
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func expect(t *testing.T, what string, got reply, status int, body string) {
	t.Helper()
	if got.status != status || got.body != body {
		t.Fatalf("%s: got %d %q, want %d %q", what, got.status, got.body, status, body)
	}
}

func expectTextError(t *testing.T, what string, got reply, status int, body string) {
	t.Helper()
	expect(t, what, got, status, body)
	if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s: error content type %q, want text/html as presto sends", what, ct)
	}
}

const (
	vectorTree = "zDzSvJTezk7bJNQqFq8k1iHXY84psNuUfZVusA5bBQQUSuyzDSVL"
	vectorCID  = "zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy" // no filename, no mimetype
)

func TestUploadListDownloadDeleteLikeTheReference(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	up := call(t, "POST", n.URL+"/data", strings.NewReader("some file contents"), nil)
	expect(t, "upload", up, 200, vectorCID)
	if ct := up.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("upload answer content type %q", ct)
	}

	list := call(t, "GET", n.URL+"/data", nil, nil)
	want := `{"content":[{"cid":"` + vectorCID + `","manifest":{"treeCid":"` + vectorTree +
		`","datasetSize":18,"blockSize":65536,"filename":null,"mimetype":null,"protected":false}}]}`
	expect(t, "list", list, 200, want)

	// The reference's own figures after this one upload (spec §1.1).
	expect(t, "space", call(t, "GET", n.URL+"/space", nil, nil), 200,
		`{"totalBlocks":2,"quotaMaxBytes":21474836480,"quotaUsedBytes":65592,"quotaReservedBytes":0}`)

	down := call(t, "GET", n.URL+"/data/"+vectorCID, nil, nil)
	expect(t, "download", down, 200, "some file contents")
	for k, v := range map[string]string{"Content-Type": "application/octet-stream", "Content-Disposition": "attachment", "Content-Length": "18"} {
		if got := down.header.Get(k); got != v {
			t.Errorf("download %s = %q, want %q", k, got, v)
		}
	}

	expect(t, "delete", call(t, "DELETE", n.URL+"/data/"+vectorCID, nil, nil), 204, "")
	expect(t, "delete again", call(t, "DELETE", n.URL+"/data/"+vectorCID, nil, nil), 204, "")
	expect(t, "list after delete", call(t, "GET", n.URL+"/data", nil, nil), 200, `{"content":[]}`)
	expect(t, "space after delete", call(t, "GET", n.URL+"/space", nil, nil), 200,
		`{"totalBlocks":0,"quotaMaxBytes":21474836480,"quotaUsedBytes":0,"quotaReservedBytes":0}`)
	expectTextError(t, "download deleted", call(t, "GET", n.URL+"/data/"+vectorCID, nil, nil), 404,
		"The requested CID could not be retrieved (Block not found in local store).")
	n.Stop()
}

func TestFilenameAndMimetypeTravelWithTheData(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	up := call(t, "POST", n.URL+"/data", strings.NewReader("hello"), map[string]string{
		"Content-Type": "text/plain", "Content-Disposition": `attachment; filename="notes.txt"`,
	})
	if up.status != 200 || !strings.HasPrefix(up.body, "zDv") {
		t.Fatalf("upload: %d %q", up.status, up.body)
	}
	down := call(t, "GET", n.URL+"/data/"+up.body, nil, nil)
	expect(t, "download", down, 200, "hello")
	if down.header.Get("Content-Type") != "text/plain" || down.header.Get("Content-Disposition") != `attachment; filename="notes.txt"` {
		t.Fatalf("headers %v", down.header)
	}
	items, err := n.Client.List(context.Background())
	if err != nil || len(items) != 1 || *items[0].Manifest.Filename != "notes.txt" || *items[0].Manifest.Mimetype != "text/plain" {
		t.Fatalf("list: %+v %v", items, err)
	}
}

func TestUploadRefusals(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	expectTextError(t, "unknown mime", call(t, "POST", n.URL+"/data", strings.NewReader("x"),
		map[string]string{"Content-Type": "foo/bar"}), 422, "The MIME type 'foo/bar' is not valid.")
	for _, name := range []string{"a/b", "con", "trailing.", "q?", "pipe|", ""} {
		expectTextError(t, "filename "+name, call(t, "POST", n.URL+"/data", strings.NewReader("x"),
			map[string]string{"Content-Disposition": `attachment; filename="` + name + `"`}), 422, "The filename is not valid.")
	}
	expectTextError(t, "empty body", call(t, "POST", n.URL+"/data", strings.NewReader(""), nil), 500, "Empty leaves")
	expect(t, "nothing stored", call(t, "GET", n.URL+"/space", nil, nil), 200,
		`{"totalBlocks":0,"quotaMaxBytes":21474836480,"quotaUsedBytes":0,"quotaReservedBytes":0}`)
}

func TestBadAndUnknownCIDs(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	for _, m := range []string{"GET", "DELETE"} {
		expectTextError(t, m+" bad cid", call(t, m, n.URL+"/data/not-a-cid", nil, nil), 400, "Incorrect Cid")
	}
	expectTextError(t, "absent", call(t, "GET", n.URL+"/data/"+vectorCID, nil, nil), 404,
		"The requested CID could not be retrieved (Block not found in local store).")
	// A block CID names data, not a dataset: not downloadable, and not
	// deletable while its dataset holds it.
	if call(t, "POST", n.URL+"/data", strings.NewReader("some file contents"), nil).status != 200 {
		t.Fatal("upload failed")
	}
	const block0 = "zDxWB8ED98hxJ51XwYaoQAwMdskCcmTaPR6Ce2wq88bjvjXRYuR9"
	if got := call(t, "GET", n.URL+"/data/"+block0, nil, nil); got.status != 404 {
		t.Fatalf("download of a block CID: %d %q", got.status, got.body)
	}
	expectTextError(t, "delete dataset block", call(t, "DELETE", n.URL+"/data/"+block0, nil, nil), 500,
		"Directly deleting a block that is part of a dataset is not allowed.")
}

func TestIdentityInfoAndLogLevel(t *testing.T) {
	dir := t.TempDir()
	n := nodetest.Start(t, dir)
	text := call(t, "GET", n.URL+"/peerid", nil, map[string]string{"Accept": "text/plain"})
	if text.status != 200 || !strings.HasPrefix(text.body, "16Uiu2") {
		t.Fatalf("peerid text: %d %q", text.status, text.body)
	}
	expect(t, "peerid json", call(t, "GET", n.URL+"/peerid", nil, nil), 200, `{"id":"`+text.body+`"}`)
	spr := call(t, "GET", n.URL+"/spr", nil, map[string]string{"Accept": "text/plain"})
	if spr.status != 200 || !strings.HasPrefix(spr.body, "spr:CiUIAhIh") {
		t.Fatalf("spr: %d %q", spr.status, spr.body)
	}
	expect(t, "spr json", call(t, "GET", n.URL+"/spr", nil, nil), 200, `{"spr":"`+spr.body+`"}`)

	info := call(t, "GET", n.URL+"/debug/info", nil, nil)
	if info.status != 200 || !strings.Contains(info.body, "\n  \"id\": \""+text.body+"\"") {
		t.Fatalf("debug/info is not the pretty JSON with the id: %q", info.body)
	}
	var di nodeclient.DebugInfo
	if err := json.Unmarshal([]byte(info.body), &di); err != nil || di.Repo != dir || di.SPR != spr.body {
		t.Fatalf("debug/info %+v %v", di, err)
	}

	expectTextError(t, "no level", call(t, "POST", n.URL+"/debug/chronicles/loglevel", nil, nil), 400, "Missing log level")
	expectTextError(t, "bad level", call(t, "POST", n.URL+"/debug/chronicles/loglevel?level=loud", nil, nil), 500,
		"Please specify one of: trace, debug, info, notice, warn, error or fatal")
	expect(t, "good level", call(t, "POST", n.URL+"/debug/chronicles/loglevel?level=DEBUG;TRACE:repo", nil, nil), 200, "")

	key, err := os.Stat(filepath.Join(dir, "key"))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", key, err)
	}
	n.Stop()
	// The same data dir keeps its identity.
	again := nodetest.Start(t, dir)
	if got := call(t, "GET", again.URL+"/peerid", nil, map[string]string{"Accept": "text/plain"}); got.body != text.body {
		t.Fatalf("peer id changed across restarts: %s → %s", text.body, got.body)
	}
}

func TestUnknownRoutesMarketplaceAndCORS(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	expect(t, "unknown route", call(t, "GET", n.URL+"/nope", nil, nil), 404, "")
	expect(t, "wrong method", call(t, "PUT", n.URL+"/space", nil, nil), 404, "")
	for _, r := range [][2]string{{"GET", "/sales/slots"}, {"GET", "/sales/availability"}, {"POST", "/storage/request/" + vectorCID}, {"GET", "/storage/purchases"}} {
		expectTextError(t, r[1], call(t, r[0], n.URL+r[1], nil, nil), 503, "Persistence is not enabled")
	}
	if got := call(t, "GET", n.URL+"/space", nil, nil); got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS header without --api-cors-origin")
	}
	cors := nodetest.Start(t, t.TempDir(), "--api-cors-origin", "http://app.example")
	got := call(t, "GET", cors.URL+"/space", nil, nil)
	if got.header.Get("Access-Control-Allow-Origin") != "http://app.example" || got.header.Get("Access-Control-Max-Age") != "86400" {
		t.Fatalf("CORS headers %v", got.header)
	}
	expect(t, "OPTIONS /data", call(t, "OPTIONS", cors.URL+"/data", nil, nil), 204, "")
}

func TestDataListMatchesTheOpenAPISchema(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("testdata/archivist-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["DataList"]
	if schema == nil {
		t.Fatal("no DataList schema")
	}
	n := nodetest.Start(t, t.TempDir())
	call(t, "POST", n.URL+"/data", strings.NewReader("one"), nil)
	call(t, "POST", n.URL+"/data", strings.NewReader("two"), map[string]string{"Content-Type": "image/png", "Content-Disposition": `attachment; filename="two.png"`})
	var v any
	if err := json.Unmarshal([]byte(call(t, "GET", n.URL+"/data", nil, nil).body), &v); err != nil {
		t.Fatal(err)
	}
	if err := schema.Value.VisitJSON(v); err != nil {
		t.Fatalf("GET /data does not match the OpenAPI DataList schema: %v", err)
	}
	if len(v.(map[string]any)["content"].([]any)) != 2 {
		t.Fatalf("want 2 items: %v", v)
	}
}

func TestLargeFilesRoundTripByteForByte(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	for _, size := range []int{65536, 2 * 65536, 3*65536 + 12345} {
		data := make([]byte, size)
		rand.Read(data)
		c, err := n.Client.Upload(context.Background(), bytes.NewReader(data), int64(size), "blob.bin", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := n.Client.Download(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(got, data) || body.Size != int64(size) || body.Filename != "blob.bin" {
			t.Fatalf("size %d: got %d bytes, size header %d, name %q", size, len(got), body.Size, body.Filename)
		}
	}
	sp, _ := n.Client.Space(context.Background())
	// 1 + 2 + 4 data blocks, each a full 64 KiB, and three manifests.
	if sp.TotalBlocks != 10 || sp.QuotaUsedBytes < 7*65536 {
		t.Fatalf("space %+v", sp)
	}
}

func TestQuotaRefusesWithoutLeavingData(t *testing.T) {
	n := nodetest.Start(t, t.TempDir(), "--storage-quota", "256KB")
	big := make([]byte, 512<<10) // random: identical blocks would be stored once
	rand.Read(big)
	got := call(t, "POST", n.URL+"/data", bytes.NewReader(big), nil)
	if got.status != 500 || !strings.Contains(strings.ToLower(got.body), "quota") {
		t.Fatalf("over-quota upload: %d %q", got.status, got.body)
	}
	expect(t, "space unchanged", call(t, "GET", n.URL+"/space", nil, nil), 200,
		`{"totalBlocks":0,"quotaMaxBytes":262144,"quotaUsedBytes":0,"quotaReservedBytes":0}`)
	if files, _ := blockFiles(t, n.DataDir); len(files) != 0 {
		t.Fatalf("refused upload left block files: %v", files)
	}
	// Something that fits still works.
	if got := call(t, "POST", n.URL+"/data", strings.NewReader("small"), nil); got.status != 200 {
		t.Fatalf("small upload after refusal: %d %q", got.status, got.body)
	}
}

func TestBlocksExpireAfterTheirTTL(t *testing.T) {
	n := nodetest.Start(t, t.TempDir(), "--block-ttl", "1s", "--block-mi", "1s")
	up := call(t, "POST", n.URL+"/data", strings.NewReader("some file contents"), nil)
	expect(t, "upload", up, 200, vectorCID)
	deadline := time.Now().Add(10 * time.Second)
	for {
		list := call(t, "GET", n.URL+"/data", nil, nil)
		if list.body == `{"content":[]}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dataset not expired after 10 s: %s", list.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	expect(t, "expired download", call(t, "GET", n.URL+"/data/"+vectorCID, nil, nil), 404,
		"The requested CID could not be retrieved (Block not found in local store).")
	sp := call(t, "GET", n.URL+"/space", nil, nil)
	if !strings.Contains(sp.body, `"totalBlocks":0`) || !strings.Contains(sp.body, `"quotaUsedBytes":0`) {
		t.Fatalf("space after expiry: %s", sp.body)
	}
}

// blockFiles lists the files that hold blocks: the repo's packs (and any
// block files of the old layout), with their total size.
func blockFiles(t *testing.T, dataDir string) (files []string, bytes int64) {
	t.Helper()
	for _, dir := range []string{"packs", "blocks"} {
		filepath.WalkDir(filepath.Join(dataDir, "repo", dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
				if fi, err := d.Info(); err == nil {
					bytes += fi.Size()
				}
			}
			return nil
		})
	}
	return files, bytes
}

func TestDeletingOneOfTwoNamesForTheSameBytesKeepsTheOther(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	a := call(t, "POST", n.URL+"/data", strings.NewReader("shared bytes"), map[string]string{"Content-Disposition": `attachment; filename="a.txt"`})
	b := call(t, "POST", n.URL+"/data", strings.NewReader("shared bytes"), map[string]string{"Content-Disposition": `attachment; filename="b.txt"`})
	if a.status != 200 || b.status != 200 || a.body == b.body {
		t.Fatalf("uploads: %v %v", a, b)
	}
	expect(t, "delete a", call(t, "DELETE", n.URL+"/data/"+a.body, nil, nil), 204, "")
	expect(t, "b still whole", call(t, "GET", n.URL+"/data/"+b.body, nil, nil), 200, "shared bytes")
	expect(t, "delete b", call(t, "DELETE", n.URL+"/data/"+b.body, nil, nil), 204, "")
	expect(t, "space empty", call(t, "GET", n.URL+"/space", nil, nil), 200,
		`{"totalBlocks":0,"quotaMaxBytes":21474836480,"quotaUsedBytes":0,"quotaReservedBytes":0}`)
}

func TestMetricsEndpoint(t *testing.T) {
	port := nodetest.FreePort(t)
	n := nodetest.Start(t, t.TempDir(), "--metrics", "--metrics-port", fmt.Sprint(port))
	call(t, "POST", n.URL+"/data", strings.NewReader("some file contents"), nil)
	got := call(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/metrics", port), nil, nil)
	if got.status != 200 || !strings.Contains(got.body, "archivist_repo_blocks 2") || !strings.Contains(got.body, "archivist_blockexc_received_bytes_total") {
		t.Fatalf("metrics: %d\n%.2000s", got.status, got.body)
	}
}
