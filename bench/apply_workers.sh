#!/usr/bin/env bash
# Benchmark: how long `labkeeper apply` takes to create a lab of N containers with
# --max-workers 1, 2, 4 and 8, on this engine, in one run. Prints seconds and the speed-up
# against one worker. It measures; it asserts nothing about speed.
# Usage: bench/apply_workers.sh [LABKEEPER_BIN] [NODES]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin=${1:-labkeeper}
nodes=${2:-16}
dir=$(mktemp -d /tmp/lkbench-XXXXXX)
lab=lkbench-workers
cleanup() { "$bin" destroy --lab "$lab" >/dev/null 2>&1 || true; drop_network lkbench-workers-mgmt; rm -rf "$dir"; }
trap cleanup EXIT
chain_lab "$lab" "$nodes" lkbench-workers-mgmt 198.18.1.0/24 >"$dir/bench.clab.yml"
"$bin" destroy --lab "$lab" >/dev/null 2>&1 || true
declare -A took
for w in 1 2 4 8; do
  start=$(date +%s.%N)
  "$bin" apply --max-workers "$w" "$dir/bench.clab.yml" >/dev/null
  end=$(date +%s.%N)
  took[$w]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  "$bin" destroy --lab "$lab" >/dev/null
done
echo "apply of $nodes containers and $((nodes - 1)) links on $(nproc) cores:"
for w in 1 2 4 8; do
  awk -v w="$w" -v t="${took[$w]}" -v base="${took[1]}" \
    'BEGIN { printf "  --max-workers %d: %6.2f s  speed-up x%.2f\n", w, t, base / t }'
done
