#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-arm64: the series booted on arm64.  One kernel, cross-built
# with Debian's aarch64-linux-gnu-gcc from the test kernel's config
# (mm/smalloc/.kunitconfig, boot.config but its x86-only unwinder,
# selinux.config), booted under qemu-system-aarch64's virt machine with
# TCG and 2 vCPUs, as kunit.py's arm64 config has it (-cpu max with the
# cheap pointer authentication):
#  - KUnit, rodata=full (arm64's default): smalloc's suites and usercopy's.
#    A sealed object must refuse a write through its vmalloc address and
#    through its linear-map alias (copy_to_kernel_nofault(), -EFAULT), and
#    the alias must be out of the linear map (kernel_page_present()).
#    Write-rare is x86_64-only: its cases are not built here, and x86_64's
#    kernel high mapping case must skip with that reason.
#  - KUnit, rodata=on: the linear map cannot change page by page, so
#    smalloc_can_seal() is false; smalloc_test_cannot_seal checks on the
#    real thing that a seal is refused, changes nothing, and that nothing
#    calls the pool sealed; smalloc says once why ("boot with
#    rodata=full").
#  - LKDTM's run.sh, from a busybox initramfs of Debian's arm64 busybox
#    (arm64-root.sh), for the tests of expected.txt that arm64 has.
#  - SELinux: check-arch.sh's nolibc boots load the mdp policy, once with
#    rodata=full (the policy's pools listed sealed, nothing says otherwise,
#    and SELinux's KUnit suite selinux_policy_seal, run again after the
#    load, sees writes to the policy fault through its vmalloc address and
#    its linear alias) and once with rodata=on (listed unsealed, SELinux
#    says so once at boot, the suite's cases skip); the access and create
#    answers equal the pristine x86_64 kernel's.  So make test must have run (its mdp policy, triples and
#    pristine answers).
#
#   test-arm64.sh <kernel tree> <build dir> <make test's build dir> <cache dir>
#
# A skip fails, and so does silence.  The last line is "smalloc-arm64: N
# passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: test-arm64.sh <kernel tree> <build dir> <make test build dir> <cache dir>}
build=${2:?}
test_build=${3:?}
cache=${4:?}
results=$build/results.txt
export SMALLOC_ARCH=arm64 OBJECTS=1150
export SMALLOC_ARM64_ROOT=$cache/arm64-root SMALLOC_BUSYBOX=$cache/arm64-root/bin/busybox
# TCG emulates a foreign instruction set: slower than x86_64's boots.
export SMALLOC_BOOT_TIMEOUT=${SMALLOC_BOOT_TIMEOUT:-1800}
export SMALLOC_KUNIT_TIMEOUT=${SMALLOC_KUNIT_TIMEOUT:-2400}
# The x86_64-only checks of expected.txt: write-rare, the kernel high
# mapping, the count of the direct map's splits, and the LKDTM tests of
# write-rare.
X86_ONLY='smalloc_wr_test_|smalloc_faults_wr$|_highmap_alias$|_split_bound$|SMALLOC_WR_'
# LKDTM's SELinux tests attack the state in its write-rare pool, which
# arm64 has not: they run, and must say so (XFAIL), not pass or fail.
NO_WR='SELINUX_'
NO_WR_XFAIL='XFAIL: no SELinux state in a write-rare pool'
HIGHMAP_SKIP='only x86_64 has a kernel high mapping'
SPLIT_SKIP="x86_64 counts the direct map's splits"

mkdir -p "$build"
grep -v '^CONFIG_UNWINDER_FRAME_POINTER=' "$here/boot.config" > "$build/boot-arm64.config"
export KUNIT_CONFIGS="$build/boot-arm64.config $here/selinux.config"

