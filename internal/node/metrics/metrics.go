// Package metrics serves the node's Prometheus metrics (--metrics, on
// --metrics-address:--metrics-port, path /metrics) as archivist-node does:
// the repo's figures, the block exchange's counters and libp2p's own
// metrics, all in one registry of this node (not the process-global one, so
// that tests can run several nodes in one process).
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is a node's metric registry.
type Registry struct{ *prometheus.Registry }

// New returns an empty registry with Go runtime metrics.
func New() *Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return &Registry{r}
}

// Gauge registers a gauge read from fn at every scrape.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Counter registers a counter read from fn at every scrape.
func (r *Registry) Counter(name, help string, fn func() float64) {
	r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}

// Serve serves /metrics on addr until ctx ends.
func (r *Registry) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--metrics: listening on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
