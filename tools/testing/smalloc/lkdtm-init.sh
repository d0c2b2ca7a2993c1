#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the LKDTM initramfs: run the kernel's own
# tools/testing/selftests/lkdtm/run.sh for each test in /lkdtm/list, and
# report each exit code (0 pass, 4 skip, other fail) for the host.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# A policy for SELinux's tests, in one write(), as selinuxfs wants it.
if [ -f /lkdtm/selinux.pol ]; then
	mount -t selinuxfs selinuxfs /sys/fs/selinux
	dd if=/lkdtm/selinux.pol of=/sys/fs/selinux/load bs=8M 2> /dev/null &&
		echo "lkdtm-selinux: policy loaded"
fi

# selinux_state <when>: whether SELinux enforces, and the policy in force,
# which SELinux's tests try to change.
selinux_state() {
	[ -e /sys/fs/selinux/enforce ] || return 0
	echo "lkdtm-selinux: $1 enforce $(cat /sys/fs/selinux/enforce)" \
		"policy $(sha256sum < /sys/fs/selinux/policy | cut -d' ' -f1)"
}
selinux_state before

cd /lkdtm || exit 1
for t in $(cat list); do
	echo "lkdtm-begin: $t"
	./"$t".sh > /tmp/out 2>&1
	rc=$?
	sed 's/^/lkdtm-out: /' /tmp/out
	echo "lkdtm-result: $t $rc"
done
selinux_state after
echo "lkdtm-done"
reboot -f
