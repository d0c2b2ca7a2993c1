#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smalloc's KUnit suite under generic KASAN with KASAN_VMALLOC: every case
# passes with KASAN watching, the log stays clean (a KASAN report is a
# "BUG:"), and smalloc_test_kasan, built only there, checks what KASAN
# sees of a pool's objects.  Then a second boot of the same kernel runs
# KASAN's own case for smalloc, kasan.smalloc_oob, which reads out of pool
# objects on purpose: KASAN must report each read (the case checks that),
# and the log may hold those reports and nothing else.  A report taints
# the kernel, which turns lockdep off: hence the boot of its own.
#
#   check-kasan.sh <kernel tree> <build dir>
#
# Not part of make test: a kernel of its own (mm/smalloc/.kunitconfig and
# kasan.config), about 17 minutes cold on 2 cores, and two boots.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: check-kasan.sh <kernel tree> <build dir>}
build=${2:?}
export KUNIT_CONFIGS=$here/kasan.config SUITES=smalloc OBJECTS=900
export KUNIT_FILTER='module!=selinux,module!=kasan_test'
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"
# The reports kasan.smalloc_oob provokes (mm/kasan/kasan_test_c.c).
REPORTS=4

mkdir -p "$build"
if ! "$here/kunit.sh" build "$src" "$build" > "$build/build.out" 2>&1; then
	tail -n 20 "$build/build.out" | sed 's/^/# /'
	echo "not ok - kasan: the KASAN kernel builds (log: $build/build.out)"
	echo "smalloc-kasan: 0 passed, 1 failed"
	exit 1
fi
{
	echo "ok - kasan: the KASAN kernel builds"
	if grep -q '^CONFIG_KASAN_GENERIC=y' "$build/.config" &&
	   grep -q '^CONFIG_KASAN_VMALLOC=y' "$build/.config" &&
	   grep -q '^CONFIG_KASAN_KUNIT_TEST=y' "$build/.config"; then
		echo "ok - kasan: configured with generic KASAN, KASAN_VMALLOC and KASAN's KUnit suite"
	else
		echo "not ok - kasan: configured with generic KASAN, KASAN_VMALLOC and KASAN's KUnit suite"
	fi
	"$here/kunit.sh" run "$src" "$build" | sed 's/ - kunit: / - kasan: /'
	"$here/kunit.sh" exec "$src" "$build" kasan-report kasan.smalloc_oob
	python3 "$here/kunit_results.py" "$build/kasan-report.json" kasan |
		sed 's/ - kunit: / - kasan: /'
	if kasan_report_log_clean "$build/kasan-report.log" "$REPORTS"; then
		echo "ok - kasan: $REPORTS reports, each whole, and no other splat"
	else
		echo "not ok - kasan: $REPORTS reports, each whole, and no other splat (see $build/kasan-report.log)"
	fi
} > "$build/kasan.tap"
cat "$build/kasan.tap"
for c in smalloc.smalloc_test_kasan kasan.smalloc_oob; do
	grep -qx "ok - kasan: $c" "$build/kasan.tap" ||
		echo "not ok - kasan: $c ran and passed" | tee -a "$build/kasan.tap"
done
pass=$(grep -c '^ok ' "$build/kasan.tap")
fail=$(grep -c -E '^(not ok|skip) ' "$build/kasan.tap")
echo "smalloc-kasan: $pass passed, $fail failed"
[ "$fail" = 0 ]
