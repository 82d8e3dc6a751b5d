package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/p2p"
)

// The network routes answer from the local repo until the node has a
// network to fetch from (block exchange); what they cannot find locally
// they report as not fetched, which is the truth.

const manifestNotFetched = "Unable to fetch manifest: no connected peer has it"

func (s *Server) networkFetch(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	m, err := s.node.Manifest(c)
	switch {
	case errors.Is(err, node.ErrNotManifest):
		s.textError(w, r, http.StatusNotFound, "CID has invalid content type for manifest {$cid}")
	case errors.Is(err, node.ErrNotFound):
		s.textError(w, r, http.StatusNotFound, manifestNotFetched)
	case err != nil:
		s.textError(w, r, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, dataItem(c, m))
	}
}

func (s *Server) networkManifest(w http.ResponseWriter, r *http.Request) { s.networkFetch(w, r) }

func (s *Server) networkStream(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	w.Header().Set("Access-Control-Expose-Headers", "Content-Disposition")
	if !s.node.HasBlock(c) {
		w.Header().Del("Access-Control-Expose-Headers")
		s.textError(w, r, http.StatusNotFound, manifestNotFetched)
		return
	}
	s.stream(w, r, c)
}

func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	id, err := peer.Decode(r.PathValue("peerId"))
	if err != nil {
		s.textError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var addrs []ma.Multiaddr
	for _, a := range r.URL.Query()["addrs"] {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			s.textError(w, r, http.StatusBadRequest, "Unable to dial peer")
			return
		}
		addrs = append(addrs, m)
	}
	ctx, cancel := context.WithTimeout(r.Context(), connectTimeout)
	defer cancel()
	switch err := s.net.Connect(ctx, id, addrs); {
	case err == nil:
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Successfully connected to peer"))
	case errors.Is(err, p2p.ErrPeerNotFound):
		s.textError(w, r, http.StatusBadRequest, "Unable to find Peer!")
	case errors.Is(err, p2p.ErrDialFailed):
		s.log.Info("connect failed", "peer", id, "err", err)
		s.textError(w, r, http.StatusBadRequest, "Unable to dial peer")
	default:
		s.log.Warn("connect failed", "peer", id, "err", err)
		s.textError(w, r, http.StatusInternalServerError, "Unknown error dialling peer")
	}
}

// connectTimeout bounds a dial the way the app's client does (30 s).
const connectTimeout = 30 * time.Second

func (s *Server) peers(w http.ResponseWriter, r *http.Request) {
	peers := s.net.Peers()
	if peers == nil {
		peers = []p2p.PeerInfo{}
	}
	writeJSON(w, peers)
}
