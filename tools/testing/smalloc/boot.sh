#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the built kernel under QEMU with a busybox initramfs.
#
#   boot.sh <build dir> <init script> <console log> [<extra root>]
#
# The files under <extra root>, if given, are added to the initramfs.
# The init script becomes /init; it must end with 'reboot -f'.  QEMU runs
# under TCG with 2 vCPUs; SMALLOC_KVM=1 uses KVM if a probe boot shows it
# works on this machine.  SMALLOC_CMDLINE_EXTRA is appended to the kernel
# command line (the self-check plants a warning with it).  SMALLOC_ARCH=arm64
# boots an arm64 kernel (qemu.sh), with SMALLOC_BUSYBOX as busybox.
#
# The console log must hold every kernel line, as the checks that call a
# boot clean read it: no 'quiet', and ignore_loglevel.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: boot.sh <build dir> <init script> <console log>}
init=${2:?}
log=${3:?}
extra=${4:-}
name=$(basename "$init" .sh)
# SMALLOC_BOOT_TAG: a boot run beside another of the same init script
# builds its initramfs apart.
root=$build/initramfs-$name${SMALLOC_BOOT_TAG:+-$SMALLOC_BOOT_TAG}

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
[ -z "$extra" ] || cp -a "$extra"/. "$root"/
cp "${SMALLOC_BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$root.cpio"

# shellcheck source=qemu.sh
. "$here/qemu.sh"
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init

# The console goes to the log line by line, so that the progress line can
# say what the guest printed last.
qemu() {
	# shellcheck disable=SC2046 # smalloc_qemu prints a list of arguments
	timeout "${SMALLOC_BOOT_TIMEOUT:-300}" \
		$(smalloc_qemu "$build") -initrd "$root.cpio" \
		-append "console=$(smalloc_console) ignore_loglevel kunit.enable=0 panic=-1${SMALLOC_CMDLINE_EXTRA:+ $SMALLOC_CMDLINE_EXTRA}" \
		2>&1 | stdbuf -oL tr -d '\r' > "$log" || true
}
say "booting $(basename "$build")'s kernel with $name under QEMU (TCG, 2 vCPUs, ${SMALLOC_ARCH:-x86_64}), console to $log"
ticking "boot ($name)" "last_line '$log'" qemu