stages() {
	# A line a minute from the builds and boots, into this stream.
	progress_init
	if "$here/arm64-root.sh" "$SMALLOC_ARM64_ROOT" > "$build/arm64-root.log" 2>&1; then
		echo "ok - arm64: Debian's arm64 busybox and comm fetched"
	else
		tail -n 10 "$build/arm64-root.log" | sed 's/^/# /'
		echo "not ok - arm64: Debian's arm64 busybox and comm fetched (log: $build/arm64-root.log)"
	fi
	if ! "$here/kunit.sh" build "$src" "$build" > "$build/build.out" 2>&1; then
		tail -n 20 "$build/build.out" | sed 's/^/# /'
		echo "not ok - arm64: the kernel builds (log: $build/build.out)"
		return
	fi
	echo "ok - arm64: the kernel builds"
	for sym in ARM64 SMALLOC SMALLOC_KUNIT_TEST SECURITY_SELINUX LKDTM \
		   HARDENED_USERCOPY RODATA_FULL_DEFAULT_ENABLED; do
		grep -q "^CONFIG_$sym=y" "$build/.config" || missing="${missing:-} $sym"
	done
	if [ -z "${missing:-}" ]; then
		echo "ok - arm64: configured with smalloc, KUnit, SELinux, LKDTM and rodata=full by default"
	else
		echo "not ok - arm64: configured with smalloc, KUnit, SELinux, LKDTM and rodata=full by default (missing:$missing)"
	fi

	echo "# KUnit, rodata=full"
	"$here/kunit.sh" run "$src" "$build" |
		sed -E "s/^skip - (kunit: smalloc\.smalloc_test_(highmap_alias|split_bound))$/highmap - \1/"
	if grep -q -E "ok [0-9]+ smalloc_test_split_bound # SKIP $SPLIT_SKIP" "$build/kunit.log"; then
		echo "ok - arm64: smalloc.smalloc_test_split_bound skips ($SPLIT_SKIP)"
	else
		echo "not ok - arm64: smalloc.smalloc_test_split_bound skips ($SPLIT_SKIP)"
	fi
	if grep -q -E "ok [0-9]+ smalloc_test_highmap_alias # SKIP $HIGHMAP_SKIP" "$build/kunit.log"; then
		echo "ok - arm64: smalloc.smalloc_test_highmap_alias skips ($HIGHMAP_SKIP)"
	else
		echo "not ok - arm64: smalloc.smalloc_test_highmap_alias skips ($HIGHMAP_SKIP)"
	fi
	if grep -q 'smalloc_test_cannot_seal: this system can seal pools' "$build/kunit.log"; then
		echo "ok - arm64: with rodata=full, pools can be sealed"
	else
		echo "not ok - arm64: with rodata=full, pools can be sealed"
	fi

	echo "# KUnit, rodata=on"
	SMALLOC_KUNIT_ARGS=rodata=on "$here/kunit.sh" exec "$src" "$build" kunit-rodata-on \
		smalloc.smalloc_test_cannot_seal
	python3 "$here/kunit_results.py" "$build/kunit-rodata-on.json" smalloc |
		sed 's/ - kunit: / - arm64: rodata=on: /'
	if grep -q 'smalloc_test_cannot_seal: this system cannot seal pools' "$build/kunit-rodata-on.log" &&
	   [ "$(grep -c 'smalloc: pools cannot be sealed on this system: boot with rodata=full' "$build/kunit-rodata-on.log")" = 1 ]; then
		echo "ok - arm64: with rodata=on, pools cannot be sealed, and smalloc says once why"
	else
		echo "not ok - arm64: with rodata=on, pools cannot be sealed, and smalloc says once why"
	fi
	if kunit_log_clean "$build/kunit-rodata-on.log"; then
		echo "ok - arm64: rodata=on: log has no warning, BUG or lockdep report"
	else
		echo "not ok - arm64: rodata=on: log has no warning, BUG or lockdep report (see $build/kunit-rodata-on.log)"
	fi

	echo "# LKDTM"
	LKDTM_TESTS=$(sed -n 's/^lkdtm: \([A-Z0-9_]*\)$/\1/p' "$here/expected.txt" |
		      grep -v -E "$X86_ONLY" | tr '\n' ' ') \
		"$here/lkdtm.sh" "$src" "$build" |
		sed -E "/^skip - lkdtm: ($NO_WR)/s/^skip /nowr /"
	for t in $(sed -n 's/^lkdtm: \([A-Z0-9_]*\)$/\1/p' "$here/expected.txt" | grep -E "^($NO_WR)"); do
		if [ "$(sed -n "s/^lkdtm-result: $t \([0-9]*\)$/\1/p" "$build/lkdtm.log")" = 4 ] &&
		   sed -n "/^lkdtm-begin: $t\$/,/^lkdtm-result: $t /p" "$build/lkdtm.log" |
		   grep -q "$NO_WR_XFAIL"; then
			echo "ok - arm64: lkdtm: $t says there is no write-rare pool"
		else
			echo "not ok - arm64: lkdtm: $t says there is no write-rare pool ($NO_WR_XFAIL)"
		fi
	done
	lkdtm_whole_log_checks arm64 "$build/lkdtm.log" \
		"lockdep, RCU or list report"

	echo "# SELinux, mdp: rodata=full, then rodata=on"
	SMALLOC_ARCH_ARM64=$build "$here/check-arch.sh" "$src" "$test_build" "$cache" \
		arm64 arm64-rodata-on | grep -E '^(ok|not ok|skip) |^# '
}

