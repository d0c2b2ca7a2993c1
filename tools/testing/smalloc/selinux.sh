#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SELinux stage: the test kernel loads real policies, in one write()
# each, and must decide exactly as the pristine base does, keep the
# policy in sealed pools, and leak nothing.
#
#   selinux.sh <kernel tree> <build dir>
#   selinux.sh <kernel tree> <build dir> --mdp-policy
#
# The second form only builds (or finds) the mdp policy and prints its
# path: lkdtm.sh loads it before LKDTM's SELinux tests.
#
# Policies, built on the host and cached under $SMALLOC_CACHE/selinux,
# keyed by their inputs: Debian's reference policy (selinux-policy-default:
# its modules linked with semodule_link, base.pp first, and expanded with
# semodule_expand) and the kernel's own scripts/selinux/mdp policy (-m,
# MLS; compiled with checkpolicy).  Questions, drawn from each policy with
# a fixed seed by selinux-triples.py, are asked in the guest by
# selinux-query (built static into the build dir).
#
# Boots of one initramfs (selinux-init.sh):
#  - reference: the pristine base (tag smalloc-base, built by
#    selinux-pristine.sh in $SMALLOC_CACHE/build-pristine with the test
#    kernel's config) runs the differential part (selinux-diff.sh) alone.
#    Its answers are cached, keyed by everything they depend on, so only a
#    fresh machine pays for that build and boot.
#  - full: our kernel runs the same part, compared here with the pristine
#    answers, then: the pools sealed, timings, permission changes and TLB
#    flushes (as information), 100 broken policies refused without leaks.
#  - reload: our kernel, a fresh boot (a small sidtab keeps reloads
#    cheap): 100 reloads and 100 boolean commits leave pools, smalloc's
#    vmalloc pages, slab and vmalloc flat and kmemleak quiet.
#  - enforcing: our kernel, booted with enforcing=1, loads the mdp policy,
#    then the reference policy; each allows a change and denies one.
#  - race: our kernel, readers on every vCPU during reloads and commits.
# With warm caches: about 4 + 6 + 0.1 + 1.5 minutes of TCG boots (the
# reload boot with its fault injection).
# Prints one "ok"/"not ok" line per check and "# " lines of information
# (timings), never judged.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init
src=${1:?usage: selinux.sh <kernel tree> <build dir>}
build=${2:?}
cache=${SMALLOC_CACHE:-$HOME/.cache/smalloc}
store=$cache/selinux
pristine_src=$cache/linux-base
pristine_build=$cache/build-pristine
# The build whose config the pristine kernel copies: this one, or
# make test's for test-debug.sh, whose debugging decides nothing and must
# not cost a pristine debug kernel of its own.
pristine_config_from=${SMALLOC_SELINUX_REFERENCE_BUILD:-$build}
stage=$build/selinux-root
SEED=${SMALLOC_SELINUX_SEED:-20250101}
TRIPLES=10000		# reference policy questions
MDP_TRIPLES=2000	# the mdp policy has one type: fewer make the point
BOOLS=10
LISTING_MIN=500		# lines of a listing: each policy has about 130 classes
# Questions of each kind of selinux-query -q (selinux-triples.py), for
# the reference policy and for mdp, and objects for the labels; the
# fewest lines of labels a step must read.
KINDS="relabel member named process context user"
declare -A REF_OPS=([relabel]=1000 [member]=500 [named]=2000 [process]=2000
	[context]=2000 [user]=300 [names]=400)
MDP_OPS=500		# and for mdp-x (selinux-mdpx.awk), with:
MDPX_VALIDATETRANS=2000
MUTANTS=1000		# mutated policies (selinux-mutants.py), 1 in 10 of the reference policy
LABELS_MIN=100
CUTS=100		# broken policies: of mdp, and REF_CUTS of the reference policy
REF_CUTS=10		# (1.7 s each under TCG: refused after half the file, on average)
SLAB_TOLERANCE_KB=1024
# The growth of the bytes of slab objects in use that 200 operations
# (100 reloads, 100 commits) may show once warm, in one of two such
# halves at least: a leak of 1 kB each would show 200 kB in both.  Without
# a leak, a half grew by between -31 and +142 kB, the other by less.
SLAB_OBJECTS_TOLERANCE_KB=100
# The cases of SELinux's KUnit suite selinux_policy_seal.
SEAL_CASES=$(awk '!/^#/ && NF { print $1 }' "$here/selinux-seal-cases.txt")
VMALLOC_TOLERANCE_KB=256
export PATH=/usr/bin:/usr/sbin:/bin:/sbin:$PATH	# Debian's python3, with setools
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"

mkdir -p "$store" "$stage/selinux"

ok() {
	echo "ok - selinux: $*"
}
not_ok() {
	echo "not ok - selinux: $*"
}
# check <name> <command...>: ok if the command succeeds; what it printed,
# if anything, is the detail of a failure.  It runs in this shell: what it
# sets, stays.
check() {
	local name=$1 out

	shift
	if "$@" > "$build/selinux-check.out" 2>&1; then
		ok "$name"
	else
		out=$(tr '\n' ' ' < "$build/selinux-check.out" | sed 's/ *$//' | cut -c1-400)
		not_ok "$name${out:+ ($out)}"
		return 1
	fi
}
sha() {
	sha256sum "$@" | cut -d' ' -f1
}
# The sha256 of stdin.
hash_in() {
	sha256sum | cut -d' ' -f1
}

# --- policies ---------------------------------------------------------

