#!/usr/bin/env bash
# The benchmarks (`make bench`). Every throughput is a ratio against a
# baseline measured in the same run on the same machine (sha256sum over the
# same bytes), so the numbers mean the same on a laptop and on a shared CI
# box. Benchmarks report, they do not gate: a missed target prints MISSED and
# the script still exits 0. It exits non-zero only when it could not measure
# (build failure, the node died, an HTTP error, a short download).
#
# Every section prints its figures as "METRIC <name> <value> <unit>" lines;
# they are collected into one file and bench/benchtable lays them out as ONE
# table (figure, value, baseline, ratio, target, PASS/MISSED, and
# Syncthing's figure beside Archivist's), printed and written to
# bench/results/latest.md (and latest.txt, with every section's own lines;
# latest.metrics keeps the METRIC lines, for benchtable to lay out again).
#
# What runs, in order:
#   1. baseline   sha256sum of the test file, run before every measured run
#                 (upload and download), the median of all of them
#   2. upload     POST /data of the same file into a fresh node (median)
#   3. download   GET /data/{cid} to /dev/null (median), node peak RSS
#   3b. network   a second node streams the dataset from the first (loopback)
#   4. memory     node RSS growth while uploading a BENCH_MEM_SIZE_MB file
#   5. folders    bench/syncbench (initial backup, small files/s, close →
#                 manifest) and the rescan Go benchmark
#   6. backup     bench/backupbench: two `archivist serve` paired, each in
#                 its own network namespace (loopback when they cannot be
#                 made), write → stored on B p50/p95, a folder A→B, peak RSS
#   7. app        bench/appbench: cold start to UI ready, idle CPU and RSS
#   8. scale      bench/scalebench (when present): many files, rescan, peaks
#   9. syncthing  bench/stbench: the same transfer and latency with Debian's
#                 syncthing between the same two namespaces (installed here
#                 when root and apt works; skipped with a message otherwise)
#
# Knobs (environment):
#   BENCH_SIZE_MB      size of the throughput test file in MiB   (1024)
#   BENCH_MEM_SIZE_MB  size of the memory test file in MiB       (4096)
#   BENCH_RUNS         runs per timed figure, the median counts  (3)
#   BENCH_DIR          where the scratch dir is made             ($TMPDIR or /tmp)
#   BENCH_SYNC_FILES   small files in syncbench's folder         (10000)
#   BENCH_LATENCY_SAMPLES files written one by one per latency    (20)
#   BENCH_IDLE_S       appbench's idle CPU window in seconds     (30)
#   BENCH_SCALE        scalebench size: small, full or off       (small)
#   BENCH_SYNCTHING    on: compare with syncthing; off: skip     (on)
#   BENCH_NETNS        on: two machines in network namespaces, off: on
#                      loopback                                  (on; needs root)
#   ARCHIVIST_BIN      benchmark this binary instead of building ./cmd/archivist
#
# Disk: (BENCH_RUNS+2) x BENCH_SIZE_MB free to start (5 GiB by default), and
# 3 x BENCH_MEM_SIZE_MB more for the memory test, which is skipped, with a
# message, when that is not free. All of it is removed at exit.
#
# Quick check: BENCH_SIZE_MB=64 BENCH_MEM_SIZE_MB=256 bench/run.sh
set -uo pipefail
export LC_ALL=C # a decimal point, not a comma, in $EPOCHREALTIME and awk

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

SIZE_MB=${BENCH_SIZE_MB:-1024}
MEM_MB=${BENCH_MEM_SIZE_MB:-4096}
RUNS=${BENCH_RUNS:-3}
# The targets every figure is judged by are in bench/benchtable/rows.go.
API_WAIT_S=30       # bound on the wait for the node API
STOP_WAIT_S=30      # bound on the wait for the node to exit after SIGTERM

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

