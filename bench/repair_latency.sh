#!/usr/bin/env bash
# Benchmark: how soon a running controller puts a lab back after a drift, p50 and p95 over R
# repeats of each: a link deleted inside a node, an interface set down, an interface's MTU
# changed, a node's container restarted (`docker restart`), a node's container removed
# (`docker rm -f`). The lab is a chain of N busybox nodes; the drift is made on a middle node;
# the time runs from the drift's command returning until every interface of that node's links is
# back as the file says (present, up, MTU), polled every 20 ms from the host (so a figure is
# good to about 20 ms). It measures; it asserts nothing about speed.
# Usage: bench/repair_latency.sh [LABKEEPER_BIN] [REPEATS] [NODES] [PORT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin=${1:-labkeeper}
repeats=${2:-10}
nodes=${3:-3}
port=${4:-29581}
lab=lkbench-repair
mid=n$(((nodes + 1) / 2))
dir=$(mktemp -d /tmp/lkbench-XXXXXX)
ctl=
cleanup() {
  [ -n "$ctl" ] && kill "$ctl" 2>/dev/null && wait "$ctl" 2>/dev/null
  "$bin" destroy --lab "$lab" --no-host-names >/dev/null 2>&1 || true
  drop_network lkbench-repair-mgmt
  rm -rf "$dir"
}
trap cleanup EXIT
[ "$nodes" -ge 3 ] || { echo "repair_latency: NODES must be at least 3" >&2; exit 2; }

mkdir -p "$dir/labs"
chain_lab "$lab" "$nodes" lkbench-repair-mgmt 198.18.3.0/24 >"$dir/labs/bench.clab.yml"
"$bin" destroy --lab "$lab" --no-host-names >/dev/null 2>&1 || true
"$bin" run --dir "$dir/labs" --state-dir "$dir/state" --listen "127.0.0.1:$port" --resync 30s --no-host-names \
  >"$dir/controller.log" 2>&1 &
ctl=$!

container=clab-$lab-$mid
pid_of() { docker inspect -f '{{.State.Pid}}' "$container" 2>/dev/null || echo 0; }
# The middle node's two link ends, as the file wants them: present, up, MTU 9500 (the default).
whole() {
  local pid out
  pid=$(pid_of)
  [ "$pid" -gt 0 ] || return 1
  out=$(nsenter -t "$pid" -n ip -o link show 2>/dev/null) || return 1
  for i in eth1 eth2; do
    grep -E "^[0-9]+: $i@[^:]*: <[^>]*\bUP\b[^>]*> mtu 9500 " <<<"$out" >/dev/null || return 1
  done
}
wait_whole() {  # seconds until whole, or "timeout" after 60 s
  local start=$1
  for _ in $(seq 1 3000); do
    if whole; then
      awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
      return
    fi
    sleep 0.02
  done
  echo timeout
}
in_node() { nsenter -t "$(pid_of)" -n "$@"; }

for _ in $(seq 1 600); do whole && break; sleep 0.1; done
whole || { echo "repair_latency: the lab never came up; the controller's log:" >&2; cat "$dir/controller.log" >&2; exit 1; }
sleep 1  # the first pass's events settle

declare -A drift=(
  [link-deleted]='in_node ip link del eth1'
  [interface-down]='in_node ip link set eth1 down'
  [mtu-changed]='in_node ip link set eth1 mtu 1400'
  [container-restarted]='docker restart -t 0 "$container" >/dev/null'
  [container-removed]='docker rm -f "$container" >/dev/null'
)
order=(link-deleted interface-down mtu-changed container-restarted container-removed)
for what in "${order[@]}"; do
  : >"$dir/$what"
  for _ in $(seq 1 "$repeats"); do
    eval "${drift[$what]}"
    start=$(date +%s.%N)
    wait_whole "$start" >>"$dir/$what"
    sleep 0.3  # the repair's own events pass before the next drift
  done
done

pct() { grep -v timeout "$1" | sort -n | awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) print "-"; else { i = int(NR * p + 0.999); if (i < 1) i = 1; print v[i] } }'; }
echo "repair latency, $lab ($nodes nodes), drift on $mid, $repeats repeats each, ms from the drift to all its links back:"
for what in "${order[@]}"; do
  lost=$(grep -c timeout "$dir/$what" || true)
  printf "  %-20s p50 %6s ms   p95 %6s ms%s\n" "$what" "$(pct "$dir/$what" 0.5)" "$(pct "$dir/$what" 0.95)" \
    "$([ "$lost" -gt 0 ] && echo "   ($lost not back within 60 s)")"
done
