#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-debug: the stages of make test that boot our kernel, on a
# kernel with the debugging production kernels are tested with
# (debug.config): generic KASAN with KASAN_VMALLOC, kmemleak, lockdep and
# RCU checking, list and VM debugging, DEBUG_PAGEALLOC on, fault
# injection.  The KUnit suites (4 vCPUs, smalloc_stress for
# SMALLOC_DEBUG_STRESS seconds, 30 by default), the faults boot, LKDTM
# and the SELinux stage each fail on any KASAN, lockdep, RCU or other
# splat in their logs (LKDTM's tests oops on purpose: its whole log on any
# report no test makes), the faults boot and the SELinux reload boot also
# on anything kmemleak reports.  A boot of its own runs smalloc's KUnit
# suites again and scans with kmemleak after them.  (No kmemleak scan
# after LKDTM: the processes its tests kill leave what they held.)  The SELinux stage compares with the
# pristine kernel's answers of make test: the pristine kernel gets the
# test kernel's config, as in make test, since the debugging decides
# nothing.
#
#   test-debug.sh <kernel tree> <build dir> <make test's build dir>
#   test-debug.sh <kernel tree> <build dir> <make test's build dir> --plant <plant>...
#
# Every check that make test's expected.txt names for these stages must
# report; a skip fails.  The last line is "smalloc-debug: N passed, M
# failed".  The second form runs plant.sh's plants on the debug kernel.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: test-debug.sh <kernel tree> <build dir> <make test build dir> [--plant <plant>...]}
build=${2:?}
test_build=${3:?}
results=$build/results.txt
# The checks of expected.txt whose stages run here.
STAGES="kunit faults lkdtm selinux"
# TCG with KASAN and lockdep: everything takes several times longer.
export KUNIT_CONFIGS="$here/boot.config $here/selinux.config $here/debug.config"
export OBJECTS=1660 SMALLOC_BOOT_TIMEOUT=${SMALLOC_BOOT_TIMEOUT:-3600}
export SMALLOC_KUNIT_TIMEOUT=${SMALLOC_KUNIT_TIMEOUT:-3600}
export SMALLOC_SELINUX_BOOT_TIMEOUT=${SMALLOC_SELINUX_BOOT_TIMEOUT:-10800}
export SMALLOC_SELINUX_REFERENCE_BUILD=$test_build
# smalloc_stress with 4 vCPUs, each a host thread of its own (multi-threaded
# TCG), on the machine's 2 cores: a vCPU can be preempted on the host in
# the middle of a lookup.
stress_args="smalloc_kunit.stress_seconds=${SMALLOC_DEBUG_STRESS:-30}"

if [ "${4:-}" = --plant ]; then
	SMALLOC_SMP=4 SMALLOC_KUNIT_ARGS=$stress_args \
		exec "$here/plant.sh" "$src" "$build" "${@:5}"
fi

configured() {
	local sym missing=

	for sym in KASAN_GENERIC KASAN_VMALLOC DEBUG_KMEMLEAK PROVE_LOCKING \
		   PROVE_RCU DEBUG_LIST DEBUG_VM DEBUG_PAGEALLOC \
		   DEBUG_PAGEALLOC_ENABLE_DEFAULT FAILSLAB FAIL_PAGE_ALLOC \
		   FAIL_SMALLOC SMALLOC_KUNIT_TEST SECURITY_SELINUX LKDTM; do
		grep -q "^CONFIG_$sym=y" "$build/.config" || missing="$missing $sym"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; return 1; }
}

# shellcheck source=logcheck.sh
. "$here/logcheck.sh"
# shellcheck source=progress.sh
. "$here/progress.sh"

# leak_boot: smalloc's KUnit suites again, in a busybox boot that scans
# with kmemleak after them.
leak_boot() {
	local log=$build/leakscan.log n

	SMALLOC_CMDLINE_EXTRA="kunit.enable=1 kunit.filter_glob=smalloc* $stress_args" \
		"$here/boot.sh" "$build" "$here/leakscan-init.sh" "$log"
	n=$(sed -n 's/^leakscan: kmemleak \([0-9]*\)$/\1/p' "$log" | tr -d '\r')
	# The suites ran to their ends (each prints its verdict line; the
	# KUnit stage judges the verdicts).
	if [ "$n" = 0 ] && grep -qE '^(not )?ok [0-9]+ smalloc$' "$log" &&
	   grep -qE '^(not )?ok [0-9]+ smalloc_stress$' "$log"; then
		echo "ok - debug: kmemleak finds nothing after smalloc's KUnit suites"
	else
		grep '^leakscan: report ' "$log" | head -n 20 | sed 's/^/# /'
		echo "not ok - debug: kmemleak finds nothing after smalloc's KUnit suites (${n:-no scan}, log: $log)"
	fi
	if grep -q '^=== end ===' "$log" && ! has_splat < "$log"; then
		echo "ok - debug: the leak boot's log has no warning or splat"
	else
		echo "not ok - debug: the leak boot's log has no warning or splat (log: $log)"
	fi
}

mkdir -p "$build"
{
	# A line a minute from the builds and boots, into this stream.
	progress_init
	if ! "$here/kunit.sh" build "$src" "$build" > "$build/build.out" 2>&1; then
		tail -n 20 "$build/build.out" | sed 's/^/# /'
		echo "not ok - debug: the debug kernel builds (log: $build/build.out)"
	else
		echo "ok - debug: the debug kernel builds"
		name="debug: configured with KASAN, kmemleak, lockdep, RCU, list, VM and page-alloc debugging, and fault injection"
		if why=$(configured); then
			echo "ok - $name"
		else
			echo "not ok - $name ($why)"
		fi
		echo "# KUnit suites, 4 vCPUs, smalloc_stress for ${SMALLOC_DEBUG_STRESS:-30} s"
		SMALLOC_SMP=4 SMALLOC_KUNIT_ARGS=$stress_args \
			"$here/kunit.sh" run "$src" "$build"
		echo "# faults at every allocation point of the pool operations"
		"$here/faults.sh" "$build"
		echo "# kmemleak after smalloc's KUnit suites"
		leak_boot
		echo "# LKDTM"
		"$here/lkdtm.sh" "$src" "$build"
		lkdtm_whole_log_checks debug "$build/lkdtm.log" \
			"sanitizer, lockdep, RCU or list report"
		echo "# SELinux"
		"$here/selinux.sh" "$src" "$build"
	fi
} 2>&1 | grep --line-buffered -E '^(ok|not ok|skip) |^# ' |
	sed -u -E -e 's/^skip - ([^(]*[^ (]) \((.*)\)$/not ok - \1 (skipped: \2)/;t' \
		  -e 's/^skip - (.*)$/not ok - \1 (skipped)/' | tee "$results"

# Silence is no pass: each check of these stages in expected.txt reported.
names=$(sed -n -E 's/^(ok|not ok) - //p' "$results" | sed 's/ (.*//')
{
	for stage in $STAGES; do
		grep "^$stage: " "$here/expected.txt"
	done
	# The checks of this target's own, and KASAN's case, built here.
	echo "kunit: smalloc.smalloc_test_kasan"
	echo "debug: kmemleak finds nothing after smalloc's KUnit suites"
	echo "debug: the leak boot's log has no warning or splat"
	echo "debug: LKDTM's whole log has no sanitizer, lockdep, RCU or list report"
	echo "debug: LKDTM's whole-log check rejects the log with a KASAN report added"
} | while IFS= read -r name; do
	grep -Fxq -e "$name" <<< "$names" || echo "not ok - $name (missing)"
done | tee -a "$results"

results_summary "$results" smalloc-debug
