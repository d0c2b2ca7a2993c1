#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build for arm64 with smalloc, its KUnit tests, LKDTM and the
# sample, with Debian's aarch64-linux-gnu-gcc and the kernel's own
# kunit.py's config: a build check, nothing is booted.
#
#   check-arm64.sh <kernel tree> <build dir>           the whole kernel
#   check-arm64.sh <kernel tree> <build dir> --quick   what the series adds
#
# make check-arm64 builds and links the whole kernel (about 12 min cold on
# 2 cores).  make test runs --quick, so that a change that breaks arm64
# turns CI red without a cold kernel build of its own: it configures the
# same kernel and compiles only the objects the series adds or changes
# that arm64 builds (mm/smalloc/, LKDTM, the sample, vmalloc, usercopy,
# kcore, init/main.c), under a minute cold.  Compile errors show up there;
# link errors only in the whole build.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: check-arm64.sh <kernel tree> <build dir>}
build=${2:?}

# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init

quick=${3:-}
config() {
	(cd "$src" && python3 tools/testing/kunit/kunit.py config --arch=arm64 \
		--cross_compile=aarch64-linux-gnu- --build_dir="$build" \
		--kunitconfig=mm/smalloc --kunitconfig="$here/arm64.config" \
		--make_options="CC=ccache aarch64-linux-gnu-gcc")
}
arm64() {
	if [ "$quick" = --quick ]; then
		config &&
		make -C "$src" O="$build" ARCH=arm64 \
			CROSS_COMPILE=aarch64-linux-gnu- \
			CC="ccache aarch64-linux-gnu-gcc" -j"$(nproc)" \
			mm/smalloc/ drivers/misc/lkdtm/ samples/smalloc/ \
			mm/vmalloc.o mm/usercopy.o fs/proc/kcore.o init/main.o
	else
		(cd "$src" && python3 tools/testing/kunit/kunit.py build --arch=arm64 \
			--cross_compile=aarch64-linux-gnu- --build_dir="$build" \
			--kunitconfig=mm/smalloc --kunitconfig="$here/arm64.config" \
			--make_options="CC=ccache aarch64-linux-gnu-gcc" --jobs="$(nproc)")
	fi
}

# What the series must build on arm64 is configured, and was built.
configured() {
	local sym

	for sym in SMALLOC SMALLOC_KUNIT_TEST LKDTM SAMPLE_SMALLOC PROC_KCORE \
		   HARDENED_USERCOPY; do
		grep -q "^CONFIG_$sym=y" "$build/.config" ||
			{ echo "CONFIG_$sym is not set"; return 1; }
	done
	[ -f "$build/mm/smalloc/core.o" ] && [ -f "$build/drivers/misc/lkdtm/smalloc.o" ] &&
		[ -f "$build/fs/proc/kcore.o" ]
}

if [ "$quick" = --quick ]; then
	what="the series' objects for arm64"
	name="arm64: the series' objects compile with SMALLOC, KUnit, LKDTM, kcore and the sample"
	objects=60
	minutes=1
else
	what="the arm64 kernel"
	name="arm64: builds with SMALLOC, KUnit, LKDTM and the sample"
	objects=930
	minutes=12
fi
mkdir -p "$build"
if building "$what" "$build" $objects $minutes arm64 > "$build/check.log" 2>&1 &&
   configured >> "$build/check.log" 2>&1; then
	echo "ok - $name"
else
	tail -n 30 "$build/check.log" | sed 's/^/# /'
	echo "not ok - $name (log: $build/check.log)"
	exit 1
fi
