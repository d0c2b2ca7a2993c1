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

# The table once more, on QEMU's instruction counter at shift=0 (below):
# a nanosecond of the guest's clock is then an instruction executed, so
# its alloc, alloc-parts and usercopy rows count the instructions of one
# operation (with the other vCPU's, idle here), as section "icount-<section>"
# and unit "insns".  About 10 seconds.  Not under KVM, nor with
# SMALLOC_BENCH_ICOUNT=0.
: > "$build/bench-icount.csv"
if [ "${SMALLOC_BENCH_ICOUNT:-1}" != 0 ] && [ "$(smalloc_accel "$build")" = tcg ]; then
	SMALLOC_ICOUNT=shift=0,sleep=off "$here/boot.sh" "$build" \
		"$here/bench-init.sh" "$build/bench-icount.log" > /dev/null
	grep -q '^bench: # end' "$build/bench-icount.log" ||
		{ echo "bench: the counted boot did not finish, see $build/bench-icount.log"; exit 1; }
	sed -n 's/^bench: \(alloc\|alloc-parts\|usercopy\),\(.*\),ns$/icount-\1,\2,insns/p' \
		"$build/bench-icount.log" > "$build/bench-icount.csv"
fi

# SELinux on the configuration users run: this benchmark kernel, whose
# policy lives in sealed pools, the same with SEAL_POLICY=n (the same
# pools, unsealed) and the pristine base built with the same config
# (selinux-pristine.sh; smalloc's symbols drop), with the reference
# policy and questions of make test.  Each boot takes one sample of each
# case (bench-init.sh); the three kernels boot in turn,
# SMALLOC_BENCH_BOOTS times each (9 by default), so that what slows the
# host for a while slows all three.  Then, case by case, the median, min
# and max across a kernel's boots, and of its ratios to the pristine
# kernel, round by round.
stage=$test_build/selinux-root/selinux
pristine=$(dirname "$build")/build-pristine-bench
boots=${SMALLOC_BENCH_BOOTS:-9}
# Under TCG, a boot's times swing by a third and more with the host's
# load, wider than the 5% the SELinux rows look for.  So these boots run
# on QEMU's instruction counter (qemu.sh): the guest's clock advances one
# nanosecond an instruction executed, and jumps to the next timer when
# every vCPU idles, so a case's time is, whatever the host does, the
# instructions both vCPUs execute while it runs, kernel and user space,
# and the idle time it waits for timers.  It does not count what memory costs (TLB misses, caches: QEMU
# emulates neither), which the read rows look at, nor what a TLB flush,
# an IPI or a locked atomic costs on hardware.  Not under KVM.
# SMALLOC_BENCH_ICOUNT=0 times them on the host's clock instead.
icount=
unit=
if [ "${SMALLOC_BENCH_ICOUNT:-1}" != 0 ] && [ "$(smalloc_accel "$build")" = tcg ]; then
	icount=shift=0,sleep=off
	unit=icount-
fi
# selinux_boot <kernel build> <name> <n>: boot it once, its samples as
# "<name>,<case>,<value>,<unit>", times in icount-ms or icount-us on the
# instruction counter.
selinux_boot() {
	local kernel=$1 name=$2 n=$3 root=$build/bench-selinux-root
	local log=$build/bench-selinux-$name-$n.log

	rm -rf "$root"
	mkdir -p "$root/selinux"
	cp "$stage"/{ref.pol,ref.triples,bools,query} "$root/selinux/"
	SMALLOC_ICOUNT=$icount SMALLOC_BOOT_TIMEOUT=600 "$here/boot.sh" "$kernel" \
		"$here/bench-init.sh" "$log" "$root" > /dev/null
	grep -q '^bench: # end' "$log" ||
		{ echo "bench: the $name SELinux boot $n did not finish, see $log"; return 1; }
	grep '^bench: # .* failed' "$log" && return 1
	sed -n "s/^bench: selinux,/$name,/p" "$log" | sed "s/,\(ms\|us\)\$/,$unit\1/"
}
# selinux_rows < samples: selinux,<case> (<name>),median,min,max,unit for
# each kernel and case; then, for the times, each sealed and unsealed
# boot's over the pristine boot of its round (boots side by side), the
# median, min and max of those ratios.
selinux_rows() {
	awk -F, '
		{
			if (!(($1, $2) in n)) {
				if (!($2 in seen)) { seen[$2]; order[++m] = $2 }
				unit[$2] = $4
			}
			v[$1, $2, ++n[$1, $2]] = $3
		}
		# median, min and max of v[k, c, 1..]: sorts them.
		function stats(k, c,   i, j, x, cnt) {
			cnt = n[k, c]
			for (i = 2; i <= cnt; i++)
				for (j = i; j > 1 && v[k, c, j - 1] + 0 > v[k, c, j] + 0; j--) {
					x = v[k, c, j]; v[k, c, j] = v[k, c, j - 1]; v[k, c, j - 1] = x
				}
			return v[k, c, int((cnt + 1) / 2)] "," v[k, c, 1] "," v[k, c, cnt]
		}
		END {
			split("sealed unsealed pristine", kernels, " ")
			# Each boot against the pristine one of its round, while
			# the values are still in the order of the rounds.
			for (i = 1; i <= m; i++)
				for (j = 1; j <= 2; j++) {
					k = kernels[j]; c = order[i]
					if (unit[c] !~ /^(icount-)?(ms|us)$/ || n[k, c] != n["pristine", c])
						continue
					for (r = 1; r <= n[k, c]; r++)
						if (v["pristine", c, r] > 0)
							v[k " / pristine", c, ++n[k " / pristine", c]] = \
								sprintf("%.2f", v[k, c, r] / v["pristine", c, r])
				}
			for (j = 1; j <= 3; j++)
				for (i = 1; i <= m; i++)
					if ((kernels[j], order[i]) in n)
						printf "selinux,%s (%s),%s,%s\n", order[i], kernels[j],
							stats(kernels[j], order[i]), unit[order[i]]
			for (i = 1; i <= m; i++)
				for (j = 1; j <= 2; j++)
					if ((kernels[j] " / pristine", order[i]) in n)
						printf "selinux,%s (%s / pristine),%s,x\n", order[i], kernels[j],
							stats(kernels[j] " / pristine", order[i])
		}'
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
	: > "$build/bench-selinux-samples.csv"
	for n in $(seq 1 "$boots"); do
		say "SELinux boots, round $n of $boots: sealed, unsealed, pristine"
		selinux_boot "$build" sealed "$n" &&
			selinux_boot "$unsealed" unsealed "$n" &&
			selinux_boot "$pristine" pristine "$n" ||
			exit 1
	done >> "$build/bench-selinux-samples.csv"
	selinux_rows < "$build/bench-selinux-samples.csv" > "$build/bench-selinux.csv"
else
	echo "# SELinux rows need the reference policy of make test: run it first"
fi

mkdir -p "$(dirname "$csv")"
{
	echo "# smalloc bench, $(git -C "$here" describe --always --dirty 2> /dev/null), accel=$(smalloc_accel "$build"), 2 vCPUs, $(date -u +%F)"
	sed -n 's/^bench: \([^#]\)/\1/p' "$build/bench.log"
	cat "$build/bench-icount.csv"
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
