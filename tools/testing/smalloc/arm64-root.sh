#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the busybox initramfs of an arm64 boot needs from Debian's arm64
# port, under <dir>: bin/busybox (busybox-static) and usr/bin/comm
# (coreutils, for LKDTM's run.sh) with the C library it links against
# (from libc6-arm64-cross, which make deps installs for the cross build).
# The two packages are fetched once, with apt-get download and package
# lists of its own: the host's dpkg and apt state are left alone.
#
#   arm64-root.sh <dir>
set -euo pipefail

dir=${1:?usage: arm64-root.sh <dir>}
cross=/usr/aarch64-linux-gnu/lib
[ -f "$dir/.checked" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's own state for arm64, apart from the host's: the host's dpkg and
# package lists stay as they are.
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
: > "$tmp/status"
apt=(apt-get -q -o Dir::State::Lists="$tmp/lists" -o Dir::State::status="$tmp/status"
     -o Dir::Cache="$tmp/cache" -o APT::Architecture=arm64
     -o APT::Architectures=arm64)
"${apt[@]}" update > "$tmp/update.log" 2>&1 ||
	{ tail -n 5 "$tmp/update.log" >&2; exit 1; }
(cd "$tmp" && "${apt[@]}" download busybox-static coreutils)
mkdir -p "$tmp/x"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done
rm -rf "$dir"
# A root that fails a check below goes, so that the next run fetches it
# again rather than take it for a good one.
trap 'rm -rf "$tmp"; [ -f "$dir/.checked" ] || rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/lib/aarch64-linux-gnu"
cp "$(find "$tmp/x" -path '*bin/busybox' | head -n 1)" "$dir/bin/busybox"
cp "$tmp/x/usr/bin/comm" "$dir/usr/bin/comm"
# comm's interpreter and library, where Debian's arm64 port has them.
cp -L "$cross/ld-linux-aarch64.so.1" "$dir/lib/"
cp -L "$cross/libc.so.6" "$dir/lib/aarch64-linux-gnu/"
for f in "$dir/bin/busybox" "$dir/usr/bin/comm"; do
	aarch64-linux-gnu-readelf -h "$f" | grep -q 'Machine: *AArch64' ||
		{ echo "arm64-root.sh: $f is not an arm64 binary" >&2; exit 1; }
done
# comm needs the C library alone (and may name its loader, which the
# kernel loads from PT_INTERP), and busybox nothing.
needed=$(aarch64-linux-gnu-readelf -d "$dir/usr/bin/comm" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -z "$needed" ] || grep -v -x -e libc.so.6 -e ld-linux-aarch64.so.1 <<< "$needed" > /dev/null; then
	echo "arm64-root.sh: comm needs $(tr '\n' ' ' <<< "$needed")" >&2
	exit 1
fi
! aarch64-linux-gnu-readelf -d "$dir/bin/busybox" 2> /dev/null | grep -q NEEDED ||
	{ echo "arm64-root.sh: busybox is not static" >&2; exit 1; }
: > "$dir/.checked"
