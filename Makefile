# SPDX-License-Identifier: GPL-2.0
#
# smalloc: build, boot and export the series.  See README.md.
#
#   make deps    install what the rest needs (apt-get)
#   make tree    lay the series over the kernel tree in $(KERNEL_SRC)
#   make build   configure and build the test kernel (incremental)
#   make test    build, run the KUnit suites and the userspace checks under
#                QEMU, export and check the series; last line
#                "smalloc: N passed, M failed"
#   make demo    build and boot, and show a pool's life in plain words
#   make series  write the mailable series to out/series and check it
#   make bisect  build the kernel after each patch, with KUNIT=n,
#                SECURITY_SELINUX_SEAL_POLICY=n and SMALLOC=n
#   make bench   boot and print what smalloc costs next to other allocators
#   make check-arm64  cross-build and link an arm64 kernel with smalloc
#   make check-arch   SELinux on unsealable pools: i386 and riscv64 without
#                     an MMU, built and booted (after make test)
#   make check-kasan  smalloc's KUnit suite under generic KASAN
#   make test-debug   the KUnit, faults, LKDTM and SELinux stages on a
#                     kernel with KASAN, kmemleak, lockdep, DEBUG_PAGEALLOC
#                     (after make test); last line
#                     "smalloc-debug: N passed, M failed"
#   make test-arm64   the KUnit, LKDTM and SELinux (mdp) stages booted on
#                     arm64, rodata=full and rodata=on (after make test);
#                     last line "smalloc-arm64: N passed, M failed"
#
# The kernel tree and the build live outside this repository, under
# $(SMALLOC_CACHE), so that rebuilds after an overlay change are
# incremental.  KERNEL_SRC=/path/to/your/tree applies the series to your
# own tree instead of the one extracted from linux-source-6.12.

SMALLOC_CACHE ?= $(HOME)/.cache/smalloc
KERNEL_SRC ?= $(SMALLOC_CACHE)/linux
BUILD_DIR ?= $(SMALLOC_CACHE)/build
SERIES_DIR ?= $(CURDIR)/out/series

scripts := $(CURDIR)/tools/testing/smalloc

# checkpatch's spdxcheck.py wants Debian's python3 and its python3-ply.
export PATH := /usr/bin:$(PATH)

.PHONY: test-debug test-arm64 check-mutants check-faults all deps tree build test demo series bisect bench check-arm64 check-arch check-kasan

all: test

deps:
	@$(scripts)/deps.sh

tree: deps
	@$(scripts)/tree.sh $(KERNEL_SRC)

build: tree
	@$(scripts)/kunit.sh build $(KERNEL_SRC) $(BUILD_DIR)

test: deps
	@$(scripts)/test.sh $(KERNEL_SRC) $(BUILD_DIR) $(SERIES_DIR)

# demo and bench say first what they will do and how long it takes; their
# kernel builds and boots print a progress line a minute.
demo: deps
	@echo "# make demo: builds the test kernel in $(BUILD_DIR) (a cold build: about"
	@echo "# 20 min on 2 cores, incremental after that), then boots it under QEMU"
	@echo "# (about 1 min); build logs in $(BUILD_DIR), the console in $(BUILD_DIR)/demo.log"
	@$(MAKE) --no-print-directory build
	@$(scripts)/demo.sh $(BUILD_DIR)

series: tree
	@$(scripts)/series.sh $(KERNEL_SRC) $(SERIES_DIR)

# Not part of make test (it builds the kernel once per patch): check that
# every patch of the series builds, and that CONFIG_SMALLOC=n builds.
bisect: build
	@$(scripts)/bisect.sh $(KERNEL_SRC) $(BUILD_DIR) $(SMALLOC_CACHE)/build-bisect

# Timings, never asserted: smalloc against kmalloc, kmem_cache, vmalloc,
# gen_pool and set_memory_ro/rw, on a kernel without lock debugging.
bench: deps
	@echo "# make bench: builds the test kernel (for its config; a cold build: about"
	@echo "# 20 min), then the benchmark kernel in $(SMALLOC_CACHE)/build-bench (cold:"
	@echo "# about 20 min more), boots it (about 5 min under TCG); after make test, the"
	@echo "# same with its SELinux policy unsealed and the pristine base (cold: about"
	@echo "# 20 min more each) for the SELinux rows; logs in"
	@echo "# $(SMALLOC_CACHE)/build-bench, the table also in out/bench.csv"
	@$(MAKE) --no-print-directory build
	@$(scripts)/bench.sh $(KERNEL_SRC) $(BUILD_DIR) $(SMALLOC_CACHE)/build-bench $(CURDIR)/out/bench.csv

