#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SELinux on smalloc where pools cannot be sealed: build and boot
#  - i386 (tinyconfig + i386.config): smalloc_seal() says -EOPNOTSUPP,
#  - riscv64 without an MMU (nommu_virt_defconfig + nommu.config): pools
#    are kmalloc() memory, nothing can be sealed,
# each under QEMU (TCG), with arch-init.c (nolibc) as /init: the mdp policy
# loads, debugfs lists its pools as unsealed, the kernel says so once and
# warns of nothing else, and the access and create answers for the mdp
# triples equal those of the pristine x86_64 kernel.
#
# test-arm64.sh boots its arm64 kernel the same way (SMALLOC_ARCH_ARM64=
# its build dir, built already): "arm64" with rodata=full, where the
# policy's pools must be listed sealed and nothing may say otherwise, and
# "arm64-rodata-on" with rodata=on, where they cannot be sealed, as on
# i386.  Both run SELinux's KUnit suite selinux_policy_seal from debugfs
# after the load: with rodata=full, writes to the policy through its
# vmalloc address and its linear alias must fault; with rodata=on, those
# write cases skip, as the system cannot seal.  Its other cases may skip
# for what mdp or arm64 lacks, never fail.
#
# Not part of make test: two cold cross builds of their own.  It reuses
# the mdp policy, its triples and the pristine answers of the last
# make test (selinux.sh), so run that first.
#
#   check-arch.sh <kernel tree> <x86_64 build dir> <cache dir> [i386|nommu]...
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=progress.sh
. "$here/progress.sh"
# shellcheck source=logcheck.sh
. "$here/logcheck.sh"
progress_init
src=${1:?usage: check-arch.sh <kernel tree> <build dir> <cache dir> [i386|nommu]...}
build=${2:?}
cache=${3:?}
shift 3
arches=${*:-i386 nommu}
# SMALLOC_ARCH_JUDGE=1 judges the boot logs of the last run again, without
# building or booting (to see a check fail on a doctored log).
judge_only=${SMALLOC_ARCH_JUDGE:-0}
pass=0
fail=0

ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }

stage=$build/selinux-root/selinux
ref=$(cat "$build/selinux-reference.path" 2> /dev/null)
if [ ! -s "$stage/mdp.pol" ] || [ ! -s "$stage/mdp.triples" ] || [ ! -s "$ref" ]; then
	not_ok "check-arch: no mdp policy, triples or pristine answers in $build: run make test first"
	echo "smalloc-arch: $pass passed, $fail failed"
	exit 1
fi
# SELinux's KUnit suite selinux_policy_seal, and its cases that write to
# the loaded policy's own memory, which the arm64 boots judge (mdp has no
# conditional rules: policy_seal_cond_rule writes none and skips).
SEAL_CASES=$(awk '!/^#/ && NF { print $1 }' "$here/selinux-seal-cases.txt")
SEAL_POLICY_CASES=$(awk '!/^#/ && $2 == "policy" { print $1 }' "$here/selinux-seal-cases.txt")
# An empty list would judge nothing and pass.
if [ -z "$SEAL_CASES" ] || [ -z "$SEAL_POLICY_CASES" ]; then
	echo "not ok - check-arch: selinux-seal-cases.txt lists selinux_policy_seal's cases"
	echo "smalloc-arch: $pass passed, 1 failed"
	exit 1
fi
want=$(sed -n 's/^selinux: answers mdp \([0-9]*\) \([0-9a-f]*\)$/\1 \2/p' "$ref")

# config <arch> <out>: .config of the arch's kernel in <out>.
config() {
	case $1 in
	i386) make -s -C "$src" O="$2" ARCH=i386 tinyconfig &&
	      "$src/scripts/kconfig/merge_config.sh" -m -O "$2" "$2/.config" \
		      "$here/i386.config" ;;
	nommu) make -s -C "$src" O="$2" ARCH=riscv CROSS_COMPILE="$cross" \
		       nommu_virt_defconfig &&
	       "$src/scripts/kconfig/merge_config.sh" -m -O "$2" "$2/.config" \
		       "$here/nommu.config" ;;
	esac > "$2/config.log" 2>&1 &&
		make -s -C "$src" O="$2" ARCH="$karch" CROSS_COMPILE="$cross" \
			olddefconfig >> "$2/config.log" 2>&1
}

