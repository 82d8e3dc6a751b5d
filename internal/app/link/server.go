package link

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
)

// maxBody bounds a request body on the link.
const maxBody = 64 << 10

// maxAnswer bounds an answer read from a paired device. Answers are lists
// that grow with the folders and versions kept (16 manifests per folder,
// up to ~50 versions per folder in a catalog, ~250 bytes each), so they
// get far more room than requests.
const maxAnswer = 32 << 20

// handler routes the link API. Every request has a TLS client certificate
// (peerlink refuses others); which device it is decides what it may do.
func (s *Service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /v1/pair", s.servePair)
	mux.HandleFunc("GET /v1/manifests", s.paired(s.serveManifests))
	mux.HandleFunc("POST /v1/ack", s.paired(s.serveAck))
	mux.HandleFunc("POST /v1/trigger", s.paired(s.serveTrigger))
	mux.HandleFunc("GET /v1/backups", s.paired(s.serveCatalog))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{"Not Found", "The requested endpoint does not exist"})
	})
	return http.MaxBytesHandler(mux, maxBody)
}

type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// paired serves h to paired devices only.
func (s *Service) paired(h func(http.ResponseWriter, *http.Request, Peer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := peerlink.FromContext(r.Context())
		p, ok, err := s.store.get(id)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, apiError{"Internal Server Error", "An unexpected error occurred"})
			return
		}
		if !ok || p.State != StatePaired {
			s.log.Info("refused a request from a device that is not paired", "device", id.ShortString(), "remote", r.RemoteAddr, "path", r.URL.Path)
			writeJSON(w, http.StatusForbidden, apiError{"Forbidden", "This device is not paired: pair it from the Devices page of both devices"})
			return
		}
		h(w, r, p)
	}
}

// servePair records another device's pairing request, for this user to
// approve. The code it sends must be its own: the device ID in it is the
// one its TLS certificate proves.
func (s *Service) servePair(w http.ResponseWriter, r *http.Request) {
	id, _ := peerlink.FromContext(r.Context())
	var req struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"Bad Request", "expected {\"code\": …}"})
		return
	}
	c, err := ParseCode(req.Code)
	if err != nil || c.Device != id {
		writeJSON(w, http.StatusBadRequest, apiError{"Bad Request", "the code is not this device's own"})
		return
	}
	if p, ok, _ := s.store.get(id); ok && p.State == StatePaired {
		s.store.update(id, false, func(p *Peer) error { p.Addrs, p.SPR, p.RemoteAddr = c.Addrs, c.SPR, r.RemoteAddr; return nil })
		writeJSON(w, http.StatusOK, map[string]string{"status": StatePaired})
		return
	}
	if s.store.requests() >= maxRequests {
		writeJSON(w, http.StatusTooManyRequests, apiError{"Too Many Requests", "too many pairing requests are waiting for approval"})
		return
	}
	name, _ := cleanName(c.Name, id)
	_, err = s.store.update(id, true, func(p *Peer) error {
		*p = Peer{Device: id, Name: name, NodePeerID: c.NodePeerID, SPR: c.SPR, Addrs: c.Addrs,
			BackupServer: c.BackupServer, State: StateRequested, RequestedAt: time.Now().UTC(), RemoteAddr: r.RemoteAddr}
		return nil
	})
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"Service Unavailable", err.Error()})
		return
	}
	s.log.Info("pairing request", "device", id.ShortString(), "name", name, "remote", r.RemoteAddr)
	s.publish(EventPairingRequest, map[string]string{"device": id.String(), "name": name})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "pending"})
}

// ManifestList is GET /v1/manifests: the seed's shape (§5.1), with the
// folder's name where the seed leaked its absolute path.
type ManifestList struct {
	PeerID    string         `json:"peerId"`
	Timestamp time.Time      `json:"timestamp"`
	Manifests []ManifestInfo `json:"manifests"`
}

// ManifestInfo is one manifest on offer.
type ManifestInfo struct {
	FolderID       string    `json:"folderId"`
	FolderName     string    `json:"folderName"`
	ManifestCID    string    `json:"manifestCid"`
	SequenceNumber uint64    `json:"sequenceNumber"`
	UpdatedAt      time.Time `json:"updatedAt"`
	FileCount      int       `json:"fileCount"`
	TotalSizeBytes int64     `json:"totalSizeBytes"`
}

func (s *Service) serveManifests(w http.ResponseWriter, r *http.Request, p Peer) {
	if !s.config().ManifestServer.Enabled {
		writeJSON(w, http.StatusNotFound, apiError{"Not Found", "this device does not offer manifests (the manifest server is off)"})
		return
	}
	list, err := s.opts.Folders.Manifests()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{"Internal Server Error", "An unexpected error occurred"})
		return
	}
	out := ManifestList{PeerID: s.nodePeerID(r.Context()), Timestamp: time.Now().UTC(), Manifests: []ManifestInfo{}}
	for _, m := range list {
		out.Manifests = append(out.Manifests, ManifestInfo(m))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) serveAck(w http.ResponseWriter, r *http.Request, p Peer) {
	var req struct {
		FolderID string `json:"folderId"`
		Sequence uint64 `json:"sequence"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.FolderID == "" || req.Sequence == 0 {
		writeJSON(w, http.StatusBadRequest, apiError{"Bad Request", "expected {\"folderId\": …, \"sequence\": …}"})
		return
	}
	if err := s.opts.Folders.Acknowledge(req.FolderID, req.Sequence, time.Now()); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"Bad Request", err.Error()})
		return
	}
	s.log.Info("the backup server confirmed a manifest", "device", p.Device.ShortString(), "folder", req.FolderID, "sequence", req.Sequence)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Service) serveTrigger(w http.ResponseWriter, r *http.Request, p Peer) {
	if !s.config().BackupServer.Enabled || s.opts.OnTrigger == nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"Service Unavailable", "the backup server is off on this device"})
		return
	}
	s.opts.OnTrigger(p)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "message": "Poll triggered"})
}

// listeners keeps one TLS server per port this device's roles need,
// re-bound when the settings change.
type listeners struct {
	servers map[int]*http.Server
	errs    map[int]string // port → why it could not be bound
}

// apply binds the ports wanted now and closes the others.
func (s *Service) apply() {
	cfg := s.config()
	want := map[int]bool{}
	if cfg.ManifestServer.Enabled {
		want[cfg.ManifestServer.Port] = true
	}
	if cfg.BackupServer.Enabled {
		want[cfg.BackupServer.TriggerPort] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for port, srv := range s.ls.servers {
		if !want[port] {
			srv.Close()
			delete(s.ls.servers, port)
			s.log.Info("link server stopped", "port", port)
		}
	}
	s.ls.errs = map[int]string{}
	for port := range want {
		if s.ls.servers[port] != nil {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(s.opts.BindHost, strconv.Itoa(port)))
		if err != nil {
			s.ls.errs[port] = fmt.Sprintf("cannot listen on port %d (in use by another program? choose another port in Settings): %v", port, err)
			s.log.Warn("link server not started", "port", port, "err", err)
			continue
		}
		srv := s.opts.Identity.NewServer(s.handler(), s.log)
		s.ls.servers[port] = srv
		go srv.ServeTLS(ln, "", "")
		s.log.Info("link server listening", "addr", ln.Addr().String(), "device", s.opts.Identity.DeviceID().ShortString())
	}
}

func (s *Service) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for port, srv := range s.ls.servers {
		srv.Close()
		delete(s.ls.servers, port)
	}
}
