package hostile

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
)

// get is a well-formed GET with the key, to vary one thing at a time.
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
}

// with is an authenticated request with a body.
func with(method, path, contentType, body string) string {
	return fmt.Sprintf("%s %s HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		method, path, contentType, len(body), body)
}

// header is an authenticated GET with extra header lines.
func header(path string, lines ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\n" + strings.Join(lines, "\r\n") + "\r\nConnection: close\r\n\r\n"
}

// post is an authenticated POST without a body, plus extra header lines.
func post(path string, lines ...string) string {
	return "POST " + path + " HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nContent-Length: 0\r\n" + strings.Join(lines, "\r\n") + "\r\nConnection: close\r\n\r\n"
}

func hostIs(path, host string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
}

var (
	hugeHeader = "X-Junk: " + strings.Repeat("a", 2<<20)
	deepJSON   = strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	bigJSON    = `{"theme":"` + strings.Repeat("x", 3<<20) + `"}`
)

// Requests every HTTP server must refuse the same way: malformed HTTP.
func malformedHTTP(path string) []probe {
	return []probe{
		{"garbage request line", "\x00\x01\x02\x03 \xff\xfe\r\n\r\n", 400},
		{"HTTP/1.1 without Host", "GET " + path + " HTTP/1.1\r\nConnection: close\r\n\r\n", 400},
		{"two Hosts", "GET " + path + " HTTP/1.1\r\nHost: {HOST}\r\nHost: evil.example\r\nConnection: close\r\n\r\n", 400},
		{"2 MiB header", header(path, hugeHeader), 431},
		{"header without colon", header(path, "NoColonHere"), 400},
		{"negative Content-Length", "POST " + path + " HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: -1\r\n\r\n", 400},
		{"conflicting Content-Lengths", "POST " + path + " HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		// RFC 9112 §6.3: chunked wins and the connection closes after; the
		// request then meets the route's own checks.
		{"chunked and Content-Length", "POST " + path + " HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 0},
		{"unknown transfer coding", "POST " + path + " HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		// 505 is HTTP's answer to a version it does not speak, not a fault.
		{"HTTP/9.9", "GET " + path + " HTTP/9.9\r\nHost: {HOST}\r\n\r\n", 505},
	}
}

// uiProbes attack the UI API: the key, the Host checks against DNS
// rebinding, the cross-site checks, and bad input to the routes.
func uiProbes(port string) []probe {
	return []probe{
		{"positive control: the key", get("/api/version"), 200},
		{"positive control: [::1] is an IP literal", hostIs("/api/version", "[::1]:"+port), 200},
		{"no credentials", "GET /api/version HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", 401},
		{"wrong key", "GET /api/config HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer 0000\r\nConnection: close\r\n\r\n", 401},
		{"Basic auth", "GET /api/config HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Basic YTpi\r\nConnection: close\r\n\r\n", 401},
		{"wrong X-API-Key", "GET /api/config HTTP/1.1\r\nHost: {HOST}\r\nX-API-Key: {KEY}x\r\nConnection: close\r\n\r\n", 401},
		{"key in the query of an API route", "GET /api/config?token={KEY} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", 401},
		{"forged session cookie", "POST /api/sync/pause HTTP/1.1\r\nHost: {HOST}\r\nCookie: archivist_session_" + port + "=00\r\nX-Archivist-CSRF: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 401},
		{"rebinding: a name", hostIs("/api/config", "evil.example:"+port), 403},
		{"rebinding: IP-looking name", hostIs("/api/config", "127.0.0.1.evil.example"), 403},
		{"rebinding: localhost subdomain", hostIs("/api/config", "localhost.evil.example:"+port), 403},
		{"rebinding: hex IP", hostIs("/api/config", "0x7f000001"), 403},
		{"rebinding: empty Host", hostIs("/api/config", ""), 403},
		{"HTTP/1.0 without Host", "GET /api/config HTTP/1.0\r\nAuthorization: Bearer {KEY}\r\n\r\n", 403},
		{"absolute-form URI naming another host", "GET http://evil.example/api/config HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n", 403},
		{"cross-site Origin on a state change", post("/api/sync/pause", "Origin: https://evil.example"), 403},
		{"Sec-Fetch-Site cross-site", post("/api/config/reset", "Sec-Fetch-Site: cross-site"), 403},
		{"opaque Origin on a state change", post("/api/node/stop", "Origin: null"), 403},
		{"cross-site read of the config", header("/api/config", "Origin: http://evil.example", "Sec-Fetch-Site: cross-site"), 403},
		{"unknown method", "BREW /api/version HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n", 404},
		{"unknown route", get("/api/nope"), 404},
		{"traversal in a CID", get("/api/files/..%2f..%2f..%2fetc%2fpasswd/content"), 400},
		{"NUL in a CID", get("/api/files/%00/content"), 400},
		{"traversal in a delete", "DELETE /api/files/..%2f..%2fconfig.toml HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n", 400},
		// The UI is a single-page app: an unknown path is its index.html,
		// never a file from outside the embedded UI.
		{"traversal to the UI files", get("/assets/..%2f..%2f..%2f..%2fetc%2fpasswd"), 200},
		{"traversal in a restore id", get("/api/restores/..%2f..%2fetc"), 0},
		{"config: not JSON", with("PUT", "/api/config", "application/json", "{"), 400},
		{"config: wrong types", with("PUT", "/api/config", "application/json", `{"theme":5,"node":"x"}`), 400},
		{"config: huge number", with("PUT", "/api/config", "application/json", `{"node":{"api_port":1e999}}`), 400},
		{"config: overflowing integer", with("PUT", "/api/config", "application/json", `{"node":{"api_port":99999999999999999999999}}`), 400},
		{"config: deep nesting", with("PUT", "/api/config", "application/json", deepJSON), 400},
		{"config: 3 MiB body", with("PUT", "/api/config", "application/json", bigJSON), 413},
		{"config: empty object", with("PUT", "/api/config", "application/json", "{}"), 422},
		{"config: a second JSON value", with("PUT", "/api/config", "application/json", `{"theme":"dark"} {"x":1}`), 400},
		{"device: not a code", with("POST", "/api/devices", "application/json", `{"code":"../../etc/passwd"}`), 400},
		{"device: code of the wrong type", with("POST", "/api/devices", "application/json", `{"code":12}`), 400},
		{"device: not a peer", with("PATCH", "/api/devices/..%2f..", "application/json", `{"nickname":"x"}`), 0},
		{"folder: relative path", with("POST", "/api/sync/folders", "application/json", `{"path":"../../etc"}`), 0},
		{"folder: NUL in the path", with("POST", "/api/sync/folders", "application/json", `{"path":"/tmp/\u0000x"}`), 0},
		{"folder: no such folder", with("PATCH", "/api/sync/folders/nope", "application/json", `{"paused":true}`), 0},
		{"approve: not a device", post("/api/link/..%2f..%2fx/approve"), 0},
		{"retry: absurd sequence", post("/api/backup-server/manifests/x/y/99999999999999999999999/retry"), 0},
		{"restore: empty", with("POST", "/api/restores", "application/json", `{}`), 0},
		{"restore: traversal source", with("POST", "/api/restores", "application/json", `{"source":"../..","folder":"../../x","destination":"relative/dir"}`), 0},
		{"upload: broken multipart", with("POST", "/api/files", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"), 0},
		{"upload: no boundary", with("POST", "/api/files", "multipart/form-data", "junk"), 0},
		{"unauthenticated huge upload", "POST /api/files HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 1000000000000\r\n\r\n", 401},
	}
}

// nodeProbes attack the node's REST API, which has no key: it relies on
// its loopback bind, the Host check and the cross-site check.
func nodeProbes() []probe {
	const v1 = "/api/archivist/v1"
	return []probe{
		{"positive control", get(v1 + "/space"), 200},
		{"rebinding: a name", hostIs(v1+"/data", "evil.example"), 403},
		{"rebinding: IP-looking name", hostIs(v1+"/space", "127.0.0.1.evil.example"), 403},
		{"HTTP/1.0 without Host", "GET " + v1 + "/data HTTP/1.0\r\n\r\n", 403},
		{"absolute-form URI naming another host", "GET http://evil.example" + v1 + "/data HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", 403},
		{"cross-site upload", "POST " + v1 + "/data HTTP/1.1\r\nHost: {HOST}\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", 403},
		{"cross-site fetch", post(v1+"/data/zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy/network", "Sec-Fetch-Site: cross-site"), 403},
		{"traversal as a CID", get(v1 + "/data/..%2f..%2f..%2fetc%2fpasswd"), 400},
		{"NUL as a CID", get(v1 + "/data/%00"), 400},
		{"traversal as a CID to stream", get(v1 + "/data/..%2f..%2fx/network/stream"), 400},
		{"not a CID to delete", "DELETE " + v1 + "/data/config.toml HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", 400},
		{"huge CID", get(v1 + "/data/z" + strings.Repeat("1", 60000)), 400},
		{"upload: traversal filename", "POST " + v1 + "/data HTTP/1.1\r\nHost: {HOST}\r\nContent-Disposition: attachment; filename=\"../../../../escape\"\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", 422},
		{"upload: NUL in the filename", "POST " + v1 + "/data HTTP/1.1\r\nHost: {HOST}\r\nContent-Disposition: attachment; filename=\"a\x00b\"\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", 0},
		{"upload: not a MIME type", "POST " + v1 + "/data HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: ../../x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", 422},
		{"not a peer ID", get(v1 + "/connect/..%2f.."), 400},
		{"not a multiaddr", get(v1 + "/connect/16Uiu2HAmUyn7ZLu5ymRv6kuTTmR6BbRP2ZYB8dd6Ss86eRjbvzPm?addrs=/ip4/999.1.1.1/tcp/x"), 400},
		// archivist-node answers an unknown level with 500 and clients
		// match on it; kept for compatibility (internal/node/api tests it).
		{"bad log level", post(v1 + "/debug/chronicles/loglevel?level=%00%ff"), 500},
		{"unknown method", "BREW " + v1 + "/space HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", 404},
	}
}

// linkProbes attack a link server over TLS as a device that is not paired:
// it may ask to pair and read the health check, nothing else.
func linkProbes() []probe {
	return []probe{
		{"positive control: health", get("/v1/health"), 200},
		{"manifests", get("/v1/manifests"), 403},
		{"catalog", get("/v1/backups"), 403},
		{"trigger", post("/v1/trigger"), 403},
		{"ack", with("POST", "/v1/ack", "application/json", `{"folderId":"x","sequence":1}`), 403},
		{"pair: not JSON", with("POST", "/v1/pair", "application/json", "{"), 400},
		{"pair: not a code", with("POST", "/v1/pair", "application/json", `{"code":"../../etc/passwd"}`), 400},
		{"pair: deep nesting", with("POST", "/v1/pair", "application/json", deepJSON), 400},
		{"pair: 3 MiB body", with("POST", "/v1/pair", "application/json", bigJSON), 400},
		{"100 KiB header", header("/v1/health", "X-Junk: "+strings.Repeat("a", 100<<10)), 431},
		{"unknown route", get("/v1/nope"), 404},
		{"traversal", get("/v1/..%2f..%2f..%2fetc%2fpasswd"), 404},
	}
}

// TestHostileRequests sends the corpus to every listener of a running
// `archivist serve` at once, then checks that the app is alive and
// healthy, its config unchanged, and nothing written outside its home.
func TestHostileRequests(t *testing.T) {
	tg := startTarget(t)
	before := tg.snapshot()
	cfgFile := filepath.Join(tg.appHome, "config.toml")
	cfgBefore, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	_, uiPort, _ := net.SplitHostPort(tg.ui)
	serverID, err := peerlink.ParseDeviceID(tg.deviceID)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "stranger.pem"))
	if err != nil {
		t.Fatal(err)
	}
	unpaired := stranger.ClientConfig(serverID)

	t.Run("listeners", func(t *testing.T) {
		t.Run("ui", func(t *testing.T) {
			t.Parallel()
			runProbes(t, tg.ui, nil, tg.key, append(uiProbes(uiPort), malformedHTTP("/api/version")...))
		})
		t.Run("node", func(t *testing.T) {
			t.Parallel()
			runProbes(t, tg.node, nil, tg.key, append(nodeProbes(), malformedHTTP("/api/archivist/v1/space")...))
		})
		for name, addr := range map[string]string{"manifest server": tg.manifest, "trigger server": tg.trigger} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runProbes(t, addr, unpaired, "", linkProbes())
				linkTLS(t, addr, serverID)
			})
		}
		t.Run("slow clients", func(t *testing.T) {
			t.Parallel()
			slowClients(t, tg, unpaired)
		})
		t.Run("libp2p", func(t *testing.T) {
			t.Parallel()
			libp2pGarbage(t, tg.p2p)
		})
	})

	tg.alive()
	if err := tg.healthy(); err != nil {
		t.Fatalf("unhealthy after the corpus: %v\n%s", err, tail(tg.log.String()))
	}
	// Every upload in the corpus was refused: the node holds nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if list, err := tg.do(ctx, "GET", "http://"+tg.node+"/api/archivist/v1/data"); err != nil || string(list) != `{"content":[]}` {
		t.Errorf("the node holds data after the corpus: %s %v", list, err)
	}
	if after, _ := os.ReadFile(cfgFile); !bytes.Equal(after, cfgBefore) {
		t.Errorf("config.toml changed:\n%s\n→\n%s", cfgBefore, after)
	}
	if diff := sameFiles(before, tg.snapshot()); len(diff) > 0 {
		t.Errorf("written outside the app's home: %v", diff)
	}
	if strings.Contains(tg.log.String(), "panic") {
		t.Errorf("the app logged a panic:\n%s", tail(tg.log.String()))
	}
}

// linkTLS: the link servers speak TLS 1.3 with a client certificate only.
func linkTLS(t *testing.T, addr string, server peerlink.DeviceID) {
	resp, _, err := send(addr, nil, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("plain HTTP to the TLS port: %v %v", resp, err)
	}
	noCert := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}
	if _, _, err := send(addr, noCert, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"); err == nil {
		t.Error("a client without a certificate was served")
	}
	id, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "old.pem"))
	if err != nil {
		t.Fatal(err)
	}
	old := id.ClientConfig(server)
	old.MinVersion, old.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	if _, _, err := send(addr, old, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"); err == nil {
		t.Error("a TLS 1.2 client was served")
	}
}

