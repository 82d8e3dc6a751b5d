package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	stdnet "net"
	"net/http"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/p2p"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Network is what the API needs from the peer-to-peer side.
type Network interface {
	// Connect dials a peer at addrs, or finds it through discovery.
	Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error
	// Peers lists the connected peers (an extension endpoint).
	Peers() []p2p.PeerInfo
	// Disconnect closes every connection to a peer (an extension
	// endpoint); no connection is not an error.
	Disconnect(id peer.ID) error
}

// Info is what the API needs to know about the running node beyond storage.
type Info interface {
	// SPR returns the node's signed peer record text, or "" when not yet set.
	SPR() string
	// DebugInfo fills /debug/info.
	DebugInfo() nodeclient.DebugInfo
	// SetLogLevel applies a log level in archivist syntax.
	SetLogLevel(level string) error
}

// Server serves one node.
type Server struct {
	node       *node.Node
	net        Network
	info       Info
	corsOrigin string
	loopback   bool // bound to a loopback address: see guard.go
	log        *slog.Logger
	mux        *http.ServeMux
}

// New builds the API of n.
func New(n *node.Node, net Network, info Info, corsOrigin string, log *slog.Logger) *Server {
	s := &Server{node: n, net: net, info: info, corsOrigin: corsOrigin, log: log, mux: http.NewServeMux()}
	if n != nil {
		ip := stdnet.ParseIP(n.Config().APIBindAddr)
		s.loopback = ip != nil && ip.IsLoopback()
	}
	p := nodeclient.BasePath
	s.mux.HandleFunc("POST "+p+"/data", s.upload)
	s.mux.HandleFunc("GET "+p+"/data", s.list)
	s.mux.HandleFunc("OPTIONS "+p+"/data", s.options)
	s.mux.HandleFunc("GET "+p+"/data/{cid}", s.download)
	s.mux.HandleFunc("DELETE "+p+"/data/{cid}", s.delete)
	s.mux.HandleFunc("OPTIONS "+p+"/data/{cid}", s.options)
	s.mux.HandleFunc("POST "+p+"/data/{cid}/network", s.networkFetch)
	s.mux.HandleFunc("GET "+p+"/data/{cid}/network/stream", s.networkStream)
	s.mux.HandleFunc("GET "+p+"/data/{cid}/network/manifest", s.networkManifest)
	s.mux.HandleFunc("GET "+p+"/space", s.space)
	s.mux.HandleFunc("GET "+p+"/spr", s.spr)
	s.mux.HandleFunc("GET "+p+"/peerid", s.peerID)
	s.mux.HandleFunc("GET "+p+"/connect/{peerId}", s.connect)
	s.mux.HandleFunc("GET "+p+"/peers", s.peers)                  // extension: archivist-node has no peers listing
	s.mux.HandleFunc("DELETE "+p+"/peers/{peerId}", s.disconnect) // extension
	s.mux.HandleFunc("GET "+p+"/debug/info", s.debugInfo)
	s.mux.HandleFunc("POST "+p+"/debug/chronicles/loglevel", s.logLevel)
	for _, route := range marketplaceRoutes {
		s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
			s.textError(w, r, http.StatusServiceUnavailable, "Persistence is not enabled")
		})
	}
	// presto answers an unknown route (or method) with 404 and no body.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	return s
}

// marketplaceRoutes need the marketplace, which this node does not run.
var marketplaceRoutes = []string{
	"GET " + nodeclient.BasePath + "/sales/slots",
	"GET " + nodeclient.BasePath + "/sales/slots/{id}",
	"GET " + nodeclient.BasePath + "/sales/availability",
	"POST " + nodeclient.BasePath + "/sales/availability",
	"PATCH " + nodeclient.BasePath + "/sales/availability/{id}",
	"OPTIONS " + nodeclient.BasePath + "/sales/availability/{id}",
	"GET " + nodeclient.BasePath + "/sales/availability/{id}/reservations",
	"POST " + nodeclient.BasePath + "/storage/request/{cid}",
	"GET " + nodeclient.BasePath + "/storage/purchases",
	"GET " + nodeclient.BasePath + "/storage/purchases/{id}",
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if why := s.refusal(r); why != "" {
		s.log.Debug("api request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "reason", why)
		s.textError(w, r, http.StatusForbidden, why)
		return
	}
	if s.corsOrigin != "" {
		w.Header().Set("Access-Control-Allow-Origin", s.corsOrigin)
		w.Header().Set("Access-Control-Allow-Methods", r.Method+", OPTIONS")
		w.Header().Set("Access-Control-Max-Age", "86400")
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) options(w http.ResponseWriter, r *http.Request) {
	if s.corsOrigin != "" {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "content-type, content-disposition")
	}
	w.WriteHeader(http.StatusNoContent)
}

// textError answers as presto's RestApiResponse.error does: the message as
// the body, labelled text/html.
func (s *Server) textError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status >= 500 {
		s.log.Warn("api error", "method", r.Method, "path", r.URL.Path, "status", status, "err", msg)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg))
}

// writeJSON writes compact JSON, as the reference does everywhere but
// /debug/info.
func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// pathCID parses the {cid} path parameter, answering 400 with the
// reference's text when it is not a CID.
func (s *Server) pathCID(w http.ResponseWriter, r *http.Request) (cid.Cid, bool) {
	c, err := dag.ParseCID(r.PathValue("cid"))
	if err != nil {
		var ce *dag.CidError
		msg := "Error parsing Cid"
		if errors.As(err, &ce) {
			msg = ce.Text()
		}
		s.textError(w, r, http.StatusBadRequest, msg)
		return cid.Undef, false
	}
	return c, true
}

// prefersText reports whether the client asked for text/plain, which /spr
// and /peerid honour.
func prefersText(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.TrimSpace(mt) {
		case "text/plain":
			return true
		case "application/json", "*/*":
			return false
		}
	}
	return false
}

func dataItem(c cid.Cid, m *dag.Manifest) nodeclient.DataItem {
	item := nodeclient.ManifestItem{
		TreeCID:     dag.CIDString(m.TreeCid),
		DatasetSize: m.DatasetSize,
		BlockSize:   uint64(m.BlockSize),
		Protected:   m.Erasure != nil,
	}
	if m.Filename != "" {
		item.Filename = &m.Filename
	}
	if m.Mimetype != "" {
		item.Mimetype = &m.Mimetype
	}
	if m.Erasure != nil {
		v := m.Erasure.Verification != nil
		item.Verifiable = &v
	}
	return nodeclient.DataItem{CID: dag.CIDString(c), Manifest: item}
}
