package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/app/paths"
)

// sampleEvery is how often RSS is read: often enough for the peak of a
// phase that lasts seconds, cheap enough not to be what is measured.
const sampleEvery = 100 * time.Millisecond

// treeRun writes the tree, backs it up, restarts the app and times the
// rescan; the tree and the app's home are removed before it returns, so
// the big file finds the disk free again.
func treeRun(ctx context.Context, cfg config, work string, sizes []int64, res *result) error {
	tree := filepath.Join(work, "tree")
	home := filepath.Join(work, "home-tree")
	defer os.RemoveAll(home)
	defer os.RemoveAll(tree)

	sorted := slices.Sorted(slices.Values(sizes))
	res.medianSize, res.largestSize = sorted[len(sorted)/2], sorted[len(sorted)-1]
	cfg.logf("writing %d files, %.1f GiB (median %d B, largest %.1f MiB), to %s", cfg.files, gib(cfg.total), res.medianSize, float64(res.largestSize)/(1<<20), tree)
	t0 := time.Now()
	err := scratch.WriteTree(tree, sizes, cfg.seed)
	if err != nil {
		return fmt.Errorf("writing the tree: %w", err)
	}
	res.treeWrite = time.Since(t0)
	cfg.logf("written in %.1f s; sha256sum over it (baseline)", res.treeWrite.Seconds())
	if res.treeSha256sum, err = scratch.Sha256sum(tree); err != nil {
		return err
	}

	a, err := newApp(cfg.bin, home, quotaGiB(stored(sizes...)))
	if err != nil {
		return err
	}
	defer a.stop()
	if err := initialBackup(ctx, cfg, a, tree, res); err != nil {
		return fmt.Errorf("initial backup: %w%s", err, a.logTail())
	}
	cfg.logf("checking the node holds every file, and streaming a sample back")
	if res.sampled, err = verifyTree(ctx, a, tree, sizes); err != nil {
		return fmt.Errorf("after the initial backup: %w", err)
	}
	if err := restart(ctx, cfg, a, res); err != nil {
		return fmt.Errorf("restart: %w%s", err, a.logTail())
	}
	return a.stop()
}

// initialBackup adds the tree as a watched folder and waits until every
// file is synced, then until the folder's manifest is published and stays
// put, so the restart starts from a settled app.
func initialBackup(ctx context.Context, cfg config, a *app, tree string, res *result) error {
	appPID, nodePID := a.pid(), a.nodePID
	s := sample(sampleEvery, appPID, nodePID)
	begin := time.Now()
	f, err := a.c.AddFolder(ctx, tree)
	if err != nil {
		s.stop()
		return err
	}
	cfg.logf("folder added; waiting for %d files to sync", cfg.files)
	var last folderView
	lastChange, lastLog := time.Now(), time.Now()
	for {
		v, err := a.sync(ctx)
		if err != nil {
			s.stop()
			return err
		}
		g, ok := v.folder(f.ID)
		if !ok {
			s.stop()
			return fmt.Errorf("the folder %s is gone from the sync state", f.ID)
		}
		if g.SyncedFiles == cfg.files && g.FileCount == cfg.files && g.PendingFiles == 0 && g.Status == "idle" {
			res.initial = time.Since(begin)
			break
		}
		switch {
		case g.FailedFiles > 0:
			s.stop()
			return fmt.Errorf("%d uploads failed (status %s, error %q)", g.FailedFiles, g.Status, g.Error)
		case g.Error != "":
			s.stop()
			return fmt.Errorf("the folder is in error: %s", g.Error)
		case g.SyncedFiles != last.SyncedFiles || g.FileCount != last.FileCount:
			last, lastChange = g, time.Now()
		case time.Since(lastChange) > 5*time.Minute:
			s.stop()
			return fmt.Errorf("no progress for 5 minutes: %d of %d files synced, %d pending, status %s", g.SyncedFiles, cfg.files, g.PendingFiles, g.Status)
		}
		if time.Since(lastLog) > 10*time.Second {
			cfg.logf("  %d/%d files synced, %d pending, %.0f s", g.SyncedFiles, cfg.files, g.PendingFiles, time.Since(begin).Seconds())
			lastLog = time.Now()
		}
		time.Sleep(250 * time.Millisecond)
	}
	cfg.logf("all %d files synced in %.1f s; waiting for the manifest to settle", cfg.files, res.initial.Seconds())
	err = settle(ctx, a, f.ID)
	s.stop()
	if err != nil {
		return err
	}
	_, appPeak := s.mib(appPID)
	_, nodePeak := s.mib(nodePID)
	res.appPeakMiB = max(appPeak, hwmMiB(appPID))
	res.nodePeakMiB = max(nodePeak, hwmMiB(nodePID))
	res.appAnonMiB, res.nodeAnonMiB = s.anonMiB(appPID), s.anonMiB(nodePID)
	sp, err := a.node.Space(ctx)
	if err != nil {
		return fmt.Errorf("the node's space: %w", err)
	}
	// The node really holds the tree: every byte of it, in blocks.
	if sp.QuotaUsedBytes < uint64(cfg.total) {
		return fmt.Errorf("the node stores %d bytes, less than the tree's %d", sp.QuotaUsedBytes, cfg.total)
	}
	layout, err := paths.ForHome(a.home)
	if err != nil {
		return err
	}
	if res.nodeDiskByte, err = diskUsage(layout.NodeDir); err != nil {
		return fmt.Errorf("the node's data directory: %w", err)
	}
	res.nodeStoredByte, res.syncedFiles, res.treeDone = sp.QuotaUsedBytes, cfg.files, true
	return nil
}

