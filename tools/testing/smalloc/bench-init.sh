#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the benchmark initramfs (bench.sh).  Every line for the host
# starts with "bench: ".
#
# With /selinux/ref.pol (and selinux.sh's questions, booleans and query
# tool): SELinux's costs.  The reference policy's first load, once; then
# ROUNDS times each: a reload of it, a boolean commit, the access
# questions with the AVC cold after that commit, and a setenforce (the
# mean of 20 changes, each of which flushes the AVC).
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
ROUNDS=9

directmap() {
	awk -v at="$1" '/^DirectMap/ { sub(":", "", $1); print "bench: directmap," at " " $1 "," $2 ",,,kB" }' /proc/meminfo
}

# row <case> <unit> "<value>...": the median, min and max of the values.
row() {
	echo "$3" | tr ' ' '\n' | grep . | sort -n | awk -v name="$1" -v unit="$2" \
		'{ v[NR] = $1 } END { printf "bench: selinux,%s,%s,%s,%s,%s\n", name, v[int((NR + 1) / 2)], v[1], v[NR], unit }'
}

# counter <file>: a smalloc debugfs counter, or nothing without smalloc.
counter() {
	cat "$D/$1" 2> /dev/null
}

if [ -f $S/ref.pol ]; then
	mount -t selinuxfs selinuxfs /sys/fs/selinux
	bool=$(head -n 1 $S/bools | cut -d' ' -f1)
	first='' load='' commit='' access='' enforce='' flushes='' changes=''
	for i in $(seq 0 $ROUNDS); do
		f0=$(counter tlb_flushes) c0=$(counter permission_changes)
		t=$($S/query -l $S/ref.pol) || echo "bench: # load failed: $t"
		t=$(echo "$t" | awk '{ printf "%.1f", $2 * 1000 }')
		f1=$(counter tlb_flushes) c1=$(counter permission_changes)
		# The first load has no policy to replace: a row of its own.
		if [ "$i" = 0 ]; then
			first=$t
			continue
		fi
		load="$load $t"
		[ -z "$f0" ] || { flushes="$flushes $((f1 - f0))"; changes="$changes $((c1 - c0))"; }
		v=$(cut -d' ' -f1 < "/sys/fs/selinux/booleans/$bool")
		echo $((1 - v)) > "/sys/fs/selinux/booleans/$bool"
		t=$($S/query -w /sys/fs/selinux/commit_pending_bools 1)
		commit="$commit $(echo "$t" | awk '{ printf "%.2f", $2 * 1000 }')"
		$S/query -a < $S/ref.triples > /dev/null 2> /tmp/t
		access="$access $(awk '/access/ { sub(",", "", $6); printf "%.1f", $6 * 1000 }' /tmp/t)"
		t=$($S/query -e 20) || echo "bench: # setenforce failed: $t"
		enforce="$enforce $(echo "$t" | awk '{ print $4 }')"
	done
	row "reference policy first load (one)" ms "$first"
	row "reference policy reload" ms "$load"
	[ -z "$flushes" ] || row "TLB flushes per reload" flushes "$flushes"
	[ -z "$changes" ] || row "node permission changes per reload" changes "$changes"
	row "boolean commit" ms "$commit"
	row "$(wc -l < $S/ref.triples) access queries cold AVC" ms "$access"
	row "setenforce" us "$enforce"
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
