#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build an arm64 kernel with smalloc, its KUnit tests, LKDTM and the
# sample, with Debian's aarch64-linux-gnu-gcc and the kernel's own
# kunit.py: a build check, nothing is booted.  Part of make test, so that
# a change that breaks arm64 turns CI red; make check-arm64 runs it alone.
#
#   check-arm64.sh <kernel tree> <build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: check-arm64.sh <kernel tree> <build dir>}
build=${2:?}

# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init

arm64() {
	(cd "$src" && python3 tools/testing/kunit/kunit.py build --arch=arm64 \
		--cross_compile=aarch64-linux-gnu- --build_dir="$build" \
		--kunitconfig=mm/smalloc --kunitconfig="$here/arm64.config" \
		--make_options="CC=ccache aarch64-linux-gnu-gcc" --jobs="$(nproc)")
}

mkdir -p "$build"
if building "the arm64 kernel" "$build" 930 11 arm64 \
	> "$build/check.log" 2>&1 &&
	grep -q '^CONFIG_SMALLOC=y' "$build/.config" &&
	[ -f "$build/mm/smalloc/core.o" ] && [ -f "$build/drivers/misc/lkdtm/smalloc.o" ]; then
	echo "ok - arm64: builds with SMALLOC, KUnit, LKDTM and the sample"
else
	tail -n 30 "$build/check.log" | sed 's/^/# /'
	echo "not ok - arm64: builds with SMALLOC, KUnit, LKDTM and the sample (log: $build/check.log)"
	exit 1
fi
