package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// CSRFHeader must accompany every state-changing request authenticated by
// the session cookie. Browsers attach cookies to cross-site form posts but
// cannot add a custom header to them without a CORS preflight, which this
// server never grants.
const CSRFHeader = "X-Archivist-CSRF"

// keyBytes is the entropy of the API key: 256 bits, hex encoded.
const keyBytes = 32

// LoadOrCreateKey reads the per-install API key, creating it (0600) on first
// start. A key file readable by others is refused rather than trusted.
func LoadOrCreateKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		st, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("api key %s: %w", path, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("api key %s has mode %04o; it must be readable by its owner only (chmod 600 %s)", path, st.Mode().Perm(), path)
		}
		key := strings.TrimSpace(string(b))
		if len(key) != 2*keyBytes {
			return "", fmt.Errorf("api key %s is malformed (want %d hex characters); delete it to create a new one", path, 2*keyBytes)
		}
		if _, err := hex.DecodeString(key); err != nil {
			return "", fmt.Errorf("api key %s is malformed: %w; delete it to create a new one", path, err)
		}
		return key, nil
	case errors.Is(err, fs.ErrNotExist):
		return createKey(path)
	default:
		return "", fmt.Errorf("reading api key: %w", err)
	}
}

func createKey(path string) (string, error) {
	raw := make([]byte, keyBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating api key: %w", err)
	}
	key := hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	// O_EXCL: if two instances race on first start, one wins and the other
	// reads the winner's key instead of silently replacing it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return "", fmt.Errorf("creating api key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("writing api key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("writing api key: %w", err)
	}
	return key, f.Close()
}

// authenticator checks the three things every request over the network must
// pass: an allowed Host (DNS rebinding), credentials, and for cookie sessions
// a CSRF header on state-changing methods.
type authenticator struct {
	key          string
	session      string // derived cookie value; survives restarts, changes with the key
	cookieName   string
	allowedHosts map[string]bool
}

func newAuthenticator(key string, port int, allowedHosts []string) *authenticator {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("archivist-ui-session-v1"))
	a := &authenticator{
		key:     key,
		session: hex.EncodeToString(mac.Sum(nil)),
		// Cookies are not port-scoped, so two instances on one host would
		// overwrite each other's session without the port in the name.
		cookieName:   fmt.Sprintf("archivist_session_%d", port),
		allowedHosts: map[string]bool{},
	}
	for _, h := range allowedHosts {
		a.allowedHosts[strings.ToLower(h)] = true
	}
	return a
}

// hostAllowed accepts IP literals, localhost and configured names. A DNS
// rebinding attack needs the browser to send an attacker's host name, which
// is exactly what this refuses.
func (a *authenticator) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "" {
		return false
	}
	if host == "localhost" || net.ParseIP(host) != nil {
		return true
	}
	return a.allowedHosts[host]
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// credentials reports whether the request carries a valid key (header) or a
// valid session cookie, and which of the two.
func (a *authenticator) credentials(r *http.Request) (ok, viaCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, found := strings.CutPrefix(h, "Bearer ")
		return found && equal(strings.TrimSpace(tok), a.key), false
	}
	if k := r.Header.Get("X-API-Key"); k != "" {
		return equal(k, a.key), false
	}
	if c, err := r.Cookie(a.cookieName); err == nil {
		return equal(c.Value, a.session), true
	}
	return false, false
}

func (a *authenticator) sessionCookie() *http.Cookie {
	return &http.Cookie{
		Name:     a.cookieName,
		Value:    a.session,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
}

func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// crossSite reports a request that a browser marked as coming from another
// site, or whose Origin names another host than the one it was sent to.
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" && !stateChanging(r.Method) {
		return false
	}
	_, rest, found := strings.Cut(origin, "://")
	return !found || !strings.EqualFold(rest, r.Host)
}
