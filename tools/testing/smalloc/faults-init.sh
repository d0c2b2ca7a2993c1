#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the faults boot.  At boot, smalloc's KUnit suite smalloc_faults
# ran with the fault attributes' defaults; run it again through debugfs
# with failslab and fail_page_alloc open to every allocation, count what
# each attribute failed, and scan with kmemleak.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
F=/sys/kernel/debug
K=$F/kunit/smalloc_faults
TIMES=100000000

if [ -e $K/run ]; then
	sed 's/^/faults: boot /' $K/results
	echo N > $F/failslab/cache-filter
	echo N > $F/failslab/ignore-gfp-wait
	echo N > $F/fail_page_alloc/ignore-gfp-wait
	echo N > $F/fail_page_alloc/ignore-gfp-highmem
	echo 0 > $F/fail_page_alloc/min-order
	for a in failslab fail_page_alloc fail_smalloc; do
		echo 0 > $F/$a/verbose
		# Each failure takes one: what went, each attribute failed.
		echo $TIMES > $F/$a/times
	done
	echo 1 > $K/run
	sed 's/^/faults: open /' $K/results
	for a in failslab fail_page_alloc fail_smalloc; do
		echo "faults: failed $a $((TIMES - $(cat $F/$a/times)))"
		echo 0 > $F/$a/times
	done
else
	echo "faults: no suite"
fi

# Scan twice, as kmemleak's documentation recommends; it ignores objects
# younger than 5 s.  A kmemleak that turned itself off refuses to scan.
sleep 5
if echo scan > $F/kmemleak && echo scan > $F/kmemleak; then
	cat $F/kmemleak > /tmp/kmemleak
	echo "faults: kmemleak $(grep -c '^unreferenced object' /tmp/kmemleak)"
	head -n 60 /tmp/kmemleak | sed 's/^/faults: kmemleak-report /'
else
	echo "faults: kmemleak disabled"
fi

echo "=== dmesg ==="
dmesg
echo "=== end ==="
reboot -f
