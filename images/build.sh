#!/usr/bin/env bash
# Builds, from Debian packages, local stand-ins for the public images the shipped labs name,
# tagged with the exact references those files use (no registry is reachable here):
#   quay.io/frrouting/frr:10.5.1      Debian bookworm's frr (8.4) in a minimal Debian root; the
#                                     entrypoint starts the daemons enabled in /etc/frr/daemons
#   wbitt/network-multitool:3.22.2    busybox-static: sh, ip, ping, tcpdump-less multitool
#   labkeeper.dev/busybox:test        the same busybox root, used by the tests' small nodes
#   alpine:3, alpine:latest, debian:bookworm-slim
#                                     the same busybox root, for the shared smoke-test labs
#                                     (a shell, coreutils-style applets; no package manager)
# An image that already exists is kept unless --force is given.
set -euo pipefail
force=0; [ "${1:-}" = "--force" ] && force=1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/labkeeper-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

have() { [ "$force" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }
# The busybox stand-in's revision: a machine with an older build gets the new one.
BUSYBOX_REV=2
have_busybox() {
  [ "$force" = 0 ] && [ "$(docker image inspect -f '{{index .Config.Labels "dev.labkeeper.stand-in"}}' "$1" 2>/dev/null)" = "$BUSYBOX_REV" ]
}

busybox_root() {  # $1: target dir
  local d=$1
  mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/run}
  cp /bin/busybox "$d/bin/busybox"
  for applet in $("$d/bin/busybox" --list-full); do
    [ -e "$d/$applet" ] || ln -s /bin/busybox "$d/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"
  echo 'root:x:0:' >"$d/etc/group"
  printf 'PRETTY_NAME="labkeeper busybox stand-in"\nNAME="BusyBox"\nID=busybox\n' >"$d/etc/os-release"
  chmod 1777 "$d/tmp"
  # The default command: stay up until stopped, and answer SIGTERM at once so stops are quick.
  printf '%s\n' '#!/bin/sh' 'trap "exit 0" TERM INT' 'while :; do sleep 3600 & wait $!; done' >"$d/bin/idle"
  chmod 0755 "$d/bin/idle"
}

if ! have_busybox wbitt/network-multitool:3.22.2 || ! have_busybox labkeeper.dev/busybox:test; then
  command -v busybox >/dev/null || { echo "images: busybox-static is not installed" >&2; exit 1; }
  echo "images: building wbitt/network-multitool:3.22.2 and labkeeper.dev/busybox:test from busybox-static"
  busybox_root "$work/bb"
  tar -C "$work/bb" -c . | docker import \
    -c 'CMD ["/bin/idle"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c "LABEL dev.labkeeper.stand-in=$BUSYBOX_REV" \
    -m "labkeeper local stand-in built from Debian busybox-static" - wbitt/network-multitool:3.22.2 >/dev/null
  docker tag wbitt/network-multitool:3.22.2 labkeeper.dev/busybox:test
fi

for ref in alpine:3 alpine:latest debian:bookworm-slim; do
  # Only where no such image exists (or an older stand-in): a real one that is there is kept.
  if ! docker image inspect "$ref" >/dev/null 2>&1 || \
     [ -n "$(docker image inspect -f '{{index .Config.Labels "dev.labkeeper.stand-in"}}' "$ref" 2>/dev/null)" ] || \
     [ "$(docker image inspect -f '{{.Comment}}' "$ref")" = "labkeeper local stand-in built from Debian busybox-static" ]; then
    docker tag labkeeper.dev/busybox:test "$ref"
  fi
done

if ! have quay.io/frrouting/frr:10.5.1; then
  command -v debootstrap >/dev/null || { echo "images: debootstrap is not installed" >&2; exit 1; }
  echo "images: building quay.io/frrouting/frr:10.5.1 from Debian's frr (debootstrap, about a minute)"
  mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  debootstrap --variant=minbase --include=frr,frr-pythontools,iproute2,iputils-ping,procps,tcpdump \
    bookworm "$work/frr" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
  install -m 0755 "$here/frr-entrypoint.sh" "$work/frr/usr/lib/frr/docker-start"
  rm -rf "$work/frr/var/cache/apt/archives/"*.deb "$work/frr/var/lib/apt/lists/"*
  tar -C "$work/frr" -c . | docker import \
    -c 'ENTRYPOINT ["/usr/lib/frr/docker-start"]' -c 'ENV PATH=/usr/lib/frr:/usr/sbin:/usr/bin:/sbin:/bin' \
    -m "labkeeper local stand-in built from Debian frr" - quay.io/frrouting/frr:10.5.1 >/dev/null
fi
echo "images: ready"