# initramfs <arch> <out>: /init and the policy, as an uncompressed cpio.
initramfs() {
	local out=$2 cflags

	cflags="-Os -Wall -Wextra -Werror -nostdlib -nostdinc -fno-stack-protector
		-fno-asynchronous-unwind-tables -include nolibc.h -isystem $out/nolibc/sysroot/include"
	mkdir -p "$out/nolibc" &&
		make -s -C "$src/tools/include/nolibc" headers ARCH="$karch" OUTPUT="$out/nolibc/" &&
		make -s -C "$src" O="$out/hdr" ARCH="$karch" headers_install \
			INSTALL_HDR_PATH="$out/nolibc/sysroot" || return 1
	case $1 in
	i386) gcc -m32 -static $cflags -o "$out/arch-init" "$here/arch-init.c" ;;
	arm64*) aarch64-linux-gnu-gcc -static $cflags -o "$out/arch-init" "$here/arch-init.c" ;;
	# No MMU: the ELF FDPIC loader runs a PIE, and does not relocate it.
	nommu) riscv64-linux-gnu-gcc $cflags -fPIE -fvisibility=hidden -pie \
		-Wl,--no-dynamic-linker -Wl,-z,text -o "$out/arch-init" "$here/arch-init.c" ;;
	esac || return 1
	gcc -O2 -o "$out/gen_init_cpio" "$src/usr/gen_init_cpio.c" &&
	cat > "$out/initramfs.list" <<-EOF &&
		dir /dev 0755 0 0
		nod /dev/console 0600 0 0 c 5 1
		nod /dev/kmsg 0600 0 0 c 1 11
		dir /proc 0755 0 0
		dir /sys 0755 0 0
		file /init $out/arch-init 0755 0 0
		file /mdp.pol $stage/mdp.pol 0644 0 0
		file /mdp.triples $stage/mdp.triples 0644 0 0
	EOF
	"$out/gen_init_cpio" "$out/initramfs.list" > "$out/initramfs.cpio"
}

# boot <arch> <out> <log>: until arch-init says done, or 10 minutes
# (SMALLOC_BOOT_TIMEOUT seconds: test-arm64.sh gives its arm64 boots more).
boot() {
	local pid i

	case $1 in
	# The virt board and CPU of kunit.py's arm64 config; its kernel.
	arm64*) exec qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -accel tcg \
		-smp 2 -m 1024 -nodefaults -nographic -serial stdio -no-reboot \
		-kernel "$kernel/arch/arm64/boot/Image.gz" -initrd "$2/initramfs.cpio" \
		-append "console=ttyAMA0 ignore_loglevel panic=-1 kunit.enable=1 kunit.filter_glob=selinux_policy_seal${rodata:+ rodata=$rodata}" ;;
	i386) exec qemu-system-i386 -accel tcg -smp 2 -m 512 -nodefaults -nographic \
		-serial stdio -no-reboot -kernel "$2/arch/x86/boot/bzImage" \
		-initrd "$2/initramfs.cpio" -append "console=ttyS0 panic=-1" ;;
	# The command line is built in (CONFIG_CMDLINE_FORCE).
	nommu) exec qemu-system-riscv64 -M virt -accel tcg -smp 2 -m 256 -bios none -nodefaults \
		-nographic -serial stdio -no-reboot -kernel "$2/arch/riscv/boot/Image" \
		-initrd "$2/initramfs.cpio" ;;
	esac < /dev/null > "$3" 2>&1 &
	pid=$!
	for ((i = 0; i < ${SMALLOC_BOOT_TIMEOUT:-600}; i++)); do
		grep -q '^arch: done' "$3" && sleep 2 && break
		kill -0 $pid 2> /dev/null || break
		sleep 1
	done
	kill $pid 2> /dev/null
	wait $pid 2> /dev/null
	return 0
}

