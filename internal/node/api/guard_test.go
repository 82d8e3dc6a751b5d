package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// TestRebindingAndCrossSiteRefused: a web page cannot use the loopback API
// through DNS rebinding (a Host that is not an IP or localhost) nor by a
// cross-site request, while clients that are not browsers, and an origin
// --api-cors-origin allows, are served as before.
func TestRebindingAndCrossSiteRefused(t *testing.T) {
	n := nodetest.Start(t, t.TempDir())
	port := n.URL[len("http://127.0.0.1:"):strings.Index(n.URL, "/api")]
	refused := []struct {
		name, method, path string
		hdr                map[string]string
	}{
		{"rebinding name", "GET", "/data", map[string]string{"Host": "evil.example:" + port}},
		{"rebinding subdomain of an IP", "GET", "/space", map[string]string{"Host": "127.0.0.1.evil.example"}},
		{"rebinding upload", "POST", "/data", map[string]string{"Host": "evil.example"}},
		{"cross-site upload", "POST", "/data", map[string]string{"Origin": "https://evil.example", "Content-Type": "text/plain"}},
		{"cross-site fetch", "POST", "/data/" + vectorCID + "/network", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"opaque origin", "POST", "/debug/chronicles/loglevel?level=TRACE", map[string]string{"Origin": "null"}},
	}
	for _, c := range refused {
		got := call(t, c.method, n.URL+c.path, strings.NewReader("x"), c.hdr)
		if got.status != http.StatusForbidden {
			t.Errorf("%s: %d %q, want 403", c.name, got.status, got.body)
		}
	}
	for _, host := range []string{"localhost:" + port, "LOCALHOST", "127.0.0.1:" + port, "[::1]:" + port, "localhost."} {
		if got := call(t, "GET", n.URL+"/space", nil, map[string]string{"Host": host}); got.status != 200 {
			t.Errorf("Host %s: %d %q", host, got.status, got.body)
		}
	}
	same := map[string]string{"Origin": "http://127.0.0.1:" + port, "Sec-Fetch-Site": "same-origin"}
	if got := call(t, "GET", n.URL+"/space", nil, same); got.status != 200 {
		t.Errorf("same-origin request: %d %q", got.status, got.body)
	}
	if got := call(t, "GET", n.URL+"/data", nil, nil); got.status != 200 || got.body != `{"content":[]}` {
		t.Errorf("the refused upload left data: %d %q", got.status, got.body)
	}

	cors := nodetest.Start(t, t.TempDir(), "--api-cors-origin", "http://app.example")
	allowed := map[string]string{"Origin": "http://app.example", "Sec-Fetch-Site": "cross-site"}
	if got := call(t, "GET", cors.URL+"/space", nil, allowed); got.status != 200 {
		t.Errorf("the --api-cors-origin origin: %d %q", got.status, got.body)
	}
	other := map[string]string{"Origin": "http://other.example", "Sec-Fetch-Site": "cross-site"}
	if got := call(t, "GET", cors.URL+"/space", nil, other); got.status != http.StatusForbidden {
		t.Errorf("another origin: %d %q", got.status, got.body)
	}
}