// slowClients: a client that trickles its headers, or announces a body and
// never sends it, is cut off by the server's timeouts.
func slowClients(t *testing.T, tg *target, unpaired *tls.Config) {
	const margin = 5 * time.Second
	type slow struct {
		name  string
		dial  func() (net.Conn, error)
		first string
		bound time.Duration
		// trickle is sent a byte a second after first.
		trickle string
	}
	plain := func(addr string) func() (net.Conn, error) {
		return func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }
	}
	overTLS := func(addr string) func() (net.Conn, error) {
		return func() (net.Conn, error) {
			return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, unpaired)
		}
	}
	headers := "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	slowBody := "POST /v1/pair HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
	lines, spaces := strings.Repeat("X-A: b\r\n", 60), strings.Repeat(" ", 60)
	cases := []slow{
		{"ui headers", plain(tg.ui), headers, 10*time.Second + margin, lines},
		{"node headers", plain(tg.node), headers, 10*time.Second + margin, lines},
		{"manifest server headers", overTLS(tg.manifest), headers, 10*time.Second + margin, lines},
		{"trigger server body", overTLS(tg.trigger), slowBody, peerlink.ReadTimeout + margin, spaces},
		{"TLS handshake never sent", plain(tg.manifest), "", 10*time.Second + margin, ""},
		// No line end: the server waits for the rest of the request line.
		{"TLS hello to the UI port", plain(tg.ui), "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 10*time.Second + margin, strings.Repeat("\x00", 60)},
	}
	done := make(chan string, len(cases))
	for _, c := range cases {
		go func() {
			conn, err := c.dial()
			if err != nil {
				done <- fmt.Sprintf("%s: %v", c.name, err)
				return
			}
			if _, err := conn.Write([]byte(c.first)); err != nil {
				done <- fmt.Sprintf("%s: %v", c.name, err)
				return
			}
			if err := closedWithin(conn, c.bound, c.trickle); err != nil {
				done <- fmt.Sprintf("%s: %v", c.name, err)
				return
			}
			done <- ""
		}()
	}
	for range cases {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
