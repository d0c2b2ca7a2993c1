#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace stage: boot the test kernel with a busybox initramfs that
# runs the kernel's own LKDTM selftest (tools/testing/selftests/lkdtm/
# run.sh) for smalloc's tests and for the existing usercopy and read-only
# tests.  run.sh passes a crash test only if the dmesg lines the test
# produced show the fault tests.txt expects for it.  Prints one
# "ok"/"not ok"/"skip" line per test (run.sh's skip, exit code 4, is what
# a crash type LKDTM does not know gets: test.sh counts it as a failure).
#
#   lkdtm.sh <kernel tree> <build dir>
#
# The tests are the "lkdtm: <TEST>" lines of expected.txt, not what the
# patched tests.txt happens to list: a test that vanishes from the kernel
# must fail here, not drop out.  LKDTM_TESTS="A B" runs others (arm64:
# test-arm64.sh leaves out the x86_64-only ones).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init
src=${1:?usage: lkdtm.sh <kernel tree> <build dir>}
build=${2:?}
selftest=$src/tools/testing/selftests/lkdtm
stage=$build/lkdtm-root
log=$build/lkdtm.log
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

TESTS=${LKDTM_TESTS:-"$(sed -n 's/^lkdtm: \([A-Z0-9_]*\)$/\1/p' "$here/expected.txt")"}

rm -rf "$stage"
mkdir -p "$stage/lkdtm" "$stage/usr/bin"
cp "$selftest/tests.txt" "$stage/lkdtm/"
for t in $TESTS; do
	install -m 0755 "$selftest/run.sh" "$stage/lkdtm/$t.sh"
	echo "$t" >> "$stage/lkdtm/list"
done
# SELinux's tests write to the pointer to the policy in force: load the
# mdp policy first (selinux.sh builds it).
mdp=$("$here/selinux.sh" "$src" "$build" --mdp-policy) &&
	cp "$mdp" "$stage/lkdtm/selinux.pol" ||
	echo "# lkdtm: no mdp policy (see $build/selinux-mdp.log)"
# run.sh needs comm(1), which busybox lacks: take coreutils' and its libs
# (on arm64, arm64-root.sh's, in SMALLOC_ARM64_ROOT).
if [ "${SMALLOC_ARCH:-x86_64}" = arm64 ]; then
	cp -a "${SMALLOC_ARM64_ROOT:?set by test-arm64.sh}"/{lib,usr} "$stage/"
else
	cp /usr/bin/comm "$stage/usr/bin/"
	for lib in $(ldd /usr/bin/comm | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
fi

"$here/boot.sh" "$build" "$here/lkdtm-init.sh" "$log" "$stage"

# What run.sh printed for test $1: the kernel lines the test produced, and
# its verdict.
test_output() {
	sed -n "/^lkdtm-begin: $1\$/,/^lkdtm-result: $1 /s/^lkdtm-out: //p" "$log"
}

for t in $TESTS; do
	rc=$(sed -n "s/^lkdtm-result: $t \([0-9]*\)$/\1/p" "$log")
	case $rc in
	0) echo "ok - lkdtm: $t" ;;
	4) echo "skip - lkdtm: $t ($(test_output "$t" | grep -m1 -i skip))" ;;
	"") echo "not ok - lkdtm: $t (no result: the boot ended early, see $log)" ;;
	*) echo "not ok - lkdtm: $t (run.sh exit code $rc: $(test_output "$t" | grep -m1 "^$t: " || echo "no verdict"))" ;;
	esac
done
grep -q '^lkdtm-done' "$log" || echo "not ok - lkdtm: the run did not finish (see $log)"

# warns_too <test>: run.sh matches one line, here that the allocation was
# refused.  That it also warned, as a caller bug must, is checked here, in
# the lines of the same test.
warns_too() {
	grep -qx "$1" "$stage/lkdtm/list" || return 0
	if test_output "$1" | grep -q 'WARNING: .* at mm/smalloc/'; then
		echo "ok - lkdtm: $1 warns in smalloc"
	else
		echo "not ok - lkdtm: $1 warns in smalloc"
	fi
}
warns_too SMALLOC_GLOBAL_ALLOC_AFTER_BOOT
warns_too SMALLOC_WR_KERNEL_TEXT

# SELinux's tests write to its enforcing state and to its policy
# pointer, and must fault: both read back as they were before the tests.
selinux_unchanged() {
	local before after

	grep -q '^SELINUX_' "$stage/lkdtm/list" || return 0
	before=$(sed -n 's/^lkdtm-selinux: before //p' "$log" | tr -d '\r')
	after=$(sed -n 's/^lkdtm-selinux: after //p' "$log" | tr -d '\r')
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		echo "ok - lkdtm: SELinux's enforcing state and policy read back unchanged after the tests"
	else
		echo "not ok - lkdtm: SELinux's enforcing state and policy read back unchanged after the tests (before: ${before:-none}; after: ${after:-none})"
	fi
}
selinux_unchanged

# The tests oops on purpose; the boot before the first one must be clean.
if lkdtm_boot_log_clean "$log"; then
	echo "ok - lkdtm: boot log before the tests has no warning or splat"
else
	echo "not ok - lkdtm: boot log before the tests has no warning or splat (see $log)"
fi
