#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/kcore on sealed pools: boot with a sealed pool (the demo's) and
# the global pool sealed for good, read every smalloc area that
# /proc/vmallocinfo lists through /proc/kcore (kcore-check.c), and check
# that each one comes back whole and as it is, as
# Documentation/mm/smalloc.rst says: a sealed page is read through its
# vmalloc address, not through the direct map it left.  Before that fix,
# the read of a sealed node spun in the kernel for ever.
#
#   kcore.sh <build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init
build=${1:?usage: kcore.sh <build dir>}
log=$build/kcore.log
stage=$build/kcore-root
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

rm -rf "$stage"
mkdir -p "$stage/bin"
if ! gcc -static -O2 -Wall -Werror -o "$stage/bin/kcore-check" \
	"$here/kcore-check.c" > "$build/kcore-build.log" 2>&1; then
	echo "not ok - kcore: kcore-check builds (see $build/kcore-build.log)"
	exit 0
fi
SMALLOC_BOOT_TIMEOUT=${SMALLOC_BOOT_TIMEOUT:-180} \
	"$here/boot.sh" "$build" "$here/kcore-init.sh" "$log" "$stage"

# result <name> <status> [<details>]
result() {
	if [ "$2" = 0 ]; then
		echo "ok - kcore: $1${3:+ ($3)}"
	else
		echo "not ok - kcore: $1 (${3:+$3, }see $log)"
	fi
}

# "kcore: area: 0x<start>-0x<end> <bytes read> <nonzero bytes>"
areas=$(sed -n 's/^kcore: area: 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3 \4/p' "$log")
sealed=$(grep -cE '^kcore: pools: +[^ ]+( +[0-9]+){4} sealed(-final)?$' "$log")

grep -qx 'kcore: exit 0' "$log"
result "every smalloc area reads through /proc/kcore, within 60 s" $?
# Whole: as many bytes as the area has, guard page included.
[ -n "$areas" ] && [ "$sealed" -ge 2 ] &&
	! while read -r start end got nonzero; do
		[ $((0x$end - 0x$start)) -eq "$got" ] || echo short
	done <<< "$areas" | grep -q short
result "sealed nodes read back whole" $? \
	"$(wc -l <<< "$areas") areas, $sealed sealed pools"
# As they are: each node starts with its header, so no area is all
# zeroes, as a read of the missing direct-map alias would be.
[ -n "$areas" ] &&
	! while read -r start end got nonzero; do
		[ "$nonzero" -gt 0 ] || echo zero
	done <<< "$areas" | grep -q zero
result "sealed nodes read back as they are, not as zeroes" $?
demo_log_clean "$log"
result "boot log has no warning, BUG or lockdep report" $?
