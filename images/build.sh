#!/usr/bin/env bash
# Builds, from Debian packages, local stand-ins for the public images the shipped labs name,
# tagged with the exact references those files use (no registry is reachable here):
#   quay.io/frrouting/frr:10.5.1      Debian bookworm's frr (8.4) in a minimal Debian root; the
#                                     entrypoint starts the daemons enabled in /etc/frr/daemons
#   wbitt/network-multitool:3.22.2    busybox-static (ping and the other applets), Debian's dash
#                                     as sh and iproute2's ip: a tcpdump-less multitool
#   labkeeper.dev/busybox:test        the same busybox root, used by the tests' small nodes
#   alpine:3, alpine:latest, debian:bookworm-slim
#                                     the same busybox root, for the shared smoke-test labs
#   nginx:stable-alpine               the same root serving /www with busybox httpd on port 80
#   labkeeper.dev/busybox-arm64:test  Debian's busybox-static:arm64, an arm64 image (emulation tests)
# The busybox root carries Debian's iproute2 `ip` (with its libraries) instead of busybox's
# applet, because the shared vxlan-stitch lab makes a VXLAN device that busybox's ip cannot
# configure, and an `apk` that knows only what the image carries: `apk add iproute2` succeeds
# (it is there), any other package fails as apk does for an unknown one.
# An image that already exists is kept unless --force is given.
set -euo pipefail
force=0; [ "${1:-}" = "--force" ] && force=1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/labkeeper-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

have() { [ "$force" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }
# The busybox stand-in's revision: a machine with an older build gets the new one.
BUSYBOX_REV=4
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
  # Debian's iproute2 ip and the libraries it loads; Debian's dash as sh and ash, because
  # busybox's own shell runs its applets ahead of PATH and so would never reach that ip.
  rm -f "$d/sbin/ip" "$d/bin/ip" "$d/bin/sh" "$d/bin/ash"
  cp "$(readlink -f /bin/ip)" "$d/sbin/ip"
  cp "$(readlink -f /bin/dash)" "$d/bin/dash"
  ln -s dash "$d/bin/sh"
  ln -s dash "$d/bin/ash"
  for lib in $( (ldd /bin/ip; ldd /bin/dash) | awk '/=>/ {print $3} /^\t\// {print $1}' | sort -u); do
    mkdir -p "$d/$(dirname "$lib")"
    cp -L "$lib" "$d/$lib"
  done
  mkdir -p "$d/etc/apk"
  printf '%s\n' busybox iproute2 >"$d/etc/apk/world"
  cat >"$d/sbin/apk" <<'APK'
#!/bin/sh
# labkeeper's stand-in for Alpine's apk: no package index is reachable here, so only the
# packages this image already carries (/etc/apk/world) can be "added"; others fail as apk does.
[ "$1" = add ] || { echo "apk (labkeeper stand-in): only 'apk add' of installed packages is supported" >&2; exit 1; }
shift
missing=
for p in "$@"; do
  case "$p" in -*) continue ;; esac
  grep -qx "$p" /etc/apk/world || missing="$missing $p"
done
[ -z "$missing" ] || { echo "ERROR: unable to select packages:$missing (not in this stand-in image)" >&2; exit 1; }
APK
  chmod 0755 "$d/sbin/apk"
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

if ! have_busybox nginx:stable-alpine; then
  echo "images: building nginx:stable-alpine (busybox httpd on port 80)"
  rm -rf "$work/bb" && busybox_root "$work/bb"
  mkdir -p "$work/bb/www"
  echo "labkeeper nginx stand-in" >"$work/bb/www/index.html"
  tar -C "$work/bb" -c . | docker import \
    -c 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "LABEL dev.labkeeper.stand-in=$BUSYBOX_REV" -c 'EXPOSE 80/tcp' \
    -m "labkeeper local stand-in built from Debian busybox-static" - nginx:stable-alpine >/dev/null
fi

# An arm64 image for the emulation tests: Debian's busybox-static for arm64, marked arm64 (v8)
# through `docker load` (docker import cannot mark another architecture). It runs here only
# under qemu-user-static.
if ! have labkeeper.dev/busybox-arm64:test; then
  echo "images: building labkeeper.dev/busybox-arm64:test from Debian's busybox-static:arm64"
  (cd "$work" && apt-get download busybox-static:arm64 >/dev/null 2>&1) \
    || { echo "images: cannot download busybox-static:arm64 (dpkg --add-architecture arm64; apt-get update)" >&2; exit 1; }
  dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/arm64deb"
  mkdir -p "$work/arm64"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev}
  cp "$work/arm64deb/bin/busybox" "$work/arm64/bin/busybox"
  for applet in $(busybox --list-full); do
    [ -e "$work/arm64/$applet" ] || ln -s /bin/busybox "$work/arm64/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$work/arm64/etc/passwd"
  printf '%s\n' '#!/bin/sh' 'trap "exit 0" TERM INT' 'while :; do sleep 3600 & wait $!; done' >"$work/arm64/bin/idle"
  chmod 0755 "$work/arm64/bin/idle"
  chmod 1777 "$work/arm64/tmp"
  /usr/bin/python3 "$here/image-archive.py" "$work/arm64" labkeeper.dev/busybox-arm64:test arm64 v8 | docker load >/dev/null
fi

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
