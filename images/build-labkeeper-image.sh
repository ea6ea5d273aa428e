#!/usr/bin/env bash
# Builds labkeeper's image (the Dockerfile at the top of the repository) with no registry: the
# base is a minimal Debian 12 root made with debootstrap and imported as
# labkeeper.dev/debian:bookworm; the image is tagged labkeeper.dev/labkeeper:test (or $1).
# The Dockerfile's own RUN steps install Debian packages, as anywhere. LABKEEPER_WERROR=ON builds
# labkeeper in it with warnings as errors. A failed build prints the end of its output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=${1:-labkeeper.dev/labkeeper:test}
if ! docker image inspect labkeeper.dev/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "labkeeper image: debootstrap is not installed" >&2; exit 1; }
  work=$(mktemp -d /tmp/labkeeper-base.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  echo "labkeeper image: making the Debian 12 base with debootstrap (about a minute)"
  debootstrap --variant=minbase bookworm "$work/root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
    >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
  tar -C "$work/root" -c . | docker import -m "labkeeper: Debian 12 minbase from debootstrap" - \
    labkeeper.dev/debian:bookworm >/dev/null
fi
echo "labkeeper image: building $tag (compiles labkeeper inside; a few minutes)"
log=$(mktemp /tmp/labkeeper-image-build.XXXXXX)
if ! docker build --build-arg BASE=labkeeper.dev/debian:bookworm --build-arg WERROR="${LABKEEPER_WERROR:-OFF}" \
  -t "$tag" "$here/.." >"$log" 2>&1; then
  echo "labkeeper image: the build failed; the end of its output:" >&2
  tail -40 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "labkeeper image: $tag ready"
