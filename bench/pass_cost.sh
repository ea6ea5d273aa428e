#!/usr/bin/env bash
# Benchmark: what one reconcile pass over an unchanged lab costs. A chain lab of N busybox nodes
# is brought up by `labkeeper run` (no periodic resync meanwhile); then
#   1. R passes are asked for one at a time (POST /api/v1/labs/LAB/reconcile), each waited for,
#      and each one's time read from labkeeper_reconcile_duration_seconds: p50 and p95;
#   2. when heaptrack is installed, the controller is started again under heaptrack with a 1 s
#      resync for S seconds, every one a whole pass (--deep-resync 0): allocations per pass (start-up included, spread over the passes) and
#      the peak heap.
# It measures; it asserts nothing about speed.
# Usage: bench/pass_cost.sh [LABKEEPER_BIN] [NODES] [REPEATS] [SECONDS] [PORT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin=$(command -v "${1:-labkeeper}")
nodes=${2:-200}
repeats=${3:-20}
seconds=${4:-60}
port=${5:-29584}
lab=lkbench-pass
dir=$(mktemp -d /tmp/lkbench-XXXXXX)
ctl=
# The controller runs in a session of its own (under heaptrack, a wrapper's child): the labkeeper
# of that session is stopped, and what wraps it finishes writing and exits.
stop_ctl() {
  [ -n "$ctl" ] || return 0
  pkill -TERM -s "$ctl" -x labkeeper 2>/dev/null || true
  wait "$ctl" 2>/dev/null || true
  ctl=
}
cleanup() {
  stop_ctl || true
  "$bin" destroy --lab "$lab" --no-host-names >/dev/null 2>&1 || true
  drop_network lkbench-pass-mgmt
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/labs"
chain_lab "$lab" "$nodes" lkbench-pass-mgmt 198.18.8.0/22 >"$dir/labs/pass.clab.yml"

api=http://127.0.0.1:$port
start_ctl() {  # [WRAPPER...]: the controller, then until its lab is Ready (900 s at most)
  setsid "$@" "$bin" run --dir "$dir/labs" --state-dir "$dir/state" --listen "127.0.0.1:$port" --resync "$resync" \
    --deep-resync 0 --no-host-names >"$dir/controller.log" 2>&1 &
  ctl=$!
  local started=$SECONDS
  until curl -sf "$api/api/v1/labs/$lab" | tr -d ' \n' | grep -q '"status":"True","type":"Ready"'; do
    kill -0 "$ctl" 2>/dev/null || { echo "pass_cost: the controller exited:" >&2; cat "$dir/controller.log" >&2; exit 1; }
    [ $((SECONDS - started)) -lt 900 ] || { echo "pass_cost: the lab was not Ready in 900 s" >&2; exit 1; }
    sleep 1
  done
}
metric() {  # _count or _sum of the lab's pass durations
  curl -sf "$api/metrics" | awk -v m="labkeeper_reconcile_duration_seconds$1" -v l="lab=\"$lab\"" \
    'index($0, m "{") == 1 && index($0, l) { print $NF }'
}

resync=1h
start_ctl
sleep 2
: >"$dir/passes"
for _ in $(seq 1 "$repeats"); do
  c0=$(metric _count); s0=$(metric _sum)
  curl -sf -X POST "$api/api/v1/labs/$lab/reconcile" >/dev/null
  for _ in $(seq 1 600); do [ "$(metric _count)" != "$c0" ] && break; sleep 0.05; done
  awk -v a="$s0" -v b="$(metric _sum)" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"$dir/passes"
done
stop_ctl
pct() { sort -n "$dir/passes" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p + 0.999); if (i < 1) i = 1; print v[i] }'; }
echo "one in-sync pass of a $nodes-node lab ($((nodes - 1)) links), $repeats passes asked for one at a time:"
echo "  pass     p50 $(pct 0.5) ms   p95 $(pct 0.95) ms"

if ! command -v heaptrack >/dev/null; then
  echo "  allocations: heaptrack is not installed; left out"
  exit 0
fi
resync=1s
start_ctl heaptrack -o "$dir/heap"
c0=$(metric _count)
sleep "$seconds"
passes=$(($(metric _count) - c0))
stop_ctl
heap=$(ls "$dir"/heap.* | head -1)
heaptrack_print "$heap" >"$dir/heap.txt" 2>/dev/null || true
[ -n "${PASS_HEAP_REPORT:-}" ] && cp "$dir/heap.txt" "$PASS_HEAP_REPORT"
calls=$(awk '/^calls to allocation functions:/ { print $5 }' "$dir/heap.txt")
peak=$(awk -F': ' '/^peak heap memory consumption:/ { print $2 }' "$dir/heap.txt")
awk -v c="${calls:-0}" -v p="$passes" -v s="$seconds" -v peak="$peak" 'BEGIN {
  printf "  heap     %d allocations in %d s of 1 s resyncs, %d passes: %.0f per pass (start-up included); peak heap %s\n",
    c, s, p, p ? c / p : 0, peak }'
