#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: lay the tree, build, then run every check.  Each check prints
# an "ok"/"not ok"/"skip" line; the last line sums them up as
# "smalloc: N passed, M failed".  Exits non-zero if anything failed or
# nothing ran; a tree or build that fails is a failed check, and the
# checks that need its kernel do not run.
#
#   test.sh <kernel tree> <build dir> <series dir>
#
# A skip is not a pass: a "skip" line counts, and is printed, as "not ok
# ... (skipped)".  Nor is silence: expected.txt (next to this script) lists
# the name of every check a run must report, and each one that reported
# nothing is a "not ok ... (missing)".  A new test goes in there too.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: test.sh <kernel tree> <build dir> <series dir>}
build=${2:?}
series=${3:?}
results=$build/results.txt
# shellcheck source=progress.sh
. "$here/progress.sh"

# step <name> <command...>: run a step, its output to <build dir>/<name>.log.
step() {
	local name=$1

	shift
	if "$@" > "$build/$name.log" 2>&1; then
		echo "ok - $name"
	else
		tail -n 30 "$build/$name.log" | sed 's/^/# /'
		echo "not ok - $name (log: $build/$name.log)"
		return 1
	fi
}

# The result lines of a script's output, each as soon as it comes.
results_of() {
	grep --line-buffered -E '^(ok|not ok|skip) '
}

# A skipped check failed: "skip - <name> (<why>)" becomes
# "not ok - <name> (skipped: <why>)".
skips_fail() {
	sed -u -E -e 's/^skip - ([^(]*[^ (]) \((.*)\)$/not ok - \1 (skipped: \2)/;t' \
	       -e 's/^skip - (.*)$/not ok - \1 (skipped)/'
}

# The names the result lines on stdin report, whatever their verdict: the
# text after "ok - " or "not ok - ", up to a " (" that gives details.
reported() {
	sed -n -E 's/^(ok|not ok) - //p' | sed 's/ (.*//'
}

# Each plant of plant.sh still applies to the tree: one that does not can
# no longer show that its check fails.
plants_apply() {
	local plant bad= n=0

	for plant in "$here"/plants/*.patch; do
		n=$((n + 1))
		git -C "$src" apply --check "$plant" 2>/dev/null ||
			bad="$bad $(basename "$plant" .patch)"
	done
	if [ -z "$bad" ]; then
		echo "ok - plants: every plant applies to the tree ($n)"
	else
		echo "not ok - plants: every plant applies to the tree (not:$bad)"
	fi
}

# Every KUnit case of the tree's suites is named in expected.txt, so that
# a case that vanishes is missed: smalloc's (but smalloc_test_kasan, which
# make check-kasan runs) and SELinux's selinux_policy_seal.
cases_listed() {
	local c bad= n=0

	for c in $(grep -ohE 'KUNIT_CASE(_SLOW)?\([a-z0-9_]+' \
			"$src/mm/smalloc/smalloc_kunit.c" \
			"$src/security/selinux/ss/policy_seal_test.c" | sed 's/.*(//'); do
		[ "$c" = smalloc_test_kasan ] && continue
		n=$((n + 1))
		grep -qE "[.:] ?$c\$" "$here/expected.txt" || bad="$bad $c"
	done
	if [ "$n" -gt 0 ] && [ -z "$bad" ]; then
		echo "ok - expected: every KUnit case is listed ($n)"
	else
		echo "not ok - expected: every KUnit case is listed (not:${bad:- none found})"
	fi
}

# A "not ok" line for every name in expected.txt no result line reported.
missing() {
	local names name

	names=$(reported < "$results")
	grep -v -e '^#' -e '^[[:space:]]*$' "$here/expected.txt" |
	while IFS= read -r name; do
		grep -Fxq -e "$name" <<< "$names" || echo "not ok - $name (missing)"
	done
}

mkdir -p "$build"
{
	# Progress lines (a line a minute from every build and boot) go to
	# this stream too, each as it happens.
	progress_init
	echo "# make test: a cold run on a fresh machine (extract the kernel,"
	echo "# build the test kernel and the pristine kernel for SELinux, about"
	echo "# 20 min each; boot each stage under TCG; compile the series for"
	echo "# arm64) takes about 50 min on 2 cores, a warm one about 16.  Every"
	echo "# step logs to $build/*.log; the result lines also go to"
	echo "# $results."
	echo "# tree and kernel"
	[ -e "$src" ] || say "laying the tree: extracting linux-source-6.12 into $src first (about 2 min)"
	step tree ticking "laying the tree" "last_line '$build/tree.log'" "$here/tree.sh" "$src" &&
	step build "$here/kunit.sh" build "$src" "$build" || exit 0
	echo "# KUnit suites under QEMU"
	"$here/kunit.sh" run "$src" "$build"
	echo "# KUnit, rodata=off: __ro_after_init stays writable, so nothing is sealed"
	"$here/rodata-off.sh" "$src" "$build"
	echo "# userspace: the demo, from a busybox initramfs"
	"$here/demo.sh" "$build" --check | results_of
	echo "# userspace: sealed pools read through /proc/kcore"
	"$here/kcore.sh" "$build"
	echo "# faults at every allocation point of the pool operations"
	"$here/faults.sh" "$build"
	echo "# userspace: LKDTM's run.sh, from a busybox initramfs"
	"$here/lkdtm.sh" "$src" "$build"
	echo "# SELinux: real policies in sealed pools, decisions against the pristine base"
	"$here/selinux.sh" "$src" "$build"
	echo "# harness self-check: each clean-log check fails on a planted warning"
	"$here/selfcheck.sh" "$src" "$build"
	plants_apply
	cases_listed
	echo "# arm64: what the series adds cross-compiles (make check-arm64 links it all)"
	"$here/check-arm64.sh" "$src" "${SMALLOC_ARM64_BUILD:-$build-arm64}" --quick
	echo "# the exported series"
	if [ -d "$src/.git" ] && git -C "$src" rev-parse -q --verify smalloc-base >/dev/null; then
		"$here/series.sh" "$src" "$series" | results_of
	else
		echo "skip - series: $src is not a tree made by make tree"
	fi
} | skips_fail | tee "$results"
absent=$(missing)
if [ -n "$absent" ]; then
	printf '# expected checks that reported nothing (expected.txt)\n%s\n' "$absent" |
		tee -a "$results"
fi

passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^not ok ' "$results")
echo "smalloc: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
