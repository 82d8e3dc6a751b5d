package api

import (
	"errors"
	"net/http"

	"github.com/ipfs/go-cid"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	out := nodeclient.DataList{Content: []nodeclient.DataItem{}}
	err := s.node.Datasets(func(c cid.Cid, m *dag.Manifest) error {
		out.Content = append(out.Content, dataItem(c, m))
		return nil
	})
	if err != nil {
		s.textError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, out)
}

const notInLocalStore = "The requested CID could not be retrieved (Block not found in local store)."

// download streams a locally stored dataset.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	if !s.node.HasBlock(c) {
		s.textError(w, r, http.StatusNotFound, notInLocalStore)
		return
	}
	s.stream(w, r, c)
}

// stream sends a dataset with the reference's headers. Once the headers are
// out a failure can only cut the connection short, which the client sees
// as a body shorter than Content-Length.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, c cid.Cid) {
	m, err := s.node.Manifest(c)
	switch {
	case errors.Is(err, node.ErrNotManifest):
		s.textError(w, r, http.StatusNotFound, "CID has invalid content type for manifest {$cid}")
		return
	case errors.Is(err, node.ErrNotFound):
		s.textError(w, r, http.StatusNotFound, notInLocalStore)
		return
	case err != nil:
		s.textError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	setContentHeaders(w, m)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := s.node.WriteDataset(r.Context(), w, m); err != nil && r.Context().Err() == nil {
		s.log.Warn("download cut short", "cid", dag.CIDString(c), "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathCID(w, r)
	if !ok {
		return
	}
	if err := s.node.Delete(c); err != nil {
		msg := err.Error()
		if errors.Is(err, repo.ErrBlockInDataset) {
			msg = repo.ErrBlockInDataset.Error()
		}
		s.textError(w, r, http.StatusInternalServerError, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) space(w http.ResponseWriter, r *http.Request) {
	sp := s.node.Space()
	writeJSON(w, nodeclient.Space{
		TotalBlocks:        uint64(sp.TotalBlocks),
		QuotaMaxBytes:      uint64(sp.QuotaMaxBytes),
		QuotaUsedBytes:     uint64(sp.QuotaUsedBytes),
		QuotaReservedBytes: uint64(sp.QuotaReservedBytes),
	})
}