# The reference policy: link every module of selinux-policy-default, base
# first (semodule_link takes the base module, then the others), expand to
# a kernel policy of version 33, the highest 6.12 reads.
refpolicy() {
	local dir=/usr/share/selinux/default key tmp m modules=()

	[ -f "$dir/base.pp.bz2" ] || { echo "no $dir/base.pp.bz2: selinux-policy-default"; return 1; }
	key=$({ sha256sum "$dir"/*.pp.bz2 | sed "s| $dir/| |"
		dpkg-query -W semodule-utils libsepol2; } | hash_in)
	REF_POL=$store/ref-${key:0:16}.pol
	[ -s "$REF_POL" ] && return 0
	tmp=$(mktemp -d)
	for m in "$dir"/*.pp.bz2; do
		m=$(basename "$m" .bz2)
		bzip2 -dc "$dir/$m.bz2" > "$tmp/$m" || return 1
		[ "$m" = base.pp ] || modules+=("$m")
	done
	(cd "$tmp" && semodule_link -o linked.pp base.pp "${modules[@]}" &&
		semodule_expand -c 33 linked.pp policy.33) > "$build/selinux-refpolicy.log" 2>&1 ||
		{ tail -n 5 "$build/selinux-refpolicy.log"; rm -rf "$tmp"; return 1; }
	mv "$tmp/policy.33" "$REF_POL"
	rm -rf "$tmp"
}

# The kernel's dummy policy: mdp built from the tree (its class map, the
# build's config), run with -m, compiled by checkpolicy.
mdppolicy() {
	local key cap tmp=$store/mdp-work

	mkdir -p "$tmp"
	gcc -O2 -I"$src/include/uapi" -I"$src/include" \
		-I"$src/security/selinux/include" -I"$build/include" \
		-o "$tmp/mdp" "$src/scripts/selinux/mdp/mdp.c" &&
		"$tmp/mdp" -m "$tmp/policy.conf" "$tmp/file_contexts" > /dev/null || return 1
	key=$({ cat "$tmp/policy.conf"; dpkg-query -W checkpolicy libsepol2; } | hash_in)
	MDP_POL=$store/mdp-${key:0:16}.pol
	key=$({ echo "$key"; cat "$here/selinux-mdpx.awk"; } | hash_in)
	MDPX_POL=$store/mdpx-${key:0:16}
	[ -s "$MDP_POL" ] && [ -s "$MDPX_POL-reject.pol" ] && return 0
	compile "$tmp/policy.conf" allow "$MDP_POL" &&
		awk -f "$here/selinux-mdpx.awk" "$tmp/policy.conf" > "$tmp/mdpx.conf" &&
		compile "$tmp/mdpx.conf" allow "$MDPX_POL-allow.pol" &&
		compile "$tmp/mdpx.conf" deny "$MDPX_POL-deny.pol" &&
		compile "$tmp/mdpx.conf" reject "$MDPX_POL-reject.pol"
}

# compile <policy.conf> <handle_unknown> <policy>: checkpolicy, MLS, a
# kernel policy of version 33.  mdp enables every capability the kernel
# knows; Debian 12's checkpolicy (3.4) does not know the newest: they are
# left out of <policy.conf>.
compile() {
	local cap tmp=$store/mdp-work

	while ! checkpolicy -U "$2" -M -c 33 -o "$tmp/policy.33" "$1" > "$tmp/log" 2>&1; do
		cap=$(sed -n "s/.*invalid policy capability name \([a-z_0-9]*\).*/\1/p" "$tmp/log" | head -n 1)
		[ -n "$cap" ] || { tail -n 5 "$tmp/log"; return 1; }
		sed -i "/^policycap $cap;\$/d" "$1"
		echo "# $(basename "$1"): checkpolicy does not know policycap $cap: left out" >&2
	done
	mv "$tmp/policy.33" "$3"
}

# questions <policy> <what> <count> <file>: selinux-triples.py's lines,
# cached by policy, seed, count and generator.
questions() {
	local key

	key=$({ sha "$1" "$here/selinux-triples.py"; echo "$2 $SEED $3"; } | hash_in)
	if [ ! -s "$store/$2-${key:0:16}" ]; then
		"$here/selinux-triples.py" "$2" "$1" "$SEED" "$3" > "$store/$2-${key:0:16}.tmp" &&
			mv "$store/$2-${key:0:16}.tmp" "$store/$2-${key:0:16}" || return 1
	fi
	cp "$store/$2-${key:0:16}" "$4"
}

if [ "${3:-}" = --mdp-policy ]; then
	mdppolicy > "$build/selinux-mdp.log" 2>&1 && echo "$MDP_POL"
	exit
fi

echo "# SELinux: seed $SEED; policies and questions cached in $store"
check "reference policy built from selinux-policy-default's modules" refpolicy || exit 0
check "mdp and mdp-x policies built from scripts/selinux/mdp" mdppolicy || exit 0
s=$stage/selinux
cp "$REF_POL" "$s/ref.pol"
# The reference policy with reject_unknown set and allow_unknown clear:
# the config word, at offset 20 (magic, string length, "SE Linux",
# version), has MLS (1), REJECT_UNKNOWN (2) and ALLOW_UNKNOWN (4).
python3 - "$REF_POL" "$s/ref-reject.pol" <<-'EOF'
	import struct
	import sys
	data = bytearray(open(sys.argv[1], 'rb').read())
	config = struct.unpack_from('<I', data, 20)[0]
	struct.pack_into('<I', data, 20, (config & ~4) | 2)
	open(sys.argv[2], 'wb').write(data)
	EOF
cp "$MDP_POL" "$s/mdp.pol"
for u in allow deny reject; do
	cp "$MDPX_POL-$u.pol" "$s/mdpx-$u.pol"
done
cp "$here/selinux-diff.sh" "$here/selinux-mutants.sh" "$s/"
all_questions() {
	questions "$REF_POL" triples $TRIPLES "$s/ref.triples" &&
		questions "$MDP_POL" triples $MDP_TRIPLES "$s/mdp.triples" &&
		questions "$REF_POL" bools $BOOLS "$s/bools" &&
		questions "$MDP_POL" cuts $((CUTS - REF_CUTS)) "$s/cuts.mdp" &&
		questions "$REF_POL" cuts $REF_CUTS "$s/cuts.ref" &&
		{ sed 's/^/mdp /' "$s/cuts.mdp"; sed 's/^/ref /' "$s/cuts.ref"; } > "$s/cuts" &&
		for kind in $KINDS names; do
			questions "$REF_POL" "$kind" "${REF_OPS[$kind]}" "$s/ref.$kind" &&
				questions "$MDP_POL" "$kind" $MDP_OPS "$s/mdp.$kind" &&
				questions "$MDPX_POL-allow.pol" "$kind" $MDP_OPS "$s/mdpx.$kind" || return 1
		done &&
		questions "$MDPX_POL-allow.pol" validatetrans $MDPX_VALIDATETRANS "$s/mdpx.validatetrans"
}
check "questions drawn from the policies" all_questions || exit 0

# mutants_drawn: MUTANTS mutated policies (selinux-mutants.py: bit and
# byte flips, counts, lengths and values changed, items and sections
# swapped, items deleted or copied with their count made to match) of
# mdp, mdp-x and the reference policy, cached; selinux-polwalk.py, on
# which they are drawn, walks each policy exactly to its end.  And the
# questions asked of a mutant that loads.
mutants_drawn() {
	local key f

	"$here/selinux-polwalk.py" check "$MDP_POL" "$MDPX_POL-allow.pol" "$REF_POL" || return 1
	key=$({ sha "$MDP_POL" "$MDPX_POL-allow.pol" "$REF_POL" "$here/selinux-mutants.py" \
		"$here/selinux-polwalk.py"; echo "$SEED $MUTANTS"; } | hash_in)
	f=$store/mutants-${key:0:16}
	if [ ! -s "$f" ]; then
		"$here/selinux-mutants.py" "$SEED" "$MUTANTS" mdp="$MDP_POL" \
			mdpx="$MDPX_POL-allow.pol" ref="$REF_POL" > "$f.tmp" && mv "$f.tmp" "$f" || return 1
	fi
	cp "$f" "$s/mutants"
	{ head -n 30 "$s/mdp.triples" | sed 's/^/a /'
	  head -n 30 "$s/mdp.triples" | sed 's/^/c /'
	  head -n 20 "$s/ref.triples" | sed 's/^/a /'
	  head -n 20 "$s/ref.triples" | sed 's/^/c /'
	  head -n 25 "$s/mdpx.context"
	  head -n 25 "$s/ref.context"; } > "$s/mutants.q"
	[ "$(wc -l < "$s/mutants")" -eq "$MUTANTS" ] || return 1
}
# SMALLOC_SELINUX_MUTANTS=1 (make check-mutants, with
# SMALLOC_SELINUX_BOOTS=mutants): the mutated policies, on both kernels.
# Not in make test: a pristine boot per crash they find, and 1,000 loads
# on each kernel.
mutants_on=${SMALLOC_SELINUX_MUTANTS:-0}
# SMALLOC_SELINUX_BOOTS=faults (make check-faults): faults at every point
# of a load and of a commit, in SMALLOC_SELINUX_FAULT_SLICES boots side by
# side (2: the machine's cores), each trying one in that many of the
# points.  Not in make test: about 2 hours, both boots on 2 cores (after
# the seal, a load that completes costs a load of the old one too).
FAULT_SLICES=${SMALLOC_SELINUX_FAULT_SLICES:-2}
FAULT_TIMEOUT=${SMALLOC_SELINUX_FAULT_TIMEOUT:-14400}
if [ "$mutants_on" = 1 ]; then
	check "$MUTANTS mutated policies drawn from mdp, mdp-x and the reference policy" mutants_drawn
	echo "# SELinux mutants: $(awk '{ print $2 "-" $3 }' "$s/mutants" 2> /dev/null | sort | uniq -c | tr -s ' \n' '  ')"
fi
check "selinux-query built static" \
	gcc -static -O2 -Wall -Werror -o "$s/query" "$here/selinux-query.c" || exit 0
cp "$s/query" "$build/selinux-query"

# --- boots --------------------------------------------------------------

# boot <kernel build dir> <mode> <log> [<kernel arg>]: a boot ends after
# SMALLOC_SELINUX_BOOT_TIMEOUT seconds (1500; a plant that hangs the
# guest on purpose sets less).
boot() {
	local rc=0

	[ "$(cat "$s/mode" 2> /dev/null)" = "$2" ] || echo "$2" > "$s/mode"
	SMALLOC_CMDLINE_EXTRA=${4:-} SMALLOC_BOOT_TIMEOUT=${SMALLOC_SELINUX_BOOT_TIMEOUT:-1500} \
		"$here/boot.sh" "$1" "$here/selinux-init.sh" "$3" "$stage" || rc=$?
	unsplice "$3"
	return $rc
}

# unsplice <log>: the serial console drains a line the init echoed after
# printk may have written a later kernel line (audit's, of the init's
# next step) straight out: "selinux: # ...audit: type=..." and then the
# rest of the init's line.  Put the kernel line after the line it split,
# whole, so that the checks read both.
unsplice() {
	[ -f "$1" ] || return 0
	awk '
		held != "" { print held $0; print kern; held = ""; next }
		/^selinux: / && (i = index($0, "audit: type=")) > 1 {
			held = substr($0, 1, i - 1); kern = substr($0, i); next
		}
		{ print }
		END { if (held != "") { print held; print kern } }' "$1" > "$1.unspliced" &&
		mv "$1.unspliced" "$1"
}

# What the comparison reads of a log: the differential part's lines,
# without the timings (load seconds, query times).
differential_lines() {
	sed -n -e '/^selinux: differential done/q' \
	       -e 's/^\(selinux: load [a-z-]* [a-zA-Z0-9]*\) .*/\1/p' \
	       -e '/^selinux: \(policy\|answers\|bool\|listing\) /p' \
	       -e '/^selinux-\(ans\|lst\): /p' "$1"
}

# What the differential part says of costs: load times, and what a
# setenforce costs (selinux-query -e).  Kept beside the pristine answers.
cost_lines() {
	sed -n -e 's/^selinux: load \([a-z]*\) ok \([0-9.]*\)$/load \1 \2 s/p' \
	       -e 's/^selinux: # setenforce ok \(.*\)$/setenforce \1/p' "$1"
}

# The pristine kernel's answers.  Their key: the base, the config the
# pristine kernel gets, what goes into the guest's differential part
# (the guest's /init and how it boots included), and what of its log is
# kept.
reference() {
	local key config

	"$here/selinux-pristine.sh" config "$src" "$pristine_config_from" "$pristine_src" "$pristine_build" \
		> "$build/selinux-pristine.log" 2>&1 || { echo "config: see $build/selinux-pristine.log"; return 1; }
	config=$(grep -v '^#' "$pristine_build/.config" | grep -v '^$' | sort | hash_in)
	key=$({ git -C "$src" rev-parse 'smalloc-base^{tree}'; echo "$config"
		sha "$s"/{ref.pol,ref-reject.pol,mdp.pol,ref.triples,mdp.triples,bools,query,selinux-diff.sh} \
			"$s"/{ref,mdp,mdpx}.{relabel,member,named,process,context,user,names} \
			"$s"/mdpx.validatetrans "$s"/mdpx-{allow,deny,reject}.pol \
			"$here"/{selinux-init.sh,boot.sh} /bin/busybox; declare -f differential_lines; } | hash_in)
	REFERENCE=$store/reference-${key:0:16}
	[ -s "$REFERENCE" ] && { REFERENCE_FROM=cached; return 0; }
	"$here/selinux-pristine.sh" build "$src" "$pristine_config_from" "$pristine_src" "$pristine_build" \
		> "$build/selinux-pristine.log" 2>&1 || { echo "build: see $build/selinux-pristine.log"; return 1; }
	rm -f "$s/expect"
	boot "$pristine_build" reference "$build/selinux-reference.log"
	grep -q '^selinux: differential done' "$build/selinux-reference.log" ||
		{ echo "the pristine boot did not finish, see $build/selinux-reference.log"; return 1; }
	cost_lines "$build/selinux-reference.log" > "$REFERENCE.costs"
	differential_lines "$build/selinux-reference.log" > "$REFERENCE.tmp" &&
		mv "$REFERENCE.tmp" "$REFERENCE"
	REFERENCE_FROM="computed, log $build/selinux-reference.log"
}

# verdicts <file>: "<id> ok|E|died" of each mutant, from its lines
# "[selinux: [again ]]mutant <id> <verdict> ...".
verdicts() {
	tr -d '\r' < "$1" | sed -n 's/^\(selinux: \(again \)\{0,1\}\)\{0,1\}mutant \([0-9]*\) \(ok\|E[0-9]*\|died\)\( .*\)\{0,1\}$/\3 \4/p' |
		sed 's/ E[0-9]*$/ E/' | sort -u
}

: > "$s/mutants-done"

# The pristine kernel's verdicts on the mutants, cached apart from its
# answers: keyed by the base, the config, the mutants, the questions, the
# query program and the guest's part.  A mutant the pristine kernel dies
# on (a hang, an oops with policy_mutex held) ends its boot, and is
# recorded as "died"; the next boot leaves out every mutant that has a
# verdict ($s/mutants-done).  The verdicts come from the console as each
# is given, and again from a file at the end of a boot that ends: a
# console under TCG was seen to drop lines.  What the pristine kernel's
# logs show of warnings and oopses is kept beside, as "<id> <line>".
reference_mutants() {
	local key config tries=0 last mlog=$build/selinux-reference-mutants.log

	config=$(grep -v '^#' "$pristine_build/.config" | grep -v '^$' | sort | hash_in)
	key=$({ git -C "$src" rev-parse 'smalloc-base^{tree}'; echo "$config"; declare -f verdicts
		sha "$s"/{mutants,mutants.q,query,selinux-diff.sh,selinux-mutants.sh,mdp.pol,mdpx-allow.pol,ref.pol} \
			/bin/busybox; } | hash_in)
	RMUTANTS=$store/reference-mutants-${key:0:16}
	[ -s "$RMUTANTS" ] && return 0
	rm -f "$RMUTANTS.tmp" "$RMUTANTS.splats"
	: > "$s/mutants-done"
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		boot "$pristine_build" reference-mutants "$mlog.$tries"
		tr -d '\r' < "$mlog.$tries" |
			sed -n 's/^selinux: \(again \)\{0,1\}\(mutant [0-9]* \(ok\|E\|home\).*\)/\2/p' |
			sort -u >> "$RMUTANTS.tmp"
		grep -q '^selinux: mutants exit [02]' "$mlog.$tries" ||
			grep -q '^selinux: mutant [0-9]* try' "$mlog.$tries" ||
			{ echo "the pristine mutants boot did not run them, see $mlog.$tries"; return 1; }
		tr -d '\r' < "$mlog.$tries" |
			awk 'BEGIN { id = "boot" } /^=== dmesg ===/ { exit } /^selinux: mutant [0-9]+ try/ { id = $3 } { print id, $0 }' |
			"$here/splats.sh" >> "$RMUTANTS.splats"
		[ "$(verdicts "$RMUTANTS.tmp" | grep -c .)" -lt "$MUTANTS" ] || break
		# The mutant it died on: the last one tried, with no verdict.
		last=$(tr -d '\r' < "$mlog.$tries" | sed -n 's/^selinux: mutant \([0-9]*\) try$/\1/p' | tail -n 1)
		[ -n "$last" ] || { echo "the pristine mutants boot did not start, see $mlog.$tries"; return 1; }
		grep -q "^mutant $last \(ok\|E\)" "$RMUTANTS.tmp" ||
			echo "mutant $last died" >> "$RMUTANTS.tmp"
		# The next boot leaves out what has a verdict, or died.
		verdicts "$RMUTANTS.tmp" | cut -d' ' -f1 > "$s/mutants-done"
	done
	: > "$s/mutants-done"
	[ "$(verdicts "$RMUTANTS.tmp" | grep -c .)" -eq "$MUTANTS" ] ||
		{ echo "$tries boots gave $(verdicts "$RMUTANTS.tmp" | grep -c .) verdicts"; return 1; }
	mv "$RMUTANTS.tmp" "$RMUTANTS"
}

# SMALLOC_SELINUX_JUDGE=1 judges the logs of the last run again, without
# building or booting (to see a check fail on a doctored log).
judge_only=${SMALLOC_SELINUX_JUDGE:-0}
t0=$SECONDS
if [ "$judge_only" = 1 ]; then
	REFERENCE=$(cat "$build/selinux-reference.path")
	REFERENCE_FROM="judged again"
elif reference > "$build/selinux-reference.why" 2>&1; then
	echo "$REFERENCE" > "$build/selinux-reference.path"
	ok "answers of the pristine kernel ($REFERENCE_FROM, $((SECONDS - t0)) s)"
else
	not_ok "answers of the pristine kernel ($(cat "$build/selinux-reference.why"))"
	REFERENCE=/dev/null
fi
t0=$SECONDS
if [ "$mutants_on" != 1 ]; then
	RMUTANTS=/dev/null
elif [ "$judge_only" = 1 ]; then
	RMUTANTS=$(cat "$build/selinux-reference-mutants.path")
elif reference_mutants > "$build/selinux-reference-mutants.why" 2>&1; then
	echo "$RMUTANTS" > "$build/selinux-reference-mutants.path"
	ok "verdicts of the pristine kernel on the mutated policies ($((SECONDS - t0)) s)"
else
	not_ok "verdicts of the pristine kernel on the mutated policies ($(head -c 300 "$build/selinux-reference-mutants.why"))"
	RMUTANTS=/dev/null
fi

# --- mutated policies ---------------------------------------------------------

# same_verdicts: each mutant refused by both kernels or accepted by both,
# but those listed, with the reason, in selinux-mutants-known.txt; a
# listed one that no longer differs is an error too (the list is kept
# true).
same_verdicts() {
	local ours pristine diff listed

	ours=$(verdicts "$mlog")
	pristine=$(verdicts "$RMUTANTS")
	[ "$(grep -c . <<< "$ours")" -eq "$MUTANTS" ] || { echo "$(grep -c . <<< "$ours") verdicts from the test kernel"; return 1; }
	[ "$(grep -c . <<< "$pristine")" -eq "$MUTANTS" ] || { echo "$(grep -c . <<< "$pristine") from the pristine kernel"; return 1; }
	diff=$(join <(echo "$ours") <(echo "$pristine") | awk '$2 != $3')
	listed=$(awk '!/^#/ && NF && $2 != "-" { print $1, $2, $3 }' "$here/selinux-mutants-known.txt" | sort)
	[ -z "$(join -v1 -v2 <(echo "$ours") <(echo "$pristine"))" ] ||
		{ echo "not the same mutants: $(join -v1 -v2 <(echo "$ours") <(echo "$pristine") | head -n 3 | tr '\n' ';')"; return 1; }
	echo "$(grep -c ' ok$' <<< "$ours") accepted, $(grep -c ' E$' <<< "$ours") refused by the test kernel;" \
		"$(grep -c . <<< "$diff") differ, $(grep -c . <<< "$listed") listed"
	[ "$diff" = "$listed" ] && return 0
	echo "differ but not listed: $(comm -23 <(echo "$diff") <(echo "$listed") | head -n 5 | tr '\n' ';')"
	echo "listed but not different: $(comm -13 <(echo "$diff") <(echo "$listed") | head -n 5 | tr '\n' ';')"
	return 1
}
# same_mutant_answers: each mutant that both kernels accept answers the
# questions alike and reads back alike.  A line is "ok <answers' hash>
# <read-back hash or E<errno>>": the fields only, as a kernel message
# may follow on the same console line ("...e9arandom: crng init done").
same_mutant_answers() {
	local a b n fields='ok \([0-9a-f]\{16\}\) \([0-9a-f]\{16\}\|E[0-9]\{1,\}\).*'

	a=$(tr -d '\r' < "$mlog" | sed -n "s/^selinux: \\(again \\)\\{0,1\\}mutant \\([0-9]*\\) $fields/\\2 \\3 \\4/p" | sort -u)
	b=$(tr -d '\r' < "$RMUTANTS" | sed -n "s/^mutant \\([0-9]*\\) $fields/\\1 \\2 \\3/p" | sort)
	n=$(join <(echo "$a") <(echo "$b") | awk '$2 == $4 && $3 == $5' | grep -c .)
	echo "$n of $(join <(echo "$a") <(echo "$b") | grep -c .) accepted by both answer and read back alike"
	[ -n "$a" ] && [ "$(join <(echo "$a") <(echo "$b") | awk '$2 != $4 || $3 != $5' | head -n 3)" = "" ] &&
		[ "$n" -gt 0 ]
}
# pristine_quiet: the pristine kernel printed no warning or oops on the
# mutants, but those listed as upstream defects ("<id> - warns <why>").
pristine_quiet() {
	local ids listed

	[ -s "$RMUTANTS" ] && [ -f "$RMUTANTS.splats" ] || { echo "no verdicts of the pristine kernel"; return 1; }
	ids=$(awk '{ print $1 }' "$RMUTANTS.splats" | sort -u)
	listed=$(awk '!/^#/ && $2 == "-" && $3 == "warns" { print $1 }' "$here/selinux-mutants-known.txt" | sort)
	[ "$ids" = "$listed" ] && return 0
	echo "warns: $(head -n 3 "$RMUTANTS.splats" 2> /dev/null | tr '\n' ';' | cut -c1-300); listed: $(echo $listed)"
	return 1
}
# mutants_ran: our kernel gave every mutant a verdict, -M ended well,
# and mdp loaded again after each mutant that loaded.
mutants_ran() {
	grep -qx 'selinux: mutants exit 0' "$mlog" &&
		[ "$(verdicts "$mlog" | grep -c .)" -eq "$MUTANTS" ] &&
		[ "$(grep -c '^selinux: mutant [0-9]* home ' "$mlog")" -eq 0 ] ||
		{ grep -E '^selinux: mutants' "$mlog"; return 1; }
}

log=$build/selinux.log
llog=$build/selinux-leaks.log
elog=$build/selinux-enforcing.log
rlog=$build/selinux-race.log
mlog=$build/selinux-mutants.log
if [ "$judge_only" != 1 ]; then
	# The guest prints the answers that differ from these only.
	sed -n 's/^selinux: answers \([a-z-]*\) [0-9]* \([0-9a-f]*\)$/\1 \2/p' "$REFERENCE" > "$s/expect"
	sed -n 's/^selinux: listing \([a-z-]*\) [0-9]* \([0-9a-f]*\)$/listing-\1 \2/p' "$REFERENCE" >> "$s/expect"
	# SMALLOC_SELINUX_BOOTS: only these boots (plant.sh); the others'
	# logs are those of the last run, judged again.
	boots=" ${SMALLOC_SELINUX_BOOTS:-full leaks enforcing race} "
	t0=$SECONDS
	[ "${boots#* full }" = "$boots" ] ||
		boot "$build" full "$log" "kunit.enable=1 kunit.filter_glob=selinux_policy_seal"
	echo "# SELinux: full boot took $((SECONDS - t0)) s, log $log"
	t0=$SECONDS
	[ "${boots#* leaks }" = "$boots" ] || boot "$build" leaks "$llog"
	echo "# SELinux: reload boot took $((SECONDS - t0)) s, log $llog"
	t0=$SECONDS
	[ "${boots#* enforcing }" = "$boots" ] || boot "$build" enforcing "$elog" enforcing=1
	echo "# SELinux: enforcing boot took $((SECONDS - t0)) s, log $elog"
	t0=$SECONDS
	[ "${boots#* race }" = "$boots" ] || boot "$build" race "$rlog"
	echo "# SELinux: race boot took $((SECONDS - t0)) s, log $rlog"
	t0=$SECONDS
	[ "${boots#* mutants }" = "$boots" ] || boot "$build" mutants "$mlog"
	echo "# SELinux: mutants boot took $((SECONDS - t0)) s, log $mlog"
	t0=$SECONDS
	if [ "${boots#* faults }" != "$boots" ]; then
		rm -f "$build"/selinux-faults-*.log
		echo "$FAULT_SLICES" > "$build/selinux-faults.slices"
		# Written once: each boot copies the stage while the other runs.
		echo faults > "$s/mode"
		for k in $(seq 0 $((FAULT_SLICES - 1))); do
			SMALLOC_BOOT_TAG=faults-$k SMALLOC_SELINUX_BOOT_TIMEOUT=$FAULT_TIMEOUT \
				boot "$build" faults "$build/selinux-faults-$k.log" "faults_slice=$k/$FAULT_SLICES" &
		done
		wait
		echo "# SELinux: $FAULT_SLICES fault boots side by side took $((SECONDS - t0)) s, logs $build/selinux-faults-*.log"
	fi
fi
differential_lines "$log" > "$build/selinux-ours.txt"

# Information, never judged: timings, permission changes, guest uptimes.
sed -n 's/^selinux: \(# .*\)/\1/p; s/^selinux: ref \(# selinux-query: .*\)/\1 (reference policy, cold AVC)/p' "$log" |
	sed 's/^# /# SELinux full boot: /'
sed -n 's/^selinux: \(# .*\)/\1/p' "$llog" | sed 's/^# /# SELinux reload boot: /'
# The costs against the pristine kernel's, same config, one boot each under
# TCG: a setenforce's cost is its time less the same-value write's, which
# times the syscall on that boot.
if [ -s "$REFERENCE.costs" ]; then
	cost_lines "$log" | paste -d'|' "$REFERENCE.costs" - |
		sed 's/^/# SELinux cost, pristine | ours: /'
else
	echo "# SELinux cost: no pristine costs cached beside $REFERENCE"
fi

# --- the differential test ------------------------------------------------

# field <file> <line prefix>: the rest of the first line with the prefix.
field() {
	sed -n "s/^$2 //p" "$1" | head -n 1
}
# loaded <step>: the policy of that step loaded on both kernels.
loaded() {
	local a

	a=$(field "$build/selinux-ours.txt" "selinux: load $1")
	[ "$a" = ok ] || { echo "load on the test kernel: ${a:-no result}"; return 1; }
	[ "$REFERENCE" = /dev/null ] ||
		[ "$(field "$REFERENCE" "selinux: load $1")" = ok ] || { echo "refused by the pristine kernel"; return 1; }
}
# same_lines <kind> <line prefix> <step> <min>: the "selinux: <kind>
# <step> <lines> <sha256>" lines of both kernels are equal, of at least
# <min> lines (an empty list on both kernels is no answer); if not, the
# first differing "<line prefix>: <step> ..." lines.
same_lines() {
	local a b

	a=$(field "$build/selinux-ours.txt" "selinux: $1 $3")
	b=$(field "$REFERENCE" "selinux: $1 $3")
	[ -n "$a" ] || { echo "no $1 from the test kernel"; return 1; }
	[ -n "$b" ] || { echo "no reference $1"; return 1; }
	[ "${a%% *}" -ge "$4" ] || { echo "only ${a%% *} lines"; return 1; }
	[ "$a" = "$b" ] && return 0
	echo "test kernel: $a, pristine: $b; first difference:"
	diff <(grep "^$2: $3 " "$REFERENCE") <(grep "^$2: $3 " "$build/selinux-ours.txt") |
		grep '^[<>]' | head -n 2
	return 1
}
# same_answers <step> <min>: the access and create answers.
same_answers() {
	same_lines answers selinux-ans "$1" "$2"
}
# same_listing <step> <min>: what no query asks (selinux-diff.sh).
same_listing() {
	same_lines listing selinux-lst "$1" "$2"
}
same_policy() {
	local a b

	a=$(field "$build/selinux-ours.txt" "selinux: policy $1")
	b=$(field "$REFERENCE" "selinux: policy $1")
	[ -n "$a" ] && [ "$a" = "$b" ] || { echo "test kernel: ${a:-none}, pristine: ${b:-none}"; return 1; }
}
same_bools() {
	local a b

	a=$(grep '^selinux: bool ' "$build/selinux-ours.txt")
	b=$(grep '^selinux: bool ' "$REFERENCE")
	[ "$(grep -c ' ok [01]$' <<< "$a")" -eq "$BOOLS" ] || { echo "commits: $a"; return 1; }
	# Each boolean reads back the value written.
	if grep -v ' \([01]\) ok \1$' <<< "$a"; then return 1; fi
	[ "$a" = "$b" ] || { echo "pristine: $b"; return 1; }
}

check "the mdp policy loads in one write" loaded mdp
check "the reference policy loads in one write" loaded ref
check "the reference policy reloads" loaded reload
check "$BOOLS boolean flips commit and read back, as on the pristine kernel" same_bools
for step in mdp ref bools reload; do
	case $step in
	mdp) what="mdp policy"; n=$((2 * MDP_TRIPLES)) ;;
	ref) what="reference policy"; n=$((2 * TRIPLES)) ;;
	bools) what="after $BOOLS boolean flips"; n=$((2 * TRIPLES)) ;;
	reload) what="after a reload"; n=$((2 * TRIPLES)) ;;
	esac
	check "$what: access and create answers equal the pristine kernel's" same_answers "$step" "$n"
	check "$what: /sys/fs/selinux/policy reads back the pristine kernel's bytes" same_policy $step
	check "$what: initial contexts, policy capabilities, classes, permissions and unknown handling equal the pristine kernel's" same_listing $step "$LISTING_MIN"
	for kind in $KINDS; do
		[ $step = mdp ] && n=$MDP_OPS || n=${REF_OPS[$kind]}
		check "$what: $kind answers equal the pristine kernel's" same_answers "$step-$kind" "$n"
	done
	check "$what: labels of files in tmpfs, ramfs, proc, sysfs and devtmpfs equal the pristine kernel's" \
		same_answers "$step-labels" "$LABELS_MIN"
