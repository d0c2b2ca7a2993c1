#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the kernel with the demo initramfs and tell what happens.
#
#   demo.sh <build dir>           show the demo
#   demo.sh <build dir> --check   also print one "ok"/"not ok" line per
#                                 property the demo must show (make test)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init
build=${1:?usage: demo.sh <build dir> [--check]}
log=$build/demo.log
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

"$here/boot.sh" "$build" "$here/demo-init.sh" "$log"
sed -n 's/^demo: \{0,1\}//p' "$log"
[ "${2:-}" = --check ] || exit 0

# Lines of the demo, as said between two steps.  Not the kernel's own
# console lines: the demo shows those it cares about after each step.
between() {
	sed -n "/$1/,/$2/p" "$log" | grep '^demo: '
}
check() {
	local name=$1

	shift
	if "$@" > /dev/null; then
		echo "ok - userspace: $name"
	else
		echo "not ok - userspace: $name"
	fi
}
global_final() {
	between "Right after boot" "^demo: 1\\." | grep -E '^demo: +global +.* sealed-final$'
}
listed_sealed() {
	between "^demo: 2\\." "^demo: 3\\." | grep -E '^demo: +demo( +[0-9]+){4} sealed$'
}
refused() {
	between "^demo: 3\\." "^demo: 4\\." | grep -c "through its $1: refused (-EFAULT)" | grep -qx 1
}
# Its pages come from blocks out of the direct map: the alias stays
# unmapped after the unseal.
works_again() {
	between "^demo: 5\\." "^demo: 6\\." | grep -c 'through its vmalloc address: done' | grep -qx 1 &&
	between "^demo: 5\\." "^demo: 6\\." | grep -c 'through its direct-map alias: refused (-EFAULT)' | grep -qx 1
}
gone() {
	between "^demo: 6\\." "^demo: 7\\." | grep -q 'destroyed pool "demo"' &&
	! between "^demo: 6\\." "^demo: 7\\." | grep -qE '^demo: +demo '
}
# The table boot wrote in the global pool holds its pattern before and
# after the writes.
global_intact() {
	between "^demo: 7\\." "^demo: done" |
		grep -c 'global table .*: all [0-9]* words hold the pattern written at boot' |
		grep -qx 2
}
global_refused() {
	between "^demo: 7\\." "^demo: done" |
		grep -c "global table through its $1: refused (-EFAULT)" | grep -qx 1
}
# What debugfs listed, and what the demo itself said in the kernel log;
# not the other kernel lines a step shows (a clocksource mask is no
# address).
no_addresses() {
	! grep -e '^demo: ' -e '^smalloc_demo: ' "$log" | grep -v '^demo: *kernel: ' |
		grep -E '(0x)?ffff[0-9a-f]{12}'
}

check "global pool sealed for good after init" global_final
check "debugfs lists the sealed pool" listed_sealed
check "sealed rule refuses a write through its vmalloc address" refused "vmalloc address"
check "sealed rule refuses a write through its direct-map alias" refused "direct-map alias"
check "unsealed rule takes writes through its vmalloc address only" works_again
check "destroyed pool leaves the listing" gone
check "global pool keeps the table written at boot after the final seal" global_intact
check "sealed global pool refuses a write through its vmalloc address" global_refused "vmalloc address"
check "sealed global pool refuses a write through its direct-map alias" global_refused "direct-map alias"
check "debugfs shows no kernel addresses" no_addresses
check "boot log has no warning, BUG or lockdep report" demo_log_clean "$log"
