#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reads a kernel log on stdin; prints the lines that report a warning, a
# BUG, an oops or a lockdep/list-debug splat, and succeeds if there is one.
# smalloc's tests count the caller bugs they provoke instead of warning,
# so every such line is unexpected.
grep -E 'WARNING: |BUG: |Oops|Kernel panic|general protection fault|cut here|possible recursive locking|circular locking dependency|inconsistent lock state|suspicious RCU usage|list_(add|del) corruption|UBSAN:|KASAN:|INFO: task .* blocked|lock order detected|irq lock inversion|bad unlock balance|held lock freed|trying to register non-static key|turning off the locking correctness validator|detected stalls|detected expedited stalls|self-detected stall|soft lockup'
