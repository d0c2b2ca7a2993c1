#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the benchmark initramfs (bench.sh).  Every line for the host
# starts with "bench: ".
#
# With /selinux/ref.pol (and selinux.sh's questions, booleans and query
# tool): one sample of each of SELinux's costs, in this order: the
# reference policy's first load; a reload of it; a boolean commit; the
# access questions with the AVC cold after that commit; a setenforce
# (the mean of 20 changes, each of which flushes the AVC); and a reload
# after the questions, which converts the SID of every context they
# named (some 13,000).  bench.sh boots each kernel several times and
# takes the medians across boots.
#
# Otherwise: seal a pool of 16 MiB and destroy it, with /proc/meminfo's
# DirectMap lines before, between and after; then run the smalloc
# benchmark.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
B=/sys/kernel/debug/smalloc_bench
D=/sys/kernel/debug/smalloc
S=/selinux

directmap() {
	awk -v at="$1" '/^DirectMap/ { sub(":", "", $1); print "bench: directmap," at " " $1 "," $2 ",,,kB" }' /proc/meminfo
}

# sample <case> <unit> <value>
sample() {
	echo "bench: selinux,$1,$3,$2"
}

# counter <file>: a smalloc debugfs counter, or nothing without smalloc.
counter() {
	cat "$D/$1" 2> /dev/null
}

# settle: an idle second before a case, so that the work the one before
# left to kernel threads does not run during it.  The cases that replace
# a policy wait themselves for its free (FREED below), which SELinux with
# smalloc does from an RCU work item and the pristine kernel within the
# write.  On the instruction counter (bench.sh) it costs no host time.
settle() {
	sleep 1
}

# A load or commit that replaces a policy: -F makes the query tool wait,
# once the write returns, until smalloc's pools list is no longer than
# before it, that is, until SELinux with smalloc has freed the outgoing
# policy from its RCU work item.  The pristine kernel frees it within the
# write (and has no such list).  Nothing for the first load, which frees
# nothing.
FREED="-F $D/pools"

# freed <case> <query output>: a sample of the time until the outgoing
# policy was freed, and of the polls that waited for it.
freed() {
	sample "$1 until the outgoing policy is freed" ms \
		"$(echo "$2" | awk '{ printf "%.1f", ($3 == "" ? $2 : $3) * 1000 }')"
	echo "$2" | awk -v c="$1" '$4 != "" { print "bench: # " c ": " $4 " polls of the pools list" }'
}

# load <case> [<replaces>]: load the reference policy, a sample of its
# time and, with smalloc, of the TLB flushes and node permission changes
# it made; with <replaces>, also of the time until the policy it
# replaced was freed.
load() {
	f0=$(counter tlb_flushes) c0=$(counter permission_changes)
	lt=$($S/query ${2:+$FREED} -l $S/ref.pol) || echo "bench: # load failed: $lt"
	sample "$1" ms "$(echo "$lt" | awk '{ printf "%.1f", $2 * 1000 }')"
	[ -z "$2" ] || freed "$1" "$lt"
	[ -z "$f0" ] && return
	sample "TLB flushes in $1" flushes $(($(counter tlb_flushes) - f0))
	sample "node permission changes in $1" changes $(($(counter permission_changes) - c0))
}

if [ -f $S/ref.pol ]; then
	mount -t selinuxfs selinuxfs /sys/fs/selinux
	bool=$(head -n 1 $S/bools | cut -d' ' -f1)
	settle
	load "reference policy first load"
	settle
	load "reference policy reload" replaces
	settle
	v=$(cut -d' ' -f1 < "/sys/fs/selinux/booleans/$bool")
	echo $((1 - v)) > "/sys/fs/selinux/booleans/$bool"
	t=$($S/query $FREED -w /sys/fs/selinux/commit_pending_bools 1) ||
		echo "bench: # commit failed: $t"
	sample "boolean commit" ms "$(echo "$t" | awk '{ printf "%.2f", $2 * 1000 }')"
	freed "boolean commit" "$t"
	settle
	$S/query -a < $S/ref.triples > /dev/null 2> /tmp/t
	sample "$(wc -l < $S/ref.triples) access queries cold AVC" ms \
		"$(awk '/access/ { sub(",", "", $6); printf "%.1f", $6 * 1000 }' /tmp/t)"
	settle
	t=$($S/query -e 20) || echo "bench: # setenforce failed: $t"
	sample "setenforce" us "$(echo "$t" | awk '{ print $4 }')"
	settle
	load "reference policy reload after the queries" replaces
else
	# First, before anything else splits the direct map.
	directmap before
	echo 16 > $B/hold && echo "bench: # a sealed pool of 16 MiB: $(cat $B/hold)"
	directmap sealed
	echo 0 > $B/hold
	directmap destroyed
	dd if=$B/run bs=65536 count=1 2> /dev/null | sed 's/^/bench: /'
fi
echo "bench: # end"
reboot -f
