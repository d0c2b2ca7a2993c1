#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the test kernel, or run its KUnit suites, with the
# kernel's own kunit.py.
#
#   kunit.sh build <kernel tree> <build dir>
#   kunit.sh run   <kernel tree> <build dir>
#   kunit.sh exec  <kernel tree> <build dir> <name> [kunit.py exec args]
#
# The config is mm/smalloc/.kunitconfig plus boot.config (what the
# initramfs boots need) and selinux.config (SELinux and kmemleak).  'run'
# boots under QEMU with 2 vCPUs (SMALLOC_SMP=N: N) and prints one
# "ok"/"not ok" line per test case, then checks that every suite in
# SUITES reported and that the log holds no warning or splat.
# SMALLOC_KUNIT_ARGS adds kernel arguments to every boot (test-debug.sh:
# a longer stress run).  SMALLOC_ARCH=arm64 (test-arm64.sh) cross-builds
# with Debian's aarch64-linux-gnu-gcc and boots kunit.py's arm64 virt
# machine.  'exec' is
# the boot alone (selfcheck.sh uses it too): the report goes to
# <build dir>/<name>.json, kunit.py's output to <name>.out and the
# kernel's whole console log (kunit.py's test.log) to <name>.log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: kunit.sh build|run|exec <kernel tree> <build dir> [<name> [args]]}
src=${2:?}
build=${3:?}
SUITES=${SUITES:-smalloc smalloc_stress smalloc_faults usercopy}
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init

# KUNIT_CONFIGS replaces boot.config and selinux.config (check-kasan.sh).
KUNIT_CONFIGS=${KUNIT_CONFIGS:-$here/boot.config $here/selinux.config}
OBJECTS=${OBJECTS:-1490}
# The suites 'run' boots, as kunit.py's attribute filter: check-kasan.sh
# also leaves out smalloc_kasan, which has a boot of its own.
KUNIT_FILTER=${KUNIT_FILTER:-module!=selinux}

KARCH=${SMALLOC_ARCH:-x86_64}
case $KARCH in
arm64) CROSS=(--cross_compile=aarch64-linux-gnu-) KCC="ccache aarch64-linux-gnu-gcc" ;;
*) CROSS=() KCC="ccache gcc" ;;
esac

kunit() {
	local c args=()

	for c in $KUNIT_CONFIGS; do
		args+=(--kunitconfig="$c")
	done
	(cd "$src" && PYTHONUNBUFFERED=1 python3 tools/testing/kunit/kunit.py "$1" --arch="$KARCH" \
		"${CROSS[@]}" --build_dir="$build" --kunitconfig=mm/smalloc "${args[@]}" "${@:2}")
}

# kunit_exec <name> [kunit.py exec args]: see above.  ignore_loglevel puts
# every kernel line in the log, as the log check reads it.  A stale
# test.log must not pass for this boot's.
kunit_exec() {
	local name=$1

	shift
	# shellcheck source=qemu.sh
	. "$here/qemu.sh"
	rm -f "$build/$name.json" "$build/$name.log" "$build/test.log" "$build/$name.out"
	local smp=${SMALLOC_SMP:-2} accel=tcg arg args=()

	[ "$KARCH" != x86_64 ] || accel=$(smalloc_accel "$build")
	# More vCPUs than make test's: each a host thread of its own, said
	# rather than left to QEMU's default.
	[ "$smp" -le 2 ] || [ "$accel" != tcg ] || accel=tcg,thread=multi

	for arg in ${SMALLOC_KUNIT_ARGS:-}; do
		args+=(--kernel_args="$arg")
	done
	say "booting the KUnit kernel ($name) under QEMU, $smp vCPUs: a few minutes under TCG; kunit.py says $build/$name.out"
	ticking "KUnit boot ($name)" "kunit_status '$build/$name.out'" \
		kunit exec --qemu_args="-smp $smp -accel $accel" \
		--kernel_args=ignore_loglevel "${args[@]}" \
		--timeout="${SMALLOC_KUNIT_TIMEOUT:-1200}" \
		--json="$build/$name.json" "$@" > "$build/$name.out" 2>&1
	[ ! -f "$build/test.log" ] || mv "$build/test.log" "$build/$name.log"
}

case $cmd in
build)
	building "the test kernel" "$build" "$OBJECTS" 20 \
		kunit build --make_options="CC=$KCC" --jobs="$(nproc)"
	;;
exec)
	kunit_exec "${4:?usage: kunit.sh exec <kernel tree> <build dir> <name> [args]}" "${@:5}"
	;;
run)
	# SELinux's selinux_policy_seal needs a loaded policy: selinux.sh
	# runs it, once user space has loaded one.
	kunit_exec kunit --filter="$KUNIT_FILTER"
	# shellcheck disable=SC2086 # SUITES is a list of words
	python3 "$here/kunit_results.py" "$build/kunit.json" $SUITES
	# What the stress and fault suites did: their seed and counts.
	grep -o -E 'smalloc_(stress: |faults [a-z_]+: ).*' "$build/kunit.log" |
		sed 's/^/# kunit: /'
	if kunit_log_clean "$build/kunit.log"; then
		echo "ok - kunit: log has no warning, BUG or lockdep report"
	else
		echo "not ok - kunit: log has no warning, BUG or lockdep report (see $build/kunit.log)"
	fi
	;;
*)
	echo "usage: kunit.sh build|run|exec <kernel tree> <build dir> [<name> [args]]" >&2
	exit 2
	;;
esac
