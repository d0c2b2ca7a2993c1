#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: print what samples/smalloc's benchmark measures, the cost of
# hardened usercopy's smalloc check, on the test kernel and on the same
# config without lock debugging and KUnit (built in a directory of its
# own), and on that config without CONFIG_SMALLOC_HARDENING, the master
# toggle of the checks with a run-time cost.  Timings under QEMU TCG are emulated: compare the lines of one run
# with each other, not with real hardware.  Nothing here is asserted.
#
#   bench.sh <kernel tree> <test build dir> <bench build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: bench.sh <kernel tree> <test build dir> <bench build dir>}
test_build=${2:?}
build=${3:?}

run() {
	"$here/boot.sh" "$1" "$here/bench-init.sh" "$1/bench.log"
	sed -n 's/^bench: //p' "$1/bench.log"
	sed -n 's/^bench-wr: /write-rare: /p' "$1/bench.log"
	grep -q '^bench: to_user kmalloc ' "$1/bench.log"
}

echo "== test kernel (PROVE_LOCKING, DEBUG_LIST, KUnit) =="
run "$test_build" || exit 1

# kbuild <build dir>: build bzImage with the .config in it, incrementally.
kbuild() {
	make -C "$src" O="$1" ARCH=x86_64 CC="ccache gcc" olddefconfig > /dev/null &&
	make -C "$src" O="$1" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" bzImage \
		> "$1/build.log" 2>&1 || { tail -n 20 "$1/build.log"; return 1; }
}

mkdir -p "$build"
cp "$test_build/.config" "$build/.config"
"$src/scripts/config" --file "$build/.config" -d KUNIT -d PROVE_LOCKING \
	-d DEBUG_LOCK_ALLOC -d DEBUG_ATOMIC_SLEEP -d DEBUG_LIST
kbuild "$build" || exit 1
echo "== same config without lock debugging and KUnit =="
run "$build" || exit 1

# The cost of the master toggle: the same kernel without the usercopy
# object check.  Only what depends on the option is rebuilt.
"$src/scripts/config" --file "$build/.config" -d SMALLOC_HARDENING
kbuild "$build" || exit 1
echo "== same, without CONFIG_SMALLOC_HARDENING =="
run "$build"
