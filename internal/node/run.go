package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Serve runs the REST API handler h on the configured address, and the
// block maintenance, until ctx ends; then it stops accepting requests, lets
// running ones finish (bounded), and returns. The caller closes the node.
func (n *Node) Serve(ctx context.Context, h http.Handler, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", n.cfg.APIAddress())
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("REST API: %s is already in use (another node running? choose another --api-port)", n.cfg.APIAddress())
		}
		return fmt.Errorf("REST API: listening on %s: %w", n.cfg.APIAddress(), err)
	}
	// No ReadTimeout: uploads stream for as long as they take. Headers
	// arrive at once from any real client, and a kept-alive connection
	// that sits idle is closed rather than held for good.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	maintCtx, stopMaint := context.WithCancel(ctx)
	maintDone := make(chan struct{})
	go func() {
		defer close(maintDone)
		if err := n.RunMaintenance(maintCtx); err != nil && maintCtx.Err() == nil {
			n.log.Error("block maintenance stopped", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	n.log.Info("REST API listening", "address", ln.Addr().String(), "peerId", n.id.String(), "dataDir", n.cfg.DataDir)
	if ready != nil {
		ready(ln.Addr())
	}

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		n.log.Info("shutting down")
	}
	stopMaint()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Uploads in flight are cut: their batches abort and leave nothing.
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	<-maintDone
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}