IDLE_S=${BENCH_IDLE_S:-30}
LAT_N=${BENCH_LATENCY_SAMPLES:-20}
SCALE=${BENCH_SCALE:-small}
SYNCTHING=${BENCH_SYNCTHING:-on}
NETNS=${BENCH_NETNS:-on}
[[ $SCALE =~ ^(small|full|off)$ ]] || die "BENCH_SCALE must be small, full or off, got '$SCALE'"
[[ $SYNCTHING =~ ^(on|off)$ ]] || die "BENCH_SYNCTHING must be on or off, got '$SYNCTHING'"
[[ $NETNS =~ ^(on|off)$ ]] || die "BENCH_NETNS must be on or off, got '$NETNS'"
# The two-machine benchmarks (backup flow, Syncthing) ask for namespaces;
# they fall back to loopback, and say so, where they cannot have them.
MACHINES=()
[[ $NETNS == on ]] && MACHINES=(-netns)
for v in SIZE_MB MEM_MB RUNS IDLE_S LAT_N; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a positive integer, got '${!v}'"
done
for tool in go curl sha256sum awk df sync; do
	command -v "$tool" >/dev/null || die "$tool is needed and not on PATH"
done

# --- scratch dir, cleanup ---------------------------------------------------

BASE=${BENCH_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$BASE" || die "cannot create BENCH_DIR $BASE"
WORK=$(mktemp -d "$BASE/archivist-bench.XXXXXX") || die "cannot make a scratch dir in $BASE"
NODE_PID=""
SAMPLER_PID=""

cleanup() {
	if [[ -n $SAMPLER_PID ]]; then
		kill -TERM "$SAMPLER_PID" 2>/dev/null
		wait "$SAMPLER_PID" 2>/dev/null
	fi
	stop_node
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers ----------------------------------------------------------------

now() { printf '%s' "$EPOCHREALTIME"; }
secs_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
mibps() { awk -v mib="$1" -v s="$2" 'BEGIN { printf "%.1f", mib / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# spread MIB TIMES...: "[slowest-fastest]" in MiB/s, to judge the noise.
spread() {
	local mib=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v mib="$mib" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "[%.0f-%.0f]", mib / hi, mib / lo }'
}
free_mib() { df -Pk "$1" | awk 'NR == 2 { print int($4 / 1024) }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# warm reads a file once so that the run after it reads from the page cache,
# whatever happened before; the baseline and the node get the same.
warm() { cat "$1" >/dev/null; }

# settle flushes the scratch file system, so that the node's own syncfs at
# commit writes back only what the node wrote.
settle() { sync -f "$WORK" 2>/dev/null || sync; }

# start_node DATADIR: starts a node on free loopback ports and waits (bounded)
# for GET /space to answer 200. Sets NODE_PID, API, NODE_LOG.
NODE_SEQ=0
start_node() {
	local dir=$1 try port disc code i
	for try in 1 2 3; do
		NODE_SEQ=$((NODE_SEQ + 1))
		NODE_LOG="$WORK/node-$NODE_SEQ.log"
		port=$("$NODEBENCH" freeport) && disc=$("$NODEBENCH" freeport) || die "no free port"
		"$ARCHIVIST" node --data-dir "$dir" --api-port "$port" --api-bindaddr 127.0.0.1 \
			--storage-quota "$QUOTA" --log-level warn --nat none \
			--listen-addrs /ip4/127.0.0.1/tcp/0 --mdns=false --disc-port "$disc" >"$NODE_LOG" 2>&1 &
		NODE_PID=$!
		API="http://127.0.0.1:$port/api/archivist/v1"
		for ((i = 0; i < API_WAIT_S * 10; i++)); do
			if ! kill -0 "$NODE_PID" 2>/dev/null; then
				wait "$NODE_PID" 2>/dev/null
				log "node exited at start (try $try); its log:"
				sed 's/^/    /' "$NODE_LOG" | tail -n 20 >&2
				NODE_PID=""
				continue 2
			fi
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$API/space")
			[[ $code == 200 ]] && return 0
			sleep 0.1
		done
		log "node API did not answer within ${API_WAIT_S}s; its log:"
		sed 's/^/    /' "$NODE_LOG" | tail -n 20 >&2
		stop_node
	done
	die "could not start the node"
}

# stop_node: SIGTERM, a bounded wait for a clean exit, then SIGKILL.
stop_node() {
	[[ -n $NODE_PID ]] || return 0
	local pid=$NODE_PID i rc
	NODE_PID=""
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < STOP_WAIT_S * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "WARNING: node $pid still running ${STOP_WAIT_S}s after SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	[[ $rc == 0 ]] || log "WARNING: node $pid exited with status $rc (log: ${NODE_LOG:-?})"
	return 0
}

# upload FILE: POST /data, streaming the file (curl -T does not load it into
# memory). Sets UP_SECS and UP_CID; returns non-zero on any failure.
upload() {
	local file=$1 t0 t1 code rc
	t0=$(now)
	code=$(curl -sS -X POST -T "$file" -H 'Expect:' \
		-H 'Content-Type: application/octet-stream' \
		-H 'Content-Disposition: attachment; filename="bench.bin"' \
		-o "$WORK/upload.resp" -w '%{http_code}' "$API/data")
	rc=$?
	t1=$(now)
	UP_SECS=$(secs_between "$t0" "$t1")
	UP_CID=$(cat "$WORK/upload.resp" 2>/dev/null)
	if [[ $rc != 0 || $code != 200 ]]; then
		log "upload failed: curl exit $rc, HTTP $code: $(head -c 300 "$WORK/upload.resp" 2>/dev/null)"
		return 1
	fi
	if ! [[ $UP_CID =~ ^z[1-9A-HJ-NP-Za-km-z]+$ ]]; then
		log "upload answered 200 but not with a CID: $(head -c 300 "$WORK/upload.resp")"
		return 1
	fi
}

# download CID SIZE: GET /data/{cid} to /dev/null. Sets DOWN_SECS; returns
# non-zero on an HTTP error or when the byte count is not SIZE.
download() {
	local cid=$1 size=$2 t0 t1 out rc code got
	t0=$(now)
	out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' "$API/data/$cid")
	rc=$?
	t1=$(now)
	DOWN_SECS=$(secs_between "$t0" "$t1")
	read -r code got <<<"$out"
	if [[ $rc != 0 || $code != 200 ]]; then
		log "download failed: curl exit $rc, HTTP $code"
		return 1
	fi
	if [[ $got != "$size" ]]; then
		log "download returned $got bytes, expected $size"
		return 1
	fi
}

# sampler_start / sampler_stop: VmRSS of the node every 100 ms. sampler_stop
# sets PEAK_KIB and SAMPLES.
sampler_start() {
	"$NODEBENCH" rss -pid "$NODE_PID" -every 100ms >"$WORK/rss.out" &
	SAMPLER_PID=$!
}
sampler_stop() {
	kill -TERM "$SAMPLER_PID" 2>/dev/null
	wait "$SAMPLER_PID" 2>/dev/null
	SAMPLER_PID=""
	read -r PEAK_KIB SAMPLES _ <"$WORK/rss.out" || { PEAK_KIB=0 SAMPLES=0; }
}

# --- the figures ------------------------------------------------------------

# metric NAME VALUE UNIT: one figure for the final table (bench/benchtable).
metric() { printf 'METRIC %s %s %s\n' "$1" "$2" "$3" >>"$METRICS"; }
# collect: a Go benchmark's output; its METRIC lines go to the table, the
# rest is its human report, printed.
collect() {
	grep '^METRIC ' <<<"$1" >>"$METRICS"
	grep -v '^METRIC ' <<<"$1"
}
NOTES=()
ERRORS=0
error() {
	log "ERROR: $*"
	ERRORS=$((ERRORS + 1))
}
note() { NOTES+=("$*"); }

# --- build ------------------------------------------------------------------

mkdir -p "$WORK/bin"
METRICS="$WORK/metrics.txt"
: >"$METRICS"
NODEBENCH="$WORK/bin/nodebench"
log "building bench/nodebench"
go build -o "$NODEBENCH" ./bench/nodebench || die "building bench/nodebench failed"
if [[ -n ${ARCHIVIST_BIN:-} ]]; then
	ARCHIVIST=$ARCHIVIST_BIN
	[[ -x $ARCHIVIST ]] || die "ARCHIVIST_BIN=$ARCHIVIST is not an executable"
else
	# Always the current work tree, never a stale bin/archivist; the build
	# cache makes this quick. The UI bundle is embedded when it is built
	# (`make bench` builds it), so that cold start times the real page.
	ARCHIVIST="$WORK/bin/archivist"
	tags=""
	if [[ -f web/dist/index.html ]]; then
		tags=embedui
	else
		note "web/dist is not built: the binary serves the placeholder page, so cold start is timed to that page, not to the real UI (make bench builds it)."
	fi
	log "building ./cmd/archivist${tags:+ (tags $tags)}"
	go build -tags "$tags" -o "$ARCHIVIST" ./cmd/archivist || die "building ./cmd/archivist failed (ARCHIVIST_BIN=path benchmarks a binary built elsewhere)"
fi

QUOTA_GIB=$(((2 * (SIZE_MB > MEM_MB ? SIZE_MB : MEM_MB) + 1023) / 1024))
((QUOTA_GIB < 20)) && QUOTA_GIB=20
QUOTA="${QUOTA_GIB}GB"

REV=$(git describe --always --dirty 2>/dev/null || echo unknown)
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
FSTYPE=$(stat -f -c %T "$WORK" 2>/dev/null || echo unknown)
HEADER=(
	"archivist benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), rev $REV"
	"machine: ${CPU:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cores, load $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null), scratch $WORK ($FSTYPE)"
	"sizes: throughput file ${SIZE_MB} MiB, memory file ${MEM_MB} MiB; ${RUNS} runs per timed figure (median)"
)
log "${HEADER[1]}"
if [[ $FSTYPE == tmpfs ]]; then
	note "the scratch dir is on tmpfs, so block writes and the node's sync cost no disk time; set BENCH_DIR to a directory on disk for figures that include it."
fi

# --- 1-3. baseline, upload, download -----------------------------------------

# The nodes' data dirs are kept until the end: deleting thousands of block
# files just before the next upload would make that upload pay for the file
# system's inode bookkeeping of the deletes (ext4 without a journal scans for
# recently deleted inodes on every create), which is not the node's cost.
need=$(((RUNS + 2) * SIZE_MB))
have=$(free_mib "$WORK")
((have >= need)) || die "need ${need} MiB free in $WORK for a ${SIZE_MB} MiB test file and ${RUNS} node copies, have ${have} MiB (set BENCH_DIR, BENCH_SIZE_MB or BENCH_RUNS)"

FILE="$WORK/data-${SIZE_MB}MiB.bin"
FILE_BYTES=$((SIZE_MB * 1048576))
log "generating $FILE"
"$NODEBENCH" gen -mib "$SIZE_MB" -seed 1 -o "$FILE" || die "generating the test file failed"
settle

# sha_run times one sha256sum of the (warmed) test file. It runs right
# before every measured run, so on a shared machine the baseline and the
# node see the same load over time; the baseline is the median of them all.
SHA_TIMES=()
FILE_SHA=""
sha_run() {
	local t0 t1 sum
	warm "$FILE"
	t0=$(now)
	sum=$(sha256sum "$FILE") || die "sha256sum failed"
	t1=$(now)
	SHA_TIMES+=("$(secs_between "$t0" "$t1")")
	FILE_SHA=${sum%% *}
	log "  sha256sum: ${SHA_TIMES[-1]} s"
}

log "upload: POST /data x$RUNS, each into a fresh node, each after a sha256sum"
UP_TIMES=()
CID=""
up_ok=1
for ((i = 1; i <= RUNS; i++)); do
	sha_run
	DATA="$WORK/node-data-$i"
	settle
	start_node "$DATA"
	warm "$FILE"
	if ! upload "$FILE"; then
		up_ok=0
		break
	fi
	UP_TIMES+=("$UP_SECS")
	log "  upload $i: ${UP_SECS} s, cid $UP_CID"
	if [[ -n $CID && $UP_CID != "$CID" ]]; then
		log "the same file gave a different CID: $CID then $UP_CID"
		up_ok=0
		break
	fi
	CID=$UP_CID
	((i < RUNS)) && stop_node # the last node serves the downloads
done

down_ok=0
if ((up_ok)); then
	# One untimed download checks the content, not just the length, and
	# warms the node's side as the warm read does for sha256sum.
	log "download: checking the content once (untimed)"
	got_sha=$(curl -sS -f "$API/data/$CID" | sha256sum)
	got_sha=${got_sha%% *}
	down_ok=1
	if [[ $got_sha != "$FILE_SHA" ]]; then
		log "downloaded content differs: sha256 $got_sha, file $FILE_SHA"
		down_ok=0
	fi
	log "download: GET /data/{cid} x$RUNS, each after a sha256sum"
	DOWN_TIMES=()
	before_kib=$(rss_kib "$NODE_PID")
	sampler_start
	if ((down_ok)); then
		for ((i = 1; i <= RUNS; i++)); do
			sha_run
			if ! download "$CID" "$FILE_BYTES"; then
				down_ok=0
				break
			fi
			DOWN_TIMES+=("$DOWN_SECS")
			log "  download $i: ${DOWN_SECS} s"
		done
	fi
	sampler_stop
fi

# --- 3b. network: a second node fetches the dataset from the first -----------
# The node that served the downloads seeds; a fresh node connects to it on
# loopback and streams GET /data/{cid}/network/stream to /dev/null, so every
# block crosses libp2p (Noise, yamux, block exchange) and is verified against
# its Merkle proof and stored before it is sent on. One run: the second run
# would read the blocks the first one stored.
net_ok=0
if ((up_ok)) && [[ -n $NODE_PID ]]; then
	SEED_PID=$NODE_PID SEED_API=$API SEED_LOG=$NODE_LOG
	seed_id=$(curl -s -H 'Accept: text/plain' "$SEED_API/peerid")
	seed_addr=$(curl -s "$SEED_API/debug/info" | grep -o '"/ip4/127.0.0.1/tcp/[0-9]*"' | head -n 1 | tr -d '"')
	NODE_PID=""
	start_node "$WORK/node-data-net"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$API/connect/$seed_id?addrs=$seed_addr")
	if [[ $code != 200 ]]; then
		log "network: connect to the seed failed (HTTP $code)"
	else
		sha_run
		log "network: streaming ${SIZE_MB} MiB from the seed"
		t0=$(now)
		out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' "$API/data/$CID/network/stream")
		rc=$?
		NET_SECS=$(secs_between "$t0" "$(now)")
		if [[ $rc == 0 && $out == "200 $FILE_BYTES" ]]; then
			net_ok=1
			log "  network download: ${NET_SECS} s"
		else
			log "network download failed: curl exit $rc, answer '$out' (want '200 $FILE_BYTES'); node log: $NODE_LOG"
		fi
	fi
	stop_node
	NODE_PID=$SEED_PID API=$SEED_API NODE_LOG=$SEED_LOG
fi
stop_node
rm -f "$FILE"
settle

SHA_S=$(median "${SHA_TIMES[@]}")
SHA_MIBPS=$(mibps "$SIZE_MB" "$SHA_S")
log "  sha256sum: median ${SHA_MIBPS} MiB/s over ${#SHA_TIMES[@]} runs $(spread "$SIZE_MB" "${SHA_TIMES[@]}")"
metric sha256sum_mib_s "$SHA_MIBPS" MiB/s
if ((up_ok)); then
	UP_MIBPS=$(mibps "$SIZE_MB" "$(median "${UP_TIMES[@]}")")
	log "  upload: median ${UP_MIBPS} MiB/s $(spread "$SIZE_MB" "${UP_TIMES[@]}")"
	metric node_upload_mib_s "$UP_MIBPS" MiB/s
else
	error "upload could not be measured"
fi
if ((net_ok)); then
	metric node_network_mib_s "$(mibps "$SIZE_MB" "$NET_SECS")" MiB/s
else
	error "the network download could not be measured"
fi
if ((down_ok)); then
	DOWN_MIBPS=$(mibps "$SIZE_MB" "$(median "${DOWN_TIMES[@]}")")
	log "  download: median ${DOWN_MIBPS} MiB/s $(spread "$SIZE_MB" "${DOWN_TIMES[@]}")"
	metric node_download_mib_s "$DOWN_MIBPS" MiB/s
	metric node_download_peak_rss_mib "$(kib_to_mib "$PEAK_KIB")" MiB
	log "  download RSS: before $(kib_to_mib "$before_kib") MiB, peak $(kib_to_mib "$PEAK_KIB") MiB ($SAMPLES samples)"
else
	error "download could not be measured"
fi

# --- 4. memory while uploading a big file -----------------------------------

need=$((3 * MEM_MB)) # the file, the node's copy, and room to spare
have=$(free_mib "$WORK")
if ((have < need)); then
	msg="SKIPPED: ${have} MiB free in $WORK, need ${need} MiB (set BENCH_DIR or BENCH_MEM_SIZE_MB)"
	log "memory: $msg"
	note "memory test $msg"
else
	MEMFILE="$WORK/data-${MEM_MB}MiB.bin"
	log "memory: generating $MEMFILE"
	"$NODEBENCH" gen -mib "$MEM_MB" -seed 2 -o "$MEMFILE" || die "generating the memory test file failed"
	DATA="$WORK/node-data-mem"
	settle
	start_node "$DATA"
	sleep 1 # let start-up allocations settle before the idle reading
	idle_kib=$(rss_kib "$NODE_PID")
	# Its own baseline, right before, for the big upload's figure; the timed
	# read also leaves the file in the page cache for the upload.
	warm "$MEMFILE"
	t0=$(now)
	sha256sum "$MEMFILE" >/dev/null || die "sha256sum failed"
	MEM_SHA_MIBPS=$(mibps "$MEM_MB" "$(secs_between "$t0" "$(now)")")
	log "  sha256sum: ${MEM_SHA_MIBPS} MiB/s"
	log "memory: uploading ${MEM_MB} MiB, sampling node RSS every 100 ms"
	sampler_start
	upload "$MEMFILE"
	mem_ok=$?
	sampler_stop
	hwm=$(hwm_kib "$NODE_PID")
	if ((mem_ok == 0)); then
		growth_kib=$((PEAK_KIB - idle_kib))
		metric node_upload_rss_growth_mib "$(kib_to_mib "$growth_kib")" MiB
		metric node_upload_big_mib_s "$(mibps "$MEM_MB" "$UP_SECS")" MiB/s
		metric sha256sum_big_mib_s "$MEM_SHA_MIBPS" MiB/s
		log "  ${UP_SECS} s; RSS idle $(kib_to_mib "$idle_kib") MiB, sampled peak $(kib_to_mib "$PEAK_KIB") MiB ($SAMPLES samples), kernel VmHWM $(kib_to_mib "${hwm:-0}") MiB"
		note "memory: node RSS growth uploading ${MEM_MB} MiB sampled every 100 ms ($SAMPLES samples) over $(kib_to_mib "$idle_kib") MiB idle; the kernel's high-water mark (VmHWM) for the node was $(kib_to_mib "${hwm:-0}") MiB."
	else
		error "the memory test's upload failed"
	fi
	stop_node
	rm -f "$MEMFILE"
fi

# --- folder sync ------------------------------------------------------------
# Initial backup of many small files and of one big file next to sha256sum of
# the same files, and a file's close to its manifest; then the rescan of
# unchanged files (a Go benchmark, next to a bare directory walk).

SYNC_SMALL=${BENCH_SYNC_FILES:-10000}
log "folder sync: $SYNC_SMALL small files, one ${SIZE_MB} MiB file, latency"
SYNC_OUT=$(go run ./bench/syncbench -bin "$ARCHIVIST" -dir "$WORK" -small "$SYNC_SMALL" -big-mib "$SIZE_MB" -latency-samples "$LAT_N") || error "bench/syncbench failed"
RESCAN_OUT=$(go test -run '^$' -bench 'BenchmarkRescan' -benchtime 3x ./internal/app/folders | grep -E '^Benchmark') || error "the rescan benchmark failed"
# BenchmarkRescan rescans 100,000 unchanged files and reports files/s.
rescan_fps=$(awk '{ for (i = 2; i <= NF; i++) if ($i == "files/s") print $(i - 1) }' <<<"$RESCAN_OUT")
if [[ -n $rescan_fps ]]; then
	metric rescan_100k_s "$(awk -v f="$rescan_fps" 'BEGIN { printf "%.3f", 100000 / f }')" s
fi

# --- 6. backup flow -----------------------------------------------------------
# A source and a backup server (two `archivist serve`, paired): a file's write
# on A to its content on B, and a folder of SIZE_MB backed up A→B, next to
# sha256sum of the same files.

log "backup flow: latency A→B, a ${SIZE_MB} MiB folder A→B"
BACKUP_OUT=$(go run ./bench/backupbench -bin "$ARCHIVIST" -dir "$WORK" -mib "$SIZE_MB" -latency-samples "$LAT_N" "${MACHINES[@]}") || error "bench/backupbench failed"

# --- 7. the app: cold start, idle -------------------------------------------

log "app: cold start to UI ready, idle CPU over ${IDLE_S} s"
APP_OUT=$(go run ./bench/appbench -bin "$ARCHIVIST" -dir "$WORK" -idle "${IDLE_S}s") || error "bench/appbench failed"

# --- 8. scale -----------------------------------------------------------------
# Its own figures (rescan of a big tree, the app's and node's peaks); small
# keeps `make bench` within a coffee break, full is the issue's 100k / 10 GiB.

SCALE_OUT=""
if [[ $SCALE == off ]]; then
	note "scale: skipped (BENCH_SCALE=off)."
elif [[ ! -d bench/scalebench ]]; then
	note "scale: skipped: bench/scalebench is not in this tree."
	log "scale: bench/scalebench is not in this tree; skipped"
else
	case $SCALE in
	small) SCALE_ARGS=(-files 20000 -total-mib 2048 -big-mib 1024) ;;
	full) SCALE_ARGS=(-files 100000 -total-mib 10240 -big-mib 10240) ;;
	esac
	log "scale ($SCALE): bench/scalebench ${SCALE_ARGS[*]}"
	SCALE_OUT=$(go run ./bench/scalebench -bin "$ARCHIVIST" -dir "$WORK" "${SCALE_ARGS[@]}") || error "bench/scalebench failed"
fi

# --- 9. syncthing, side by side -------------------------------------------------
# The same transfer and latency as backupbench, with Debian's syncthing, on
# the same two machines as backupbench runs Archivist. Never installed by
# `make test`.

ST_OUT=""
ST_HEADING=""
if [[ $SYNCTHING == off ]]; then
	note "syncthing: comparison skipped (BENCH_SYNCTHING=off)."
else
	if ! command -v syncthing >/dev/null; then
		if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
			log "syncthing: installing Debian's package for the comparison"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syncthing >/dev/null 2>&1 ||
				{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syncthing >/dev/null 2>&1; }
		fi
	fi
	if command -v syncthing >/dev/null; then
		ST_VERSION=$(syncthing --version | awk '{ print $2 }')
		log "syncthing $ST_VERSION: latency A→B, a ${SIZE_MB} MiB folder A→B"
		ST_OUT=$(go run ./bench/stbench -dir "$WORK" -mib "$SIZE_MB" -latency-samples "$LAT_N" "${MACHINES[@]}") || error "bench/stbench failed"
		ST_HEADING="Syncthing ${ST_VERSION#v}"
	else
		note "syncthing: comparison skipped: syncthing is not installed and could not be (needs root and apt: apt-get install syncthing)."
		log "syncthing: not installed and not installable here; comparison skipped"
	fi
fi

# --- report -----------------------------------------------------------------

note "page cache: not dropped (that needs privileges a sandbox may lack, and disturbs the machine); the input file is read once right before every sha256sum and every measured run, so both read it from a warm cache; the sha256sum runs are interleaved with the measured runs, so both see the same machine load. The scratch file system is synced before each upload so the node's commit-time sync flushes only its own blocks."
note "throughput: MiB/s (node sections) or MB/s (folder sections) of file bytes over wall time, each next to sha256sum over the same bytes in the same unit; the node sections take the median of BENCH_RUNS runs. Two machines (backup flow, Syncthing) are two network namespaces joined by veth pairs on a bridge when the benchmark runs as root, else two process trees on loopback (127.0.0.1), for Archivist and for Syncthing alike; each section's "machines" line says which. The node sections' network download runs on loopback."
note "idle CPU: utime+stime from /proc/<pid>/stat over ${IDLE_S} s, as % of one core, app and node apart."

LOAD_END=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)
HEADER+=("load average: $LOAD_START at the start, $LOAD_END at the end")

