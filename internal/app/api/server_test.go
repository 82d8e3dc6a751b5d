package api

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

const testKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	store, err := config.Open(filepath.Join(dir, "config.toml"), config.Default(filepath.Join(dir, "node")))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{
		Config: store,
		Key:    testKey,
		Port:   1420,
		UI:     fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>ui</title>")}, "assets/app.js": {Data: []byte("x")}},
		Bus:    events.NewBus(),
	})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func do(t *testing.T, req *http.Request) (*http.Response, map[string]string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		json.NewDecoder(resp.Body).Decode(&body)
	}
	return resp, body
}

func TestRejectsRequestWithoutKey(t *testing.T) {
	_, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/api/version", nil)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusUnauthorized || body["error"] == "" {
		t.Fatalf("status %d body %v, want 401 with a JSON error", resp.StatusCode, body)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong key: status %d, want 401", resp.StatusCode)
	}
}

func TestAcceptsKeyInEitherHeader(t *testing.T) {
	_, ts := newTestServer(t)
	for _, set := range []func(*http.Request){
		func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testKey) },
		func(r *http.Request) { r.Header.Set("X-API-Key", testKey) },
	} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/version", nil)
		set(req)
		resp, body := do(t, req)
		if resp.StatusCode != http.StatusOK || body["version"] == "" {
			t.Fatalf("status %d body %v, want 200 with a version", resp.StatusCode, body)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("CORS header sent")
		}
	}
}

func TestRejectsForeignHost(t *testing.T) {
	_, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/api/version", nil)
	req.Header.Set("X-API-Key", testKey)
	req.Host = "attacker.example:1420"
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body["error"], "attacker.example") {
		t.Fatalf("status %d body %v, want 403 naming the host", resp.StatusCode, body)
	}
	for _, host := range []string{"localhost:1420", "127.0.0.1:1420", "[::1]:1420"} {
		req.Host = host
		if resp, _ := do(t, req); resp.StatusCode != http.StatusOK {
			t.Fatalf("host %s: status %d, want 200", host, resp.StatusCode)
		}
	}
}

// loginCookie follows the login URL the way a browser does.
func loginCookie(t *testing.T, ts *httptest.Server) *http.Cookie {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/files?token="+testKey+"&x=1", nil)
	resp, _ := do(t, req)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != "/files?x=1" {
		t.Fatalf("login redirects to %q, want the page without the token", loc)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "archivist_session_1420" && c.HttpOnly && c.SameSite == http.SameSiteStrictMode {
			return c
		}
	}
	t.Fatalf("no HttpOnly SameSite=Strict session cookie in %v", resp.Cookies())
	return nil
}

func TestCookieSessionNeedsCSRFHeaderToChangeState(t *testing.T) {
	_, ts := newTestServer(t)
	cookie := loginCookie(t, ts)

	get, _ := http.NewRequest("GET", ts.URL+"/api/version", nil)
	get.AddCookie(cookie)
	if resp, _ := do(t, get); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET with session: status %d, want 200", resp.StatusCode)
	}

	post, _ := http.NewRequest("POST", ts.URL+"/api/logout", nil)
	post.AddCookie(cookie)
	resp, body := do(t, post)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body["error"], CSRFHeader) {
		t.Fatalf("POST without CSRF header: status %d body %v, want 403", resp.StatusCode, body)
	}
	post.Header.Set(CSRFHeader, "1")
	if resp, _ := do(t, post); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST with CSRF header: status %d, want 204", resp.StatusCode)
	}
}

func TestRejectsCrossSiteRequests(t *testing.T) {
	_, ts := newTestServer(t)
	cookie := loginCookie(t, ts)
	req, _ := http.NewRequest("POST", ts.URL+"/api/logout", nil)
	req.AddCookie(cookie)
	req.Header.Set(CSRFHeader, "1")
	req.Header.Set("Origin", "http://evil.example")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Origin: status %d, want 403", resp.StatusCode)
	}
	req.Header.Del("Origin")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Sec-Fetch-Site cross-site: status %d, want 403", resp.StatusCode)
	}
}

func TestWrongLoginTokenSetsNoCookie(t *testing.T) {
	_, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/?token=nope", nil)
	resp, _ := do(t, req)
	if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Fatalf("status %d cookies %v, want 401 and none", resp.StatusCode, resp.Cookies())
	}
}

func TestSPAFallbackServesIndexForClientRoutes(t *testing.T) {
	_, ts := newTestServer(t)
	for _, p := range []string{"/", "/backup-server", "/devices/add"} {
		req, _ := http.NewRequest("GET", ts.URL+p, nil)
		req.Header.Set("X-API-Key", testKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b[:n]), "<title>ui</title>") {
			t.Fatalf("%s: status %d body %q", p, resp.StatusCode, b[:n])
		}
	}
}

func TestUnknownAPIPathIsJSON404(t *testing.T) {
	_, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/api/nope", nil)
	req.Header.Set("X-API-Key", testKey)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusNotFound || body["error"] == "" {
		t.Fatalf("status %d body %v", resp.StatusCode, body)
	}
}

func TestEventStreamDeliversPublishedEvents(t *testing.T) {
	s, ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/api/events", nil)
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func() string {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "event: ") {
				return strings.TrimPrefix(l, "event: ")
			}
		}
		t.Fatal("stream ended")
		return ""
	}
	if ev := next(); ev != "hello" {
		t.Fatalf("first event %q, want hello", ev)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		s.opts.Bus.Publish("node-started", nil)
	}()
	if ev := next(); ev != "node-started" {
		t.Fatalf("event %q, want node-started", ev)
	}
}

func TestKeyFileCreatedPrivateAndReused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cfg", "api-key")
	k1, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o, want 600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || k1 != k2 || len(k1) != 64 {
		t.Fatalf("reload: %q %q %v", k1, k2, err)
	}
	os.Chmod(p, 0o644)
	if _, err := LoadOrCreateKey(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key accepted: %v", err)
	}
	os.Chmod(p, 0o600)
	os.WriteFile(p, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(p); err == nil {
		t.Fatal("malformed key accepted")
	}
}
