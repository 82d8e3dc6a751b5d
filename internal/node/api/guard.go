package api

import (
	"net"
	"net/http"
	"strings"
)

// The REST API has no credentials, like the reference's: on the default
// loopback bind, being on this machine is the credential. Two kinds of
// request come from this machine without its user meaning them, both from
// a web page in the user's browser:
//
//   - DNS rebinding: evil.example resolves to 127.0.0.1 after the page
//     loaded, so the page reads the API as same-origin. The browser sends
//     Host: evil.example, which a loopback-bound API refuses: only IP
//     literals and localhost name this machine for sure.
//   - Cross-site requests: a page may POST (a "simple" request, no
//     preflight) to 127.0.0.1 and make the node upload or fetch data. The
//     browser marks those with Origin and Sec-Fetch-Site, which are refused
//     unless --api-cors-origin allows that origin.
//
// Clients that are not browsers (the app, curl, other nodes' tooling) send
// neither header and are unaffected. A non-loopback bind is an explicit
// choice to serve other machines, which may use names for this one, so the
// Host check applies to loopback binds only.

// refusal is why the request is refused, or "" to serve it.
func (s *Server) refusal(r *http.Request) string {
	if s.loopback && !localHost(r.Host) {
		return "Host " + quote(r.Host) + " is not allowed: address this node by IP or localhost"
	}
	if s.crossSite(r) {
		return "cross-site request refused (see --api-cors-origin)"
	}
	return ""
}

// localHost reports whether a Host header names this machine whatever DNS
// says: an IP literal or localhost. An empty Host (HTTP/1.0) names nothing.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	return host == "localhost" || (host != "" && net.ParseIP(host) != nil)
}

// crossSite reports a browser request from a page of another origin than
// the API's, unless --api-cors-origin names that origin (or is *).
func (s *Server) crossSite(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if s.corsOrigin == "*" || (origin != "" && origin == s.corsOrigin) {
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	if origin == "" {
		return false
	}
	_, rest, found := strings.Cut(origin, "://")
	return !found || !strings.EqualFold(rest, r.Host)
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + s + `"`
}
