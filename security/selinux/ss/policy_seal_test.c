// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests that the policy in force is sealed: a write to its policydb,
 * to a rule of its access vector tables (unconditional and conditional) or
 * to a symbol's name fails, through the memory's vmalloc address and
 * through its direct-map alias, and leaves the memory as it was.  The
 * same holds for SELinux's write-rare state: whether it is initialized,
 * and the pointer to the policy in force.  The ocontext SID cache, which
 * the policy fills while it is in use, is the part that must stay
 * writable, and does: a SID written to it is what the lookup of a port
 * returns, unnoticed.  A free of one of the policy's bitmaps, which only
 * its pools may free, is refused.
 *
 * The tests need a loaded policy, which boot does not have: run at boot,
 * they are skipped.  Once user space has loaded a policy, writing to
 * /sys/kernel/debug/kunit/selinux_policy_seal/run runs them again, and
 * .../results reads their outcome.  They hold policy_mutex, so that no
 * load or boolean commit replaces the policy while they look at it.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/smalloc.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "security.h"
#include "services.h"

/* What a write to some bytes of the policy in force did. */
struct seal_probe {
	bool smalloc;		/* they are in an object of a smalloc pool */
	bool within;		/* of that one object */
	bool sealed;		/* whose pool is sealed */
	char pool[24];		/* the pool's name */
	long via_vmalloc;	/* what copy_to_kernel_nofault() returned */
	long via_alias;		/* the same, through the direct-map alias */
	bool unchanged;		/* the bytes read back as they were */
};

enum seal_target {
	POLICYDB,		/* a field of the policydb */
	LATEST_GRANTING,	/* the last field of struct selinux_policy */
	AVTAB_RULE,		/* the access vector of a te_avtab rule */
	COND_RULE,		/* that of a te_cond_avtab rule */
	TYPE_NAME,		/* the name of a type */
	TYPE_NAME_SLOT,		/* the pointer to it */
	SID_CACHE,		/* a slot of the ocontext SID cache */
	STATE_INITIALIZED,	/* whether SELinux is initialized */
	STATE_POLICY,		/* the pointer to the policy in force */
};

/* The access vector of the first rule of @h, or NULL if it has none. */
static u32 *first_rule(struct avtab *h)
{
	u32 i;

	for (i = 0; i < h->nslot; i++) {
		if (h->htable[i])
			return &h->htable[i]->datum.u.data;
	}
	return NULL;
}

/* The slot of the first type that has a name, or NULL. */
static char **first_type_name(struct policydb *p)
{
	u32 i;

	for (i = 0; i < p->p_types.nprim; i++) {
		if (p->sym_val_to_name[SYM_TYPES][i])
			return &p->sym_val_to_name[SYM_TYPES][i];
	}
	return NULL;
}

/* Where @t is in @policy, and its size in *@len; NULL if it has none. */
static void *seal_target(struct selinux_policy *policy, enum seal_target t,
			 size_t *len)
{
	struct policydb *p = &policy->policydb;

	*len = sizeof(u32);
	switch (t) {
	case POLICYDB:
		return &p->te_avtab.nel;
	case LATEST_GRANTING:
		return &policy->latest_granting;
	case AVTAB_RULE:
		return first_rule(&p->te_avtab);
	case COND_RULE:
		return first_rule(&p->te_cond_avtab);
	case TYPE_NAME:
		*len = 1;
		return first_type_name(p) ? *first_type_name(p) : NULL;
	case TYPE_NAME_SLOT:
		*len = sizeof(char *);
		return first_type_name(p);
	case SID_CACHE:
		return p->ocon_nslots ? &p->ocon_sids[0][0] : NULL;
	case STATE_INITIALIZED:
		*len = sizeof(selinux_wr->initialized);
		return &selinux_wr->initialized;
	case STATE_POLICY:
		*len = sizeof(selinux_wr->policy);
		return &selinux_wr->policy;
	}
	return NULL;
}

/*
 * Write the bytes already there to @t of the policy in force, through
 * both of the memory's mappings, so that a write that gets through changes
 * nothing, and say in @r what happened.  policy_mutex keeps loads and
 * boolean commits from replacing the policy meanwhile; the test's
 * assertions come after, without the lock.  -ENOENT if no policy is
 * loaded, -ENODATA if it has no such target.
 */
static int seal_probe(enum seal_target t, struct seal_probe *r)
{
	struct selinux_policy *policy;
	struct smalloc_object obj;
	int rc = -ENOENT;
	u8 old[sizeof(u64)];
	void *dst, *alias;
	size_t len;

	mutex_lock(&selinux_state.policy_mutex);
	policy = rcu_dereference_protected(selinux_wr->policy,
					   lockdep_is_held(&selinux_state.policy_mutex));
	if (!policy)
		goto out;
	rc = -ENODATA;
	dst = seal_target(policy, t, &len);
	if (!dst)
		goto out;
	rc = 0;
	r->smalloc = smalloc_find_object(dst, &obj);
	if (r->smalloc) {
		r->within = dst + len <= obj.start + obj.size;
		r->sealed = obj.sealed;
		strscpy(r->pool, smalloc_pool_name(obj.pool));
	}
	memcpy(old, dst, len);
	r->via_vmalloc = copy_to_kernel_nofault(dst, old, len);
	alias = dst;
	if (is_vmalloc_addr(dst))
		alias = page_address(vmalloc_to_page(dst)) + offset_in_page(dst);
	r->via_alias = copy_to_kernel_nofault(alias, old, len);
	/* Read where it can be read: a sealed page has no direct-map alias. */
	r->unchanged = !memcmp(dst, old, len);
out:
	mutex_unlock(&selinux_state.policy_mutex);
	return rc;
}

