package peerlink

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// NewServer returns a server for h that only speaks TLS 1.3 with client
// certificates (ServerConfig). Start it on a listener the caller made (tests
// use 127.0.0.1:0) with
//
//	srv.ServeTLS(ln, "", "")
//
// The certificate is already in srv.TLSConfig. NewServer returns a plain
// *http.Server rather than a wrapper so that Shutdown, Close and the rest work
// as usual.
//
// Handlers read the client's device ID with FromContext. A request without
// one (the server started by mistake with Serve on a plain listener) is
// refused, never passed on unauthenticated.
//
// log receives the server's internal errors at debug level: TLS handshake
// failures from port scanners and browsers are routine on an open port. A nil
// log means slog.Default().
func (id *Identity) NewServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.Default()
	}
	// HTTP/1.1 only: the peer APIs are a few small requests, and ServeTLS
	// would otherwise offer h2 to anything that connects.
	var protos http.Protocols
	protos.SetHTTP1(true)
	srv := &http.Server{
		Handler:           requirePeer(h, log),
		TLSConfig:         id.ServerConfig(),
		Protocols:         &protos,
		ReadHeaderTimeout: 10 * time.Second,
		// Requests are small JSON; any device with a certificate reaches
		// the pairing handler, so a body trickled forever must not hold a
		// connection forever.
		ReadTimeout:    ReadTimeout,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return srv
}

// ReadTimeout bounds reading one request, body included.
const ReadTimeout = 20 * time.Second

type ctxKey struct{}

func requirePeer(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := PeerID(r.TLS)
		if err != nil {
			log.Error("peerlink: refused a request without a device certificate; is the server started with ServeTLS?", "remote", r.RemoteAddr, "err", err)
			http.Error(w, "device certificate required", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, peer)))
	})
}

// FromContext returns the device ID of the client whose request carries ctx.
// The ID is authenticated but not authorized: whether that device is paired
// is the handler's decision.
func FromContext(ctx context.Context) (DeviceID, bool) {
	d, ok := ctx.Value(ctxKey{}).(DeviceID)
	return d, ok
}