done

# created <step>: objects made in tmpfs by processes of the policy's
# domains, read back on the pristine kernel (at least 100: the labels
# compared are not only those of mounts made before the step), and every
# domain ran on ours.
created() {
	local n

	n=$(grep -c "^selinux-ans: $1-labels tmpfs[0-9]*/" "$REFERENCE")
	echo "$n objects created in tmpfs"
	[ "$n" -ge 100 ] && ! grep "^selinux: $1 could not run as " "$log"
}
for step in mdp ref bools reload; do
	check "$step: processes of the policy's domains create objects in tmpfs, labelled as on the pristine kernel" created $step
done

# reach <kind> <policy>: the questions drawn from a rule (those that
# end with " # <field>=<value>") get, from the pristine kernel under that
# policy (ref or mdpx), an answer whose type (t), role (r) or range (l)
# is the rule's, 9 times in 10 at least: the questions reach the tables
# they test.
reach() {
	grep "^selinux-ans: $2-$1 " "$REFERENCE" | cut -d' ' -f4- |
		paste -d'|' "$s/$2.$1" - | awk -F'|' '
		/ # [trl]=/ {
			split($1, q, " # "); split(q[2], e, "=")
			n = split($2, c, ":")
			if (e[1] == "t") got = c[3]
			else if (e[1] == "r") got = c[2]
			else { got = c[4]; for (i = 5; i <= n; i++) got = got ":" c[i] }
			gsub(/ /, "", e[2])
			drawn++
			if (got == e[2]) hit++
			else if (miss++ < 2) print "missed: " $0
		}
		END {
			print hit + 0 " of " drawn + 0 " questions drawn from a rule"
			exit !(drawn >= 10 && hit * 10 >= drawn * 9)
		}'
}
for kind in relabel member named process; do
	check "questions drawn from the reference policy's $kind rules reach them" reach $kind ref
