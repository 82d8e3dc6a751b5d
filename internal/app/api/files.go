package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Files.List(r.Context())
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// uploadFile takes the file as the raw request body (the browser streams a
// File object; nothing is buffered), its name in ?name=.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		writeError(w, http.StatusBadRequest, "missing ?name= with the file's name")
		return
	}
	size := r.ContentLength
	cid, err := s.opts.Files.Upload(r.Context(), r.Body, size, files.SafeName(name, "upload"), mimeOnly(r.Header.Get("Content-Type")))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"cid": cid})
}

// mimeOnly passes a bare MIME type to the node, which refuses parameters
// and unknown types; a browser's empty type becomes none.
func mimeOnly(t string) string {
	if t == "" || t == "application/octet-stream" {
		return ""
	}
	for i, c := range t {
		if c == ';' {
			return t[:i]
		}
	}
	return t
}

func (s *Server) uploadPath(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Path string `json:"path"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	cid, err := s.opts.Files.UploadPath(r.Context(), req.Path)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"cid": cid})
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CID         string `json:"cid"`
		Destination string `json:"destination"`
	}
	if !decodeBody(w, r, &req) || !validCID(w, req.CID) {
		return
	}
	path, err := s.opts.Files.Download(r.Context(), req.CID, req.Destination)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"path": path})
}

// fileContent streams a dataset to the browser as a download.
func (s *Server) fileContent(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	if !validCID(w, cid) {
		return
	}
	content, err := s.opts.Files.Open(r.Context(), cid)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	defer content.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+files.SafeName(content.Filename, cid)+`"`)
	if content.Size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(content.Size, 10))
	}
	io.Copy(w, content)
}

func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("cid")
	if !validCID(w, cid) {
		return
	}
	if err := s.opts.Files.Delete(r.Context(), cid); err != nil {
		writeServiceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteAllFiles(w http.ResponseWriter, r *http.Request) {
	n, err := s.opts.Files.DeleteAll(r.Context())
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
}

// validCID refuses anything that is not a CID before it reaches the node,
// with the node's own wording.
func validCID(w http.ResponseWriter, s string) bool {
	if _, err := dag.ParseCID(s); err != nil {
		writeError(w, http.StatusBadRequest, "not a valid CID: "+err.Error())
		return false
	}
	return true
}

const maxJSONBody = 1 << 20

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// A second value after the first is not one request: refuse it
		// rather than act on half of what the client sent.
		if _, tok := dec.Token(); tok != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid request body: "+err.Error())
		return false
	}
	return true
}

// writeServiceError maps what a service or the node said to a status.
func writeServiceError(w http.ResponseWriter, err error) {
	var apiErr *nodeclient.APIError
	switch {
	case errors.Is(err, files.ErrNodeNotRunning):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, files.ErrEmptyFile):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &apiErr) && apiErr.Status < 500:
		writeError(w, apiErr.Status, apiErr.Message)
	case errors.As(err, &apiErr):
		writeError(w, http.StatusBadGateway, "the node failed: "+apiErr.Message)
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}
