#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reference kernel of selinux.sh's differential test: the pristine base
# (tag smalloc-base of the kernel tree, exported with git archive, never
# checked out in the tree itself) configured like the test kernel.
#
#   selinux-pristine.sh config <kernel tree> <build dir> <pristine tree> <pristine build>
#   selinux-pristine.sh build  <kernel tree> <build dir> <pristine tree> <pristine build>
#
# 'config' exports the base if <pristine tree> is not that commit's tree
# yet, copies <build dir>/.config and runs olddefconfig (the symbols the
# base does not know, smalloc's, drop).  'build' also builds bzImage, with
# ccache and -j$(nproc).  Every make holds ~/.cache/smalloc/build.lock (or
# $SMALLOC_BUILD_LOCK): kernel builds on this machine never run two at once.
set -euo pipefail

cmd=${1:?usage: selinux-pristine.sh config|build <kernel tree> <build dir> <pristine tree> <pristine build>}
src=${2:?}
build=${3:?}
base=${4:?}
out=${5:?}
lock=${SMALLOC_BUILD_LOCK:-${SMALLOC_CACHE:-$HOME/.cache/smalloc}/build.lock}

tree_id=$(git -C "$src" rev-parse 'smalloc-base^{tree}')
if [ "$(cat "$base/.smalloc-base-tree" 2>/dev/null)" != "$tree_id" ]; then
	echo "selinux-pristine: exporting smalloc-base ($tree_id) to $base"
	rm -rf "$base"
	mkdir -p "$base"
	git -C "$src" archive smalloc-base | tar -x -C "$base"
	echo "$tree_id" > "$base/.smalloc-base-tree"
fi

mkdir -p "$out"
kmake() {
	mkdir -p "$(dirname "$lock")"
	flock "$lock" make -C "$base" O="$out" ARCH=x86_64 CC="ccache gcc" "$@"
}
# Only a changed config is copied, so that make sees no new .config.
if ! cmp -s "$build/.config" "$out/.config.from-build"; then
	cp "$build/.config" "$out/.config"
	cp "$build/.config" "$out/.config.from-build"
	kmake -s olddefconfig
fi

# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"
progress_init
case $cmd in
config) ;;
build) building "the pristine kernel" "$out" 1480 18 kmake -j"$(nproc)" bzImage ;;
*) echo "usage: selinux-pristine.sh config|build ..." >&2; exit 2 ;;
esac
