package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/p2p"
)

// fetchManifest gets the manifest of c from the repo or from peers,
// answering the error itself when it cannot.
func (s *Server) fetchManifest(w http.ResponseWriter, r *http.Request, c cid.Cid) (*dag.Manifest, bool) {
	m, err := s.node.FetchManifest(r.Context(), c)
	switch {
	case err == nil:
		return m, true
	case errors.Is(err, node.ErrNotManifest):
		s.textError(w, r, http.StatusNotFound, "CID has invalid content type for manifest {$cid}")
	case r.Context().Err() != nil:
	default:
		s.textError(w, r, http.StatusNotFound, err.Error())
	}
	return nil, false
}

// networkFetch answers with the manifest at once and downloads the dataset
// in the background.
func (s *Server) networkFetch(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	m, ok := s.fetchManifest(w, r, c)
	if !ok {
		return
	}
	s.node.Download(m)
	writeJSON(w, dataItem(c, m))
}

func (s *Server) networkManifest(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	if m, ok := s.fetchManifest(w, r, c); ok {
		writeJSON(w, dataItem(c, m))
	}
}

// networkStream streams a dataset while fetching what is missing.
func (s *Server) networkStream(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	m, ok := s.fetchManifest(w, r, c)
	if !ok {
		return
	}
	w.Header().Set("Access-Control-Expose-Headers", "Content-Disposition")
	setContentHeaders(w, m)
	w.WriteHeader(http.StatusOK)
	if err := s.node.StreamNetwork(r.Context(), w, m); err != nil && r.Context().Err() == nil {
		s.log.Warn("network stream cut short", "cid", dag.CIDString(c), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// setContentHeaders are the download headers of the reference.
func setContentHeaders(w http.ResponseWriter, m *dag.Manifest) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if m.Mimetype != "" {
		h.Set("Content-Type", m.Mimetype)
	}
	h.Set("Content-Disposition", "attachment")
	if m.Filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+m.Filename+`"`)
	}
	size := m.DatasetSize
	if m.Erasure != nil {
		size = m.Erasure.OriginalDatasetSize
	}
	h.Set("Content-Length", strconv.FormatUint(size, 10))
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

// disconnect closes the connections to a peer: 204 whether or not there
// were any, 400 for something that is not a peer ID.
func (s *Server) disconnect(w http.ResponseWriter, r *http.Request) {
	id, err := peer.Decode(r.PathValue("peerId"))
	if err != nil {
		s.textError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.net.Disconnect(id); err != nil {
		s.textError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
