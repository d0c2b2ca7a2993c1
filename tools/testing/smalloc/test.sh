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
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: test.sh <kernel tree> <build dir> <series dir>}
build=${2:?}
series=${3:?}
results=$build/results.txt

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

mkdir -p "$build"
{
	echo "# tree and kernel"
	step tree "$here/tree.sh" "$src" &&
	step build "$here/kunit.sh" build "$src" "$build" || exit 0
	echo "# KUnit suites under QEMU"
	"$here/kunit.sh" run "$src" "$build"
	echo "# userspace: the demo, from a busybox initramfs"
	"$here/demo.sh" "$build" --check | grep -E '^(ok|not ok|skip) '
	echo "# userspace: LKDTM's run.sh, from a busybox initramfs"
	"$here/lkdtm.sh" "$src" "$build"
	echo "# the exported series"
	if [ -d "$src/.git" ] && git -C "$src" rev-parse -q --verify smalloc-base >/dev/null; then
		"$here/series.sh" "$src" "$series" | grep -E '^(ok|not ok|skip) '
	else
		echo "skip - series: $src is not a tree made by make tree"
	fi
} | tee "$results"

passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^not ok ' "$results")
skipped=$(grep -c '^skip ' "$results")
if [ "$skipped" -gt 0 ]; then
	echo "smalloc: $passed passed, $failed failed, $skipped skipped"
else
	echo "smalloc: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
