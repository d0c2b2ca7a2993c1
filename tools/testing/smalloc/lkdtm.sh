#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace stage: boot the test kernel with a busybox initramfs that
# runs the kernel's own LKDTM selftest (tools/testing/selftests/lkdtm/
# run.sh) for smalloc's tests and for the existing usercopy and read-only
# tests.  run.sh passes a crash test only if the dmesg lines the test
# produced show the fault tests.txt expects for it.  Prints one
# "ok"/"not ok"/"skip" line per test.
#
#   lkdtm.sh <kernel tree> <build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: lkdtm.sh <kernel tree> <build dir>}
build=${2:?}
selftest=$src/tools/testing/selftests/lkdtm
stage=$build/lkdtm-root
log=$build/lkdtm.log

# Ours, then the existing ones that smalloc's usercopy hook must not break.
TESTS=${LKDTM_TESTS:-"$(grep -o -E '^#?(SMALLOC_|USERCOPY_|WRITE_RO)[A-Z_]*' "$selftest/tests.txt" | tr -d '#')"}

rm -rf "$stage"
mkdir -p "$stage/lkdtm" "$stage/usr/bin"
cp "$selftest/tests.txt" "$stage/lkdtm/"
for t in $TESTS; do
	install -m 0755 "$selftest/run.sh" "$stage/lkdtm/$t.sh"
	echo "$t" >> "$stage/lkdtm/list"
done
# run.sh needs comm(1), which busybox lacks: take coreutils' and its libs.
cp /usr/bin/comm "$stage/usr/bin/"
for lib in $(ldd /usr/bin/comm | grep -o '/[^ ]*'); do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

"$here/boot.sh" "$build" "$here/lkdtm-init.sh" "$log" "$stage"

for t in $TESTS; do
	rc=$(sed -n "s/^lkdtm-result: $t \([0-9]*\)$/\1/p" "$log")
	case $rc in
	0) echo "ok - lkdtm: $t" ;;
	4) echo "skip - lkdtm: $t ($(sed -n "s/^lkdtm-out: \(.*[Ss]kip.*\)/\1/p" "$log" | grep -m1 "$t"))" ;;
	"") echo "not ok - lkdtm: $t (no result: the boot ended early, see $log)" ;;
	*) echo "not ok - lkdtm: $t ($(grep -m1 "^lkdtm-out: $t: " "$log" | sed 's/^lkdtm-out: //'))" ;;
	esac
done
grep -q '^lkdtm-done' "$log" || echo "not ok - lkdtm: the run did not finish (see $log)"
# The tests oops on purpose; the boot before the first one must be clean.
if sed '/^lkdtm-begin: /,$d' "$log" | "$here/splats.sh" > /dev/null; then
	echo "not ok - lkdtm: boot log before the tests has a warning or splat"
else
	echo "ok - lkdtm: boot log before the tests has no warning or splat"
fi
