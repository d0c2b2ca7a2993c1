# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Sourced by selinux-init.sh in the guest: the mutated policies, the same
# on our kernel and on the pristine one (their verdicts are cached by
# selinux.sh, keyed by this file).  Uses say and $Q of selinux-diff.sh.

# mutants: the mutated policies of $S/mutants (selinux-mutants.py), each
# loaded over mdp (selinux-query -M); one that loads is asked the
# questions of $S/mutants.q and read back, then mdp is loaded again.
# Lines "selinux: mutant <id> ..." for the host, which compares the two
# kernels'.  Resumes after <id> if $S/mutants-from says one (selinux.sh
# boots a kernel again after a mutant it died on).  The home policy is
# loaded first, so that counts taken before and after compare alike.
mutants() {
	load home $S/mdp.pol
	from=$(cat $S/mutants-from 2> /dev/null)
	if [ -n "$from" ]; then
		awk -v f="$from" '$1 > f' $S/mutants > /tmp/mutants
	else
		cp $S/mutants /tmp/mutants
	fi
	say "mutants $(wc -l < /tmp/mutants) from ${from:-start}"
	# -M prints its lines itself, straight to the console: a line
	# that waited in a pipe would not say which mutant a kernel died on.
	$Q -M $S/mutants.q $S/mdp.pol mdp=$S/mdp.pol mdpx=$S/mdpx-allow.pol \
		ref=$S/ref.pol < /tmp/mutants
	say "mutants exit $?"
}

