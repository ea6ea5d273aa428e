#!/usr/bin/env bash
# Benchmark (#18): how `labkeeper validate` and `labkeeper plan` grow with the size of a lab.
# Generates chain labs of N, 10N and 20N nodes (one link fewer than nodes), runs validate and plan
# (`plan -o json` against the engine, where none of the lab exists: every node and link is an
# action) on each REPEATS times, alternating the sizes in every round so that a noisy machine
# weighs on all of them alike, and prints the best time of each with its cost per node against
# the smallest (x1.00 is linear, x10 at 10N quadratic). It measures; it asserts nothing about
# speed. plan is left out when no Docker engine answers.
# Usage: bench/validate_scale.sh [LABKEEPER_BIN] [N] [REPEATS]
set -euo pipefail
bin=${1:-labkeeper}
n=${2:-1000}
repeats=${3:-3}
dir=$(mktemp -d /tmp/lkbench-validate-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sizes=("$n" $((10 * n)) $((20 * n)))
for s in "${sizes[@]}"; do
  python3 - "$s" "$dir/chain$s.clab.yml" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write(f"name: lkbench-chain{n}\ntopology:\n  defaults: {{kind: linux, image: alpine:3}}\n  nodes:\n")
    f.writelines(f"    n{i}: {{}}\n" for i in range(n))
    f.write("  links:\n")
    f.writelines(f'    - endpoints: ["n{i}:eth1", "n{i + 1}:eth2"]\n' for i in range(n - 1))
PY
done
commands=(validate)
if docker version >/dev/null 2>&1; then commands+=(plan); else echo "validate_scale: no Docker engine answers; plan left out" >&2; fi
declare -A best
run() {  # COMMAND SIZE: seconds of one run (plan exits 1: changes pending)
  local start end rc=0
  start=$(date +%s.%N)
  if [ "$1" = plan ]; then "$bin" plan -o json "$dir/chain$2.clab.yml" >/dev/null || rc=$?; else "$bin" validate "$dir/chain$2.clab.yml" >/dev/null || rc=$?; fi
  end=$(date +%s.%N)
  [ "$rc" -le 1 ] || { echo "validate_scale: $1 of $2 nodes failed ($rc)" >&2; exit 1; }
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }'
}
for _ in $(seq 1 "$repeats"); do
  for s in "${sizes[@]}"; do
    for c in "${commands[@]}"; do
      t=$(run "$c" "$s")
      if [ -z "${best[$c$s]:-}" ] || awk -v t="$t" -v b="${best[$c$s]}" 'BEGIN { exit !(t < b) }'; then best[$c$s]=$t; fi
    done
  done
done
echo "validate and plan of a chain lab, best of $repeats, on $(nproc) cores (per node against $n nodes; x1.00 is linear):"
for c in "${commands[@]}"; do
  for s in "${sizes[@]}"; do
    awk -v c="$c" -v s="$s" -v t="${best[$c$s]}" -v n="$n" -v b="${best[$c$n]}" \
      'BEGIN { printf "%-8s %6d nodes: %7.3f s  per node x%.2f\n", c, s, t, (t / s) / (b / n) }'
  done
done
