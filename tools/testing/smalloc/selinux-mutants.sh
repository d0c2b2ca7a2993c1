# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Sourced by selinux-init.sh in the guest: the mutated policies, the same
# on our kernel and on the pristine one (their verdicts are cached by
# selinux.sh, keyed by this file).  Uses say and $Q of selinux-diff.sh.

# mutants: the mutated policies of $S/mutants (selinux-mutants.py), each
# loaded over mdp (selinux-query -M); one that loads is asked the
# questions of $S/mutants.q and read back, then mdp is loaded again.
# Lines "selinux: mutant <id> ..." for the host, which compares the two
# kernels'.  Leaves out the ids of $S/mutants-done (selinux.sh boots the
# pristine kernel again after a mutant it died on).  The home policy is
# loaded first, so that counts taken before and after compare alike.
mutants() {
	load home $S/mdp.pol
	# Those that an earlier boot judged or died on, the host says.
	touch $S/mutants-done
	# (By file name: NR == FNR would hold all along an empty list.)
	awk 'FILENAME == ARGV[1] { done[$1]; next } !($1 in done)' \
		$S/mutants-done $S/mutants > /tmp/mutants
	say "mutants $(wc -l < /tmp/mutants) of $(wc -l < $S/mutants)"
	rm -f /tmp/mutants.out
	# -M prints its lines itself, straight to the console: a line
	# that waited in a pipe would not say which mutant a kernel died on.
	$Q -M $S/mutants.q $S/mdp.pol mdp=$S/mdp.pol mdpx=$S/mdpx-allow.pol \
		ref=$S/ref.pol < /tmp/mutants
	say "mutants exit $?"
	# The verdicts again, from the file: the host takes them all.
	sed 's/^/selinux: again /' /tmp/mutants.out
}

