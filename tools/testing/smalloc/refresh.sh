#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the series back from a managed kernel tree into this repository.
#
#   refresh.sh <managed kernel tree>
#
# For working in the kernel tree itself: after 'make tree', change the
# commits on top of smalloc-base (git commit --fixup, git rebase -i, ...),
# keeping one commit per line of patches/series, then run this.  The new
# files are written back to their paths here as the last commit leaves
# them (tree.sh derives the state each patch adds from those), and each
# commit's message and its diff to files that exist before it become
# patches/<patch>.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
src=${1:?usage: refresh.sh <managed kernel tree>}

# Never overwrite work that is only in this repository.
if [ -n "$(git -C "$top" status --porcelain -- patches $(grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series" | cut -s -d' ' -f2-))" ]; then
	echo "refresh.sh: uncommitted changes to the series here; commit or stash them first" >&2
	exit 1
fi

mapfile -t commits < <(git -C "$src" rev-list --reverse smalloc-base..HEAD)
mapfile -t entries < <(grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series")
if [ ${#commits[@]} -ne ${#entries[@]} ]; then
	echo "refresh.sh: ${#commits[@]} commits on smalloc-base, ${#entries[@]} in patches/series" >&2
	exit 1
fi

for i in "${!entries[@]}"; do
	read -r patch files <<< "${entries[$i]}"
	c=${commits[$i]}
	excludes=()
	for f in $files; do
		mkdir -p "$(dirname "$top/$f")"
		git -C "$src" show "${commits[-1]}:$f" > "$top/$f"
		excludes+=(":(exclude)$f")
	done
	{
		git -C "$src" log -1 --format='From: %an <%ae>%nSubject: [PATCH] %s%n%n%b' "$c" |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		echo "---"
		git -C "$src" diff "$c^" "$c" -- . "${excludes[@]}"
	} > "$top/patches/$patch"
	echo "refresh.sh: patches/$patch"
done
