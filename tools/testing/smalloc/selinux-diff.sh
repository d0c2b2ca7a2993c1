# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Sourced by selinux-init.sh in the guest: the differential part of the
# SELinux stage, which runs first, the same on our kernel and on the
# pristine one.  What it prints is all that the comparison reads, so that
# the pristine kernel's answers, cached by selinux.sh, depend on this file
# (part of their cache key), the policies, the questions and the query
# program, and not on the checks that follow it on our kernel.
#
# Lines for the host:
#   selinux: load <step> ok|E<errno> <seconds>
#   selinux: policy <step> <sha256 of /sys/fs/selinux/policy read back>
#   selinux: answers <step> <lines> <sha256 of the lines>
#   selinux-ans: <step> a|c <answer>      (one per question, in order;
#                                          see answers())
#   selinux: bool <name> <value> <commit: ok|E<errno>> <value read back>
#   selinux: listing <step> <lines> <sha256 of the lines>
#   selinux-lst: <step> <file>:<value>    (see listing())

S=/selinux
Q=$S/query

say() {
	echo "selinux: $*"
}

# load <step> <policy>: the whole policy in one write().
load() {
	say "load $1 $($Q -l "$2")"
}

policy_sha() {
	say "policy $1 $(sha256sum < /sys/fs/selinux/policy | cut -d' ' -f1)"
}

# answers <step> <triples>: ask access and create for each triple.  The
# answers go to the console, each line with the step's name, unless
# /selinux/expect has "<step> <sha256>" for them: the host knows them
# already (the pristine kernel's), and 40,000 lines take a while on a
# serial console under TCG.
answers() {
	$Q -a -c < "$2" > /tmp/answers 2> /tmp/answers.err
	answers_sha=$(sha256sum < /tmp/answers | cut -d' ' -f1)
	say "answers $1 $(wc -l < /tmp/answers) $answers_sha"
	sed "s/^/selinux: $1 /" /tmp/answers.err
	grep -qx "$1 $answers_sha" $S/expect 2> /dev/null ||
		sed "s/^/selinux-ans: $1 /" /tmp/answers
}

# listing <step>: what the policy decides that no query asks: the
# contexts of the initial SIDs, the policy capabilities, each class's
# number and each permission's bit, deny_unknown, reject_unknown and mls,
# one "<file>:<value>" line each, sorted.  An initial context ends with
# its NUL, dropped here.  The lines go to the console as the answers do.
listing() {
	(cd /sys/fs/selinux &&
	 for f in initial_contexts/*; do
		printf '%s:' "$f"
		tr -d '\000' < "$f"
		echo
	 done
	 grep -r '' policy_capabilities class deny_unknown reject_unknown mls) |
		sort > /tmp/listing
	listing_sha=$(sha256sum < /tmp/listing | cut -d' ' -f1)
	say "listing $1 $(wc -l < /tmp/listing) $listing_sha"
	grep -qx "listing-$1 $listing_sha" $S/expect 2> /dev/null ||
		sed "s/^/selinux-lst: $1 /" /tmp/listing
}

# set_bool <name> <value>: one boolean, committed.
set_bool() {
	echo "$2" > "/sys/fs/selinux/booleans/$1"
	say "bool $1 $2 $($Q -w /sys/fs/selinux/commit_pending_bools 1 | cut -d' ' -f1)" \
		"$(cut -d' ' -f1 < "/sys/fs/selinux/booleans/$1")"
}

differential() {
	load mdp $S/mdp.pol
	policy_sha mdp
	answers mdp $S/mdp.triples
	listing mdp
	# The cost of a setenforce (under mdp, which allows it either way),
	# as information: "# " lines are not compared.
	say "# setenforce $($Q -e 2000)"
	load ref $S/ref.pol
	policy_sha ref
	answers ref $S/ref.triples
	listing ref
	while read -r name value; do
		set_bool "$name" "$value"
	done < $S/bools
	policy_sha bools
	answers bools $S/ref.triples
	listing bools
	load reload $S/ref.pol
	policy_sha reload
	answers reload $S/ref.triples
	listing reload
	say "differential done"
}
