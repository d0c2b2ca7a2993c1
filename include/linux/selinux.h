/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What SELinux offers the rest of the kernel outside the LSM hooks: for
 * now, where its policy lives, for LKDTM's tests of the sealed policy.
 */
#ifndef _LINUX_SELINUX_H
#define _LINUX_SELINUX_H

#include <linux/types.h>

/**
 * struct selinux_policy_targets - Places in the SELinux policy in force.
 * @root: A field of the policy's root, the policydb.
 * @rule: The access vector of a te_avtab rule; NULL if there is none.
 * @sid_cache: A slot of the ocontext SID cache; NULL if there is none.
 *
 * The policy's memory is sealed: a write to @root or @rule must fault.
 * The SID cache is written while the policy is in use.
 */
struct selinux_policy_targets {
	u32 *root;
	u32 *rule;
	u32 *sid_cache;
};

#if IS_ENABLED(CONFIG_SECURITY_SELINUX) && IS_BUILTIN(CONFIG_LKDTM)
int selinux_policy_targets(struct selinux_policy_targets *t);
#endif

#endif /* _LINUX_SELINUX_H */
