package main

// goal is how a figure is judged against its target.
type goal int

const (
	info    goal = iota // no target: reported only
	ratioGE             // value/baseline >= target
	atMost              // value <= target (seconds, MiB, % of a core)
)

// row is one line of the table. value (and baseline, syncthing) list
// metric names: the first one present in the run counts, so that a figure
// measured by two benchmarks, or renamed, needs no code.
type row struct {
	figure    string
	value     []string
	baseline  []string // sha256sum over the same bytes, for ratioGE and info ratios
	goal      goal
	target    float64
	syncthing []string // Syncthing's figure for the same measurement
	stBase    []string // its baseline
}

// rows is the table. The targets: ingest and transfer from bench/run.sh's
// history (a node should not be the bottleneck next to hashing what it
// stores); latency median under 2 s and the app's memory under 300 MiB
// from the project's goals (ARCHITECTURE.md, issue 10); idle CPU under 1%
// of one core and cold start under 3 s as what a desktop app that runs
// all day must cost.
var rows = []row{
	{figure: "ingest: upload POST /data to a node", value: names("node_upload_mib_s"), baseline: names("sha256sum_mib_s"), goal: ratioGE, target: 0.5},
	{figure: "node download GET /data", value: names("node_download_mib_s"), baseline: names("sha256sum_mib_s"), goal: ratioGE, target: 1.0},
	{figure: "network: node→node stream, 2 nodes", value: names("node_network_mib_s"), baseline: names("sha256sum_mib_s"), goal: ratioGE, target: 0.3},
	{figure: "backup A→B of a folder, 2 apps (transfer)", value: names("backup_mb_s"), baseline: names("backup_sha256sum_mb_s"), goal: ratioGE, target: 0.3,
		syncthing: names("st_transfer_mb_s"), stBase: names("st_sha256sum_mb_s")},
	{figure: "folder initial backup, one big file", value: names("sync_big_mb_s"), baseline: names("sync_big_sha256sum_mb_s"), goal: ratioGE, target: 0.5},
	{figure: "folder initial backup, small files", value: names("sync_small_files_per_s"), baseline: names("sync_small_sha256sum_files_per_s"), goal: info},
	{figure: "file written on A → stored on B, p50", value: names("backup_latency_p50_s"), goal: atMost, target: 2, syncthing: names("st_latency_p50_s")},
	{figure: "file written on A → stored on B, p95", value: names("backup_latency_p95_s"), goal: info, syncthing: names("st_latency_p95_s")},
	{figure: "file closed → manifest on A, p50", value: names("sync_manifest_p50_s"), goal: info},
	{figure: "file closed → manifest on A, p95", value: names("sync_manifest_p95_s"), goal: info},
	{figure: "rescan of 100,000 unchanged files (in-process)", value: names("rescan_100k_s"), goal: atMost, target: 10},
	{figure: "initial backup of the scale tree (scalebench)", value: names("scale_initial_mb_s"), baseline: names("scale_sha256sum_mb_s"), goal: info},
	{figure: "restart rescan of the scale tree (scalebench)", value: names("scale_rescan_s", "rescan_s"), goal: atMost, target: 10},
	{figure: "files re-uploaded by that rescan (scalebench)", value: names("scale_rescan_reuploaded"), goal: atMost, target: 0},
	{figure: "app peak RSS, scale tree (scalebench)", value: names("scale_app_peak_rss", "scale_app_peak_rss_mib"), goal: atMost, target: 300},
	{figure: "node peak RSS, scale tree (scalebench)", value: names("scale_node_peak_rss", "scale_node_peak_rss_mib"), goal: info},
	{figure: "one big file up through the app (scalebench)", value: names("bigfile_upload_mb_s"), baseline: names("bigfile_sha256sum_mb_s"), goal: info},
	{figure: "that file down through the app (scalebench)", value: names("bigfile_download_mb_s"), baseline: names("bigfile_sha256sum_mb_s"), goal: info},
	{figure: "app RSS growth during that file (scalebench)", value: names("bigfile_app_rss_growth"), goal: atMost, target: 100},
	{figure: "node RSS growth during that file (scalebench)", value: names("bigfile_node_rss_growth"), goal: atMost, target: 100},
	{figure: "of which its own memory, not its mapped DB (scalebench)", value: names("bigfile_node_anon_growth"), goal: info},
	{figure: "app peak RSS, source in the A→B run", value: names("backup_source_app_peak_rss_mib"), goal: atMost, target: 300, syncthing: names("st_a_peak_rss_mib")},
	{figure: "node peak RSS, source in the A→B run", value: names("backup_source_node_peak_rss_mib"), goal: info},
	{figure: "app peak RSS, backup server in the A→B run", value: names("backup_server_app_peak_rss_mib"), goal: atMost, target: 300, syncthing: names("st_b_peak_rss_mib")},
	{figure: "node peak RSS, backup server in the A→B run", value: names("backup_server_node_peak_rss_mib"), goal: info},
	{figure: "node RSS growth uploading a big file", value: names("node_upload_rss_growth_mib"), goal: atMost, target: 100},
	{figure: "app idle CPU, folder watched", value: names("app_idle_cpu_pct"), goal: atMost, target: 1},
	{figure: "node idle CPU, folder watched", value: names("node_idle_cpu_pct"), goal: atMost, target: 1},
	{figure: "cold start → node running, UI served", value: names("cold_start_s"), goal: atMost, target: 3},
	{figure: "first start of a fresh home", value: names("cold_start_first_s"), goal: atMost, target: 3},
}

func names(n ...string) []string { return n }