static void probe_or_skip(struct kunit *test, enum seal_target t,
			  struct seal_probe *r)
{
	int rc = seal_probe(t, r);

	if (rc == -ENOENT)
		kunit_skip(test, "no policy loaded");
	if (rc == -ENODATA && t == COND_RULE)
		kunit_skip(test, "the policy has no conditional rules");
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "the policy has no such target");
}

/*
 * @t is in one object of a sealed pool of the policy, or of SELinux's
 * state, and a write to it fails through both of the memory's mappings.
 */
static void expect_sealed(struct kunit *test, enum seal_target t)
{
	bool state = t == STATE_INITIALIZED || t == STATE_POLICY;
	struct seal_probe r = {};

	if (state && !IS_ENABLED(CONFIG_SMALLOC_WRITE_RARE))
		kunit_skip(test, "this system has no write-rare memory");
	probe_or_skip(test, t, &r);
	KUNIT_ASSERT_TRUE_MSG(test, r.smalloc, "not smalloc memory");
	if (state)
		KUNIT_EXPECT_STREQ(test, r.pool, "selinux:state");
	else
		KUNIT_EXPECT_TRUE_MSG(test,
				      !strcmp(r.pool, "selinux:policy") ||
				      !strcmp(r.pool, "selinux:booleans"),
				      "in pool %s", r.pool);
	KUNIT_EXPECT_TRUE(test, r.within);
	if (!r.sealed && !smalloc_can_seal())
		kunit_skip(test, "this system cannot seal a pool");
	KUNIT_EXPECT_TRUE_MSG(test, r.sealed, "pool %s is not sealed", r.pool);
	KUNIT_EXPECT_EQ_MSG(test, r.via_vmalloc, -EFAULT,
			    "a write through the vmalloc address got through");
	KUNIT_EXPECT_EQ_MSG(test, r.via_alias, -EFAULT,
			    "a write through the direct-map alias got through");
	KUNIT_EXPECT_TRUE(test, r.unchanged);
}

static void policy_seal_policydb(struct kunit *test)
{
	expect_sealed(test, POLICYDB);
	expect_sealed(test, LATEST_GRANTING);
}

static void policy_seal_avtab_rule(struct kunit *test)
{
	expect_sealed(test, AVTAB_RULE);
}

static void policy_seal_cond_rule(struct kunit *test)
{
	expect_sealed(test, COND_RULE);
}

static void policy_seal_symbol_name(struct kunit *test)
{
	expect_sealed(test, TYPE_NAME);
	expect_sealed(test, TYPE_NAME_SLOT);
}

/* Whether SELinux is initialized, and the pointer to the policy in force. */
static void policy_seal_state(struct kunit *test)
{
	expect_sealed(test, STATE_INITIALIZED);
	expect_sealed(test, STATE_POLICY);
}

/*
 * The cache the policy fills while in use stays writable: it must.  The
 * write puts back the SID it read; should a lookup fill the slot between
 * the two, the slot reads 0 again and the next lookup fills it again.
 */
static void policy_seal_sid_cache(struct kunit *test)
{
	struct seal_probe r = {};

	probe_or_skip(test, SID_CACHE, &r);
	KUNIT_EXPECT_FALSE(test, r.smalloc);
	KUNIT_EXPECT_EQ(test, r.via_vmalloc, 0);
	KUNIT_EXPECT_EQ(test, r.via_alias, 0);
}

/*
 * What the documentation says of the ocontext SID cache: a write to it
 * changes the label a lookup returns, which decisions on that object
 * use, and nothing notices.  The first port context of the policy in
 * force (the head of the list, which the lookup of its own protocol and
 * first port finds first): its lookup fills the slot; a different SID
 * written there is what the next lookup returns; a 0 makes the lookup
 * fill the slot again, with the SID of the first.  The slot is then put
 * back to that SID.  policy_mutex keeps the policy in force meanwhile.
 * A lookup of that port elsewhere during the test (none, in the test's
 * guest) would get the written SID, as it would after an attacker's
 * write: the Kconfig help says so.  Skipped on a policy without port
 * contexts, such as the kernel's mdp.
 */
