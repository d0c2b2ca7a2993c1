#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the series as mail and check it.
#
#   series.sh <managed kernel tree> <output dir>
#
# The tree must be one tree.sh laid (smalloc-base + one commit per patch).
# Writes git format-patch output with a cover letter (patches/cover-letter)
# to <output dir>, then checks that it applies with git am to the pristine
# base, that the result is the tree tree.sh built and holds the new files
# exactly as this repository stores them, and that every patch is
# checkpatch --strict clean.  Prints one "ok"/"not ok" line per check; a
# step that fails is a "not ok" line too, never a silent exit, and the
# checks that need its result do not run.
# shellcheck disable=SC2317 # the functions below run through check()
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
src=${1:?usage: series.sh <kernel tree> <output dir>}
out=$(realpath -m "${2:?usage: series.sh <kernel tree> <output dir>}")
failed=0

check() {
	local name=$1

	shift
	if "$@"; then
		echo "ok - series: $name"
	else
		echo "not ok - series: $name"
		failed=1
		return 1
	fi
}

# The cover letter is sent by the series' author.
exported() {
	rm -rf "$out" && mkdir -p "$out" &&
	git -C "$src" -c user.name="$(git -C "$src" log -1 --format=%an)" \
		-c user.email="$(git -C "$src" log -1 --format=%ae)" \
		format-patch -q --cover-letter --thread -o "$out" smalloc-base..HEAD
}

# Fill the cover letter from patches/cover-letter: subject line, then body.
cover_letter() {
	python3 - "$out"/0000-cover-letter.patch "$top/patches/cover-letter" <<'PY' &&
import sys
path, tmpl = sys.argv[1], sys.argv[2]
subject, _, body = open(tmpl).read().partition('\n')
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject.strip())
text = text.replace('*** BLURB HERE ***', body.strip('\n'))
open(path, 'w').write(text)
PY
	! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$out"/0000-cover-letter.patch
}

# One mail per line of patches/series: none lost, none extra.
one_per_patch() {
	[ ${#patches[@]} -eq \
	  "$(grep -c -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series")" ]
}

check "format-patch smalloc-base..HEAD" exported || exit 1
check "cover letter filled from patches/cover-letter" cover_letter
patches=()
for p in "$out"/*.patch; do
	[ ! -e "$p" ] || [ "$p" = "$out/0000-cover-letter.patch" ] || patches+=("$p")
done
check "one mail per line of patches/series" one_per_patch

# git am onto a pristine checkout of the base.
work=$(mktemp -d "${TMPDIR:-/tmp}/smalloc-am.XXXXXX")
cleanup() {
	git -C "$src" worktree remove --force "$work" 2>/dev/null || rm -rf "$work"
	git -C "$src" worktree prune
}
trap cleanup EXIT
base_checkout() {
	git -C "$src" worktree add -q --detach "$work" smalloc-base
}
am_applies() {
	git -C "$work" -c user.name=smalloc -c user.email=smalloc@localhost \
		am -q "${patches[@]}"
}
same_tree() {
	[ "$(git -C "$work" rev-parse 'HEAD^{tree}')" = \
	  "$(git -C "$src" rev-parse 'HEAD^{tree}')" ]
}
# This repository stores each new kernel file as the whole series leaves
# it (tree.sh derives the state each patch adds).  Every file here outside
# the harness (.ci, patches, tools/testing/smalloc, the top-level Makefile,
# README.md and .gitignore) must be a new file of patches/series, and equal
# the file git am of the mails leaves.  Names each one that is not.
stored_final() {
	local f n bad=0
	local -A listed=()

	for f in $(grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series" | cut -s -d' ' -f2-); do
		listed[$f]=1
		if ! git -C "$work" cat-file -e "HEAD:$f" 2>/dev/null; then
			echo "# $f: in patches/series, not in the tree the series leaves"
			bad=1
		elif ! git -C "$work" show "HEAD:$f" | cmp -s - "$top/$f"; then
			n=$(git -C "$work" show "HEAD:$f" | diff - "$top/$f" | grep -c '^[<>]')
			echo "# $f: $n lines differ from the tree the series leaves"
			bad=1
		fi
	done
	while IFS= read -r f; do
		[ -n "${listed[$f]:-}" ] && continue
		echo "# $f: a kernel file here that no line of patches/series adds"
		bad=1
	done < <(git -C "$top" ls-files --cached --others --exclude-standard |
		 grep -v -E '^(\.ci/|patches/|tools/testing/smalloc/|Makefile$|README\.md$|\.gitignore$)')
	return $bad
}
signed_off() {
	local p

	for p in "${patches[@]}"; do
		grep -q '^Signed-off-by: ' "$p" || return 1
	done
}

if check "worktree of smalloc-base for git am" base_checkout; then
	check "git am onto smalloc-base" am_applies &&
	check "tree after the last patch is what make tree builds" same_tree
	check "the files stored here are what the series leaves" stored_final
fi
check "every patch has a Signed-off-by" signed_off
for p in "${patches[@]}"; do
	if (cd "$src" && ./scripts/checkpatch.pl --strict --quiet "$p"); then
		echo "ok - checkpatch --strict $(basename "$p")"
	else
		echo "not ok - checkpatch --strict $(basename "$p")"
		failed=1
	fi
done
exit $failed
