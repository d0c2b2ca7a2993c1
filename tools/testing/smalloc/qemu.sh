# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: smalloc_qemu_args <build dir> prints the QEMU arguments of our
# own boots, smalloc_accel <build dir> the accelerator; smalloc_qemu
# <build dir> the whole QEMU command with its kernel, and smalloc_console
# the console, for SMALLOC_ARCH (x86_64, or arm64: kunit.py's virt
# machine).  TCG unless SMALLOC_KVM=1 and a probe boot works with KVM:
# on some machines /dev/kvm exists but cannot run a guest.
# SMALLOC_ICOUNT=<-icount options> (TCG only) runs the x86_64 guest on
# QEMU's instruction counter: its clock then counts the instructions the
# vCPUs execute (shift=0: one a nanosecond), whatever the host does.

smalloc_kvm_works() {
	local build=$1

	[ -w /dev/kvm ] || return 1
	timeout 60 qemu-system-x86_64 -accel kvm -nodefaults -m 256 \
		-bios qboot.rom -nographic -serial stdio -no-reboot \
		-kernel "$build/arch/x86/boot/bzImage" \
		-append "console=ttyS0 kunit.enable=0 panic=-1 rdinit=/none" \
		2>&1 | grep -q -m1 'Kernel panic'
}

smalloc_accel() {
	if [ "${SMALLOC_KVM:-0}" = 1 ] && smalloc_kvm_works "$1"; then
		echo kvm
	else
		echo tcg
	fi
}

smalloc_qemu_args() {
	local accel icount=

	accel=$(smalloc_accel "$1")
	if [ "$accel" = tcg ] && [ -n "${SMALLOC_ICOUNT:-}" ]; then
		icount=" -icount $SMALLOC_ICOUNT"
	fi
	echo "-accel $accel$icount -smp 2 -m 1024 -nodefaults" \
	     "-bios qboot.rom -nographic -serial stdio -no-reboot"
}

smalloc_qemu() {
	case ${SMALLOC_ARCH:-x86_64} in
	arm64)
		echo "qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -accel tcg" \
		     "-smp 2 -m 1024 -nodefaults -nographic -serial stdio -no-reboot" \
		     "-kernel $1/arch/arm64/boot/Image.gz" ;;
	*)
		echo "qemu-system-x86_64 $(smalloc_qemu_args "$1")" \
		     "-kernel $1/arch/x86/boot/bzImage" ;;
	esac
}

smalloc_console() {
	case ${SMALLOC_ARCH:-x86_64} in
	arm64) echo ttyAMA0 ;;
	*) echo ttyS0 ;;
	esac
}
