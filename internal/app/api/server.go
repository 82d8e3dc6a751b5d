package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/backups"
	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/files"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/link"
	"github.com/archivist-desktop/archivist/internal/app/onboarding"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/update"
)

// Options configure a Server.
type Options struct {
	Key          string   // the per-install API key
	Port         int      // the port the network listener uses (names the session cookie)
	AllowedHosts []string // host names accepted besides IP literals and localhost
	UI           fs.FS    // the built web UI (index.html at its root)
	Bus          *events.Bus
	Config       *config.Store
	Files        *files.Service
	Devices      *devices.Service
	Folders      *folders.Service
	Link         *link.Service
	Backups      *backups.Service
	Onboarding   *onboarding.Store
	// Background bounds work that outlives a request (restores): the
	// app's lifetime.
	Background context.Context
	Node       *supervisor.Supervisor
	Update     *update.Service
	// Window and Dialogs are the desktop shell's; nil when headless.
	Window  Window
	Dialogs Dialogs
	Log     *slog.Logger
}

// Server routes the UI API and the UI's static files.
type Server struct {
	opts   Options
	auth   *authenticator
	mux    *http.ServeMux
	static http.Handler
}

// New builds a server; it does not listen.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	s := &Server{
		opts:   opts,
		auth:   newAuthenticator(opts.Key, opts.Port, opts.AllowedHosts),
		mux:    http.NewServeMux(),
		static: http.FileServerFS(opts.UI),
	}
	s.mux.HandleFunc("GET /api/version", s.version)
	s.mux.HandleFunc("GET /api/events", s.events)
	s.mux.HandleFunc("POST /api/logout", s.logout)
	s.mux.HandleFunc("GET /api/config", s.getConfig)
	s.mux.HandleFunc("PUT /api/config", s.putConfig)
	s.mux.HandleFunc("POST /api/config/reset", s.resetConfig)
	s.mux.HandleFunc("POST /api/config/reload", s.reloadConfig)
	s.mux.HandleFunc("GET /api/notifications/sounds/{event}", s.notificationSound)
	s.mux.HandleFunc("GET /api/node/status", s.nodeStatus)
	s.mux.HandleFunc("GET /api/node/diagnostics", s.nodeDiagnostics)
	s.mux.HandleFunc("GET /api/node/logs", s.nodeLogs)
	s.mux.HandleFunc("POST /api/node/start", s.nodeAction(func(n *supervisor.Supervisor) error { return n.Start(context.Background()) }))
	s.mux.HandleFunc("POST /api/node/stop", s.nodeAction(func(n *supervisor.Supervisor) error { return n.Stop(context.Background()) }))
	s.mux.HandleFunc("POST /api/node/restart", s.nodeAction(func(n *supervisor.Supervisor) error { return n.Restart(context.Background()) }))
	s.mux.HandleFunc("GET /api/files", s.listFiles)
	s.mux.HandleFunc("POST /api/files", s.uploadFile)
	s.mux.HandleFunc("POST /api/files/from-path", s.uploadPath)
	s.mux.HandleFunc("POST /api/files/download", s.downloadFile)
	s.mux.HandleFunc("GET /api/files/{cid}/content", s.fileContent)
	s.mux.HandleFunc("DELETE /api/files/{cid}", s.deleteFile)
	s.mux.HandleFunc("POST /api/files/delete-all", s.deleteAllFiles)
	s.mux.HandleFunc("GET /api/devices", s.listDevices)
	s.mux.HandleFunc("POST /api/devices", s.addDevice)
	s.mux.HandleFunc("GET /api/devices/code", s.deviceCode)
	s.mux.HandleFunc("GET /api/devices/code/qr.png", s.deviceQR)
	s.mux.HandleFunc("GET /api/devices/{peerId}", s.getDevice)
	s.mux.HandleFunc("PATCH /api/devices/{peerId}", s.renameDevice)
	s.mux.HandleFunc("DELETE /api/devices/{peerId}", s.removeDevice)
	s.mux.HandleFunc("POST /api/devices/{peerId}/connect", s.connectDevice)
	s.mux.HandleFunc("POST /api/devices/{peerId}/disconnect", s.disconnectDevice)
	s.mux.HandleFunc("GET /api/sync", s.syncState)
	s.mux.HandleFunc("POST /api/sync/folders", s.addFolder)
	s.mux.HandleFunc("PATCH /api/sync/folders/{id}", s.setFolder)
	s.mux.HandleFunc("DELETE /api/sync/folders/{id}", s.removeFolder)
	s.mux.HandleFunc("POST /api/sync/folders/{id}/rescan", s.rescanFolder)
	s.mux.HandleFunc("GET /api/sync/folders/{id}/failed", s.failedFiles)
	s.mux.HandleFunc("POST /api/sync/folders/{id}/retry", s.retryFolder)
	s.mux.HandleFunc("POST /api/sync/rescan", s.rescanAll)
	s.mux.HandleFunc("POST /api/sync/pause", s.pauseSync)
	s.mux.HandleFunc("POST /api/sync/resume", s.resumeSync)
	s.mux.HandleFunc("POST /api/sync/quickstart", s.quickstart)
	s.mux.HandleFunc("POST /api/sync/folders/{id}/backup-now", s.backupNow)
	s.mux.HandleFunc("GET /api/link", s.linkStatus)
	s.mux.HandleFunc("POST /api/link/{device}/approve", s.approveDevice)
	s.mux.HandleFunc("DELETE /api/link/{device}", s.unlinkDevice)
	s.mux.HandleFunc("GET /api/backup-server", s.backupServerState)
	s.mux.HandleFunc("POST /api/backup-server/enable", s.backupServerAction((*backups.Service).Enable))
	s.mux.HandleFunc("POST /api/backup-server/disable", s.backupServerAction((*backups.Service).Disable))
	s.mux.HandleFunc("POST /api/backup-server/pause", s.backupServerAction((*backups.Service).Pause))
	s.mux.HandleFunc("POST /api/backup-server/resume", s.backupServerAction((*backups.Service).Resume))
	s.mux.HandleFunc("POST /api/backup-server/poll", s.backupServerAction(func(b *backups.Service) error { b.PollNow(); return nil }))
	s.mux.HandleFunc("POST /api/backup-server/manifests/{source}/{folder}/{seq}/retry", s.retryManifest)
	s.mux.HandleFunc("GET /api/versions", s.versions)
	s.mux.HandleFunc("POST /api/restores", s.startRestore)
	s.mux.HandleFunc("GET /api/restores", s.listRestores)
	s.mux.HandleFunc("GET /api/restores/{id}", s.getRestore)
	s.mux.HandleFunc("GET /api/onboarding", s.getOnboarding)
	s.mux.HandleFunc("PUT /api/onboarding", s.putOnboarding)
	s.mux.HandleFunc("GET /api/fs/dirs", s.completeDir)
	s.mux.HandleFunc("GET /api/update", s.withUpdater(s.updateState))
	s.mux.HandleFunc("POST /api/update/check", s.withUpdater(s.updateCheck))
	s.mux.HandleFunc("POST /api/update/install", s.withUpdater(s.updateInstall))
	s.mux.HandleFunc("DELETE /api/update/install", s.withUpdater(s.updateCancelOnQuit))
	s.mux.HandleFunc("POST /api/update/rollback", s.withUpdater(s.updateRollback))
	s.mux.HandleFunc("GET /api/dialog", s.dialogAvailable)
	s.mux.HandleFunc("POST /api/dialog/directory", s.dialog(false, Dialogs.ChooseDirectory))
	s.mux.HandleFunc("POST /api/dialog/file", s.dialog(false, Dialogs.ChooseFile))
	s.mux.HandleFunc("POST /api/dialog/save", s.dialog(true, Dialogs.ChooseSaveFile))
	s.mux.HandleFunc("POST /api/window/show", s.showWindow)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such API endpoint: %s %s", r.Method, r.URL.Path))
	})
	s.mux.HandleFunc("/", s.ui)
	return s
}

