package api

import (
	"errors"
	"net/http"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/node"
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
	if _, err := peer.Decode(r.PathValue("peerId")); err != nil {
		s.textError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if len(r.URL.Query()["addrs"]) == 0 {
		s.textError(w, r, http.StatusBadRequest, "Unable to find Peer!")
		return
	}
	s.textError(w, r, http.StatusBadRequest, "Unable to dial peer")
}