for arch in $arches; do
	case $arch in
	i386) karch=i386 cross='' image=bzImage ;;
	nommu) karch=riscv cross=riscv64-linux-gnu- image=Image ;;
	arm64) karch=arm64 cross=aarch64-linux-gnu- rodata=full ;;
	arm64-rodata-on) karch=arm64 cross=aarch64-linux-gnu- rodata=on ;;
	*) not_ok "$arch: unknown"; continue ;;
	esac
	out=$cache/build-$arch
	# Not check-arm64.sh's build directory: the boots' own.
	[ "$karch" != arm64 ] || out=$cache/arch-$arch
	log=$out/boot.log
	kernel=$out
	mkdir -p "$out"
	t0=$SECONDS
	# Pools are sealed where the kernel can seal them: arm64 with rodata=full.
	sealing=
	[ "$arch" != arm64 ] || sealing=1
	if [ "$judge_only" = 1 ]; then
		[ -s "$log" ] || { not_ok "$arch: no log to judge again"; continue; }
	elif [ "$karch" = arm64 ]; then
		# test-arm64.sh's kernel, built already.
		kernel=${SMALLOC_ARCH_ARM64:?arm64: test-arm64.sh builds the kernel}
		if ! initramfs "$arch" "$out" > "$out/initramfs.log" 2>&1; then
			not_ok "$arch: nolibc /init built (log: $out/initramfs.log)"
			continue
		fi
		boot "$arch" "$out" "$log"
	elif ! config "$arch" "$out" ||
	   ! grep -q '^CONFIG_SECURITY_SELINUX=y' "$out/.config" ||
	   ! grep -q '^CONFIG_SMALLOC=y' "$out/.config"; then
		not_ok "$arch: configured with SELinux and smalloc (log: $out/config.log)"
		continue
	elif [ "$arch" = nommu ] && grep -q '^CONFIG_MMU=y' "$out/.config"; then
		not_ok "$arch: configured without an MMU"
		continue
	elif ! building "the $arch kernel" "$out" 300 4 \
		flock "$cache/build.lock" make -s -C "$src" O="$out" ARCH=$karch \
		CROSS_COMPILE=$cross CC="ccache ${cross}gcc" -j"$(nproc)" $image \
		> "$out/build.log" 2>&1; then
		tail -n 20 "$out/build.log" | sed 's/^/# /'
		not_ok "$arch: builds with SELinux and smalloc (log: $out/build.log)"
		continue
	else
		ok "$arch: builds with SELinux and smalloc ($((SECONDS - t0)) s)"
		if ! initramfs "$arch" "$out" > "$out/initramfs.log" 2>&1; then
			not_ok "$arch: nolibc /init built (log: $out/initramfs.log)"
			continue
		fi
		boot "$arch" "$out" "$log"
	fi
	# The console as the checks read it: no carriage returns, and no time
	# stamp before a record (the nommu kernel has them).
	txt=$out/boot.txt
	tr -d '\r' < "$log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' > "$txt"
	if grep -q '^arch: no /dev/kmsg' "$txt"; then
		not_ok "$arch: init's lines are records of /dev/kmsg, which no kernel message splits (log: $log)"
	fi
	if grep -q '^arch: load ok' "$txt"; then
		ok "$arch: the mdp policy loads"
	else
		not_ok "$arch: the mdp policy loads ($(grep -m1 -e '^arch: load' -e 'Kernel panic' "$txt"), log: $log)"
		continue
	fi
	pools=$(sed -n 's/^arch: pools //p' "$txt" | awk '$1 ~ /^selinux:/')
	state=unsealed
	[ -z "$sealing" ] || state=sealed
	if [ -n "$pools" ] && ! awk -v s=$state '$NF != s' <<< "$pools" | grep -q .; then
		ok "$arch: debugfs lists the policy's pools, $state"
	else
		not_ok "$arch: debugfs lists the policy's pools, $state (${pools:-none})"
	fi
	# arm64: SELinux's selinux_policy_seal, run again from debugfs once
	# the policy is in force.  The cases of the policy's own memory
	# write through its vmalloc address and its linear alias: each must
	# pass where pools are sealed, and skip where the system cannot seal
	# one.  The others may skip for what mdp or arm64 lacks (conditional
	# rules, a port context, write-rare), never fail: the SID cache's and
	# the ebitmap's do not depend on a seal.
	if [ "$karch" = arm64 ]; then
		kunit=$(sed -n 's/^arch: kunit //p' "$txt")
		bad=
		for c in $SEAL_CASES; do
			v=$(grep -E "^ *(not )?ok [0-9]+ $c( |\$)" <<< "$kunit" | head -n 1)
			# shellcheck disable=SC2086
			case " $(echo $SEAL_POLICY_CASES) " in
			*" $c "*) ;;
			*) grep -q '^ *ok ' <<< "$v" || bad="$bad $c:${v:-none}"
			   continue ;;
			esac
			if [ -n "$sealing" ]; then
				grep -qE "^ *ok [0-9]+ $c\$" <<< "$v" || bad="$bad $c:${v:-none}"
			else
				grep -qE "^ *ok [0-9]+ $c # SKIP this system cannot seal a pool\$" <<< "$v" ||
					bad="$bad $c:${v:-none}"
			fi
		done
		what="pass: writes to the loaded policy fault through its vmalloc address and its linear alias"
		[ -n "$sealing" ] || what="skip: this system cannot seal a pool"
		grep -E "^ *(not )?ok [0-9]+ policy_seal_" <<< "$kunit" | sed 's/^ */# selinux_policy_seal: /'
		if [ -z "$bad" ]; then
			ok "$arch: selinux_policy_seal after the load, the policy's cases $what"
		else
			not_ok "$arch: selinux_policy_seal after the load, the policy's cases $what (${bad# })"
		fi
	fi
	# What the kernel says of sealing, but KUnit's lines: its cases'
	# reasons to skip are the run's results, judged above.
	said=$(grep -E 'cannot be sealed|write-rare' "$txt" | grep -v '^arch: ' |
		grep -v -E '^ *(not )?ok [0-9]+ .* # SKIP ')
	if [ -n "$sealing" ]; then
		# Pools are sealed; without write-rare (arm64), SELinux says
		# once that its state stays writable, and nothing says more.
		nowr='SELinux:  no write-rare memory on this system: enforcing, the policy capabilities and the policy pointer stay writable'
		nowr_want=1
		! grep -q '^CONFIG_SMALLOC_WRITE_RARE=y' "$kernel/.config" || nowr_want=0
		n=$(grep -c -x -F "$nowr" <<< "$said")
		rest=$(grep -v -x -F "$nowr" <<< "$said")
		if [ "$n" = "$nowr_want" ] && [ -z "$rest" ]; then
			ok "$arch: the kernel says nothing of memory that cannot be sealed, and once that there is no write-rare memory if so"
		else
			sed 's/^/# /' <<< "$said"
			not_ok "$arch: the kernel says nothing of memory that cannot be sealed, and once that there is no write-rare memory if so (that said $n times, $nowr_want wanted)"
		fi
	else
		# One line, at boot (before init loads the policy), and no
		# other line of SELinux or smalloc about sealing or write-rare
		# but smalloc's own, which says what arm64 needs.
		said=$(grep -v -x 'smalloc: pools cannot be sealed on this system: boot with rodata=full' <<< "$said")
		n=$(grep -c 'SELinux:  memory cannot be sealed on this system: a loaded policy, enforcing' <<< "$said")
		at=$(grep -n -m1 'SELinux:  memory cannot be sealed on this system' "$txt" | cut -d: -f1)
		load=$(grep -n -m1 '^arch: load' "$txt" | cut -d: -f1)
		if [ "$n" = 1 ] && [ "$(grep -c . <<< "$said")" = 1 ] && [ "${at:-0}" -lt "${load:-0}" ]; then
			ok "$arch: the kernel says once, at boot, that the policy and the state are not sealed"
		else
			sed 's/^/# /' <<< "$said"
			not_ok "$arch: the kernel says once, at boot, that the policy and the state are not sealed (said $n times, line ${at:-none}, load at line ${load:-none})"
		fi
	fi
	# arm64 says "Call trace:", x86 "Call Trace:".
	if has_splat < "$txt" || grep -qi 'call trace' "$txt"; then
		"$here/splats.sh" < "$txt" | head -n 5 | sed 's/^/# /'
		not_ok "$arch: no warning, oops or panic (log: $log)"
	else
		ok "$arch: no warning, oops or panic"
	fi
	got="$(sed -n 's/^arch: triples //p' "$txt") "
	got+=$(sed -n 's/^arch: ans //p' "$txt" | sha256sum | cut -d' ' -f1)
	# The reference counts answer lines: two per triple.
	got=$(awk '{ print $1 * 2, $2 }' <<< "$got")
	if [ "$got" = "$want" ]; then
		ok "$arch: access and create answers equal the pristine x86_64 kernel's ($got)"
	else
		not_ok "$arch: access and create answers equal the pristine x86_64 kernel's (got $got, want $want)"
	fi
done
echo "smalloc-arch: $pass passed, $fail failed"
[ "$fail" = 0 ]