done

# mdp-x: loaded with handle_unknown allow, asked every kind and
# validatetrans; with deny and reject, read back.
loaded_mdpx() {
	loaded mdpx && loaded mdpx-deny && loaded mdpx-reject
}
check "mdp-x loads with handle_unknown allow, deny and reject" loaded_mdpx
for u in mdpx mdpx-deny mdpx-reject; do
	check "$u: /sys/fs/selinux/policy reads back the pristine kernel's bytes" same_policy $u
done
# refused_both <step>: the load of that step refused by both kernels.
refused_both() {
	local a b

	a=$(field "$build/selinux-ours.txt" "selinux: load $1")
	b=$(field "$REFERENCE" "selinux: load $1")
	echo "test kernel: ${a:-none}, pristine: ${b:-none}"
	[ "${a#E}" != "$a" ] && [ "${b#E}" != "$b" ]
}
check "the reference policy with reject_unknown, which lacks classes both kernels have, is refused by both" refused_both ref-reject
for kind in $KINDS validatetrans; do
	check "mdp-x: $kind answers equal the pristine kernel's" same_answers "mdpx-$kind" "$MDP_OPS"
done
for u in mdpx mdpx-deny mdpx-reject; do
	check "$u: initial contexts, policy capabilities, classes, permissions and unknown handling equal the pristine kernel's" \
		same_listing $u "$LISTING_MIN"
