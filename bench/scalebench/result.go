package main

import (
	"fmt"
	"io"
	"time"
)

// result is what a run measured. The booleans are the properties the test
// asserts; the figures are what the summary and the METRIC lines print.
type result struct {
	cfg config

	// The watched tree.
	treeDone       bool
	medianSize     int64
	largestSize    int64
	treeWrite      time.Duration
	treeSha256sum  time.Duration
	initial        time.Duration
	appPeakMiB     float64 // max of the sampled peak and the kernel's VmHWM
	nodePeakMiB    float64
	appAnonMiB     float64 // peak RssAnon, sampled
	nodeAnonMiB    float64
	nodeStoredByte uint64 // what the node's quota counts: padded blocks
	nodeDiskByte   int64  // the node's data directory on disk
	syncedFiles    int
	sampled        int // files streamed back and compared; the node lists every one

	// The restart.
	rescanDone      bool
	appStart        time.Duration // exec to the API and the node up
	rescan          time.Duration // exec to the rescan finished
	rescanAppMiB    float64
	reuploaded      int  // uploads the app made after the restart
	countersKept    bool // blocks, bytes, folder counters, manifest sequence unchanged
	countersChanged string

	// The big file.
	bigDone          bool
	bigSha256sum     time.Duration
	bigUpload        time.Duration
	bigDownload      time.Duration
	bigRoundTrip     bool // byte count and SHA-256 of the download match the file
	bigAppIdleMiB    float64
	bigNodeIdleMiB   float64
	bigAppPeakMiB    float64
	bigNodePeakMiB   float64
	bigAppGrowthMiB  float64
	bigNodeGrowthMiB float64
	// of RssAnon: the process's own memory, without the pages of the
	// node's memory-mapped database, which are file cache
	bigAppAnonGrowthMiB  float64
	bigNodeAnonGrowthMiB float64
	bigDownloadedByte    int64
}

func mbps(bytes int64, d time.Duration) float64 { return float64(bytes) / 1e6 / d.Seconds() }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISSED"
}