static void policy_seal_sid_cache_changed(struct kunit *test)
{
	struct selinux_policy *policy;
	struct ocontext *c = NULL;
	u32 *slot, first = 0, write = 0, forged = 0, refilled = 0;
	int rc[3] = {};

	mutex_lock(&selinux_state.policy_mutex);
	policy = rcu_dereference_protected(selinux_wr->policy,
					   lockdep_is_held(&selinux_state.policy_mutex));
	if (policy)
		c = policy->policydb.ocontexts[OCON_PORT];
	if (c) {
		slot = &policy->policydb.ocon_sids[c->sid_slot][0];
		rc[0] = security_port_sid(c->u.port.protocol, c->u.port.low_port,
					  &first);
		/* Another SID than the port's, whatever its context. */
		write = first == SECINITSID_UNLABELED ? SECINITSID_KERNEL :
							SECINITSID_UNLABELED;
		WRITE_ONCE(*slot, write);
		rc[1] = security_port_sid(c->u.port.protocol, c->u.port.low_port,
					  &forged);
		WRITE_ONCE(*slot, 0);
		rc[2] = security_port_sid(c->u.port.protocol, c->u.port.low_port,
					  &refilled);
		WRITE_ONCE(*slot, first);
	}
	mutex_unlock(&selinux_state.policy_mutex);

	if (!policy)
		kunit_skip(test, "no policy loaded");
	if (!c)
		kunit_skip(test, "the policy has no port context");
	KUNIT_EXPECT_EQ(test, 0, rc[0]);
	KUNIT_EXPECT_EQ(test, 0, rc[1]);
	KUNIT_EXPECT_EQ(test, 0, rc[2]);
	KUNIT_EXPECT_NE(test, 0, first);
	KUNIT_EXPECT_NE(test, first, write);
	KUNIT_EXPECT_EQ(test, write, forged);
	KUNIT_EXPECT_EQ(test, first, refilled);
}

/* The first bitmap of @p's type attribute map that has a node, or NULL. */
static struct ebitmap *first_bitmap(struct policydb *p)
{
	u32 i;

	for (i = 0; p->type_attr_map_array && i < p->p_types.nprim; i++) {
		if (p->type_attr_map_array[i].node)
			return &p->type_attr_map_array[i];
	}
	return NULL;
}

/*
 * ebitmap_destroy() of a bitmap of the policy in force, as a new error
 * path might call it, is refused with one warning, and frees and writes
 * nothing: the policy's memory is freed with its pools.  The warning is
 * counted, not printed (struct smalloc_warnings).
 */
static void policy_seal_ebitmap_destroy(struct kunit *test)
{
	struct smalloc_warnings *warnings;
	struct kunit_resource *res;
	struct selinux_policy *policy;
	struct ebitmap *e, old;
	bool found, ours = false, same = false, still = false;

	warnings = kunit_kzalloc(test, sizeof(*warnings), GFP_KERNEL);
	res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, warnings);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_named_resource(test, NULL, NULL, res,
						 SMALLOC_WARNINGS, warnings));

	mutex_lock(&selinux_state.policy_mutex);
	policy = rcu_dereference_protected(selinux_wr->policy,
					   lockdep_is_held(&selinux_state.policy_mutex));
	e = policy ? first_bitmap(&policy->policydb) : NULL;
	found = e;
	/* Only a bitmap of a pool: were it slab memory, it would be freed. */
	if (e && is_smalloc_addr(e->node)) {
		ours = true;
		old = *e;
		warnings->armed = true;
		ebitmap_destroy(e);
		warnings->armed = false;
		same = e->node == old.node && e->highbit == old.highbit;
		still = is_smalloc_addr(old.node);
	}
	mutex_unlock(&selinux_state.policy_mutex);

	if (!policy)
		kunit_skip(test, "no policy loaded");
	KUNIT_ASSERT_TRUE_MSG(test, found, "the policy has no bitmap with a node");
	KUNIT_ASSERT_TRUE_MSG(test, ours, "the bitmap's node is not pool memory");
	KUNIT_EXPECT_EQ(test, 1, warnings->count);
	KUNIT_EXPECT_TRUE_MSG(test, same, "the bitmap was changed");
	KUNIT_EXPECT_TRUE_MSG(test, still, "its node is no longer the pool's");
}

static struct kunit_case policy_seal_cases[] = {
	KUNIT_CASE(policy_seal_policydb),
	KUNIT_CASE(policy_seal_avtab_rule),
	KUNIT_CASE(policy_seal_cond_rule),
	KUNIT_CASE(policy_seal_symbol_name),
	KUNIT_CASE(policy_seal_state),
	KUNIT_CASE(policy_seal_sid_cache),
	KUNIT_CASE(policy_seal_sid_cache_changed),
	KUNIT_CASE(policy_seal_ebitmap_destroy),
	{}
};

/*
 * KUnit keeps each case's outcome in the case, and runs again none that
 * was skipped: it takes that for a filter's mark.  These cases skip at
 * boot, for want of a policy, and are meant to run again from debugfs.
 */
static int policy_seal_suite_init(struct kunit_suite *suite)
{
	struct kunit_case *c;

	for (c = suite->test_cases; c->run_case; c++)
		c->status = KUNIT_SUCCESS;
	return 0;
}

static struct kunit_suite policy_seal_suite = {
	.name = "selinux_policy_seal",
	.suite_init = policy_seal_suite_init,
	.test_cases = policy_seal_cases,
};

kunit_test_suite(policy_seal_suite);
