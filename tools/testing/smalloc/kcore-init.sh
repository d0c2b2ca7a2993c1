#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the kcore boot: seal a pool (the demo's), then read every
# smalloc area of /proc/vmallocinfo through /proc/kcore, under a timeout.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# Real addresses in /proc/vmallocinfo: %pK hashes them with 0.
echo 1 > /proc/sys/kernel/kptr_restrict

echo create > /sys/kernel/debug/smalloc_demo
echo seal > /sys/kernel/debug/smalloc_demo
sed 's/^/kcore: pools: /' /sys/kernel/debug/smalloc/pools
timeout -s KILL 60 /bin/kcore-check > /tmp/out 2> /tmp/err
echo "kcore: exit $?"
sed 's/^/kcore: area: /' /tmp/out
sed 's/^/kcore: error: /' /tmp/err

echo "=== dmesg ==="
dmesg
echo "=== end ==="
reboot -f
