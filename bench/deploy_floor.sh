#!/usr/bin/env bash
# Benchmark: `labkeeper apply` and `labkeeper destroy` of an N-node chain lab (N-1 veth links,
# busybox nodes) against the engine's own floor, measured side by side in one run: the same
# number of containers of the same image created and started PAR at a time on a bridge network of
# their own through the Docker API (bench/engine_floor, over labkeeper's own Docker client, with
# no lab, links or observation), then force-removed PAR at a time with the network. Rounds
# alternate which goes first; the median of each is printed with the ratio labkeeper / floor.
# It measures; it asserts nothing about speed.
# Usage: bench/deploy_floor.sh [LABKEEPER_BIN] [NODES] [ROUNDS] [PARALLELISM]
#   (engine_floor is looked for beside LABKEEPER_BIN, or given as $ENGINE_FLOOR)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin=${1:-labkeeper}
nodes=${2:-50}
rounds=${3:-3}
par=${4:-8}
floor=${ENGINE_FLOOR:-$(dirname "$(command -v "$bin")")/engine_floor}
[ -x "$floor" ] || { echo "deploy_floor: $floor is missing (built with labkeeper: cmake --build build)" >&2; exit 2; }
image=labkeeper.dev/busybox:test
lab=lkbench-floor
floor_net=lkbench-floor-raw
dir=$(mktemp -d /tmp/lkbench-XXXXXX)

raw_cleanup() {  # what an interrupted run of the floor left
  docker ps -aq --filter "label=lkbench=$floor_net" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network rm "$floor_net" >/dev/null 2>&1 || true
}
cleanup() {
  local ids
  ids=$(raw GET "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22lkbench%3D$floor_net%22%5D%7D" |
    grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4 || true)
  for id in $ids; do raw DELETE "/containers/$id?force=1" >/dev/null || true; done
  raw DELETE "/networks/$floor_net" >/dev/null 2>&1 || true
}
cleanup() {
  "$bin" destroy --lab "$lab" --no-host-names >/dev/null 2>&1 || true
  drop_network lkbench-floor-mgmt
  raw_cleanup
  rm -rf "$dir"
}
trap cleanup EXIT

chain_lab "$lab" "$nodes" lkbench-floor-mgmt 198.18.2.0/24 >"$dir/bench.clab.yml"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }

floor_up() { "$floor" up "$floor_net" "$image" "$nodes" "$par"; }
floor_down() { "$floor" down "$floor_net" "$nodes" "$par"; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cleanup_quiet() { "$bin" destroy --lab "$lab" --no-host-names >/dev/null 2>&1 || true; raw_cleanup; }
cleanup_quiet
: >"$dir/apply" >"$dir/destroy" >"$dir/fup" >"$dir/fdown"
for r in $(seq 1 "$rounds"); do
  # Alternate which goes first, so neither always meets a warmer or a colder engine.
  for which in $( ((r % 2)) && echo "lk floor" || echo "floor lk"); do
    if [ "$which" = lk ]; then
      t=$(now); "$bin" apply --max-workers "$par" --no-host-names "$dir/bench.clab.yml" >/dev/null; since "$t" >>"$dir/apply"
      t=$(now); "$bin" destroy --max-workers "$par" --lab "$lab" --no-host-names >/dev/null; since "$t" >>"$dir/destroy"
    else
      t=$(now); floor_up; since "$t" >>"$dir/fup"
      t=$(now); floor_down; since "$t" >>"$dir/fdown"
    fi
  done
  echo "round $r/$rounds: apply $(tail -1 "$dir/apply") s, floor $(tail -1 "$dir/fup") s;" \
    "destroy $(tail -1 "$dir/destroy") s, floor $(tail -1 "$dir/fdown") s" >&2
done

a=$(median <"$dir/apply"); fu=$(median <"$dir/fup"); d=$(median <"$dir/destroy"); fd=$(median <"$dir/fdown")
echo "deploy and destroy of $nodes containers ($((nodes - 1)) links for labkeeper), $par at a time," \
  "$(nproc) cores, median of $rounds alternated rounds:"
awk -v a="$a" -v f="$fu" 'BEGIN { printf "  apply   %7.2f s   engine floor (create + start) %7.2f s   ratio x%.2f\n", a, f, a / f }'
awk -v a="$d" -v f="$fd" 'BEGIN { printf "  destroy %7.2f s   engine floor (force remove)   %7.2f s   ratio x%.2f\n", a, f, a / f }'
