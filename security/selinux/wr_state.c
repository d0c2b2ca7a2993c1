// SPDX-License-Identifier: GPL-2.0
/*
 * SELinux's state that an attacker goes for first, kept write-rare.
 *
 * One write to a writable selinux_state once turned enforcing off, or
 * pointed the policy in force at a forged copy, and made the sealed
 * policy pointless.  selinux_init() puts enforcing, initialized, the
 * policy capabilities and the policy pointer in an object of a write-rare
 * pool and seals the pool for good; from then on they change only through
 * a CPU-local mapping, with smalloc_wr_commit().
 *
 * The policy pointer is published under the old sidtab's spinlock, which
 * softirqs take, with interrupts off: there, smalloc_wr_memcpy(), which
 * looks its target up under vmalloc's lock, may not run.  So the object
 * is checked once, at boot, by smalloc_wr_prepare(), into a ticket kept
 * __ro_after_init, and every write goes through the ticket without a lock.
 *
 * Writers keep their locks: loads and boolean commits hold policy_mutex,
 * setenforce none, as before.  Each writes its own bytes with one store
 * (or one write-rare copy, for the capabilities), so they need no lock
 * among each other, and a pool sealed for good has no seal or unseal to
 * race with.
 */
#include <linux/init.h>
#include <linux/stddef.h>
#include <linux/printk.h>
#include <linux/smalloc.h>
#include <linux/string.h>

#include "security.h"

#ifdef CONFIG_SECURITY_SELINUX_DEVELOP
/* LKDTM's SELINUX_ENFORCING_WRITE writes the state's first byte. */
static_assert(offsetof(struct selinux_wr_state, enforcing) == 0);
#endif

/* Where the state lives until selinux_init(), or for good without it. */
static struct selinux_wr_state selinux_wr_boot;

struct selinux_wr_state *selinux_wr __ro_after_init = &selinux_wr_boot;

/* The checked target of every write: all of *selinux_wr. */
static struct smalloc_wr_ticket selinux_wr_ticket __ro_after_init;

/**
 * selinux_wr_write - Change bytes of SELinux's write-rare state.
 * @dst: The first byte, within *selinux_wr.
 * @src: The new bytes.
 * @len: How many.
 *
 * Naturally aligned 1, 2, 4 or 8 bytes are stored at once.
 *
 * Context: Task context; also under a spinlock, with interrupts off.
 * Return: 0, or -EINVAL, with a warning and nothing written, if the range
 * is not within the state.
 */
int selinux_wr_write(void *dst, const void *src, size_t len)
{
	if (selinux_wr == &selinux_wr_boot) {
		smalloc_wr_copy(dst, src, len);
		return 0;
	}
	return smalloc_wr_commit(&selinux_wr_ticket, dst, src, len);
}

/**
 * selinux_wr_publish_policy - Make @policy the policy in force.
 * @policy: The new policy.
 *
 * rcu_assign_pointer() of selinux_wr->policy, through selinux_wr_write().
 *
 * Context: As for selinux_wr_write().
 */
void selinux_wr_publish_policy(struct selinux_policy *policy)
{
	if (selinux_wr == &selinux_wr_boot) {
		rcu_assign_pointer(selinux_wr->policy, policy);
		return;
	}
	/* The release of rcu_assign_pointer(), then one aligned store. */
	smp_mb();
	WARN_ON(selinux_wr_write(&selinux_wr->policy, &policy, sizeof(policy)));
}

/**
 * selinux_wr_init - Move SELinux's state into a pool sealed for good.
 * @enforcing: Whether SELinux starts enforcing.
 *
 * Where write-rare is not available, or the pool cannot be made, the state
 * stays in plain memory, and this says so once.
 */
void __init selinux_wr_init(bool enforcing)
{
	struct smalloc_pool *pool;
	struct selinux_wr_state *ws = NULL;
	int rc = -EOPNOTSUPP;

	memset(&selinux_wr_boot, 0, sizeof(selinux_wr_boot));
#ifdef CONFIG_SECURITY_SELINUX_DEVELOP
	selinux_wr_boot.enforcing = enforcing;
#endif
	if (!IS_ENABLED(CONFIG_SMALLOC_WRITE_RARE)) {
		pr_notice("SELinux:  no write-rare memory on this system: enforcing, the policy capabilities and the policy pointer stay writable\n");
		return;
	}

	pool = smalloc_create_wr("selinux:state");
	if (pool)
		ws = smalloc_alloc(pool, sizeof(*ws));
	if (ws) {
		/* Plain stores, until the seal. */
		*ws = selinux_wr_boot;
		rc = smalloc_seal_final(pool);
		if (!rc)
			rc = smalloc_wr_prepare(&selinux_wr_ticket, ws,
						sizeof(*ws));
	} else {
		rc = -ENOMEM;
	}
	if (rc) {
		smalloc_destroy(pool);
		pr_err("SELinux:  cannot keep the SELinux state write-rare (%d): enforcing, the policy capabilities and the policy pointer stay writable\n",
		       rc);
		return;
	}
	selinux_wr = ws;
}
