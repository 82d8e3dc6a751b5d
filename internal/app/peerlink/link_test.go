package peerlink

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testIdentity(t *testing.T) *Identity {
	t.Helper()
	id, err := LoadOrCreate(filepath.Join(t.TempDir(), "identity.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// peerServer serves over real TLS on 127.0.0.1 and records each request's
// peer ID; hits counts requests that reached the handler.
type peerServer struct {
	url  string
	addr string
	hits atomic.Int32
	seen atomic.Value // DeviceID
}

func startServer(t *testing.T, id *Identity) *peerServer {
	t.Helper()
	ps := &peerServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.hits.Add(1)
		peer, ok := FromContext(r.Context())
		if !ok {
			http.Error(w, "no peer", http.StatusInternalServerError)
			return
		}
		ps.seen.Store(peer)
		if r.TLS.Version != tls.VersionTLS13 || r.TLS.NegotiatedProtocol != "http/1.1" || r.TLS.DidResume {
			http.Error(w, "unexpected TLS state", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, peer.String())
	})
	_, ps.addr = serve(t, id, h)
	ps.url = "https://" + ps.addr + "/"
	return ps
}

// serve runs id.NewServer(h) with ServeTLS on 127.0.0.1, as the app does.
func serve(t *testing.T, id *Identity, h http.Handler) (*http.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := id.NewServer(h, slog.New(slog.DiscardHandler))
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return srv, ln.Addr().String()
}

func get(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status + ": " + string(b))
	}
	return string(b), err
}

func TestPinnedRoundTrip(t *testing.T) {
	server, client := testIdentity(t), testIdentity(t)
	ps := startServer(t, server)
	c := client.Client(server.DeviceID(), 5*time.Second)
	// Twice: the second request may reuse the connection, and a new
	// connection must not resume a session.
	for range 2 {
		body, err := get(c, ps.url)
		if err != nil {
			t.Fatal(err)
		}
		if body != client.DeviceID().String() {
			t.Fatalf("handler saw %s, want the client %s", body, client.DeviceID())
		}
		c.CloseIdleConnections()
	}
	if got := ps.seen.Load().(DeviceID); got != client.DeviceID() {
		t.Fatalf("FromContext = %s", got)
	}
}

func TestClientRefusesWrongDevice(t *testing.T) {
	server, client, paired := testIdentity(t), testIdentity(t), testIdentity(t)
	ps := startServer(t, server)
	_, err := get(client.Client(paired.DeviceID(), 5*time.Second), ps.url)
	if err == nil {
		t.Fatal("client pinned to another device got through")
	}
	want := "the device at this address is " + server.DeviceID().ShortString() +
		", not the paired device " + paired.DeviceID().ShortString()
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
	var wd *WrongDeviceError
	if !errors.As(err, &wd) || wd.Got != server.DeviceID() || wd.Want != paired.DeviceID() {
		t.Fatalf("errors.As(*WrongDeviceError) failed or wrong: %v", err)
	}
	if n := ps.hits.Load(); n != 0 {
		t.Fatalf("handler ran %d times", n)
	}
}

// A client known to nobody still gets through TLS with its ID: pairing
// requests come from such clients, and deciding is the handler's job.
func TestServerSeesUnknownClient(t *testing.T) {
	server, stranger := testIdentity(t), testIdentity(t)
	ps := startServer(t, server)
	body, err := get(stranger.Client(server.DeviceID(), 5*time.Second), ps.url)
	if err != nil {
		t.Fatal(err)
	}
	if body != stranger.DeviceID().String() {
		t.Fatalf("handler saw %s, want %s", body, stranger.DeviceID())
	}
}

func rawClient(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

func TestServerRefuses(t *testing.T) {
	server, client := testIdentity(t), testIdentity(t)
	ps := startServer(t, server)
	cases := map[string]*tls.Config{
		"no certificate": {InsecureSkipVerify: true},
		"TLS 1.2 only": {
			InsecureSkipVerify: true,
			MaxVersion:         tls.VersionTLS12,
			Certificates:       []tls.Certificate{client.cert},
		},
		"ECDSA certificate": {
			InsecureSkipVerify: true,
			Certificates:       []tls.Certificate{ecdsaCert(t)},
		},
	}
	for name, cfg := range cases {
		if _, err := get(rawClient(cfg), ps.url); err == nil {
			t.Errorf("%s: request succeeded", name)
		}
	}
	if n := ps.hits.Load(); n != 0 {
		t.Fatalf("handler ran %d times", n)
	}
}

func TestPlainHTTPDoesNotReachHandler(t *testing.T) {
	ps := startServer(t, testIdentity(t))
	resp, err := http.Get("http://" + ps.addr + "/")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatalf("plain HTTP got %s", resp.Status)
		}
	}
	if n := ps.hits.Load(); n != 0 {
		t.Fatalf("handler ran %d times", n)
	}
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	server, client := testIdentity(t), testIdentity(t)
	ps := startServer(t, server)
	if _, err := get(client.Client(server.DeviceID(), 5*time.Second), ps.url); err != nil {
		t.Fatal(err)
	}
}

func TestPeerIDWithoutCertificate(t *testing.T) {
	if _, err := PeerID(nil); err == nil {
		t.Error("PeerID(nil) succeeded")
	}
	if _, err := PeerID(&tls.ConnectionState{}); err == nil {
		t.Error("PeerID without certificates succeeded")
	}
}

// ecdsaCert is a valid self-signed certificate of a key type peers must not
// use, so that the server's refusal is about the key type alone.
func ecdsaCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "archivist"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