done
# passes_and_refusals: the pristine kernel's validatetrans answers under
# mdp-x include passes, refusals (EPERM) and invalid contexts (EINVAL):
# the questions reach each outcome.
passes_and_refusals() {
	local a

	a=$(grep "^selinux-ans: mdpx-validatetrans " "$REFERENCE" | cut -d' ' -f4 | sort | uniq -c | tr '\n' ' ')
	echo "answers: $a"
	grep -q ' ok ' <<< "$a " && grep -q ' E1 ' <<< "$a " && grep -q ' E22 ' <<< "$a "
}
check "mdp-x: validatetrans answers include passes, refusals and invalid contexts" passes_and_refusals
for kind in relabel member named process; do
	check "questions drawn from mdp-x's $kind rules reach them" reach $kind mdpx
done

# --- sealing and leaks, on our kernel -------------------------------------

# sealed <log> <pool name> <step>...: at each step debugfs listed at
# least one pool of that name (its lines: name nodes pages mapped bytes state),
# and every one sealed.
sealed() {
	local log=$1 name=$2 step p

	shift 2
	for step in "$@"; do
		p=$(sed -n "s/^selinux: pools $step //p" "$log" | awk -v n="$name" '$1 == n')
		[ -n "$p" ] || { echo "no pool $name at $step"; return 1; }
		if awk '$NF != "sealed"' <<< "$p" | grep .; then
			echo "at $step"
			return 1
		fi
	done
}
# The functions below judge the log in $L: the full boot's or the leak
# boot's.
# counter <step> <name>
counter() {
	sed -n "s/^selinux: counters $1 .*\<$2=\([0-9]*\).*/\1/p" "$L"
}
# flat <from> <to> <tolerance kB or 0> <counter>...: each counter no
# higher at <to> than at <from> plus the tolerance; with 0, equal.
flat() {
	local from=$1 to=$2 tol=$3 c a b

	shift 3
	for c in "$@"; do
		a=$(counter "$from" "$c")
		b=$(counter "$to" "$c")
		[ -n "$a" ] && [ -n "$b" ] || { echo "no $c counter"; return 1; }
		[ $((b - a)) -le "$tol" ] || { echo "$c $a -> $b"; return 1; }
		[ "$tol" -ne 0 ] || [ "$a" -eq "$b" ] || { echo "$c $a -> $b"; return 1; }
	done
}
# held_flat <from> <to> <counter>...: equal, and not 0 (the policy is in
# smalloc's pages: a count that missed them proves nothing).
held_flat() {
	local from=$1 to=$2 c

	shift 2
	for c in "$@"; do
		[ "$(counter "$from" "$c")" -gt 0 ] 2> /dev/null || { echo "$c at $from: '$(counter "$from" "$c")'"; return 1; }
	done
	flat "$from" "$to" 0 "$@"
}
# about_flat <from> <to>: slab and all of vmalloc, within their tolerance.
about_flat() {
	flat "$1" "$2" "$SLAB_TOLERANCE_KB" slab_kb &&
		flat "$1" "$2" "$VMALLOC_TOLERANCE_KB" vmalloc_kb
}
# counters_info <from> <to>: every counter, as information.
counters_info() {
	echo "# SELinux: counters $1 -> $2: $(sed -n "s/^selinux: counters $1 //p" "$L") -> $(sed -n "s/^selinux: counters $2 //p" "$L")"
}
# slab_growth <from> <to>: the caches whose objects in use changed most,
# in kB, as information.
slab_growth() {
	echo "# SELinux: slab caches $1 -> $2: $(awk -v a="selinux: slabinfo $1 " -v b="selinux: slabinfo $2 " '
		index($0, a) == 1 { n[$4] -= $5 * $6 }
		index($0, b) == 1 { n[$4] += $5 * $6 }
		END { for (c in n) if (n[c] >= 4096 || n[c] <= -4096) printf "%s %+d\n", c, n[c] / 1024 }' "$L" |
		sort -t" " -k2,2gr | head -n 12 | tr '\n' ' ')"
}
no_leaks() {
	local n

	n=$(sed -n "s/^selinux: kmemleak $1 //p" "$L")
	[ "$n" = 0 ] && return 0
	echo "${n:-no scan}: $(sed -n "s/^selinux: kmemleak-report $1 //p" "$L" | head -n 8)"
	return 1
}
steps_done() {
	grep -x "selinux: reloads 100 failed 0" "$L" > /dev/null &&
		grep -x "selinux: commits 100 failed 0" "$L" > /dev/null &&
		grep -x "selinux: again-reloads 100 failed 0" "$L" > /dev/null &&
		grep -x "selinux: again-commits 100 failed 0" "$L" > /dev/null ||
		{ grep -E '^selinux: [a-z-]*(reloads|commits) ' "$L"; return 1; }
}
refused() {
	grep -x "selinux: broken $CUTS refused $CUTS" "$L" > /dev/null ||
		{ grep -E '^selinux: broken' "$L" | head -n 3; return 1; }
}
still_works() {
	grep -q '^selinux: answers after-broken same [1-9]' "$L" &&
		[ -n "$(sed -n 's/^selinux: policy before-broken //p' "$L")" ] &&
		[ "$(sed -n 's/^selinux: policy before-broken //p' "$L")" = \
		  "$(sed -n 's/^selinux: policy after-broken //p' "$L")" ] ||
		{ grep -E '^selinux: (answers after-broken|diff|policy (before|after)-broken)' "$L"; return 1; }
}
# leave_flat <what> <after what> <from> <to>: what <what> must leave as
# it found it, in the log in $L, between the counters of <from> and <to>.
leave_flat() {
	check "$1 leave the pool count flat" flat "$3" "$4" 0 pools
	check "$1 leave smalloc's vmalloc pages flat" \
		held_flat "$3" "$4" smalloc_vmalloc_pages pool_pages
	check "$1 leave slab and vmalloc flat within $SLAB_TOLERANCE_KB and $VMALLOC_TOLERANCE_KB kB" \
		about_flat "$3" "$4"
	check "kmemleak finds nothing after $2" no_leaks "$4"
	counters_info "$3" "$4"
}

