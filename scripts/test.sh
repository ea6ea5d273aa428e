#!/usr/bin/env bash
# The README's second command, and what CI runs: install, build, start a Docker engine when none
# answers, build the local images, then every test suite (unit, integration, end-to-end, bench).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
phase() { echo "test: $* (at $((SECONDS - start)) s)"; }
bash scripts/install-deps.sh
phase "building labkeeper and its tests (build/)"
bash scripts/build.sh
bash scripts/docker-up.sh
bash scripts/emulation-up.sh
phase "building the lab images"
bash images/build.sh
# labkeeper's image is also the Release build, as a packager builds it, with warnings as errors:
# no build type may fail to build (Release defaults to warnings as warnings; CI keeps it clean).
phase "building labkeeper's image (the Release build, warnings as errors)"
image_rc=0
LABKEEPER_WERROR=ON bash images/build-labkeeper-image.sh || image_rc=1
# The unit label needs no Docker engine: run it once with none reachable (the engine's socket
# hidden under an empty /run in a mount namespace of its own).
phase "unit tests with no Docker engine reachable (build/)"
unit_rc=0
unshare -m sh -c 'mount -t tmpfs none /run && ctest --test-dir build -L unit --output-on-failure --timeout 300' \
  >build/ctest-unit-no-engine.log 2>&1 || unit_rc=1
tail -3 build/ctest-unit-no-engine.log
[ "$unit_rc" = 0 ] || grep -B2 -A40 "Failed" build/ctest-unit-no-engine.log | head -100
# The benchmark first, verbose, so its measured ratios are printed, and alone on the machine:
# its ratios are measured side by side, and a build beside it would flatten them.
phase "the benchmark (build/)"
rc=0
# A benchmark that cannot run (not one that is slow) fails the run, with its output.
if ! ctest --test-dir build -L bench --verbose --timeout 1200 >build/ctest-bench.log 2>&1; then
  rc=1
  grep -E "Failed|\*\*\*" build/ctest-bench.log | head -20
fi
grep -E "^[0-9]+: (apply|validate|plan|deploy|repair|idle|one in-sync|  [a-zA-Z-]+ )" build/ctest-bench.log || rc=1
# One clang build under ASan+UBSan (build-sanitize/): the libFuzzer targets, each for a short
# fixed run (docs/fuzzing.md), and the unit and integration tests, run after the suites below.
# It is built in the background at the lowest priority while the suites run: they spend most of
# their time waiting for containers and routing daemons, and the build takes only what they leave.
phase "building the sanitizer build in the background (build-sanitize/, its log build-sanitize/build.log)"
mkdir -p build-sanitize
(
  CXX=clang++-14 cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DLABKEEPER_SANITIZE=ON -DLABKEEPER_FUZZ=ON &&
    nice -n 19 cmake --build build-sanitize -j"$(nproc)" --target fuzzers unit_tests integration_tests
) >build-sanitize/build.log 2>&1 &
sanitize_build_pid=$!
phase "every test suite (build/)"
cd build
ctest -LE bench --output-on-failure --timeout 1200 "$@" || rc=1
cd ..
phase "waiting for the sanitizer build"
fuzz_rc=0 sanitize_rc=0
if wait "$sanitize_build_pid"; then
  phase "the fuzz targets, a short fixed run each (build-sanitize/)"
  bash fuzz/run.sh build-sanitize --runs 20000 || fuzz_rc=1
  # The unit and integration tests under the sanitizers (every report fails its test).
  phase "unit and integration tests under ASan+UBSan (build-sanitize/)"
  LSAN_OPTIONS=suppressions=$PWD/tests/sanitize/lsan.supp ctest --test-dir build-sanitize -L 'unit|integration' \
    --output-on-failure --timeout 600 >build-sanitize/ctest.log 2>&1 || sanitize_rc=1
  tail -4 build-sanitize/ctest.log
  [ "$sanitize_rc" = 0 ] || grep -B2 -A40 -E "Failed|runtime error|Sanitizer" build-sanitize/ctest.log | head -200
else
  echo "test: the sanitizer build failed; the end of build-sanitize/build.log:"
  grep -E "error|Error" build-sanitize/build.log | head -40
  sanitize_rc=1
fi
[ "$sanitize_rc" = 0 ] || { echo "test: a test failed under the sanitizers (see above)"; rc=1; }
[ "$unit_rc" = 0 ] || { echo "test: a unit test failed with no Docker engine reachable (see above)"; rc=1; }
[ "$fuzz_rc" = 0 ] || { echo "test: a fuzz target failed (see its report above)"; rc=1; }
[ "$image_rc" = 0 ] || { echo "test: labkeeper's image (the Release build) failed to build (see above)"; rc=1; }
phase "done"
exit $rc