# shellcheck source=logcheck.sh
. "$here/logcheck.sh"
# shellcheck source=progress.sh
. "$here/progress.sh"
stages 2>&1 | grep --line-buffered -E '^(ok|not ok|skip|highmap|nowr) |^# ' |
	sed -u -E -e '/^(highmap|nowr) /d' \
		  -e 's/^skip - ([^(]*[^ (]) \((.*)\)$/not ok - \1 (skipped: \2)/;t' \
		  -e 's/^skip - (.*)$/not ok - \1 (skipped)/' | tee "$results"

# Silence is no pass: each check of expected.txt's KUnit and LKDTM stages
# that arm64 has reported, and the SELinux boots did.
names=$(sed -n -E 's/^(ok|not ok) - //p' "$results" | sed 's/ (.*//')
{
	grep -E '^(kunit|lkdtm): ' "$here/expected.txt" | grep -v -E "$X86_ONLY" |
		sed -E "s/^lkdtm: ($NO_WR.*)$/arm64: lkdtm: \1 says there is no write-rare pool/"
	for b in arm64 arm64-rodata-on; do
		echo "$b: the mdp policy loads"
		echo "$b: access and create answers equal the pristine x86_64 kernel's"
		echo "$b: no warning, oops or panic"
	done
	echo "arm64: debugfs lists the policy's pools, sealed"
	echo "arm64: the kernel says nothing of memory that cannot be sealed, and once that there is no write-rare memory if so"
	echo "arm64: selinux_policy_seal after the load, the policy's cases pass: writes to the loaded policy fault through its vmalloc address and its linear alias"
	echo "arm64-rodata-on: selinux_policy_seal after the load, the policy's cases skip: this system cannot seal a pool"
	echo "arm64-rodata-on: debugfs lists the policy's pools, unsealed"
	echo "arm64-rodata-on: the kernel says once, at boot, that the policy and the state are not sealed"
	echo "arm64: rodata=on: smalloc.smalloc_test_cannot_seal"
	echo "arm64: Debian's arm64 busybox and comm fetched"
	echo "arm64: smalloc.smalloc_test_highmap_alias skips"
	echo "arm64: smalloc.smalloc_test_split_bound skips"
	echo "arm64: LKDTM's whole log has no lockdep, RCU or list report"
	echo "arm64: LKDTM's whole-log check rejects the log with a KASAN report added"
} | while IFS= read -r name; do
	grep -Fxq -e "$name" <<< "$names" || echo "not ok - $name (missing)"
done | tee -a "$results"

results_summary "$results" smalloc-arm64
