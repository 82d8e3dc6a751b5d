package main

import (
	"context"
	"fmt"
	"os"

	"github.com/archivist-desktop/archivist/internal/node/config"
)

// runNode starts the storage node and runs it until ctx ends.
func runNode(ctx context.Context, cfg *config.Config) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("--data-dir %s: %w", cfg.DataDir, err)
	}
	fmt.Fprintf(os.Stderr, "archivist node: data dir %s; REST API on %s comes with the storage node work\n", cfg.DataDir, cfg.APIAddress())
	<-ctx.Done()
	return nil
}
