#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the demo initramfs: walk a pool through its life with
# /sys/kernel/debug/smalloc_demo and say what happens, in plain words.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# From here on the kernel speaks through dmesg only, shown after each step
# and dumped whole at the end: its console lines would cut the demo's.
echo 0 > /sys/module/printk/parameters/ignore_loglevel
echo 1 > /proc/sys/kernel/printk

say() {
	echo "demo: $*"
}

# What the kernel said since the last call: smalloc's lines and any
# warning; the rest stays in the final dump.  dmesg is never cleared (the
# host checks all of it, dumped at the end): remember how many lines it
# had, and show the ones after.
seen=$(dmesg | wc -l)
kernel_said() {
	dmesg > /tmp/dmesg
	tail -n +$((seen + 1)) /tmp/dmesg |
		sed -n -e 's/^\[[^]]*\] //' \
		    -e 's/^smalloc_demo: /demo:     kernel: /p' \
		    -e 's/^\(smalloc: .*\)/demo:     kernel: \1/p' \
		    -e 's/^\(.*\(WARNING\|BUG\): .*\)/demo:     kernel: \1/p'
	seen=$(wc -l < /tmp/dmesg)
}

pools() {
	say "  /sys/kernel/debug/smalloc/pools:"
	sed 's/^/demo:     /' /sys/kernel/debug/smalloc/pools
}

step() {
	say ""
	say "$1"
	echo "$2" > /sys/kernel/debug/smalloc_demo || say "  ($2 failed)"
	kernel_said
}

say "smalloc: memory that can be sealed read-only after it is written."
say ""
say "Right after boot: the global pool was sealed for good when init ended."
say "During boot, the demo wrote a table there:"
dmesg | sed -n 's/^\(\[[^]]*\] \)\{0,1\}smalloc_demo: /demo:     kernel: /p'
pools
step "1. Create a pool and fill it with a table of rules." create
pools
step "2. Seal the pool: every page becomes read-only, through its vmalloc address, its only mapping." seal
pools
step "3. Try to change a rule while the pool is sealed." write
step "4. Unseal the pool: it is writable again, through its vmalloc address." unseal
step "5. Change the rule again: now it works." write
step "6. Destroy the pool: its pages go back to smalloc's blocks." destroy
pools
step "7. The table the demo wrote in the global pool during boot: intact, and read-only." global
say ""
say "done."

# The host checks the whole kernel log for warnings.
echo "=== dmesg ==="
dmesg
echo "=== end ==="
reboot -f