// Handler is the network-facing handler, with every check of the package doc.
func (s *Server) Handler() http.Handler {
	return securityHeaders(http.HandlerFunc(s.guard))
}

// TrustedHandler is for the in-process desktop webview only: it is never
// bound to a socket, so there is no remote caller to authenticate.
// Requests through it are marked as the window's (see inWindow).
func (s *Server) TrustedHandler() http.Handler { return securityHeaders(markWindow(s.mux)) }

func (s *Server) guard(w http.ResponseWriter, r *http.Request) {
	if !s.auth.hostAllowed(r.Host) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("host %q is not allowed; open the app by its IP address or localhost", r.Host))
		return
	}
	if crossSite(r) {
		writeError(w, http.StatusForbidden, "cross-site request refused")
		return
	}
	if tok := r.URL.Query().Get("token"); tok != "" && !strings.HasPrefix(r.URL.Path, "/api/") {
		s.login(w, r, tok)
		return
	}
	ok, viaCookie := s.auth.credentials(r)
	if !ok {
		if wantsHTML(r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			loginPage.Execute(w, nil)
			return
		}
		writeError(w, http.StatusUnauthorized, "missing or invalid credentials: send the API key (Authorization: Bearer or X-API-Key) or open the login URL printed by `archivist serve`")
		return
	}
	if viaCookie && stateChanging(r.Method) && r.Header.Get(CSRFHeader) == "" {
		writeError(w, http.StatusForbidden, "missing "+CSRFHeader+" header on a state-changing request")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// login exchanges the key in a login URL for a session cookie and redirects
// to the same page without the key, so it leaves the address bar and history.
func (s *Server) login(w http.ResponseWriter, r *http.Request, tok string) {
	if !equal(tok, s.auth.key) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		loginPage.Execute(w, "That key is not valid.")
		return
	}
	http.SetCookie(w, s.auth.sessionCookie())
	q := r.URL.Query()
	q.Del("token")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := s.auth.sessionCookie()
	c.Value, c.MaxAge = "", -1
	http.SetCookie(w, c)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, buildinfo.Get())
}

