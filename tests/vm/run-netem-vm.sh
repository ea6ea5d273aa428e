#!/bin/bash
# Boots a small VM (qemu-system-x86_64, TCG) with Debian's cloud kernel, whose netem and veth
# are modules, and runs labkeeper's netem check in it (tests/vm/netem_check.cc, built static as
# lk-netem-check): the effect of an impairment on a real kernel that has netem (#20,
# docs/impairments.md). Prints the VM's console; exit 0 when every check held.
# Usage: tests/vm/run-netem-vm.sh CHECK_BINARY WORKDIR
#   The kernel package is taken from /var/cache/labkeeper/kernel (scripts/install-deps.sh puts it
#   there), else downloaded with apt-get into WORKDIR. Busybox is Debian's busybox-static.
set -euo pipefail
check=$1
work=$2
mkdir -p "$work"
cache=/var/cache/labkeeper/kernel
deb=$(ls "$cache"/linux-image-6*-cloud-amd64_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-6/{print $2; exit}')
  (cd "$work" && apt-get download -q "$pkg" >/dev/null)
  deb=$(ls "$work"/linux-image-6*-cloud-amd64_*.deb | head -1)
fi
rm -rf "$work/kernel" "$work/initrd"
dpkg -x "$deb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -1)
mods=$(ls -d "$work"/kernel/lib/modules/*/kernel)

# The initramfs: busybox for the shell, the two modules (loaded by path: the package has no
# modules.dep for modprobe), the check.
root="$work/initrd"
mkdir -p "$root"/{bin,lib/modules,proc,sys,run,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$mods/drivers/net/veth.ko" "$mods/net/sched/sch_netem.ko" "$root/lib/modules/"
cp "$check" "$root/lk-netem-check"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t tmpfs run /run
$bb mount -t devtmpfs dev /dev 2>/dev/null
$bb insmod /lib/modules/veth.ko && echo "insmod veth: ok"
$bb insmod /lib/modules/sch_netem.ko && echo "insmod sch_netem: ok"
$bb ip link set lo up
/lk-netem-check
echo "netem-vm: exit $?"
$bb poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

# TCG (no KVM here): about 10 s of emulation, bounded generously on a shared machine.
timeout 600 qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot -nic none \
  -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 panic=-1 loglevel=3 rdinit=/init" </dev/null | tee "$work/console.log" | tr -d '\r'
grep -q "^netem-vm: every check held" <(tr -d '\r' < "$work/console.log")