L=$log
check "debugfs lists the policy's pool as sealed" sealed "$log" selinux:policy \
	after-differential after-commit after-broken
check "debugfs lists the booleans' pool as sealed" sealed "$log" selinux:booleans \
	after-commit
# flushes <what> <n>: the full boot's count of smalloc's TLB flushes rose
# by <n> over that load or boolean commit: a seal flushes once per pool,
# whatever its number of nodes (a reload seals two pools, a commit one).
flushes() {
	local line a b c d

	line=$(sed -n "s|^selinux: # node permission changes/TLB flushes by that $1: ||p" "$log" |
	       tr -d '\r' | head -n 1)
	[ -n "$line" ] || { echo "no count for the $1 in $log"; return 1; }
	read -r a b c d <<< "${line//[\/>-]/ }"
	[ $((d - b)) -eq "$2" ] || { echo "$line: $((d - b)) flushes"; return 1; }
}
check "a reload's seals flush the TLB once per pool, twice in all" flushes load 2
check "a boolean commit's seal flushes the TLB once" flushes commit 1
# kunit_case <step> <case>: SELinux's KUnit case, run in the full boot
# once a policy was in force, passed; skipped is not passed.
kunit_case() {
	local lines

	lines=$(tr -d '\r' < "$log" | sed -n "s/^selinux: kunit $1 *//p")
	grep -qxE "ok [0-9]+ $2" <<< "$lines" && return 0
	grep -E "(^| )$2( |\$)|^no suite" <<< "$lines" | head -n 4
	return 1
}
for step in after-reload after-commit; do
	for c in $SEAL_CASES; do
		check "KUnit $step: $c" kunit_case "$step" "$c"
	done
done
check "$CUTS truncated or corrupted policies are refused with an error" refused
check "the previous policy keeps working after the refused loads" still_works
leave_flat "refused loads" "the refused loads" before-broken after-broken
check "boot log has no warning, BUG or lockdep report" selinux_log_clean "$log"

L=$llog
stay_sealed() {
	sealed "$llog" selinux:policy after-reloads &&
		sealed "$llog" selinux:booleans after-reloads
}
check "reload boot: the policy's and the booleans' pools stay sealed" stay_sealed
check "100 reloads and 100 boolean commits succeed, twice" steps_done
leave_flat "200 reloads and 200 boolean commits" "the reloads and commits" \
	before-reloads after-reloads
# The 200 reloads and 200 commits, after 20 of each, in two halves: the
# bytes of slab objects in use may not grow in both halves by what 1 kB
# leaked per operation would add (200 kB each).  What a half holds for a
# while (a process, an inode) may grow one half; a leak grows both.  The
# caches that grew most are information.
objects_flat() {
	local a b
	a=$(flat before-reloads again-reloads "$SLAB_OBJECTS_TOLERANCE_KB" slab_objects_kb) && return 0
	b=$(flat again-reloads after-reloads "$SLAB_OBJECTS_TOLERANCE_KB" slab_objects_kb) && return 0
	echo "first half: $a; second half: $b"
	return 1
}
check "200 reloads and 200 commits after a warm-up leave slab objects flat within $SLAB_OBJECTS_TOLERANCE_KB kB in one half" \
	objects_flat
counters_info before-reloads after-reloads
slab_growth before-reloads again-reloads
slab_growth again-reloads after-reloads
# The direct map after boot, after the reference policy's load and after
# 120 reloads and 120 commits (the warm-up's 20 each included): 4 KiB,
# 2 MiB and 1 GiB pages in kB, x86's splits since the system runs,
# smalloc's permission changes and flushes, and its small blocks.
echo "# SELinux direct map: $(tr -d '\r' < "$llog" | sed -n 's/^selinux: directmap //p' | tr '\n' ';')"
# directmap_value <step> <key>: a value of the leaks boot's directmap line.
directmap_value() {
	tr -d '\r' < "$llog" | sed -n "s/^selinux: directmap $1 //p" | tr ' ' '\n' |
		sed -n "s|^$2=||p"
}
# directmap_flat: from the load through the reloads and commits, the
# policy's pools come and go, and their blocks leave the direct map
# whole: the 4 KiB pages and x86's 2 MiB splits grow by nothing, but for
# a block smaller than 2 MiB (made when memory is fragmented), which may
# split one 2 MiB page each.
directmap_flat() {
	local k1 k2 s1 s2 b1 b2 small v

	k1=$(directmap_value after-load 4k)
	k2=$(directmap_value after-reloads 4k)
	s1=$(directmap_value after-load direct_map_level2_splits)
	s2=$(directmap_value after-reloads direct_map_level2_splits)
	b1=$(directmap_value after-load small_blocks)
	b2=$(directmap_value after-reloads small_blocks)
	for v in "$k1" "$k2" "$s1" "$s2" "$b1" "$b2"; do
		case $v in
		''|*[!0-9]*) echo "no reading: 4k '$k1' '$k2', splits '$s1' '$s2', small blocks '$b1' '$b2'"; return 1 ;;
		esac
	done
	small=$((b2 - b1))
	[ $((k2 - k1)) -le $((small * 2048)) ] && [ $((s2 - s1)) -le "$small" ] ||
		{ echo "4k $k1 -> $k2 kB, 2 MiB splits $s1 -> $s2, small blocks $b1 -> $b2"; return 1; }
}
check "the direct map's 4 KiB pages and 2 MiB splits do not grow over 120 reloads and 120 commits, but for small blocks" \
	directmap_flat

# failnth_refused: every load the guest announced reports, and a load
# fails (with ENOMEM) if and only if an allocation from its pool failed;
# some did; after each refusal, the policy in force reads back and
# answers as the one before the load did.
failnth_refused() {
	local lines total injected refused stray loads changed formed

	loads=$(sed -n 's/^selinux: failnth loads \([0-9]*\)$/\1/p' "$L")
	lines=$(grep -E '^selinux: failnth (mdp|ref) [0-9]+ ' "$L")
	total=$(grep -c . <<< "$lines")
	# A selinux-query -f that died prints a line with no result.
	formed=$(grep -cE ' [0-9]+ (ok|E[0-9]+) (not )?injected (same|changed)$' <<< "$lines")
	injected=$(grep -c -E ' (ok|E[0-9]+) injected (same|changed)$' <<< "$lines")
	refused=$(grep -c -E ' E[0-9]+ injected (same|changed)$' <<< "$lines")
	stray=$(grep -c -E ' E[0-9]+ not injected ' <<< "$lines")
	changed=$(grep -c -E ' E[0-9]+ [a-z ]*changed$' <<< "$lines")
	echo "$total of ${loads:-?} loads, $((total - formed)) without a result, $injected injected," \
		"$refused refused, $stray refused without a failure, $changed refused with the policy in force changed"
	[ "$total" -eq "${loads:-0}" ] && [ "$total" -gt 0 ] && [ "$formed" -eq "$total" ] && [ "$stray" -eq 0 ] &&
		[ "$injected" -ge 20 ] && [ "$refused" -eq "$injected" ] && [ "$changed" -eq 0 ] &&
		[ "$(grep -c ' E12 injected same$' <<< "$lines")" -eq "$injected" ] &&
		! grep -q '^selinux: failnth \(reload\|commit\) failed' "$L"
}
check "loads that run out of memory at any point are refused, and the policy in force answers as before" failnth_refused
echo "# SELinux: $(failnth_refused | head -n 1) (fault injection)"

