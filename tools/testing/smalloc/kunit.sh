#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the test kernel, or run its KUnit suites, with the
# kernel's own kunit.py.
#
#   kunit.sh build <kernel tree> <build dir>
#   kunit.sh run   <kernel tree> <build dir>
#
# The config is mm/smalloc/.kunitconfig plus boot.config (what the
# initramfs boots need).  'run' boots under QEMU with 2 vCPUs and prints
# one "ok"/"not ok" line per test case, then checks that every suite in
# SUITES reported and that the log holds no warning or splat.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: kunit.sh build|run <kernel tree> <build dir>}
src=${2:?}
build=${3:?}
SUITES=${SUITES:-smalloc usercopy}

kunit() {
	(cd "$src" && python3 tools/testing/kunit/kunit.py "$1" --arch=x86_64 \
		--build_dir="$build" --kunitconfig=mm/smalloc \
		--kunitconfig="$here/boot.config" "${@:2}")
}

case $cmd in
build)
	kunit build --make_options="CC=ccache gcc" --jobs="$(nproc)"
	;;
run)
	# shellcheck source=qemu.sh
	. "$here/qemu.sh"
	rm -f "$build/kunit.json" "$build/test.log"
	kunit exec --qemu_args="-smp 2 -accel $(smalloc_accel "$build")" \
		--timeout=1200 --json="$build/kunit.json" > "$build/kunit.out" 2>&1
	python3 "$here/kunit_results.py" "$build/kunit.json" $SUITES
	if [ -s "$build/test.log" ] && ! "$here/splats.sh" < "$build/test.log"; then
		echo "ok - kunit: log has no warning, BUG or lockdep report"
	else
		echo "not ok - kunit: log has no warning, BUG or lockdep report"
	fi
	;;
*)
	echo "usage: kunit.sh build|run <kernel tree> <build dir>" >&2
	exit 2
	;;
esac
