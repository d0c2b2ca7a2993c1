#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smalloc's KUnit suite under generic KASAN with KASAN_VMALLOC: every case
# passes with KASAN watching, the log stays clean (a KASAN report is a
# "BUG:"), and smalloc_test_kasan, built only there, checks what KASAN
# sees of a pool's objects.
#
#   check-kasan.sh <kernel tree> <build dir>
#
# Not part of make test: a kernel of its own (mm/smalloc/.kunitconfig and
# kasan.config), about 6 minutes cold on 2 cores.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: check-kasan.sh <kernel tree> <build dir>}
build=${2:?}
export KUNIT_CONFIGS=$here/kasan.config SUITES=smalloc OBJECTS=900

mkdir -p "$build"
if ! "$here/kunit.sh" build "$src" "$build" > "$build/build.out" 2>&1; then
	tail -n 20 "$build/build.out" | sed 's/^/# /'
	echo "not ok - kasan: the KASAN kernel builds (log: $build/build.out)"
	echo "smalloc-kasan: 0 passed, 1 failed"
	exit 1
fi
{
	echo "ok - kasan: the KASAN kernel builds"
	if grep -q '^CONFIG_KASAN_VMALLOC=y' "$build/.config"; then
		echo "ok - kasan: configured with generic KASAN and KASAN_VMALLOC"
	else
		echo "not ok - kasan: configured with generic KASAN and KASAN_VMALLOC"
	fi
	"$here/kunit.sh" run "$src" "$build" | sed 's/ - kunit: / - kasan: /'
} > "$build/kasan.tap"
cat "$build/kasan.tap"
grep -qx 'ok - kasan: smalloc.smalloc_test_kasan' "$build/kasan.tap" ||
	echo "not ok - kasan: smalloc_test_kasan ran and passed" | tee -a "$build/kasan.tap"
pass=$(grep -c '^ok ' "$build/kasan.tap")
fail=$(grep -c -E '^(not ok|skip) ' "$build/kasan.tap")
echo "smalloc-kasan: $pass passed, $fail failed"
[ "$fail" = 0 ]
