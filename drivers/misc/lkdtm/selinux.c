// SPDX-License-Identifier: GPL-2.0
/*
 * Tests that the SELinux policy in force is sealed: a write to its root
 * (its policydb) or to one of its rules (a te_avtab node) faults, while
 * the cache of ocontext SIDs, which SELinux fills while the policy is in
 * use, stays writable.
 *
 * A policy must have been loaded, and neither a policy load nor a boolean
 * change may happen while a test runs.  Each write stores the value that
 * is already there, so that a policy that is not sealed survives the test
 * unchanged; the test then reports the failure.
 */
#include "lkdtm.h"
#include <linux/selinux.h>
#include <linux/smalloc.h>

static bool lkdtm_selinux_targets(struct selinux_policy_targets *t)
{
	if (selinux_policy_targets(t)) {
		pr_err("XFAIL: no SELinux policy is loaded\n");
		return false;
	}
	return true;
}

/* Write @ptr's own value back: a sealed policy must fault here. */
static void lkdtm_selinux_write_sealed(u32 *ptr, const char *what)
{
	struct smalloc_object obj;

	if (!ptr) {
		pr_err("FAIL: the policy has no %s\n", what);
		return;
	}
	if (!smalloc_find_object(ptr, &obj) || !obj.sealed) {
		pr_err("FAIL: the %s is not in a sealed smalloc pool\n", what);
		return;
	}
	pr_info("attempting bad write to the %s, in sealed pool '%s'\n", what,
		smalloc_pool_name(obj.pool));
	WRITE_ONCE(*ptr, READ_ONCE(*ptr));
	pr_err("FAIL: survived bad write to the %s\n", what);
}

static void lkdtm_SELINUX_POLICY_WRITE_ROOT(void)
{
	struct selinux_policy_targets t;

	if (lkdtm_selinux_targets(&t))
		lkdtm_selinux_write_sealed(t.root, "policydb root");
}

static void lkdtm_SELINUX_POLICY_WRITE_AVTAB(void)
{
	struct selinux_policy_targets t;

	if (lkdtm_selinux_targets(&t))
		lkdtm_selinux_write_sealed(t.rule, "te_avtab rule");
}

static void lkdtm_SELINUX_SID_CACHE_WRITE(void)
{
	struct selinux_policy_targets t;

	if (!lkdtm_selinux_targets(&t))
		return;
	if (!t.sid_cache) {
		pr_err("FAIL: the policy has no ocontext\n");
		return;
	}
	if (is_smalloc_addr(t.sid_cache)) {
		pr_err("FAIL: the ocontext SID cache is in a smalloc pool\n");
		return;
	}
	WRITE_ONCE(*t.sid_cache, READ_ONCE(*t.sid_cache));
	pr_info("ok: the ocontext SID cache of the policy in force is writable\n");
}

static struct crashtype crashtypes[] = {
	CRASHTYPE(SELINUX_POLICY_WRITE_ROOT),
	CRASHTYPE(SELINUX_POLICY_WRITE_AVTAB),
	CRASHTYPE(SELINUX_SID_CACHE_WRITE),
};

struct crashtype_category selinux_crashtypes = {
	.crashtypes = crashtypes,
	.len	    = ARRAY_SIZE(crashtypes),
};
