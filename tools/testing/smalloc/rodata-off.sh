#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# x86_64 booted with rodata=off: mark_readonly() leaves __ro_after_init
# writable, and with it the data a seal trusts, so pools cannot be sealed
# (smalloc_can_seal() is false).  One KUnit boot of the test kernel with
# rodata=off runs smalloc_test_cannot_seal on the real thing: a seal is
# refused, changes no page, and nothing calls the pool sealed.  smalloc
# says once why, SELinux says once at boot that its policy and state stay
# writable, and nothing warns.
#
#   rodata-off.sh <kernel tree> <build dir>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: rodata-off.sh <kernel tree> <build dir>}
build=${2:?}
log=$build/kunit-rodata-off.log
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

SMALLOC_KUNIT_ARGS=rodata=off "$here/kunit.sh" exec "$src" "$build" kunit-rodata-off \
	smalloc.smalloc_test_cannot_seal
python3 "$here/kunit_results.py" "$build/kunit-rodata-off.json" smalloc |
	sed 's/ - kunit: / - rodata=off: /'
name="rodata=off: pools cannot be sealed, and smalloc says once why"
if grep -q 'smalloc_test_cannot_seal: this system cannot seal pools' "$log" &&
   [ "$(grep -c 'smalloc: pools cannot be sealed on this system: boot without rodata=off' "$log")" = 1 ]; then
	echo "ok - $name"
else
	echo "not ok - $name (log: $log)"
fi
name="rodata=off: SELinux says once, at boot, that its policy and state are not sealed"
if [ "$(grep -c 'SELinux:  memory cannot be sealed on this system: a loaded policy, enforcing' "$log")" = 1 ] &&
   ! grep -q 'SELinux:  no write-rare memory on this system' "$log"; then
	echo "ok - $name"
else
	echo "not ok - $name (log: $log)"
fi
if kunit_log_clean "$log"; then
	echo "ok - rodata=off: log has no warning, BUG or lockdep report"
else
	"$here/splats.sh" < "$log" | head -n 5 | sed 's/^/# /'
	echo "not ok - rodata=off: log has no warning, BUG or lockdep report (log: $log)"
fi
