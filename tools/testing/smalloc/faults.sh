#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults at every allocation point of smalloc's pool operations: create,
# alloc (a new node), seal, unseal, seal_final, write-rare and destroy.
# smalloc's KUnit suite smalloc_faults (mm/smalloc/smalloc_kunit.c) runs
# each of them once per point, with that point failed, and checks the
# pool after each: refused cleanly and as it was, or done, and usable.
# The KUnit stage runs it with the fault attributes' defaults; this boot
# runs it again with failslab and fail_page_alloc open to every
# allocation (faults-init.sh), where it must count more points than with
# the defaults, each attribute must have failed some, and kmemleak must
# find nothing after it.
#
#   faults.sh <build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: faults.sh <build dir>}
log=$build/faults.log
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

# The cases of the suite, as smalloc_faults_cases[] lists them.
CASES="count_grows create alloc seal unseal seal_final wr destroy"
# Operations that allocate with reclaim, which only the open run counts.
OPEN_MORE="create alloc seal"
# Operations with points in the open run, and those that can be refused.
POINTS="create alloc seal unseal seal_final destroy"
REFUSED="create alloc seal unseal seal_final"

SMALLOC_BOOT_TIMEOUT=${SMALLOC_BOOT_TIMEOUT:-600} \
SMALLOC_CMDLINE_EXTRA="kunit.enable=1 kunit.filter_glob=smalloc_faults" \
	"$here/boot.sh" "$build" "$here/faults-init.sh" "$log"

# result <name> <status> [<details>]
result() {
	if [ "$2" = 0 ]; then
		echo "ok - faults: $1${3:+ ($3)}"
	else
		echo "not ok - faults: $1 (${3:+$3, }see $log)"
	fi
}

# verdicts <run>: "<case> ok|not-ok|skip" for each case <run> reported.
verdicts() {
	sed -n "s/^faults: $1 *//p" "$log" |
		sed -n -E 's/^(not )?ok [0-9]+ smalloc_faults_([a-z_]+)( # SKIP.*)?$/\2 \1ok\3/p' |
		sed -E 's/ not ok.*/ not-ok/; s/ ok # SKIP.*/ skip/'
}

# points <run> <op>: the count of points <run> printed for <op>.
points() {
	sed -n "s/^faults: $1 .*smalloc_faults $2: \([0-9]*\) points.*/\1/p" "$log" | head -n 1
}

# all_passed <run>: every case of CASES reported by <run>, and passed.
all_passed() {
	local v c bad=

	v=$(verdicts "$1")
	for c in $CASES; do
		grep -qx "$c ok" <<< "$v" || bad="$bad $c:$(grep "^$c " <<< "$v" | cut -d' ' -f2)"
	done
	[ -z "$bad" ] || { echo "not passed:$bad"; return 1; }
	echo "$(grep -c . <<< "$v") cases passed; $(shorts "$1")"
}

# shorts <run>: the points within an operation's count that no run of
# <run> reached in 3 tries (another run made fewer allocations: a slab
# that needed a page in the counting run only), which were not tested.
shorts() {
	sed -n "s/^faults: $1 .*smalloc_faults \([a-z_]*\): .*; \([0-9]*\) short of their point$/\1 \2/p" "$log" |
		awk '{ n += $2; if ($2) s = s " " $1 " " $2 } END { printf "counted points no run reached: %d%s\n", n, s ? " (" substr(s, 2) ")" : "" }'
}

# open_counts_more: with every allocation open, each of OPEN_MORE counts
# more points than with the defaults.
open_counts_more() {
	local op b o out= bad=0

	for op in $OPEN_MORE; do
		b=$(points boot "$op")
		o=$(points open "$op")
		out="$out $op $b/$o"
		[ -n "$b" ] && [ -n "$o" ] && [ "$o" -gt "$b" ] || bad=1
	done
	echo "points with defaults/open:$out"
	[ "$bad" = 0 ]
}

# refused <run> <op>: how many of <op>'s runs <run> printed as refused.
refused() {
	sed -n "s/^faults: $1 .*smalloc_faults $2: [0-9]* points, .*: \([0-9]*\) refused,.*/\1/p" "$log" | head -n 1
}

# open_points_refused: in the open run, each of POINTS has points, and
# each of REFUSED was refused at some of them: a kernel that absorbed
# every failure would pass "every case passed" on its own.
open_points_refused() {
	local op n out= bad=0

	for op in $POINTS; do
		n=$(points open "$op")
		out="$out $op ${n:-none}"
		[ -n "$n" ] && [ "$n" -gt 0 ] || bad=1
		case " $REFUSED " in *" $op "*)
			n=$(refused open "$op")
			out="$out/${n:-none}"
			[ -n "$n" ] && [ "$n" -gt 0 ] || bad=1 ;;
		esac
	done
	echo "points/refused:$out"
	[ "$bad" = 0 ]
}

# each_attr_failed: failslab, fail_page_alloc and fail_smalloc each
# failed allocations in the open run.
each_attr_failed() {
	local a n out= bad=0

	for a in failslab fail_page_alloc fail_smalloc; do
		n=$(sed -n "s/^faults: failed $a \([0-9]*\)$/\1/p" "$log")
		out="$out $a ${n:-none}"
		[ -n "$n" ] && [ "$n" -gt 0 ] || bad=1
	done
	echo "failures:$out"
	[ "$bad" = 0 ]
}

out=$(all_passed boot)
result "smalloc_faults with the fault attributes' defaults: every case passed" $? "$out"
out=$(all_passed open)
result "smalloc_faults with slab and page allocations open: every case passed" $? "$out"
out=$(open_points_refused)
result "open, every operation but write-rare has points, and those that can be refused were" $? "$out"
out=$(open_counts_more)
result "open, create, alloc and seal count more points than with the defaults" $? "$out"
out=$(each_attr_failed)
result "slab, page and smalloc allocations each failed" $? "$out"
n=$(sed -n 's/^faults: kmemleak \([0-9]*\)$/\1/p' "$log")
[ "$n" = 0 ]
result "kmemleak finds nothing after the faults" $? "${n:-no scan} unreferenced"
demo_log_clean "$log"
result "log has no warning, BUG or lockdep report" $?
for op in $CASES; do
	sed -n "s/^faults: open .*\(smalloc_faults $op: .*\)/# \1/p" "$log" | head -n 1
done