// diskUsage is the bytes the files under dir take: their sizes, which for
// the node (packs written once, its database) is what the disk holds.
func diskUsage(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile: the node is running
		}
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

// settle waits until the folder is idle and its manifest sequence has not
// moved for longer than the least interval between manifests.
func settle(ctx context.Context, a *app, id string) error {
	var seq uint64
	since := time.Now()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		v, err := a.sync(ctx)
		if err != nil {
			return err
		}
		g, _ := v.folder(id)
		if g.Status != "idle" || g.ManifestSequence != seq {
			seq, since = g.ManifestSequence, time.Now()
			continue
		}
		if time.Since(since) > 3*time.Second {
			return nil
		}
	}
	return fmt.Errorf("the folder's manifest did not settle in 2 minutes (sequence %d)", seq)
}

// snapshot is what a restart must not change.
type snapshot struct {
	blocks, used           uint64
	files, synced, pending int
	bytes                  int64
	seq                    uint64
}

func take(ctx context.Context, a *app, id string) (snapshot, syncView, error) {
	sp, err := a.node.Space(ctx)
	if err != nil {
		return snapshot{}, syncView{}, fmt.Errorf("the node's space: %w", err)
	}
	v, err := a.sync(ctx)
	if err != nil {
		return snapshot{}, syncView{}, err
	}
	g, ok := v.folder(id)
	if !ok {
		return snapshot{}, syncView{}, fmt.Errorf("the folder %s is gone from the sync state", id)
	}
	return snapshot{blocks: sp.TotalBlocks, used: sp.QuotaUsedBytes, files: g.FileCount, synced: g.SyncedFiles,
		pending: g.PendingFiles, bytes: g.TotalSizeBytes, seq: g.ManifestSequence}, v, nil
}

func (s snapshot) diff(t snapshot) string {
	var d []string
	check := func(name string, a, b any) {
		if a != b {
			d = append(d, fmt.Sprintf("%s %v → %v", name, a, b))
		}
	}
	check("node blocks", s.blocks, t.blocks)
	check("node bytes", s.used, t.used)
	check("folder files", s.files, t.files)
	check("synced files", s.synced, t.synced)
	check("pending files", s.pending, t.pending)
	check("folder bytes", s.bytes, t.bytes)
	check("manifest sequence", s.seq, t.seq)
	return strings.Join(d, ", ")
}

// restart stops the app with SIGTERM, starts it again and times it until
// the folder's first full scan after the start has ended; then checks
// that nothing was uploaded again.
func restart(ctx context.Context, cfg config, a *app, res *result) error {
	v, err := a.sync(ctx)
	if err != nil || len(v.Folders) != 1 {
		return fmt.Errorf("the sync state before the restart (%d folders): %v", len(v.Folders), err)
	}
	id := v.Folders[0].ID
	before, _, err := take(ctx, a, id)
	if err != nil {
		return err
	}
	cfg.logf("stopping the app (SIGTERM) and starting it again")
	if err := a.stop(); err != nil {
		return err
	}
	begin := time.Now()
	if err := a.start(); err != nil {
		return err
	}
	res.appStart = time.Since(begin)
	s := sample(sampleEvery, a.pid())
	defer s.stop()
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("no full scan ended within 10 minutes of the restart")
		}
		v, err := a.sync(ctx)
		if err != nil {
			return err
		}
		g, ok := v.folder(id)
		if ok && g.LastScan != nil && g.LastScan.After(begin) && g.Status == "idle" {
			// The app stamps the scan's end (same machine, same clock):
			// exact even when the scan ended before the node was up.
			res.rescan = g.LastScan.Sub(begin)
			break
		}
	}
	cfg.logf("rescan done %.1f s after the start; checking nothing was uploaded", res.rescan.Seconds())
	// Past the least interval between manifests, so a manifest the rescan
	// wrongly caused would be published by now.
	time.Sleep(3 * time.Second)
	after, v, err := take(ctx, a, id)
	if err != nil {
		return err
	}
	s.stop()
	_, peak := s.mib(a.pid())
	res.rescanAppMiB = max(peak, hwmMiB(a.pid()))
	res.reuploaded = len(v.RecentUploads)
	res.countersChanged = before.diff(after)
	res.countersKept = res.countersChanged == ""
	res.rescanDone = true
	if res.reuploaded > 0 || !res.countersKept {
		return fmt.Errorf("the restart uploaded again: %d uploads since the start; changed: %s", res.reuploaded, res.countersChanged)
	}
	return nil
}
