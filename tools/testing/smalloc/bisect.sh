#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that the series is bisectable: the kernel builds after each patch;
# and after the last one, with CONFIG_KUNIT=n, with SELinux's policy
# unsealed (CONFIG_SECURITY_SELINUX_SEAL_POLICY=n) and with
# CONFIG_SMALLOC=n (and so without SELinux and the tests, which select it).
#
#   bisect.sh <managed kernel tree> <test build dir> <bisect build dir>
#
# Uses the test kernel's .config (make build first) in a build directory
# of its own, so that each step is an incremental build.  Prints one
# "ok"/"not ok" line per step and leaves the tree on branch smalloc.
#
# SMALLOC_BISECT_FROM=N starts the per-patch steps at patch N, for when
# the patches before it did not change since their steps last passed; a
# number past the last patch builds only the last patch's configurations.
set -uo pipefail
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"
progress_init

src=${1:?usage: bisect.sh <managed kernel tree> <test build dir> <bisect build dir>}
config=${2:?}/.config
build=${3:?}
failed=0

[ -f "$config" ] || { echo "bisect.sh: no $config: run 'make build' first" >&2; exit 2; }
mkdir -p "$build"
trap 'git -C "$src" checkout -q smalloc' EXIT

kbuild() {
	make -C "$src" O="$build" ARCH=x86_64 CC="ccache gcc" "$@" > "$build/step.log" 2>&1
}

not_ok_step() {
	echo "# $2"
	echo "not ok - bisect: builds $1"
	failed=1
}

# step <name> [<config option to disable>...]
step() {
	local opt

	cp "$config" "$build/.config"
	for opt in "${@:2}"; do
		"$src/scripts/config" --file "$build/.config" --disable "$opt"
	done
	touch "$build/.smalloc-build-stamp"
	kbuild olddefconfig || { not_ok_step "$1" "olddefconfig failed"; return; }
	# What a select brings back would make the step build something else.
	for opt in "${@:2}"; do
		if grep -q "^CONFIG_$opt=" "$build/.config"; then
			not_ok_step "$1" "CONFIG_$opt is still set after olddefconfig"
			return
		fi
	done
	if ticking "bisect: building $1" "kbuild_status '$build' '$build/.smalloc-build-stamp' 1490" \
		kbuild -j"$(nproc)"; then
		echo "ok - bisect: builds $1"
	else
		tail -n 20 "$build/step.log" | sed 's/^/# /'
		echo "not ok - bisect: builds $1"
		failed=1
	fi
}

from=${SMALLOC_BISECT_FROM:-1}
case $from in
''|*[!0-9]*) echo "bisect.sh: SMALLOC_BISECT_FROM=$from is no patch number" >&2; exit 2 ;;
esac
[ "$from" -le 1 ] || echo "# bisect: the steps of patches 1 to $((from - 1)) skipped (SMALLOC_BISECT_FROM=$from)"
n=0
for c in $(git -C "$src" rev-list --reverse smalloc-base..smalloc); do
	n=$((n + 1))
	[ "$n" -ge "$from" ] || continue
	git -C "$src" checkout -q --detach "$c"
	step "after \"$(git -C "$src" log -1 --format=%s "$c")\""
done
git -C "$src" checkout -q smalloc
step "with CONFIG_KUNIT=n" KUNIT
step "with CONFIG_SECURITY_SELINUX_SEAL_POLICY=n" SECURITY_SELINUX_SEAL_POLICY
# SMALLOC has no prompt: SELinux, the KUnit tests, the sample and the
# benchmark select it.  Without them, nothing does.
step "with CONFIG_SMALLOC=n" SECURITY_SELINUX SMALLOC_KUNIT_TEST \
	SAMPLE_SMALLOC SMALLOC_BENCH SMALLOC
exit $failed
