// SPDX-License-Identifier: GPL-2.0
/*
 * Tests that the SELinux policy in force is sealed: a write to its root
 * (the selinux_policy and policydb structures) or to one of its rules (a
 * te_avtab node) faults, while the cache of ocontext SIDs, which SELinux
 * fills while the policy is in use, stays writable.
 *
 * A policy must have been loaded.  Each write stores the value that is
 * already there, so that a policy that is not sealed survives the test
 * unchanged; the test then reports the failure.
 */
#include "lkdtm.h"
#include <linux/rcupdate.h>
#include <linux/smalloc.h>

/* SELinux's own headers, as security/selinux/Makefile finds them. */
#include "security.h"
#include "ss/services.h"

/*
 * The policy in force.  It stays while the test runs unless a policy is
 * loaded meanwhile: run these tests while nothing else loads one.
 */
static struct selinux_policy *lkdtm_selinux_policy(void)
{
	struct selinux_policy *policy;

	rcu_read_lock();
	policy = rcu_dereference(selinux_state.policy);
	rcu_read_unlock();
	if (!policy)
		pr_err("FAIL: no SELinux policy is loaded\n");
	return policy;
}

/* Write @ptr's own value back: a sealed policy must fault here. */
static void lkdtm_selinux_write_sealed(u32 *ptr, const char *what)
{
	struct smalloc_object obj;

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
	struct selinux_policy *policy = lkdtm_selinux_policy();

	if (policy)
		lkdtm_selinux_write_sealed(&policy->policydb.te_avtab.nel,
					   "policydb root");
}

static void lkdtm_SELINUX_POLICY_WRITE_AVTAB(void)
{
	struct selinux_policy *policy = lkdtm_selinux_policy();
	struct avtab *avtab;
	u32 i;

	if (!policy)
		return;
	avtab = &policy->policydb.te_avtab;
	for (i = 0; i < avtab->nslot; i++) {
		if (avtab->htable[i]) {
			lkdtm_selinux_write_sealed(&avtab->htable[i]->datum.u.data,
						   "te_avtab node");
			return;
		}
	}
	pr_err("FAIL: the policy has no te_avtab rule\n");
}

static void lkdtm_SELINUX_SID_CACHE_WRITE(void)
{
	struct selinux_policy *policy = lkdtm_selinux_policy();
	u32 *sid;

	if (!policy)
		return;
	if (!policy->policydb.ocon_nslots) {
		pr_err("FAIL: the policy has no ocontext\n");
		return;
	}
	sid = &policy->policydb.ocon_sids[0][0];
	if (is_smalloc_addr(sid)) {
		pr_err("FAIL: the ocontext SID cache is in a smalloc pool\n");
		return;
	}
	WRITE_ONCE(*sid, READ_ONCE(*sid));
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
