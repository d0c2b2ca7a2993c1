#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Harness self-check: show that each check that calls a kernel log clean
# fails on a log that is not.  Boots the test kernel with
# smalloc_kunit.plant_warning=1, which makes the KUnit test object WARN
# from a late_initcall in any boot, and judges the logs with the very
# functions that judge the real boots (logcheck.sh).
#
#   selfcheck.sh <kernel tree> <build dir>
#
# A check passes here only if it rejects the log, the log holds the
# planted warning (a boot that never got that far proves nothing), and the
# check accepts the same log once the warning reports are taken out (so it
# failed for the warning, not for a missing mark).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init
src=${1:?usage: selfcheck.sh <kernel tree> <build dir>}
build=${2:?}
plant=smalloc_kunit.plant_warning=1
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

# selfcheck <name> <log> <check function>
selfcheck() {
	local name="selfcheck: $1 sees a planted warning" log=$2 check=$3

	if ! planted_warning "$log"; then
		echo "not ok - $name (no planted warning in $log: did the boot run, does the kernel take $plant?)"
	elif "$check" "$log"; then
		echo "not ok - $name (it calls $log clean)"
	elif ! without_warnings "$log" > "$log.nowarn" || ! "$check" "$log.nowarn"; then
		echo "not ok - $name (it also rejects $log.nowarn, the log without its warnings)"
	else
		echo "ok - $name"
	fi
}

# One short boot, whose init only prints the marks, serves the checks of
# the initramfs stages.
SMALLOC_CMDLINE_EXTRA=$plant "$here/boot.sh" "$build" "$here/selfcheck-init.sh" \
	"$build/selfcheck.log"
selfcheck "demo log check" "$build/selfcheck.log" demo_log_clean
selfcheck "lkdtm boot log check" "$build/selfcheck.log" lkdtm_boot_log_clean
selfcheck "selinux log check" "$build/selfcheck.log" selinux_log_clean

# One small KUnit case is enough for a KTAP report.
"$here/kunit.sh" exec "$src" "$build" selfcheck-kunit smalloc.smalloc_test_alloc \
	--kernel_args="$plant"
selfcheck "kunit log check" "$build/selfcheck-kunit.log" kunit_log_clean
