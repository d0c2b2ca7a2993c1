#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the benchmark kernel (the test kernel's config without
# lock debugging, kmemleak, fault injection and KUnit, with
# CONFIG_SMALLOC_BENCH) in a
# directory of its own, boot it once under QEMU and print the table of
# mm/smalloc/smalloc_bench.c, also written as CSV.  Timings under QEMU TCG
# are emulated: compare the lines of one run with each other, not with
# real hardware; IPI and page counts do not suffer from emulation.
# Nothing here is asserted.
#
#   bench.sh <kernel tree> <test build dir> <bench build dir> <csv>
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: bench.sh <kernel tree> <test build dir> <bench build dir> <csv>}
test_build=${2:?}
build=${3:?}
csv=${4:?}

# shellcheck source=qemu.sh
. "$here/qemu.sh"
# shellcheck source=progress.sh
. "$here/progress.sh"
progress_init

mkdir -p "$build"
cp "$test_build/.config" "$build/.config"
"$src/scripts/config" --file "$build/.config" -d KUNIT -d PROVE_LOCKING \
	-d DEBUG_LOCK_ALLOC -d DEBUG_ATOMIC_SLEEP -d DEBUG_LIST \
	-d DEBUG_RT_MUTEXES -d DEBUG_SPINLOCK -d DEBUG_MUTEXES \
	-d DEBUG_WW_MUTEX_SLOWPATH -d DEBUG_RWSEMS -d LOCK_STAT \
	-d DEBUG_KMEMLEAK -d FAULT_INJECTION -e SMALLOC_BENCH
make -C "$src" O="$build" ARCH=x86_64 CC="ccache gcc" olddefconfig > /dev/null || exit 1
if grep -E '^CONFIG_(LOCKDEP|DEBUG_[A-Z_]*MUTEX[A-Z_]*|DEBUG_SPINLOCK|DEBUG_KMEMLEAK|KUNIT)=y' "$build/.config"; then
	echo "bench: lock debugging or KUnit is still on in $build/.config"
	exit 1
fi
building "the benchmark kernel" "$build" 1480 20 \
	make -C "$src" O="$build" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" bzImage \
	> "$build/build.log" 2>&1 || { tail -n 20 "$build/build.log"; exit 1; }

"$here/boot.sh" "$build" "$here/bench-init.sh" "$build/bench.log"
grep -q '^bench: # end' "$build/bench.log" ||
	{ echo "bench: the boot did not finish, see $build/bench.log"; exit 1; }

# SELinux on the configuration users run: this benchmark kernel, whose
# policy lives in sealed pools, the same with SEAL_POLICY=n (the same
# pools, unsealed) and the pristine base built with the same config
# (selinux-pristine.sh; smalloc's symbols drop), with the reference
# policy and questions of make test.  Then the ratios of the medians to
# the pristine kernel's, case by case.
stage=$test_build/selinux-root/selinux
pristine=$(dirname "$build")/build-pristine-bench
selinux_rows() {
	local kernel=$1 name=$2 root=$build/bench-selinux-root

	rm -rf "$root"
	mkdir -p "$root/selinux"
	cp "$stage"/{ref.pol,ref.triples,bools,query} "$root/selinux/"
	SMALLOC_BOOT_TIMEOUT=1200 "$here/boot.sh" "$kernel" "$here/bench-init.sh" \
		"$build/bench-selinux-$name.log" "$root"
	grep -q '^bench: # end' "$build/bench-selinux-$name.log" ||
		{ echo "bench: the $name SELinux boot did not finish"; return 1; }
	grep '^bench: # .* failed' "$build/bench-selinux-$name.log" && return 1
	sed -n "s/^bench: selinux,\([^,]*\),/selinux,\1 ($name),/p" \
		"$build/bench-selinux-$name.log"
}
# selinux,<case> (sealed),median,...  (unsealed) and (pristine): sealed /
# pristine, and what the pools cost apart from sealing, unsealed /
# pristine.
selinux_ratios() {
	awk -F, '
		/ \(sealed\),/ { c = $2; sub(/ \(sealed\)$/, "", c); s[c] = $3; order[++n] = c }
		/ \(unsealed\),/ { c = $2; sub(/ \(unsealed\)$/, "", c); u[c] = $3 }
		/ \(pristine\),/ { c = $2; sub(/ \(pristine\)$/, "", c); p[c] = $3 }
		END {
			for (i = 1; i <= n; i++)
				if (order[i] in p && p[order[i]] > 0)
					printf "selinux,%s (sealed / pristine),%.2f,,,x\n", order[i], s[order[i]] / p[order[i]]
			for (i = 1; i <= n; i++)
				if (order[i] in u && order[i] in p && p[order[i]] > 0)
					printf "selinux,%s (unsealed / pristine),%.2f,,,x\n", order[i], u[order[i]] / p[order[i]]
		}' "$1"
}
: > "$build/bench-selinux.csv"
if [ "${SMALLOC_BENCH_SELINUX:-1}" = 0 ]; then
	echo "# SELinux rows left out (SMALLOC_BENCH_SELINUX=0)"