# faults <what> <points> <tried>: selinux-query -N's run <what> (mdp: loads of mdp over
# mdp-x; commit: commits of mdp-x's boolean; ref: loads of the reference
# policy over mdp) finished; at each point, a write that succeeded left
# the new policy in force and one that failed, with ENOMEM, the old one,
# as the policy read back says; a failure was injected at each.  The
# load or commit reached at least <points> points, <tried> of them tried
# (a shorter run, $S/counts, tries fewer: not for make test).
fault_lines() {
	tr -d '\r' < "$L" | sed -n 's/^selinux: again /selinux: /; /^selinux: fault /p' |
		grep -E "^selinux: fault $1 [0-9]+ " | sort -u -t' ' -k3,3 -k4,4n
}
# fault_line <what> <rest>: the line "selinux: fault <what> <rest>..." was
# printed (once or again).
fault_line() {
	# No grep -q at the end of a pipe: with pipefail, the writer it
	# leaves behind fails.
	grep -x "selinux: fault $1 $2" <<< "$(tr -d '\r' < "$L" | sed 's/^selinux: again /selinux: /')" > /dev/null
}
faults() {
	local lines total bad

	lines=$(fault_lines "$1")
	total=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 points \([0-9]*\)$/\2/p" | head -n 1)
	bad=$(grep -vE " (ok injected new|E12 injected old|ok not new) " <<< "$lines")
	echo "$(grep -c . <<< "$lines") points of ${total:-?}, $(grep -c ' ok injected new ' <<< "$lines") complete," \
		"$(grep -c ' E12 injected old ' <<< "$lines") refused${bad:+; $(head -n 3 <<< "$bad" | tr '\n' ';')}"
	fault_line "$1" "exit 0" && [ -n "$lines" ] && [ -z "$bad" ] &&
		[ "${total:-0}" -ge "$2" ] && [ "$(grep -c . <<< "$lines")" -ge "${3:-0}" ] &&
		fault_line "$1" "answers differ"
}
# fault_attrs: each of slab, page and smalloc failed at some point.
fault_attrs() {
	local a

	a=$(fault_lines '[a-z-]*' | awk '{ print $8 }' | tr ',' '\n' | sort | uniq -c | tr '\n' ' ')
	echo "failed: $a"
	grep -q ' failslab ' <<< " $a " && grep -q ' fail_page_alloc ' <<< " $a " &&
		grep -q ' fail_smalloc ' <<< " $a "
}
# fault_pages: the load whose page allocations alone counted failed a
# page at some of its points, and nothing but pages (the filters held).
fault_pages() {
	local other

	other=$(fault_lines mdp-page | awk '$8 != "fail_page_alloc" && $8 != "-" { print $4, $8 }' | head -n 3)
	echo "page points that failed: $(fault_lines mdp-page | grep -c ' fail_page_alloc ')${other:+; others: $(tr '\n' ';' <<< "$other")}"
	[ -z "$other" ] && grep -q ' fail_page_alloc ' <<< "$(fault_lines mdp-page)"
}
# fault_seals <loads|commit>: a seal failed in each load (mdp's and the
# reference policy's), or in a boolean commit, and the old policy stayed
# in force each time; the tries at the seal (when its points did not
# fail it: where it falls moves between attempts) left the old or the
# new policy in force, as the points must.
fault_seals() {
	local l t bad w

	if [ "$1" = commit ]; then
		l=$(fault_lines 'commit(-seal)?' | grep ' seal=1 ')
		t=$(fault_lines commit-seal)
	else
		l=$(fault_lines '(mdp|ref)(-seal)?' | grep ' seal=1 ')
		t=$(fault_lines '(mdp|ref)-seal')
	fi
	bad=$(grep -vE " (ok injected new|E12 injected old|ok not new) " <<< "$t" | grep .)
	if [ "$1" = commit ]; then
		echo "failed seals in commits: $(grep -c . <<< "$l") ($(grep -c ' seal=1 ' <<< "$t") in $(grep -c . <<< "$t") tries at the seal)${bad:+; $(head -n 3 <<< "$bad" | tr '\n' ';')}"
		[ -n "$l" ] || return 1
	else
		echo "failed seals: $(grep -c 'fault mdp' <<< "$l") in loads of mdp and $(grep -c 'fault ref' <<< "$l") of ref ($(grep -c ' seal=1 ' <<< "$t") in $(grep -c . <<< "$t") tries at the seal)${bad:+; $(head -n 3 <<< "$bad" | tr '\n' ';')}"
		for w in mdp ref; do
			grep -q "^selinux: fault $w\(-seal\)\{0,1\} " <<< "$l" || return 1
		done
	fi
	[ -z "$bad" ] && ! grep -v ' E12 injected old ' <<< "$l"
}
# fault_quiet: no message but fault injection's, SELinux's, audit's and
# allocation failure reports.
fault_quiet() {
	local lines

	lines=$(fault_lines '[a-z-]*')
	grep -v ' other=0$' <<< "$lines" | head -n 3
	grep -E '^selinux: fault [a-z]+ other ' "$L" | head -n 3
	[ "$(grep -c ' other=0$' <<< "$lines")" -gt 0 ] &&
		[ "$(grep -vc ' other=0$' <<< "$lines")" -eq 0 ]
}
check "loads of mdp that fail a slab, page or smalloc allocation are refused with ENOMEM or complete, and the policy in force reads back and answers accordingly" faults mdp 1000 250
check "boolean commits that fail an allocation are refused with ENOMEM or complete, and the policy and booleans read back and answer accordingly" faults commit 20 40
check "loads of the reference policy that fail an allocation near their seal or end are refused with ENOMEM or complete, as the policy read back and its answers say" faults ref 1000 15
check "loads of mdp that fail a page allocation are refused with ENOMEM or complete, and the policy in force reads back and answers accordingly" faults mdp-page 100 20
check "a load whose page allocations alone count fails pages, and nothing else" fault_pages
check "slab, page and smalloc allocations each failed some load or commit" fault_attrs
check "a failed seal of each load leaves the old policy in force, and a try at the seal the old or the new" fault_seals loads
check "a failed seal of a boolean commit leaves the old policy in force, and a try at the seal the old or the new" fault_seals commit
check "injected failures print only the expected messages" fault_quiet
for w in mdp mdp-page commit ref; do
	echo "# SELinux faults $w: $(faults $w 0 | head -n 1); $(tr -d '\r' < "$L" | sed -n "s/^selinux: fault $w seal near //p" | head -n 1 | sed 's/^/seal near point /')$(tr -d '\r' < "$L" | sed -n "s/^selinux: fault $w seal \(failed at .*\|not failed in .*\)$/, tried at the seal: \1/p" | head -n 1)"
done
echo "# SELinux faults: $(fault_attrs | head -n 1); $(fault_seals loads | head -n 1); $(fault_seals commit | head -n 1)"
leave_flat "refused out-of-memory loads" "the refused out-of-memory loads" \
	before-failnth after-failnth
check "reload boot: log has no warning, BUG or lockdep report" selinux_log_clean "$llog"

# --- enforcing ---------------------------------------------------------------

enforce_reads_1() {
	grep -qx 'selinux: enforce at boot 1' "$elog" &&
		grep -qx 'selinux: enforce after load 1' "$elog" ||
		{ grep '^selinux: enforce' "$elog"; return 1; }
}
enforcing_sealed() {
	grep -q '^selinux: load mdp ok' "$elog" || { grep '^selinux: load' "$elog"; return 1; }
	sealed "$elog" selinux:policy enforcing
}
# The process changes its context to s0, where it is: the new context
# reads back.
allowed() {
	grep -qx 'selinux: allowed transition 0 user_u:base_r:base_t:s0 ' "$elog" ||
		{ grep '^selinux: allowed' "$elog"; return 1; }
}
# To s1: refused, with an AVC denial; allowed once permissive.
denied() {
	grep -q '^selinux: denied transition 1 ' "$elog" &&
		grep -q 'avc:  denied  { dyntransition } .* tcontext=user_u:base_r:base_t:s1:c0,c1 tclass=process permissive=0' "$elog" &&
		grep -qx 'selinux: permissive transition 0 user_u:base_r:base_t:s1:c0,c1 ' "$elog" ||
		{ grep -E '^selinux: (denied|permissive)|avc: ' "$elog"; return 1; }
}
check "enforcing boot: /sys/fs/selinux/enforce reads 1" enforce_reads_1
check "enforcing boot: the mdp policy loads into a sealed pool" enforcing_sealed
check "enforcing boot: an operation the policy allows succeeds" allowed
check "enforcing boot: an operation the policy denies fails, and works when permissive" denied
# ref_transitions: what the reference policy says of the changes the
# enforcing boot tries: kernel_t may dyntransition to init_t, not to
# sshd_t, a type of system_r; kernel_t may setcurrent.
ref_transitions() {
	python3 - "$REF_POL" <<-'EOF'
	import sys
	import setools
	p = setools.SELinuxPolicy(sys.argv[1])
	def allowed(src, tgt, perm):
	    q = setools.TERuleQuery(p, ruletype=['allow'], source=src, target=tgt,
	                            tclass=['process'], perms=[perm])
	    return any(r for r in q.results())
	system_r = [r for r in p.roles() if str(r) == 'system_r'][0]
	facts = [allowed('kernel_t', 'kernel_t', 'setcurrent'),
	         allowed('kernel_t', 'init_t', 'dyntransition'),
	         not allowed('kernel_t', 'sshd_t', 'dyntransition'),
	         'sshd_t' in [str(t) for t in system_r.types()]]
	print(facts)
	sys.exit(0 if all(facts) else 1)
	EOF
}
# ref_enforcing <type> <exit> <avc>: under the reference policy,
# enforcing, the change to system_u:system_r:<type>:s0 exited <exit>, and
# an AVC denial of it was logged (1) or not (0).
ref_enforcing() {
	local avc

	grep -q '^selinux: load ref-enforcing ok' "$elog" &&
		grep -qx 'selinux: enforce after ref 1' "$elog" &&
		grep -qx "selinux: ref transition $1 $2" "$elog" ||
		{ grep -E '^selinux: (load ref|enforce after ref|ref transition)' "$elog"; return 1; }
	# The console's lines only: the dmesg dump at the end repeats them.
	avc=$(sed '/^=== dmesg ===/q' "$elog" |
		grep -c "avc:  denied  { dyntransition } .* tcontext=system_u:system_r:$1:s0 tclass=process permissive=0")
	[ "$avc" -eq "$3" ] || { echo "$avc AVC denials"; return 1; }
}
check "the reference policy lets kernel_t change to init_t and not to sshd_t" ref_transitions
check "enforcing boot, reference policy: a change it allows succeeds, with no denial" ref_enforcing init_t 0 0
check "enforcing boot, reference policy: a change it denies fails, with an AVC denial" ref_enforcing sshd_t 1 1
check "enforcing boot: log has no warning, BUG or lockdep report" selinux_log_clean "$elog"

# --- readers during reloads ---------------------------------------------------

