#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay the smalloc series over a kernel tree.
#
#   tree.sh <kernel tree>
#
# Each line of patches/series is applied in order: its new files are
# laid as that patch adds them, then its diff is applied.  This repository
# holds each new file as the whole series leaves it; the state a patch adds
# is that file with the hunks of every later patch taken off again
# (first_states below), so the series applies unchanged, byte for byte.
#
# A tree this script made itself (a git tree whose first commit is tagged
# smalloc-base, extracted from linux-source-6.12) is reset to exactly
# "base + series", rewriting only the files whose content changes, so the
# next build is incremental.  Any other tree (KERNEL_SRC=) is patched in
# place: a patch that is already applied is skipped.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
src=${1:?usage: tree.sh <kernel tree>}
tarball=${SMALLOC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

# series_entries: print "<patch> <file>..." lines of patches/series.
series_entries() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series"
}

# first_states <dir>: write into <dir> each new file of the series in the
# state the patch that adds it leaves it.  Walk the series backwards from
# the files as stored here (the series' last state): on reaching a patch,
# keep the files it adds, then take its hunks to new files off (git apply
# -R, no fuzz) so that the walk holds the state before it.
first_states() {
	local dir=$1 scratch patch files f i
	local -a entries include=()

	scratch=$(mktemp -d)
	mapfile -t entries < <(series_entries)
	for i in "${!entries[@]}"; do
		read -r patch files <<< "${entries[$i]}"
		for f in $files; do
			[ -f "$top/$f" ] || { echo "tree.sh: $f (patches/series) missing" >&2; rm -rf "$scratch"; return 1; }
			mkdir -p "$(dirname "$scratch/$f")"
			cp -p "$top/$f" "$scratch/$f"
			include+=("--include=$f")
		done
	done
	for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
		read -r patch files <<< "${entries[$i]}"
		for f in $files; do
			mkdir -p "$(dirname "$dir/$f")"
			cp -p "$scratch/$f" "$dir/$f"
		done
		[ ${#include[@]} -eq 0 ] ||
		(cd "$scratch" && git apply -R "${include[@]}" "$top/patches/$patch") || {
			echo "tree.sh: cannot take $patch off the files stored here" >&2
			rm -rf "$scratch"
			return 1
		}
	done
	rm -rf "$scratch"
}

extract_base() {
	local tmp

	[ -f "$tarball" ] || { echo "tree.sh: $tarball missing: run 'make deps'" >&2; exit 1; }
	echo "tree.sh: extracting $tarball into $src"
	mkdir -p "$(dirname "$src")"
	tmp=$(mktemp -d "$(dirname "$src")/extract.XXXXXX")
	tar -C "$tmp" -xf "$tarball"
	mv "$tmp"/linux-source-* "$src"
	rmdir "$tmp"
	# Debian's .gitignore ignores the top level: record every file anyway.
	git -C "$src" init -q
	git -C "$src" add -f -A
	git -C "$src" -c user.name=smalloc -c user.email=smalloc@localhost \
		commit -q -m "pristine $(basename "$tarball")"
	git -C "$src" tag smalloc-base
}

# Managed tree: commit each series entry on top of smalloc-base, from a
# scratch index, with the author and message of its patch; then reset the
# work tree to the last commit.  Commits are reproducible (fixed dates), so
# an unchanged series leaves HEAD, and every file, as it was.
lay_managed() {
	local index info first patch f mode blob tree parent commit

	index=$(mktemp)
	info=$(mktemp -d)
	first=$(mktemp -d)
	trap 'rm -rf "$index" "$info" "$first"' RETURN
	first_states "$first" || exit 1
	export GIT_AUTHOR_DATE=${SMALLOC_DATE:-$(git -C "$top" log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z)}
	export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	parent=$(git -C "$src" rev-parse smalloc-base)
	GIT_INDEX_FILE=$index git -C "$src" read-tree smalloc-base
	while read -r patch files; do
		for f in $files; do
			mode=100644
			[ -x "$first/$f" ] && mode=100755
			blob=$(git -C "$src" hash-object -w "$first/$f")
			GIT_INDEX_FILE=$index git -C "$src" update-index --add \
				--cacheinfo "$mode,$blob,$f"
		done
		GIT_INDEX_FILE=$index git -C "$src" apply --cached "$top/patches/$patch" ||
			{ echo "tree.sh: $patch does not apply" >&2; exit 1; }
		tree=$(GIT_INDEX_FILE=$index git -C "$src" write-tree)
		git mailinfo "$info/msg" "$info/diff" < "$top/patches/$patch" > "$info/head"
		commit=$(GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$info/head") \
			 GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$info/head") \
			 GIT_COMMITTER_NAME=$(sed -n 's/^Author: //p' "$info/head") \
			 GIT_COMMITTER_EMAIL=$(sed -n 's/^Email: //p' "$info/head") \
			 git -C "$src" commit-tree "$tree" -p "$parent" \
				-F <(sed -n 's/^Subject: //p' "$info/head"; echo; cat "$info/msg"))
		parent=$commit
	done < <(series_entries)

	# Rewrites only the files whose content differs; drops local edits.
	git -C "$src" checkout -q -f -B smalloc "$parent"
	echo "tree.sh: $src is smalloc-base + series ($(git -C "$src" rev-parse --short HEAD))"
}

# Somebody else's tree: the applied series is kept in <tree>/.smalloc-applied.
# In a scratch copy of the files the old and new series touch, take the old
# series off (newest first) and lay the new one; then copy back only the
# files whose content changed.
lay_foreign() {
	local state=$src/.smalloc-applied scratch first patch f

	scratch=$(mktemp -d)
	first=$(mktemp -d)
	trap 'rm -rf "$scratch" "$first"' RETURN
	first_states "$first" || exit 1
	{
		[ -d "$state" ] && cat "$state"/*.patch
		cat "$top"/patches/*.patch
	} | sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' | sort -u |
	while read -r f; do
		if [ -f "$src/$f" ]; then
			mkdir -p "$(dirname "$scratch/$f")"
			cp -p "$src/$f" "$scratch/$f"
		fi
	done

	if [ -d "$state" ]; then
		for patch in $(cut -d' ' -f1 "$state/series" | tac); do
			(cd "$scratch" && git apply -R "$state/$patch") ||
				{ echo "tree.sh: cannot take $patch off $src" >&2; exit 1; }
		done
	fi
	while read -r patch files; do
		for f in $files; do
			mkdir -p "$(dirname "$scratch/$f")"
			cp "$first/$f" "$scratch/$f"
		done
		(cd "$scratch" && git apply "$top/patches/$patch") ||
			{ echo "tree.sh: $patch does not apply to $src" >&2; exit 1; }
	done < <(series_entries)

	(cd "$scratch" && find . -type f) | while read -r f; do
		if ! cmp -s "$scratch/$f" "$src/$f"; then
			mkdir -p "$(dirname "$src/$f")"
			cp "$scratch/$f" "$src/$f"
			echo "tree.sh: ${f#./}"
		fi
	done

	rm -rf "$state"
	mkdir -p "$state"
	series_entries > "$state/series"
	cp "$top"/patches/*.patch "$state/"
	echo "tree.sh: $src carries the series"
}

if [ ! -e "$src" ]; then
	extract_base
fi
if git -C "$src" rev-parse -q --verify smalloc-base >/dev/null 2>&1; then
	lay_managed
else
	lay_foreign
fi