elif [ -f "$stage/ref.pol" ]; then
	echo "# the pristine kernel with the benchmark's config, in $pristine"
	"$here/selinux-pristine.sh" build "$src" "$build" "$(dirname "$build")/linux-base" \
		"$pristine" > "$build/pristine.log" 2>&1 ||
		{ tail -n 20 "$build/pristine.log"; exit 1; }
	# The same kernel with CONFIG_SECURITY_SELINUX_SEAL_POLICY=n: the
	# policy in the same pools, never sealed.  What it costs over the
	# pristine kernel is the pools' (vmalloc addresses, the allocator),
	# not the seal's.
	unsealed=$(dirname "$build")/build-bench-unsealed
	mkdir -p "$unsealed"
	cp "$build/.config" "$unsealed/.config"
	"$src/scripts/config" --file "$unsealed/.config" -d SECURITY_SELINUX_SEAL_POLICY
	make -C "$src" O="$unsealed" ARCH=x86_64 CC="ccache gcc" olddefconfig > /dev/null || exit 1
	grep -q '^# CONFIG_SECURITY_SELINUX_SEAL_POLICY is not set' "$unsealed/.config" ||
		{ echo "bench: SEAL_POLICY is still set in $unsealed/.config"; exit 1; }
	building "the benchmark kernel, policy unsealed" "$unsealed" 1480 20 \
		make -C "$src" O="$unsealed" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" bzImage \
		> "$unsealed/build.log" 2>&1 || { tail -n 20 "$unsealed/build.log"; exit 1; }
	selinux_rows "$build" sealed >> "$build/bench-selinux.csv" &&
		selinux_rows "$unsealed" unsealed >> "$build/bench-selinux.csv" &&
		selinux_rows "$pristine" pristine >> "$build/bench-selinux.csv" ||
		exit 1
	selinux_ratios "$build/bench-selinux.csv" > "$build/bench-selinux-ratios.csv"
	cat "$build/bench-selinux-ratios.csv" >> "$build/bench-selinux.csv"
else
	echo "# SELinux rows need the reference policy of make test: run it first"
fi

mkdir -p "$(dirname "$csv")"
{
	echo "# smalloc bench, $(git -C "$here" describe --always --dirty 2> /dev/null), accel=$(smalloc_accel "$build"), 2 vCPUs, $(date -u +%F)"
	sed -n 's/^bench: \([^#]\)/\1/p' "$build/bench.log"
	cat "$build/bench-selinux.csv"
} > "$csv"
head -n 1 "$csv"
sed -n 's/^bench: # //p' "$build/bench.log"
{
	echo "section,case,median,min,max,unit"
	grep -v '^#' "$csv"
} | column -t -s, -o '  '
echo "CSV: $csv"
! grep -q ',error ' "$csv"