// print writes the summary for people, then one METRIC line per figure.
func (r *result) print(w io.Writer) {
	c := r.cfg
	type metric struct {
		name, value, unit string
	}
	var ms []metric
	add := func(name, unit, format string, v any) { ms = append(ms, metric{name, fmt.Sprintf(format, v), unit}) }

	fmt.Fprintf(w, "scale: a watched tree of %d files, %.1f GiB (median file %d B, largest %.1f MiB); a single %.1f GiB file\n",
		c.files, gib(c.total), r.medianSize, float64(r.largestSize)/(1<<20), gib(c.big))
	if r.treeDone {
		sum := mbps(c.total, r.treeSha256sum)
		fmt.Fprintf(w, "  initial backup          %8.1f s   %8.0f files/s   %7.1f MB/s   sha256sum %7.1f MB/s   ratio %.2fx\n",
			r.initial.Seconds(), float64(c.files)/r.initial.Seconds(), mbps(c.total, r.initial), sum, r.treeSha256sum.Seconds()/r.initial.Seconds())
		fmt.Fprintf(w, "  node holds              every file at its size; %d streamed back and compared byte for byte\n", r.sampled)
		fmt.Fprintf(w, "  app peak RSS            %8.1f MiB (target < %d MiB: %s); anonymous %.1f MiB\n", r.appPeakMiB, appRSSTargetMiB, verdict(r.appPeakMiB < appRSSTargetMiB), r.appAnonMiB)
		fmt.Fprintf(w, "  node peak RSS           %8.1f MiB; anonymous %.1f MiB (the rest is its mapped database)\n", r.nodePeakMiB, r.nodeAnonMiB)
		fmt.Fprintf(w, "  node on disk            %8.2f GiB for the tree's %.2f GiB (%.2fx); its quota counts %.2f GiB of padded blocks\n",
			gib(r.nodeDiskByte), gib(c.total), float64(r.nodeDiskByte)/float64(c.total), gib(int64(r.nodeStoredByte)))
		add("scale_files", "files", "%d", c.files)
		add("scale_tree_mib", "MiB", "%d", c.total>>20)
		add("scale_initial_s", "s", "%.1f", r.initial.Seconds())
		add("scale_initial_files_per_s", "files/s", "%.0f", float64(c.files)/r.initial.Seconds())
		add("scale_initial_mb_s", "MB/s", "%.1f", mbps(c.total, r.initial))
		add("scale_sha256sum_mb_s", "MB/s", "%.1f", sum)
		add("scale_app_peak_rss", "MiB", "%.0f", r.appPeakMiB)
		add("scale_node_peak_rss", "MiB", "%.0f", r.nodePeakMiB)
		add("scale_app_peak_rss_anon", "MiB", "%.0f", r.appAnonMiB)
		add("scale_node_peak_rss_anon", "MiB", "%.0f", r.nodeAnonMiB)
		add("scale_node_disk_mib", "MiB", "%.0f", float64(r.nodeDiskByte)/(1<<20))
		add("scale_node_disk_ratio", "x", "%.2f", float64(r.nodeDiskByte)/float64(c.total))
	}
	if r.rescanDone {
		fmt.Fprintf(w, "  restart: app up         %8.1f s\n", r.appStart.Seconds())
		fmt.Fprintf(w, "  restart: rescan done    %8.1f s   re-uploaded %d files, node and folder counters %s   app peak RSS %.1f MiB\n",
			r.rescan.Seconds(), r.reuploaded, map[bool]string{true: "unchanged", false: "CHANGED (" + r.countersChanged + ")"}[r.countersKept], r.rescanAppMiB)
		add("scale_restart_app_up_s", "s", "%.1f", r.appStart.Seconds())
		add("scale_rescan_s", "s", "%.1f", r.rescan.Seconds())
		add("scale_rescan_reuploaded", "files", "%d", r.reuploaded)
		add("scale_rescan_app_peak_rss", "MiB", "%.0f", r.rescanAppMiB)
	}
	if r.bigDone {
		sum := mbps(c.big, r.bigSha256sum)
		up, down := mbps(c.big, r.bigUpload), mbps(c.big, r.bigDownload)
		fmt.Fprintf(w, "  big file upload         %8.1f s   %7.1f MB/s   sha256sum %7.1f MB/s   ratio %.2fx\n", r.bigUpload.Seconds(), up, sum, up/sum)
		fmt.Fprintf(w, "  big file download       %8.1f s   %7.1f MB/s   ratio %.2fx   bytes and SHA-256 %s\n", r.bigDownload.Seconds(), down, down/sum,
			map[bool]string{true: "match", false: "DIFFER"}[r.bigRoundTrip])
		fmt.Fprintf(w, "  big file app RSS        idle %6.1f MiB, peak %6.1f MiB, growth %6.1f MiB (target < %d MiB: %s), anonymous growth %.1f MiB\n",
			r.bigAppIdleMiB, r.bigAppPeakMiB, r.bigAppGrowthMiB, flatGrowthTarget, verdict(r.bigAppGrowthMiB < flatGrowthTarget), r.bigAppAnonGrowthMiB)
		fmt.Fprintf(w, "  big file node RSS       idle %6.1f MiB, peak %6.1f MiB, growth %6.1f MiB (target < %d MiB: %s), anonymous growth %.1f MiB\n",
			r.bigNodeIdleMiB, r.bigNodePeakMiB, r.bigNodeGrowthMiB, flatGrowthTarget, verdict(r.bigNodeGrowthMiB < flatGrowthTarget), r.bigNodeAnonGrowthMiB)
		add("bigfile_mib", "MiB", "%d", c.big>>20)
		add("bigfile_sha256sum_mb_s", "MB/s", "%.1f", sum)
		add("bigfile_upload_mb_s", "MB/s", "%.1f", up)
		add("bigfile_download_mb_s", "MB/s", "%.1f", down)
		add("bigfile_app_peak_rss", "MiB", "%.0f", r.bigAppPeakMiB)
		add("bigfile_node_peak_rss", "MiB", "%.0f", r.bigNodePeakMiB)
		add("bigfile_app_rss_growth", "MiB", "%.0f", r.bigAppGrowthMiB)
		add("bigfile_node_rss_growth", "MiB", "%.0f", r.bigNodeGrowthMiB)
		add("bigfile_app_anon_growth", "MiB", "%.0f", r.bigAppAnonGrowthMiB)
		add("bigfile_node_anon_growth", "MiB", "%.0f", r.bigNodeAnonGrowthMiB)
	}
	for _, m := range ms {
		fmt.Fprintf(w, "METRIC %s %s %s\n", m.name, m.value, m.unit)
	}
}
