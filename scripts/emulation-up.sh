#!/usr/bin/env bash
# Lets this x86_64 machine run arm64 images, as an ARM Mac's Docker VM runs x86_64 ones: mounts
# binfmt_misc when it is not, and enables Debian's qemu-user-static handler for aarch64 (its
# F flag keeps the interpreter usable inside containers). Tests that need it skip, with the
# reason, where the kernel cannot do this.
set -uo pipefail
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
    || { echo "emulation: cannot mount binfmt_misc; arm64 images will not run here" >&2; exit 0; }
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 \
    || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 \
    || { echo "emulation: cannot register qemu-aarch64 with binfmt_misc" >&2; exit 0; }
fi
echo "emulation: $(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null || echo unavailable) (qemu-aarch64)"
