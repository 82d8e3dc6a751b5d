package main

import (
	"context"
	"os"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/api"
	"github.com/archivist-desktop/archivist/internal/node/config"
	"github.com/archivist-desktop/archivist/internal/node/exchange"
	"github.com/archivist-desktop/archivist/internal/node/logging"
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
	host, err := p2p.New(ctx, p2p.FromConfig(cfg, n.Key(), log.With("topic", "p2p")))
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
	h := api.New(n, host, node.NewStatus(n, host, log), cfg.APICorsOrigin, log.Logger)
	return n.Serve(ctx, h, nil)
}
