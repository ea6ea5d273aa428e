#!/usr/bin/env bash
# The README's second command, and what CI runs: install, build, start a Docker engine when none
# answers, build the local images, then every test suite (unit, integration, end-to-end, bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/docker-up.sh
bash images/build.sh
cd build
ctest --output-on-failure --timeout 1200 "$@"