# make test compiles only what the series adds for arm64 (--quick); this
# builds and links the whole arm64 kernel with smalloc, its tests, LKDTM
# and the sample (about 12 min cold on 2 cores).
check-arm64: tree
	@$(scripts)/deps.sh gcc-aarch64-linux-gnu
	@$(scripts)/check-arm64.sh $(KERNEL_SRC) $(SMALLOC_CACHE)/build-arm64

# Not part of make test (two cold cross builds of their own): where pools
# cannot be sealed, on i386 and on riscv64 without an MMU, SELinux loads
# the mdp policy into unsealed pools and decides as the pristine kernel
# does.  Uses the policy, questions and pristine answers of make test.
check-arch: tree
	@$(scripts)/deps.sh gcc-riscv64-linux-gnu qemu-system-misc
	@$(scripts)/check-arch.sh $(KERNEL_SRC) $(BUILD_DIR) $(SMALLOC_CACHE)

# Not part of make test (a boot of the pristine kernel per crash they
# find, and 1,000 loads on each kernel): mutated policies, which the
# pristine kernel and ours must refuse or accept alike.  After make test,
# whose build, policies and pristine kernel it uses; prints the mutants'
# results only.
check-mutants: build
	@SMALLOC_SELINUX_MUTANTS=1 SMALLOC_SELINUX_BOOTS=mutants \
		$(scripts)/selinux.sh $(KERNEL_SRC) $(BUILD_DIR) | \
		grep -E '^(ok|not ok) - selinux: .*(mutat|mutant)|^# SELinux mutants'

# Not part of make test (about 2 hours, a boot on each core): faults at every
# point of a load of mdp over mdp-x and of a boolean commit, and at one in
# 1,000 of a reference policy load, in boots of their own side by side.
# After make test, whose build, policies and pristine kernel it uses;
# prints the fault boots' results only.
check-faults: build
	@SMALLOC_SELINUX_BOOTS=faults \
		$(scripts)/selinux.sh $(KERNEL_SRC) $(BUILD_DIR) 2>&1 | \
		tee $(BUILD_DIR)/check-faults.out | \
		grep --line-buffered -E '^(ok|not ok) - selinux: fault boot|^# (SELinux(:.*fault boots| fault boot)|boot )'
	@p=$$(grep -c '^ok - selinux: fault boot' $(BUILD_DIR)/check-faults.out); \
	f=$$(grep -c '^not ok - selinux: fault boot' $(BUILD_DIR)/check-faults.out); \
	echo "smalloc-faults: $$p passed, $$f failed"; [ "$$f" -eq 0 ] && [ "$$p" -gt 0 ]

# Not part of make test (a KASAN kernel of its own): smalloc's KUnit suite
# under generic KASAN with KASAN_VMALLOC, with the case that checks what
# KASAN sees of a pool's objects.
check-kasan: tree
	@$(scripts)/check-kasan.sh $(KERNEL_SRC) $(SMALLOC_CACHE)/build-kasan

# Not part of make test (a kernel of its own, about 40 minutes cold on 2
# cores, and boots several times slower): make test's stages that boot our
# kernel, on debug.config.  PLANT="a b" runs those plants on it instead.
test-debug: build
	@$(scripts)/test-debug.sh $(KERNEL_SRC) $(SMALLOC_CACHE)/build-debug \
		$(BUILD_DIR) $(if $(PLANT),--plant $(PLANT))

# Not part of make test (a cross-built kernel of its own, about 25 minutes
# cold on 2 cores, and arm64 boots under TCG): see test-arm64.sh.
test-arm64: tree
	@$(scripts)/deps.sh qemu-system-arm libc6-dev-arm64-cross
	@$(scripts)/test-arm64.sh $(KERNEL_SRC) $(SMALLOC_CACHE)/build-arm64-boot \
		$(BUILD_DIR) $(SMALLOC_CACHE)
