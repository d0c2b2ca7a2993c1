#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of make test-debug's leak boot: smalloc's KUnit suites ran before
# init (kunit.filter_glob on the command line).  Scan with kmemleak twice,
# as its documentation recommends (it ignores objects younger than 5 s),
# and print what it found.  A kmemleak that turned itself off refuses to
# scan: that is said, not counted as nothing found.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
F=/sys/kernel/debug
sleep 5
if echo scan > $F/kmemleak && echo scan > $F/kmemleak; then
	cat $F/kmemleak > /tmp/kmemleak
	echo "leakscan: kmemleak $(grep -c '^unreferenced object' /tmp/kmemleak)"
	head -n 60 /tmp/kmemleak | sed 's/^/leakscan: report /'
else
	echo "leakscan: kmemleak disabled"
fi
echo "=== end ==="
reboot -f
