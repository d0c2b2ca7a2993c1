# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Progress of the long steps (sourced by the scripts that build or boot a
# kernel): a line a minute while a build or a boot runs, so that a run
# under tee, or in CI, shows where it is and never looks hung.
#
#   progress_init
#	Progress lines go to SMALLOC_PROGRESS_FD if the caller inherited
#	one (test.sh opens it on the stream its results go to), else to
#	a copy of this script's stdout.  Call it before redirecting stdout.
#   say <text>
#	Print "# <text>" there, now.
#   ticking <what> <status> <command...>
#	Run <command>; while it runs, print "# <what>: <n> min, <status>"
#	every SMALLOC_TICK seconds (60).  <status> is a command line,
#	eval'd each time, that prints one line.  Returns <command>'s status.
#   kbuild_status <build dir> <stamp> <objects of a cold build>
#	Objects compiled since <stamp> (a file), and the newest of them.
#   last_line <log>
#	The last line of <log>: what a boot or a script printed last.
#   kunit_status <kunit.py output>
#	How many test cases reported so far.
#   building <what> <build dir> <objects> <minutes> <command...>
#	Say what is built where, and how long a cold build takes; run
#	<command> ticking with kbuild_status; say how long it took.

progress_init() {
	if [ -n "${SMALLOC_PROGRESS_FD:-}" ] &&
	   { true >&"$SMALLOC_PROGRESS_FD"; } 2>/dev/null; then
		return 0
	fi
	exec {SMALLOC_PROGRESS_FD}>&1
	export SMALLOC_PROGRESS_FD
}

say() {
	echo "# $*" >&"${SMALLOC_PROGRESS_FD:-1}"
}

ticking() {
	local what=$1 status=$2 start=$SECONDS owner=$BASHPID ticker rc

	shift 2
	# The ticker's sleep must not hold the stream open after it is killed;
	# it also stops by itself if this shell is gone.
	(
		while sleep "${SMALLOC_TICK:-60}" > /dev/null 2>&1 \
			{SMALLOC_PROGRESS_FD}>&- &&
		      kill -0 "$owner" 2> /dev/null; do
			say "$what: $(( (SECONDS - start) / 60 )) min, $(eval "$status" 2>/dev/null | head -c 160)"
		done
	) &
	ticker=$!
	rc=0
	"$@" || rc=$?
	kill "$ticker" 2> /dev/null
	wait "$ticker" 2> /dev/null
	return $rc
}

kbuild_status() {
	local dir=$1 stamp=$2 cold=$3 n last

	n=$(find "$dir" -name '*.o' -newer "$stamp" 2>/dev/null | wc -l)
	last=$(find "$dir" -name '*.o' -newer "$stamp" -printf '%T@ %P\n' 2>/dev/null |
	       sort -n | tail -n 1 | cut -d' ' -f2)
	echo "$n objects compiled (a cold build compiles about $cold)${last:+, last $last}"
}

last_line() {
	local line

	line=$(tail -n 1 "$1" 2>/dev/null | tr -d '\r' | cut -c1-100)
	echo "last line: ${line:-(nothing yet)}"
}

kunit_status() {
	echo "$(grep -c -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]' "$1" 2>/dev/null) test cases reported"
}

# building <what> <build dir> <objects of a cold build> <minutes cold> <command...>:
# announce a kernel build, run it ticking, and say how long it took.
building() {
	local what=$1 dir=$2 cold=$3 minutes=$4 stamp t0=$SECONDS rc

	shift 4
	mkdir -p "$dir"
	stamp=$dir/.smalloc-build-stamp
	touch "$stamp"
	if [ -f "$dir/vmlinux" ]; then
		say "building $what in $dir (incremental)"
	else
		say "building $what in $dir: a cold build, about $minutes min on 2 cores ($cold objects)"
	fi
	rc=0
	ticking "building $what" "kbuild_status '$dir' '$stamp' $cold" "$@" || rc=$?
	if [ $rc -eq 0 ]; then
		say "built $what in $((SECONDS - t0)) s ($(find "$dir" -name '*.o' -newer "$stamp" | wc -l) objects compiled)"
	else
		say "building $what failed after $((SECONDS - t0)) s"
	fi
	return $rc
}