OUT_DIR="$ROOT/bench/results"
mkdir -p "$OUT_DIR"
# The raw figures too, so the table can be laid out again
# (go run ./bench/benchtable bench/results/latest.metrics).
cp "$METRICS" "$OUT_DIR/latest.metrics"
{
	printf '%s\n' "${HEADER[@]}"
	echo
	echo "Node (one node, loopback):"
	grep -h '^METRIC ' "$METRICS" | awk '$2 ~ /^(sha256sum|node_)/ { print "  " $2 " " $3 " " $4 }'
	echo
	echo "Folder sync:"
	collect "${SYNC_OUT:-}"
	printf '%s\n' "${RESCAN_OUT:-}"
	echo
	echo "Backup flow (source → backup server):"
	collect "${BACKUP_OUT:-}"
	echo
	echo "App:"
	collect "${APP_OUT:-}"
	if [[ -n $SCALE_OUT ]]; then
		echo
		echo "Scale ($SCALE):"
		collect "$SCALE_OUT"
	fi
	if [[ -n $ST_OUT ]]; then
		echo
		echo "Syncthing (two instances):"
		collect "$ST_OUT"
	fi
	echo
	for n in "${NOTES[@]}"; do printf 'note: %s\n' "$n"; done
	if ((ERRORS)); then echo "ERROR: $ERRORS figure(s) could not be measured (see the log above)"; fi
} >"$OUT_DIR/latest.txt"

# The METRIC lines of the sections were only collected above: build the
# table now that all of them are in.
TABLE=$(go run ./bench/benchtable -syncthing "$ST_HEADING" "$METRICS") || error "bench/benchtable failed"
TABLE_MD=$(go run ./bench/benchtable -format md -syncthing "$ST_HEADING" "$METRICS") || error "bench/benchtable failed"
{
	echo
	printf '%s\n' "$TABLE"
} >>"$OUT_DIR/latest.txt"
{
	echo "# Benchmarks"
	echo
	printf '%s  \n' "${HEADER[@]}"
	echo
	printf '%s\n' "$TABLE_MD"
	echo
	for n in "${NOTES[@]}"; do printf -- '- %s\n' "$n"; done
	if ((ERRORS)); then echo "- ERROR: $ERRORS figure(s) could not be measured"; fi
} >"$OUT_DIR/latest.md"
cat "$OUT_DIR/latest.txt"
log "written: bench/results/latest.txt, bench/results/latest.md, bench/results/latest.metrics"

((ERRORS == 0))
