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
#   selinux: answers <step>-<kind> <lines> <sha256 of the lines>
#   selinux-ans: <step>-<kind> <op> <answer>  (see decisions())
#   selinux: answers <step>-labels <lines> <sha256 of the lines>
#   selinux-ans: <step>-labels <path> <context>  (see labels())

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
	report "$1"
}

# report <step>: /tmp/answers, as answers() prints them.
report() {
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

# KINDS: the questions of selinux-query -q, one file of each kind per
# policy ($S/<policy>.<kind>, see selinux-triples.py).  user comes last:
# each of its answers adds contexts to the SID table.
KINDS="relabel member named process context user"

# decisions <step> <policy> [<kind>...]: every kind of question (or
# those given), asked; each kind's answers reported as answers() does,
# as step <step>-<kind>.
decisions() {
	step=$1 policy=$2
	shift 2
	for kind in ${*:-$KINDS}; do
		$Q -q < "$S/$policy.$kind" > /tmp/answers 2> /tmp/answers.err
		report "$step-$kind"
	done
}

# as_domain <context> <dir> <file>: in a child process running in the
# domain <context>, create in <dir> each object of <file>'s lines
# "f|d|p|l <name>": a file, a directory, a fifo, a symbolic link.
as_domain() {
	(printf '%s' "$1" > /proc/self/attr/current || exit 1
	 cd "$2" || exit 1
	 while read -r kind name; do
		case $kind in
		f) : > "$name" ;;
		d) mkdir "$name" ;;
		p) mkfifo "$name" ;;
		l) ln -s target "$name" ;;
		esac 2> /dev/null
	 done < "$3")
}

# labels <step> <policy>: the labels that fs_use and genfs rules give.
# Fresh tmpfs and ramfs mounts, one per domain of $S/<policy>.names,
# where a process of that domain creates its objects (the policy's named
# transitions into tmpfs_t among them); fresh proc, sysfs and devtmpfs
# mounts, where each genfs path of the policy and its first three
# entries are read; the root of every other filesystem with a genfs
# rule.  Each line: "<path> <context>" or "<path> E<errno>".  The
# entries of each directory in sorted order; the numeric entries of
# proc (processes) are left out.
labels() {
	L=/tmp/labels
	mkdir -p $L
	: > /tmp/paths
	grep -v '^genfs ' "$S/$2.names" | cut -d' ' -f1 | awk '!seen[$0]++' > /tmp/domains
	i=0
	while read -r dom; do
		for fs in tmpfs ramfs; do
			mkdir -p $L/$fs$i
			mount -t $fs none $L/$fs$i || continue
			grep "^$dom " "$S/$2.names" | cut -d' ' -f2- > /tmp/objects
			as_domain "$dom" $L/$fs$i /tmp/objects ||
				say "$1 could not run as $dom"
			find $L/$fs$i | sort >> /tmp/paths
		done
		i=$((i + 1))
	done < /tmp/domains
	for fs in proc sysfs devtmpfs; do
		mkdir -p $L/$fs
		mount -t $fs none $L/$fs || continue
		echo $L/$fs >> /tmp/paths
	done
	ls $L/devtmpfs | sed "s|^|$L/devtmpfs/|" >> /tmp/paths
	sed -n 's/^genfs \(proc\|sysfs\) /\1 /p' "$S/$2.names" | while read -r fs path; do
		p=$L/$fs${path%/}
		echo "$p"
		[ -d "$p" ] && ls "$p" | grep -v '^[0-9]*$' | head -n 3 | sed "s|^|$p/|"
	done >> /tmp/paths
	sed -n 's/^genfs \([a-z0-9_]*\) \/$/\1/p' "$S/$2.names" | sort -u |
	while read -r fs; do
		case $fs in proc|sysfs|devtmpfs|tmpfs|ramfs) continue ;; esac
		mkdir -p $L/$fs
		mount -t "$fs" none $L/$fs 2> /dev/null && echo $L/$fs
	done >> /tmp/paths
	$Q -L < /tmp/paths | sed "s|^$L/||" > /tmp/answers
	grep ' /tmp/labels' /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do
		umount "$m"
	done
	: > /tmp/answers.err
	report "$1-labels"
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
	decisions mdp mdp
	labels mdp mdp
	# The cost of a setenforce (under mdp, which allows it either way),
	# as information: "# " lines are not compared.
	say "# setenforce $($Q -e 2000)"
	load ref $S/ref.pol
	policy_sha ref
	answers ref $S/ref.triples
	listing ref
	decisions ref ref
	labels ref ref
	while read -r name value; do
		set_bool "$name" "$value"
	done < $S/bools
	policy_sha bools
	answers bools $S/ref.triples
	listing bools
	decisions bools ref
	labels bools ref
	load reload $S/ref.pol
	policy_sha reload
	answers reload $S/ref.triples
	listing reload
	decisions reload ref
	labels reload ref
	# mdp-x (selinux-mdpx.awk): rules that neither policy has, asked
	# last (each load and commit counts in the access answers' seqno);
	# then with handle_unknown deny and reject, read back.
	load mdpx $S/mdpx-allow.pol
	policy_sha mdpx
	listing mdpx
	decisions mdpx mdpx $KINDS validatetrans
	for u in deny reject; do
		load mdpx-$u $S/mdpx-$u.pol
		policy_sha mdpx-$u
		listing mdpx-$u
	done
	# The reference policy lacks classes and permissions this kernel
	# has: with reject_unknown set, every kernel must refuse it.
	load ref-reject $S/ref-reject.pol
	# What follows on our kernel expects the reference policy.
	load back $S/ref.pol
	say "differential done"
}
