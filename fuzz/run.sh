#!/usr/bin/env bash
# Runs every libFuzzer target of a -DLABKEEPER_FUZZ=ON build, seeded with the shared topology
# files, the malformed corpus and fuzz/seeds/.
#   fuzz/run.sh BUILD_DIR --runs N        N executions per target, fixed seed (the test command)
#   fuzz/run.sh BUILD_DIR --time SECONDS  each target for that long, keeping what it finds
#                                         in fuzz/corpus/TARGET/ (not committed)
# A crash, leak, sanitizer report or timeout stops the run with libFuzzer's reproducer file
# (crash-*, timeout-*, leak-*) in the current directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:?usage: fuzz/run.sh BUILD_DIR --runs N | --time SECONDS}
mode=${2:?usage: fuzz/run.sh BUILD_DIR --runs N | --time SECONDS}
value=${3:?usage: fuzz/run.sh BUILD_DIR --runs N | --time SECONDS}
shared=${LABKEEPER_SHARED:-$src/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed() {  # seed TARGET FILE...: copies the seed files for TARGET
  mkdir -p "$work/seeds/$1"
  local t=$1
  shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$work/seeds/$t/$(echo "$f" | md5sum | cut -c1-16)"; done
  return 0
}
mapfile -t topo < <(find "$shared/clab-examples" "$shared/containerlab-corpus" "$src/tests/malformed" "$src/examples" \
  \( -name '*.clab.yml' -o -name '*.clab.yaml' \) 2>/dev/null | sort)
mapfile -t tmpl < <(find "$shared" "$src/tests" -name '*.clab.gotmpl' 2>/dev/null | sort)
mapfile -t labres < <(find "$src/tests" "$src/crds-like-schemas" -name '*.lab.yml' 2>/dev/null | sort)
seed loader_clab "${topo[@]}" "${tmpl[@]}"
seed loader_lab "${labres[@]}" "${topo[@]:0:20}"
seed template "${tmpl[@]}" "${topo[@]:0:20}"
seed expand_env "${topo[@]}"
seed api_router "$here"/seeds/api_router/*

status=0
for target in loader_clab loader_lab template expand_env api_router; do
  bin="$build/fuzz/fuzz_$target"
  [ -x "$bin" ] || { echo "fuzz: $bin is not built (cmake -DLABKEEPER_FUZZ=ON)"; exit 2; }
  args=(-max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1)
  if [ "$mode" = --runs ]; then
    corpus="$work/corpus/$target"
    args+=(-runs="$value" -seed=1)
  else
    corpus="$here/corpus/$target"
    args+=(-max_total_time="$value")
  fi
  mkdir -p "$corpus"
  echo "fuzz: $target ($mode $value, $(ls "$work/seeds/$target" | wc -l) seeds)"
  if ! "$bin" "${args[@]}" "$corpus" "$work/seeds/$target" >"$work/$target.log" 2>&1; then
    echo "fuzz: $target FAILED; its report:"
    tail -60 "$work/$target.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$target.log" | sed "s/^/fuzz: $target /"
  fi
done
exit $status
