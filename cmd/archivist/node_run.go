package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/api"
	"github.com/archivist-desktop/archivist/internal/node/config"
	"github.com/archivist-desktop/archivist/internal/node/dhtstore"
	"github.com/archivist-desktop/archivist/internal/node/exchange"
	"github.com/archivist-desktop/archivist/internal/node/logging"
	"github.com/archivist-desktop/archivist/internal/node/metrics"
	"github.com/archivist-desktop/archivist/internal/node/p2p"
)

// runNode starts the storage node and runs it until ctx ends.
func runNode(ctx context.Context, cfg *config.Config) error {
	log, err := logging.New(logging.Options{Level: cfg.LogLevel, Format: cfg.LogFormat, File: cfg.LogFile, Stderr: os.Stderr})
	if err != nil {
		return err
	}
	defer log.Close()
	n, err := node.Open(cfg, log.Logger)
	if err != nil {
		return err
	}
	defer n.Close()
	p2pOpts := p2p.FromConfig(cfg, n.Key(), log.With("topic", "p2p"))
	dhtStore, err := dhtstore.Open(filepath.Join(cfg.DataDir, "dht.db"))
	if err != nil {
		return err
	}
	defer dhtStore.Close()
	p2pOpts.Datastore = dhtStore
	var reg *metrics.Registry
	if cfg.Metrics {
		reg = metrics.New()
		p2pOpts.Prometheus = reg
	}
	host, err := p2p.New(ctx, p2pOpts)
	if err != nil {
		return err
	}
	defer host.Close()
	for _, note := range host.Notes() {
		log.Info(note)
	}
	ex := exchange.New(host.Libp2p(), n.ExchangeStore(), log.With("topic", "blockexc"), exchange.Options{Discovery: host})
	defer ex.Close()
	netCtx, stopNet := context.WithCancel(ctx)
	defer n.Wait()
	defer stopNet()
	n.AttachNetwork(netCtx, ex, host)
	go host.Reprovide(netCtx, p2p.ReprovideInterval, n.ProvidedCIDs)
	if reg != nil {
		registerNodeMetrics(reg, n, ex)
		addr := net.JoinHostPort(cfg.MetricsAddress, strconv.Itoa(int(cfg.MetricsPort)))
		go func() {
			if err := reg.Serve(netCtx, addr); err != nil {
				log.Error("metrics endpoint stopped", "err", err)
			}
		}()
	}
	h := api.New(n, host, node.NewStatus(n, host, log), cfg.APICorsOrigin, log.Logger)
	return n.Serve(ctx, h, nil)
}

// registerNodeMetrics exposes the repo's and the block exchange's figures.
func registerNodeMetrics(reg *metrics.Registry, n *node.Node, ex *exchange.Engine) {
	reg.Gauge("archivist_repo_blocks", "Blocks stored, manifests included.", func() float64 { return float64(n.Space().TotalBlocks) })
	reg.Gauge("archivist_repo_used_bytes", "Bytes of stored blocks, padding included.", func() float64 { return float64(n.Space().QuotaUsedBytes) })
	reg.Gauge("archivist_repo_quota_bytes", "The storage quota.", func() float64 { return float64(n.Space().QuotaMaxBytes) })
	reg.Counter("archivist_blockexc_received_bytes_total", "Block bytes received from peers.", func() float64 { return float64(ex.Stats().BytesReceived) })
	reg.Counter("archivist_blockexc_sent_bytes_total", "Block bytes sent to peers.", func() float64 { return float64(ex.Stats().BytesSent) })
	reg.Counter("archivist_blockexc_bad_blocks_total", "Blocks rejected by verification.", func() float64 { return float64(ex.Stats().BadBlocks) })
}
