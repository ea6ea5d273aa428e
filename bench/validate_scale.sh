#!/usr/bin/env bash
# Benchmark (#18): how `labkeeper validate` grows with the size of a lab. Generates chain labs of
# N, 2N, 4N and 8N nodes (N-1 links each), validates each REPEATS times, alternating the sizes in
# every round so that a noisy machine weighs on all of them alike, and prints the best time of
# each and the cost of each doubling (2.0x is linear, 4.0x quadratic). It measures; it asserts
# nothing about speed. Needs no Docker engine.
# Usage: bench/validate_scale.sh [LABKEEPER_BIN] [N] [REPEATS]
set -euo pipefail
bin=${1:-labkeeper}
n=${2:-1000}
repeats=${3:-3}
dir=$(mktemp -d /tmp/lkbench-validate-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sizes=("$n" $((2 * n)) $((4 * n)) $((8 * n)))
for s in "${sizes[@]}"; do
  python3 - "$s" "$dir/chain$s.clab.yml" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write(f"name: chain{n}\ntopology:\n  defaults: {{kind: linux, image: alpine:3}}\n  nodes:\n")
    f.writelines(f"    n{i}: {{}}\n" for i in range(n))
    f.write("  links:\n")
    f.writelines(f'    - endpoints: ["n{i}:eth1", "n{i + 1}:eth2"]\n' for i in range(n - 1))
PY
done
declare -A best
for _ in $(seq 1 "$repeats"); do
  for s in "${sizes[@]}"; do
    start=$(date +%s.%N)
    "$bin" validate "$dir/chain$s.clab.yml" >/dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "${best[$s]:-}" ] || awk -v t="$t" -v b="${best[$s]}" 'BEGIN { exit !(t < b) }'; then best[$s]=$t; fi
  done
done
echo "validate of a chain lab, best of $repeats, on $(nproc) cores:"
prev=""
for s in "${sizes[@]}"; do
  if [ -z "$prev" ]; then
    awk -v s="$s" -v t="${best[$s]}" 'BEGIN { printf "validate %6d nodes: %7.3f s\n", s, t }'
  else
    awk -v s="$s" -v t="${best[$s]}" -v p="${best[$prev]}" \
      'BEGIN { printf "validate %6d nodes: %7.3f s  (x%.2f for twice the nodes; linear is x2.00)\n", s, t, t / p }'
  fi
  prev=$s
done
