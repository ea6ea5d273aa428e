#!/usr/bin/env bash
# Benchmark: what a controller costs when nothing changes. L labs of M busybox nodes (chains of
# M-1 links) are brought up by `labkeeper run`; once every lab is Ready and a settling pause has
# passed, the controller's CPU (user + system, from /proc/PID/stat), RSS, threads and open fds are
# read over S seconds, with the passes it made meanwhile (labkeeper_reconcile_duration_seconds).
# The resync period is RESYNC (the default's 30s unless given). RSS is sampled ten times over the
# S seconds (every IDLE_SAMPLE seconds when given) and its drift from the first sample printed:
# `bench/idle_cost.sh BIN 5 4 3600 1s` is the hour of 1 s resyncs whose RSS should stay flat.
# EXTRA_FLAGS are added to `labkeeper run`; IDLE_NAME and IDLE_SUBNET name the labs and their
# network (lkbench-idle, 198.18.4.0/22), so that two runs can go on side by side.
# It measures; it asserts nothing.
# Usage: bench/idle_cost.sh [LABKEEPER_BIN] [LABS] [NODES] [SECONDS] [RESYNC] [PORT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin=${1:-labkeeper}
labs=${2:-20}
nodes=${3:-10}
seconds=${4:-60}
resync=${5:-30s}
port=${6:-29582}
name=${IDLE_NAME:-lkbench-idle}
subnet=${IDLE_SUBNET:-198.18.4.0/22}
sample=${IDLE_SAMPLE:-$(((seconds + 9) / 10))}
dir=$(mktemp -d /tmp/lkbench-XXXXXX)
ctl=
cleanup() {
  [ -n "$ctl" ] && kill "$ctl" 2>/dev/null && wait "$ctl" 2>/dev/null
  for l in $(seq 1 "$labs"); do echo "--lab $name$l"; done | xargs "$bin" destroy --no-host-names >/dev/null 2>&1 || true
  drop_network "$name-mgmt"
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/labs"
for l in $(seq 1 "$labs"); do
  chain_lab "$name$l" "$nodes" "$name-mgmt" "$subnet" >"$dir/labs/idle$l.clab.yml"
done

"$bin" run --dir "$dir/labs" --state-dir "$dir/state" --listen "127.0.0.1:$port" --resync "$resync" --no-host-names ${EXTRA_FLAGS:-} \
  >"$dir/controller.log" 2>&1 &
ctl=$!
ready() {  # every lab Ready
  local n
  n=$(curl -sf "http://127.0.0.1:$port/api/v1/labs" | tr -d ' \n' |
    grep -o '"type":"Ready","status":"True"\|"status":"True","type":"Ready"' | wc -l) || return 1
  [ "$n" -ge "$labs" ]
}
started=$(date +%s)
until ready; do
  kill -0 "$ctl" 2>/dev/null || { echo "idle_cost: the controller exited:" >&2; cat "$dir/controller.log" >&2; exit 1; }
  [ $(($(date +%s) - started)) -lt 900 ] || { echo "idle_cost: the labs were not Ready in 900 s" >&2; exit 1; }
  sleep 1
done
echo "$labs labs of $nodes nodes Ready in $(($(date +%s) - started)) s; settling 10 s, then measuring $seconds s" >&2
sleep 10

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ctl/stat"; }
passes() {  # passes, and resyncs that made none: "P Q"
  curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^labkeeper_reconcile_duration_seconds_count/ { s += $NF } /^labkeeper_quiet_resyncs_total/ { q += $NF }
      END { print s + 0, q + 0 }'
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$ctl/status"; }
t0=$(date +%s.%N); c0=$(cpu_ticks); read -r p0 q0 < <(passes); r0=$(rss_kb)
prof=
if [ -n "${IDLE_PROFILE:-}" ]; then
  perf record -F 499 --call-graph dwarf,16384 -o "$IDLE_PROFILE" -p "$ctl" -- sleep "$seconds" 2>/dev/null &
  prof=$!
fi
samples="$r0"
end=$(($(date +%s) + seconds))
while [ "$(date +%s)" -lt "$end" ]; do
  left=$((end - $(date +%s)))
  sleep $((left < sample ? left : sample))
  samples="$samples $(rss_kb)"
done
[ -z "$prof" ] || wait "$prof"
t1=$(date +%s.%N); c1=$(cpu_ticks); r1=$(rss_kb); read -r p1 q1 < <(passes)
samples="$samples $r1"
hz=$(getconf CLK_TCK)
threads=$(awk '/^Threads/ { print $2 }' "/proc/$ctl/status")
fds=$(ls "/proc/$ctl/fd" | wc -l)
echo "idle, $labs labs x $nodes nodes, --resync $resync, over $seconds s:"
awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$t0" -v b="$t1" -v p="$((p1 - p0))" 'BEGIN {
  cpu = c / hz; printf "  CPU      %.2f%% of a core (%.2f s in %.0f s)\n", 100 * cpu / (b - a), cpu, b - a
  printf "  passes   %d (%.1f ms of CPU each, everything else included)\n", p, p ? 1000 * cpu / p : 0 }'
echo "  quiet    $((q1 - q0)) resyncs made no pass (nothing had touched their lab; --deep-resync)"
awk -v a="$r0" -v b="$r1" 'BEGIN { printf "  RSS      %.1f MB at the start, %.1f MB at the end\n", a / 1024, b / 1024 }'
echo "$samples" | awk -v every="$sample" '{ lo = hi = $1; for (i = 2; i <= NF; i++) { lo = $i < lo ? $i : lo; hi = $i > hi ? $i : hi }
  printf "  RSS      every %d s: min %.1f MB, max %.1f MB; last vs first %+.1f%%, max vs first %+.1f%%\n",
    every, lo / 1024, hi / 1024, 100 * ($NF - $1) / $1, 100 * (hi - $1) / $1 }'
echo "$samples" | awk '{ printf "  RSS MB  "; for (i = 1; i <= NF; i++) printf " %.1f", $i / 1024; print "" }'
echo "  threads  $threads"
echo "  fds      $fds"