# race_answers: every CPU had a reader, pinned to it, that asked, and got
# only answers of a policy in force while it asked (with the boolean as
# it was then): an access answer, its own policy's (the seqno it
# carries); any other, one of the states from the seqno read before to
# the one after the one read after.  Both kinds were asked.  The 100
# reloads and 100 commits ran meanwhile, and succeeded.
race_answers() {
	local cpus readers kinds lines kept

	# The report is printed twice ("again"): take each line once.
	lines=$(tr -d '\r' < "$rlog" | sed -n 's/^selinux: \(again \)\{0,1\}\(race .*\)/\2/p' | sort -u)
	cpus=$(sed -n 's/^race cpus \([0-9]*\) .*/\1/p' <<< "$lines")
	readers=$(sed -nE 's/^race reader ([0-9]+) asked [1-9][0-9]* bad 0 pinned$/\1/p' <<< "$lines" | sort -u | grep -c .)
	kinds=$(sed -nE 's/^race reader ([0-9]+) access answers [1-9][0-9]*, one state each; others [1-9][0-9]*, .*/\1/p' <<< "$lines" |
		sort -u | grep -c .)
	kept=$(sed -n 's/^race questions \([0-9]*\) of .*/\1/p' <<< "$lines" | head -n 1)
	grep -E '^race (loads|commits|reader|bad|cpus|boolean|sets|seqnos|questions)' <<< "$lines" | head -n 12
	# The model takes an invalid context to become unlabeled: a context
	# that a permissive load keeps although invalid would break it.
	! grep -q 'would be invalid if enforcing' "$rlog" &&
		[ "${kept:-0}" -ge 100 ] &&
		! grep -q '^race sets full' <<< "$lines" &&
		grep -qE '^race boolean xb changes [1-9][0-9]* of them$' <<< "$lines" &&
		[ "${cpus:-0}" -ge 2 ] && [ "$readers" -eq "$cpus" ] && [ "$kinds" -eq "$cpus" ] &&
		grep -qx 'race loads 100 failed 0' <<< "$lines" &&
		grep -qx 'race commits 100 failed 0' <<< "$lines" &&
		grep -qx 'race seqnos 200' <<< "$lines"
}
check "race boot: readers on every vCPU during 100 reloads and 100 boolean commits get only answers of a policy in force while they asked" race_answers
echo "# SELinux race: $(race_answers | tr '\n' ';' | cut -c1-600)"
check "race boot: log has no warning, BUG, lockdep or RCU report" selinux_log_clean "$rlog"

# mutant_checks: the mutated policies, judged (SMALLOC_SELINUX_MUTANTS=1).
mutant_checks() {
	L=$mlog
	check "mutated policies: the pristine kernel and ours both refuse or both accept each, but the listed ones" same_verdicts
	echo "# SELinux mutants: $(same_verdicts | head -n 1)"
	check "mutated policies that both kernels accept answer and read back alike" same_mutant_answers
	check "the pristine kernel prints no warning or oops on the mutated policies, but the listed upstream defects" pristine_quiet
	check "mutant boot: every mutant given a verdict, and mdp loads again after each" mutants_ran
	check "mutant boot: log has no warning, BUG or lockdep report" selinux_log_clean "$mlog"
	leave_flat "$MUTANTS mutated policies" "the mutated policies" before-mutants after-mutants
}
[ "$mutants_on" != 1 ] || mutant_checks

# every_point <what> <k> <m>: the fault boot of $L, slice <k>/<m>, tried
# each of the points n of <what> with n % m == k, and no other, up to the
# first it tried past the count that was no longer reached ("end").
every_point() {
	local slice total last lines want

	slice=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 slice //p" | head -n 1)
	total=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 points \([0-9]*\)$/\2/p" | head -n 1)
	last=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 end \([0-9]*\)$/\2/p" | head -n 1)
	again=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 points again \([0-9]*\)$/\2/p" | head -n 1)
	[ "$slice" = "$2/$3" ] || { echo "slice ${slice:-none}, not $2/$3"; return 1; }
	[ -n "$total" ] && [ -n "$last" ] && [ -n "$again" ] ||
		{ echo "no count, no end or no count at the end of $1"; return 1; }
	lines=$(fault_lines "$1")
	want=$(seq 1 "$last" | awk -v k="$2" -v m="$3" '$1 % m == k')
	echo "slice $slice: $(grep -c . <<< "$lines") tried of $(grep -c . <<< "$want")," \
		"$total counted, $again at the end, end at $last"
	# The points tried are the load's at the end too: its count held, to
	# within 1 % (a slab that needs a page in one attempt, not the next).
	[ "$(awk '{ print $4 }' <<< "$lines")" = "$want" ] &&
		[ "$(awk -v e="$last" '$4 == e { print $6 }' <<< "$lines")" = not ] &&
		[ $(((again > total ? again - total : total - again) * 100)) -le "$total" ]
}
# all_points <what>: between them, the fault boots injected a failure at
# every point of <what> up to the fewest allocations an attempt made (a
# "reached" line); beyond, attempts differ (a slab that needs a page or
# not).  That bound must be within 1 % of the fewest a boot counted: an
# attempt that fell far short would otherwise excuse the points above it.
all_points() {
	local low high missing count

	# The points every attempt had: up to the fewest allocations an
	# attempt made (a point below the end may be one an attempt did not
	# reach: the count varies by some tens from one attempt to the next).
	# No grep -q at the end of a pipe (see fault_line()).
	tr -d '\r' < "$L" | grep "^selinux: \(again \)\{0,1\}fault $1 end " > /dev/null ||
		{ echo "no attempt of $1 past its end"; return 1; }
	low=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 reached //p" |
		sort -n | head -n 1)
	[ -n "$low" ] || { echo "no attempt of $1 that did not reach its point"; return 1; }
	count=$(tr -d '\r' < "$L" | sed -n "s/^selinux: \(again \)\{0,1\}fault $1 points \([0-9]*\)$/\2/p" |
		sort -n | head -n 1)
	[ "$((${low:-0} * 100))" -ge "$((${count:-0} * 99))" ] && [ "${count:-0}" -gt 0 ] ||
		{ echo "the fewest allocations an attempt made, $low, is not within 1 % of the count, ${count:-none}"; return 1; }
	high=$(fault_lines "$1" | awk '$6 == "injected" && $4 > h { h = $4 } END { print h + 0 }')
	missing=$(fault_lines "$1" | awk -v low="$low" '$6 == "injected" { s[$4] = 1 }
		END { for (n = 1; n <= low; n++) if (!(n in s)) m++; print m + 0 }')
	echo "$missing of points 1 to $low never failed (the fewest allocations an attempt made; the most failed: $high)"
	[ "$missing" -eq 0 ] && [ "$low" -gt 0 ]
}
# fault_checks: the fault boots (make check-faults), each judged as the
# reload boot's fault runs are, and with every point of the load and the
# commit tried between them.
fault_checks() {
	local k m log

	m=$(cat "$build/selinux-faults.slices" 2> /dev/null)
	check "fault boots: their number recorded" test -n "$m" || return
	for k in $(seq 0 $((m - 1))); do
		log=$build/selinux-faults-$k.log
		L=$log
		check "fault boot $k/$m: every point of its share of a load of mdp over mdp-x tried, past the end, and the count held" every_point mdp "$k" "$m"
		check "fault boot $k/$m: every point of its share of a boolean commit tried, past the end, and the count held" every_point commit "$k" "$m"
		check "fault boot $k/$m: loads of mdp that fail a slab, page or smalloc allocation are refused with ENOMEM or complete, and the policy in force reads back and answers accordingly" faults mdp 1000 1000
		check "fault boot $k/$m: boolean commits that fail an allocation are refused with ENOMEM or complete, and the policy and booleans read back and answer accordingly" faults commit 20 20
		check "fault boot $k/$m: loads of the reference policy that fail an allocation at one point in 1,000, near their seal or end are refused with ENOMEM or complete, as the policy read back and its answers say" faults ref 1000 50
		check "fault boot $k/$m: injected failures print only the expected messages" fault_quiet
		for w in mdp commit; do
			echo "# SELinux fault boot $k/$m $w: $(faults $w 0 | head -n 1); $(every_point $w "$k" "$m" | head -n 1)"
		done
		echo "# SELinux fault boot $k/$m ref: $(faults ref 0 | head -n 1)"
		check "fault boot $k/$m: kmemleak finds nothing after the faults" no_leaks after-faults
		check "fault boot $k/$m: the faults leave the pool count flat" flat before-faults after-faults 0 pools
		check "fault boot $k/$m: log has no warning, BUG or lockdep report" selinux_log_clean "$log"
	done
	# Which points fail a seal, or which attribute, is a matter of the
	# points together: the boots' lines, judged as one log.
	L=$build/selinux-faults-all.log
	for k in $(seq 0 $((m - 1))); do
		cat "$build/selinux-faults-$k.log"
	done > "$L"
	check "fault boots: every point of a load of mdp over mdp-x failed in one of them" all_points mdp
	check "fault boots: every point of a boolean commit failed in one of them" all_points commit
	check "fault boots: slab, page and smalloc allocations each failed some load or commit" fault_attrs
	check "fault boots: a failed seal of each load leaves the old policy in force, and a try at the seal the old or the new" fault_seals loads
	check "fault boots: a failed seal of a boolean commit leaves the old policy in force, and a try at the seal the old or the new" fault_seals commit
	for w in mdp commit; do
		echo "# SELinux fault boots $w: $(all_points $w | head -n 1)"
	done
	echo "# SELinux fault boots: $(fault_attrs | head -n 1); $(fault_seals loads | head -n 1); $(fault_seals commit | head -n 1)"
}
case " ${SMALLOC_SELINUX_BOOTS:-} " in *" faults "*) fault_checks ;; esac
