package main

import (
	"context"
	"net"
	"os"

	"github.com/archivist-desktop/archivist/internal/node"
	"github.com/archivist-desktop/archivist/internal/node/api"
	"github.com/archivist-desktop/archivist/internal/node/config"
	"github.com/archivist-desktop/archivist/internal/node/logging"
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
	status := node.NewStatus(n, log)
	dialable := node.DialableAddresses(cfg.ListenAddrs)
	if err := status.SetAddresses(dialable, dialable); err != nil {
		return err
	}
	h := api.New(n, status, cfg.APICorsOrigin, log.Logger)
	return n.Serve(ctx, h, func(net.Addr) {})
}
