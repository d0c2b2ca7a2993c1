#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that the series is bisectable: the kernel builds after each patch;
# and after the last one, with CONFIG_KUNIT=n and with CONFIG_SMALLOC=n
# (and so without SELinux, which selects it).
#
#   bisect.sh <managed kernel tree> <test build dir> <bisect build dir>
#
# Uses the test kernel's .config (make build first) in a build directory
# of its own, so that each step is an incremental build.  Prints one
# "ok"/"not ok" line per step and leaves the tree on branch smalloc.
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

# step <name> [<config option to disable>...]
step() {
	local opt

	cp "$config" "$build/.config"
	for opt in "${@:2}"; do
		"$src/scripts/config" --file "$build/.config" --disable "$opt"
	done
	touch "$build/.smalloc-build-stamp"
	if kbuild olddefconfig &&
	   ticking "bisect: building $1" "kbuild_status '$build' '$build/.smalloc-build-stamp' 1490" \
		kbuild -j"$(nproc)"; then
		echo "ok - bisect: builds $1"
	else
		tail -n 20 "$build/step.log" | sed 's/^/# /'
		echo "not ok - bisect: builds $1"
		failed=1
	fi
}

for c in $(git -C "$src" rev-list --reverse smalloc-base..smalloc); do
	git -C "$src" checkout -q --detach "$c"
	step "after \"$(git -C "$src" log -1 --format=%s "$c")\""
done
git -C "$src" checkout -q smalloc
step "with CONFIG_KUNIT=n" KUNIT
# SELinux selects SMALLOC: without it, nothing else does.
step "with CONFIG_SMALLOC=n" SMALLOC SECURITY_SELINUX
exit $failed
