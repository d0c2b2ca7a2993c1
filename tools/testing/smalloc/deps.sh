#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt-get, what building and testing smalloc needs, and the
# packages named as arguments (make check-arch adds its cross compilers).
# Quick and quiet when everything is there already.
#
#   deps.sh [<package>...]
set -euo pipefail

packages=(
	linux-source-6.12			# the base tree
	build-essential bc bison flex		# kernel build
	libelf-dev libssl-dev dwarves cpio kmod xz-utils
	ccache git rsync python3 perl
	python3-ply python3-git			# checkpatch's spdxcheck.py
	qemu-system-x86 busybox-static		# boots
	selinux-policy-default semodule-utils	# selinux.sh: the reference policy,
	checkpolicy python3-setools		# the mdp policy, the questions
	gcc-aarch64-linux-gnu			# the arm64 cross build
	"$@"
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps.sh: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