// heartbeat keeps idle event streams alive through proxies and lets the
// server notice a browser that went away.
const heartbeat = 15 * time.Second

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming is not supported by this connection")
		return
	}
	ch, cancel := s.opts.Bus.Subscribe()
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := writeEvent(w, events.Event{Type: "hello", Time: time.Now().UTC(), Data: buildinfo.Get()}); err != nil {
		return
	}
	flusher.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, open := <-ch:
			if !open {
				// Dropped for lagging: end the stream so EventSource
				// reconnects and the page refetches its state.
				return
			}
			if writeEvent(w, ev) != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
		flusher.Flush()
	}
}

func writeEvent(w http.ResponseWriter, ev events.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data)
	return err
}

// ui serves the single-page app: real files as they are, any other path
// as index.html so that client-side routes survive a reload.
func (s *Server) ui(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name != "" {
		if st, err := fs.Stat(s.opts.UI, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite names assets by content hash: safe to cache forever.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			s.static.ServeHTTP(w, r)
			return
		}
	}
	index, err := fs.ReadFile(s.opts.UI, "index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the web UI is not built into this binary (run `make build`)")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(index)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

func wantsHTML(r *http.Request) bool {
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil && !errors.Is(err, http.ErrHandlerTimeout) {
		slog.Debug("writing response", "err", err)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Archivist — sign in</title>
<style>body{background:#010302;color:#88aa99;font:14px/1.5 'JetBrains Mono',ui-monospace,monospace;display:grid;place-items:center;min-height:100vh;margin:0}
main{border:1px solid #1a2f22;border-radius:8px;padding:32px;background:#0f1a14;max-width:520px}h1{color:#00ff41;font-size:18px}
input{width:100%;box-sizing:border-box;background:#010302;color:#c0e0d0;border:1px solid #2a4a38;border-radius:4px;padding:8px;font:inherit}
button{margin-top:16px;background:transparent;color:#00ff41;border:1px solid #4a7a5a;border-radius:8px;padding:8px 16px;font:inherit}.err{color:#ff4444}</style></head>
<body><main><h1>Archivist</h1>
{{if .}}<p class="err">{{.}}</p>{{end}}
<p>Open the address that <code>archivist serve</code> printed, or paste the API key from the file <code>api-key</code> in the app's config directory.</p>
<form method="get"><input name="token" type="password" autocomplete="off" placeholder="API key" aria-label="API key" required><button type="submit">Sign in</button></form>
</main></body></html>`))
