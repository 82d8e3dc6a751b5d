package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

func (s *Server) spr(w http.ResponseWriter, r *http.Request) {
	spr := s.info.SPR()
	if spr == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if prefersText(r) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(spr))
		return
	}
	writeJSON(w, map[string]string{"spr": spr})
}

func (s *Server) peerID(w http.ResponseWriter, r *http.Request) {
	id := s.node.ID().String()
	if prefersText(r) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(id))
		return
	}
	writeJSON(w, map[string]string{"id": id})
}

// debugInfo is the one pretty-printed answer of the API (2-space indent).
func (s *Server) debugInfo(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.info.DebugInfo()); err != nil {
		s.textError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func (s *Server) logLevel(w http.ResponseWriter, r *http.Request) {
	level := rawQueryValue(r.URL.RawQuery, "level")
	if level == "" {
		s.textError(w, r, http.StatusBadRequest, "Missing log level")
		return
	}
	if err := s.info.SetLogLevel(level); err != nil {
		s.textError(w, r, http.StatusInternalServerError, "Please specify one of: trace, debug, info, notice, warn, error or fatal")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// rawQueryValue reads a query parameter without net/url's rule that a ';'
// ends the pair: archivist log levels contain ';' and clients send it raw.
func rawQueryValue(raw, key string) string {
	for _, pair := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if k == key {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	return ""
}
