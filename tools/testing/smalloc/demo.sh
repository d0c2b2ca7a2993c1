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
build=${1:?usage: demo.sh <build dir> [--check]}
log=$build/demo.log

"$here/boot.sh" "$build" "$here/demo-init.sh" "$log"
sed -n 's/^demo: \{0,1\}//p' "$log"
[ "${2:-}" = --check ] || exit 0

# Lines of the demo, as said between two steps.
between() {
	sed -n "/$1/,/$2/p" "$log"
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
	between "^demo: 2\\." "^demo: 3\\." | grep -E '^demo: +demo +[0-9]+ +[0-9]+ +[0-9]+ sealed$'
}
refused() {
	between "^demo: 3\\." "^demo: 4\\." | grep -c "through its $1: refused (-EFAULT)" | grep -qx 1
}
works_again() {
	between "^demo: 5\\." "^demo: 6\\." | grep -c 'through its .*: done' | grep -qx 2
}
gone() {
	between "^demo: 6\\." "^demo: done" | grep -q 'destroyed pool "demo"' &&
	! between "^demo: 6\\." "^demo: done" | grep -qE '^demo: +demo '
}
no_addresses() {
	! grep -E '^demo: .*(0x)?ffff[0-9a-f]{12}' "$log"
}
clean_log() {
	grep -q '^=== end ===' "$log" &&
	! sed -n '/^=== dmesg ===/,/^=== end ===/p' "$log" | "$here/splats.sh"
}

check "global pool sealed for good after init" global_final
check "debugfs lists the sealed pool" listed_sealed
check "sealed rule refuses a write through its vmalloc address" refused "vmalloc address"
check "sealed rule refuses a write through its direct-map alias" refused "direct-map alias"
check "unsealed rule takes writes through both mappings" works_again
check "destroyed pool leaves the listing" gone
check "debugfs shows no kernel addresses" no_addresses
check "boot log has no warning, BUG or lockdep report" clean_log
