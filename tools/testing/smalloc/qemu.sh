# SPDX-License-Identifier: GPL-2.0
# Sourced: smalloc_qemu_args <build dir> prints the QEMU arguments of our
# own boots, smalloc_accel <build dir> the accelerator.  TCG unless SMALLOC_KVM=1 and a probe boot works with KVM:
# on some machines /dev/kvm exists but cannot run a guest.

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
	echo "-accel $(smalloc_accel "$1") -smp 2 -m 1024 -nodefaults" \
	     "-bios qboot.rom -nographic -serial stdio -no-reboot"
}
