#!/usr/bin/env bash
# The README's second command, and what CI runs: install, build, start a Docker engine when none
# answers, build the local images, then every test suite (unit, integration, end-to-end, bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# Release too, as a packager builds it, with warnings as errors: no build type may fail to build
# (Release and MinSizeRel default to warnings as warnings; CI keeps them clean anyway).
echo "test: building the Release binary (build-release/)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DLABKEEPER_WERROR=ON >/dev/null
cmake --build build-release -j"$(nproc)" --target labkeeper >/dev/null
# One clang build under ASan+UBSan (build-sanitize/): the libFuzzer targets, each for a short
# fixed run (docs/fuzzing.md), and the unit and integration tests, run below once an engine answers.
echo "test: building the sanitizer build: fuzz targets, unit and integration tests (build-sanitize/)"
fuzz_rc=0
CXX=clang++-14 cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DLABKEEPER_SANITIZE=ON -DLABKEEPER_FUZZ=ON >/dev/null
cmake --build build-sanitize -j"$(nproc)" --target fuzzers unit_tests integration_tests >/dev/null
bash fuzz/run.sh build-sanitize --runs 20000 || fuzz_rc=1
bash scripts/docker-up.sh
bash scripts/emulation-up.sh
bash images/build.sh
bash images/build-labkeeper-image.sh || echo "test: the labkeeper image could not be built; InAContainer will fail" >&2
# The unit and integration tests under the sanitizers (every report fails its test).
echo "test: unit and integration tests under ASan+UBSan (build-sanitize/)"
sanitize_rc=0
LSAN_OPTIONS=suppressions=$PWD/tests/sanitize/lsan.supp ctest --test-dir build-sanitize -L 'unit|integration' --output-on-failure --timeout 600 >build-sanitize/ctest.log 2>&1 ||
  sanitize_rc=1
tail -4 build-sanitize/ctest.log
[ "$sanitize_rc" = 0 ] || grep -B2 -A40 -E "Failed|runtime error|Sanitizer" build-sanitize/ctest.log | head -200
cd build
# The benchmark first, verbose, so its measured ratios are printed; then every test suite.
rc=0
ctest -L bench --verbose --timeout 1200 | grep -E "^[0-9]+: (apply|  --max-workers)" || rc=1
ctest -LE bench --output-on-failure --timeout 1200 "$@" || rc=1
[ "$sanitize_rc" = 0 ] || { echo "test: a test failed under the sanitizers (see above)"; rc=1; }
[ "$fuzz_rc" = 0 ] || { echo "test: a fuzz target failed (see its report above)"; rc=1; }
exit $rc
