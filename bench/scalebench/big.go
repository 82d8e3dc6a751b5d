package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
)

// bigRun uploads one big file through a fresh app and streams it back,
// sampling the RSS of the app and of its node from idle through both.
func bigRun(ctx context.Context, cfg config, work string, res *result) error {
	dir := filepath.Join(work, "big")
	home := filepath.Join(work, "home-big")
	defer os.RemoveAll(home)
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "big.bin")
	cfg.logf("writing a %.1f GiB file", gib(cfg.big))
	if err := scratch.WriteFile(file, cfg.big, cfg.seed^0xb16, nil); err != nil {
		return err
	}
	took, sum, err := sha256sum(file)
	if err != nil {
		return err
	}
	res.bigSha256sum = took
	cfg.logf("sha256sum: %.1f MB/s", mbps(cfg.big, took))

	a, err := newApp(cfg.bin, home, quotaGiB(stored(cfg.big)))
	if err != nil {
		return err
	}
	defer a.stop()
	time.Sleep(time.Second) // start-up allocations settle before the idle reading
	appPID, nodePID := a.pid(), a.nodePID
	s := sample(sampleEvery, appPID, nodePID)
	defer s.stop()

	cfg.logf("uploading it through the app")
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	begin := time.Now()
	cid, err := a.c.Upload(ctx, f, cfg.big, "big.bin", "")
	res.bigUpload = time.Since(begin)
	f.Close()
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	cfg.logf("uploaded in %.1f s as %s; streaming it back", res.bigUpload.Seconds(), cid)

	begin = time.Now()
	content, err := a.c.Content(ctx, cid)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	// The check rides along: SHA-256 with the CPU's SHA instructions
	// hashes far faster than the stream arrives.
	h := sha256.New()
	n, err := io.Copy(h, content)
	content.Close()
	res.bigDownload = time.Since(begin)
	if err != nil {
		return fmt.Errorf("download after %d bytes: %w", n, err)
	}
	s.stop()
	res.bigDownloadedByte = n
	got := hex.EncodeToString(h.Sum(nil))
	res.bigRoundTrip = n == cfg.big && got == sum
	res.bigAppIdleMiB, res.bigAppPeakMiB = s.mib(appPID)
	res.bigNodeIdleMiB, res.bigNodePeakMiB = s.mib(nodePID)
	res.bigAppGrowthMiB = res.bigAppPeakMiB - res.bigAppIdleMiB
	res.bigNodeGrowthMiB = res.bigNodePeakMiB - res.bigNodeIdleMiB
	res.bigAppAnonGrowthMiB, res.bigNodeAnonGrowthMiB = s.anonGrowthMiB(appPID), s.anonGrowthMiB(nodePID)
	res.bigDone = true
	if !res.bigRoundTrip {
		return fmt.Errorf("the download differs from the file: %d bytes, sha256 %s; want %d bytes, sha256 %s", n, got, cfg.big, sum)
	}
	return a.stop()
}

// sha256sum times the sha256sum tool over a file from a warm page cache,
// as the upload reads it, and returns its digest.
func sha256sum(file string) (time.Duration, string, error) {
	if err := warm(file); err != nil {
		return 0, "", err
	}
	begin := time.Now()
	out, err := exec.Command("sha256sum", file).Output()
	took := time.Since(begin)
	if err != nil {
		return 0, "", fmt.Errorf("sha256sum %s: %w", file, err)
	}
	sum, _, _ := strings.Cut(string(out), " ")
	if len(sum) != 64 {
		return 0, "", fmt.Errorf("sha256sum said %q", out)
	}
	return took, sum, nil
}

func warm(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}
