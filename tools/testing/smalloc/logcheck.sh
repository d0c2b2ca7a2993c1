# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: the checks that call a kernel log clean, as functions of the
# log's path.  The stages that boot judge their logs with them (demo.sh,
# lkdtm.sh, kunit.sh), and selfcheck.sh runs the very same functions on
# the logs of a boot with a planted warning, to show each of them can fail.
#
# Each check also wants the mark that the boot got where it should: an
# empty log, of a boot that never ran, is not a clean one.

smalloc_logcheck_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# has_splat: does stdin report a warning, a BUG, an oops or a lockdep splat?
has_splat() {
	"$smalloc_logcheck_dir/splats.sh" > /dev/null
}

# demo_log_clean <log>: the demo init dumped dmesg to its end, and nothing
# in the console log (which, with ignore_loglevel, has every kernel line)
# nor in that dump reports a warning or a splat.
demo_log_clean() {
	grep -q '^=== end ===' "$1" && ! has_splat < "$1"
}

# lkdtm_boot_log_clean <log>: the LKDTM init reached its first test, and
# the log before it has no warning or splat.  The tests oops on purpose.
lkdtm_boot_log_clean() {
	grep -q '^lkdtm-begin: ' "$1" && ! sed '/^lkdtm-begin: /,$d' "$1" | has_splat
}

# lkdtm_whole_log_clean <log>: the LKDTM run finished, and no line of its
# whole log is a report that no test makes on purpose: a sanitizer's,
# lockdep's, RCU's or list debugging's.  (The tests oops and warn on
# purpose, and after the first oops lockdep is off: it speaks only of
# what came before.)
lkdtm_whole_log_clean() {
	grep -q '^lkdtm-done' "$1" &&
		! grep -q -E 'KASAN:|UBSAN:|suspicious RCU usage|circular locking dependency|possible recursive locking|inconsistent lock state|list_(add|del) corruption|detected stalls|detected expedited stalls|self-detected stall' "$1"
}

# lkdtm_whole_log_checks <prefix> <log> <what>: two result lines, "<prefix>:
# LKDTM's whole log has no <what>" (lkdtm_whole_log_clean), and that the
# same check rejects <log> with a KASAN report added, so it can fail.
lkdtm_whole_log_checks() {
	local prefix=$1 log=$2 what=$3

	if lkdtm_whole_log_clean "$log"; then
		echo "ok - $prefix: LKDTM's whole log has no $what"
	else
		echo "not ok - $prefix: LKDTM's whole log has no $what (log: $log)"
	fi
	sed '/^lkdtm-done/i BUG: KASAN: slab-out-of-bounds in lkdtm_planted_report' \
		"$log" > "${log%.log}-planted.log"
	if grep -q '^lkdtm-done' "$log" && ! lkdtm_whole_log_clean "${log%.log}-planted.log"; then
		echo "ok - $prefix: LKDTM's whole-log check rejects the log with a KASAN report added"
	else
		echo "not ok - $prefix: LKDTM's whole-log check rejects the log with a KASAN report added"
	fi
}

# kunit_log_clean <log>: the kernel printed KTAP results, and its whole
# console log (kunit.py's test.log, boot included) has no warning or splat.
kunit_log_clean() {
	grep -q 'TAP version' "$1" && ! has_splat < "$1"
}

# kasan_report_log_clean <log> <n>: the boot of KASAN's smalloc_oob case.
# The log holds <n> KASAN reports, each a block from a line of "=" to the
# next, with one "BUG: KASAN:" line; apart from those lines, no warning or
# splat, within the blocks or outside them.  A report that never ends
# (the reporter faulted) is not clean.
kasan_report_log_clean() {
	local rest

	grep -q 'TAP version' "$1" || return 1
	rest=$(awk -v want="$2" '
		/^=====+$/ { inside = !inside; if (inside) blocks++; next }
		inside && /^BUG: KASAN: / { bugs[blocks]++; next }
		{ print }
		END {
			ok = !inside && blocks == want
			for (i = 1; i <= blocks; i++)
				ok = ok && bugs[i] == 1
			exit !ok
		}' "$1") || return 1
	! has_splat <<< "$rest"
}

# planted_warning <log>: the log holds the warning that
# smalloc_kunit.plant_warning=1 makes the KUnit test object give at boot.
planted_warning() {
	grep -q 'smalloc_kunit: planted warning' "$1"
}

# without_warnings <log>: the log with every WARN report taken out, from
# its "cut here" line to its "end trace" line.
without_warnings() {
	sed '/-\[ cut here \]-/,/-\[ end trace [0-9a-f]* \]-/d' "$1"
}

# selinux_log_clean <log>: the SELinux init got to its end (its mark
# "selinux: done <mode>", then the dmesg dump), and nothing in the console
# log reports a warning or a splat.
selinux_log_clean() {
	grep -q '^selinux: done ' "$1" && grep -q '^=== end ===' "$1" && ! has_splat < "$1"
}

# results_summary <results> <name>: the last line of a target that counts
# result lines, "<name>: N passed, M failed", and its verdict: nothing
# failed, and something passed.
results_summary() {
	local passed failed

	passed=$(grep -c '^ok ' "$1")
	failed=$(grep -c '^not ok ' "$1")
	echo "$2: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
