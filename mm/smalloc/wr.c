// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: write-rare, changing sealed objects without unsealing them.
 *
 * smalloc_unseal() makes a whole pool writable for every CPU until it is
 * sealed again: while one thread updates a table, any other thread, or an
 * attacker's write primitive, may write it too.  Write-rare changes a few
 * bytes of one object instead: the architecture (arch_write_rare()) maps
 * the page(s) writable at a temporary address that only the calling CPU
 * can use, with interrupts off, writes, unmaps and flushes only its own
 * TLB.  The pool's vmalloc mapping and its direct-map alias stay read-only
 * throughout.
 *
 * Only pools created with smalloc_create_wr() accept it, and every call
 * must stay within one object of such a pool: anything else is a caller
 * bug, refused with a warning before a byte is written.  An unsealed pool
 * is written with plain stores.  A write-rare pool is never unsealed:
 * write-rare is the way to change it once it is sealed.  The caller
 * serialises writes to an object with each other, and with smalloc_seal()
 * and smalloc_unseal() of its pool, as it would plain writes to an
 * unsealed pool.
 *
 * The calls run in task context, also with interrupts or softirqs off, not
 * in interrupts: both the lookup here and the architecture's own check of
 * the target take vmalloc's vmap node lock.
 */

#define pr_fmt(fmt) "smalloc: " fmt

#include <linux/kasan-checks.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/smalloc.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <asm/sections.h>

#include <kunit/static_stub.h>

#include "smalloc.h"

/**
 * smalloc_create_wr() - Create a pool whose sealed objects can be written.
 * @name: Name of the pool, as for smalloc_create().
 *
 * Like smalloc_create(); in addition, smalloc_wr_memcpy(),
 * smalloc_wr_memset(), smalloc_wr_assign() and
 * smalloc_wr_rcu_assign_pointer() may change its objects while it is
 * sealed, without making it writable for anybody else.  Seal such a pool
 * with smalloc_seal_final(), so that write-rare is the only way to change
 * it.  Only where the architecture has a CPU-local write path
 * (CONFIG_SMALLOC_WRITE_RARE); elsewhere this is a stub that returns NULL.
 *
 * Context: Process context.  May sleep.
 * Return: The new, unsealed and empty pool, or NULL as smalloc_create().
 */
struct smalloc_pool *smalloc_create_wr(const char *name)
{
	return smalloc_pool_new(name, ARCH_KMALLOC_MINALIGN, false, true);
}
EXPORT_SYMBOL_GPL(smalloc_create_wr);

/* The one place that writes through the CPU-local alias; KUnit counts. */
VISIBLE_IF_KUNIT int smalloc_wr_poke(void *dst, const void *src, size_t len,
				     bool set)
{
	KUNIT_STATIC_STUB_REDIRECT(smalloc_wr_poke, dst, src, len, set);
	return arch_write_rare(dst, src, len, set);
}

/*
 * Under rcu_read_lock(): the pool of the write-rare object that holds all
 * of [@dst, @dst + @len), or NULL, with a warning; its node in *@nodep.
 *
 * The index stays writable: as before a permission change (core.c), the
 * node it gives must be a whole VM_SMALLOC area of the size it says, and
 * the range must lie within it.  A forged index entry cannot then aim a
 * write anywhere but at a genuine node, whose header, object ends and pool
 * are sealed with it when it is sealed.  The object is found in that node,
 * not by a second lookup, which an index rewritten meanwhile could answer
 * with a fake header and its object bounds.
 */
static struct smalloc_pool *smalloc_wr_target(void *dst, size_t len,
					      struct smalloc_node **nodep)
{
	struct smalloc_object obj;
	struct smalloc_node *node;
	size_t size = 0;
	bool ok;

	node = smalloc_index_find(dst);
	if (node)
		size = READ_ONCE(node->size);
	ok = node && smalloc_area_ours(node, size) &&
	     smalloc_node_find_object(node, dst, &obj) &&
	     obj.pool == READ_ONCE(node->pool) && READ_ONCE(obj.pool->wr) &&
	     len <= obj.size && dst - obj.start <= obj.size - len &&
	     obj.start >= (void *)node &&
	     dst + len <= (void *)node + size;
	if (smalloc_warn_on(!ok)) {
		pr_err_ratelimited("write-rare to %p (%zu bytes) refused: not within one object of a write-rare pool\n",
				   dst, len);
		return NULL;
	}
	*nodep = node;
	return obj.pool;
}

/* Copy @src, or set the byte *@c if @src is NULL, to @dst. */
static int smalloc_wr_write(void *dst, const void *src, const int *c,
			    size_t len)
{
	struct smalloc_node *node;
	struct smalloc_pool *pool;
	size_t chunk;
	int ret = 0;

	/*
	 * Finding the object takes vmalloc's vmap node lock, in
	 * smalloc_area_ours(), and so does the architecture's check of the
	 * target.  vmalloc holds that lock with interrupts and softirqs on:
	 * taken from an interrupt or a softirq, it could be held already by
	 * the task they interrupted.  So task context only, where interrupts
	 * or softirqs may be off.  On PREEMPT_RT the lock sleeps.
	 */
	if (smalloc_warn_on(!in_task() ||
			    (IS_ENABLED(CONFIG_PREEMPT_RT) && !preemptible())))
		return -EINVAL;

	/* smalloc_destroy() waits for a grace period before it frees. */
	rcu_read_lock();
	pool = smalloc_wr_target(dst, len, &node);
	if (!pool) {
		ret = -EINVAL;
	} else if (!READ_ONCE(pool->final) &&
		   !READ_ONCE(pool->state->closed)) {
		/* Unsealed: any CPU may write it anyway. */
		if (src)
			smalloc_wr_copy(dst, src, len);
		else
			memset(dst, *c, len);
	} else {
		/* A page at a time: at most one page boundary per mapping. */
		while (len && !ret) {
			chunk = min_t(size_t, len, PAGE_SIZE);
			ret = smalloc_wr_poke(dst, src ?: c, chunk, !src);
			/* It checks the target too: it must agree with us. */
			if (smalloc_warn_on(ret))
				pr_err_ratelimited("write-rare to %p (%zu bytes) failed: %d\n",
						   dst, chunk, ret);
			dst += chunk;
			if (src)
				src += chunk;
			len -= chunk;
		}
	}
	rcu_read_unlock();
	return ret;
}

/**
 * smalloc_wr_memcpy() - Copy into an object of a write-rare pool.
 * @dst: Where to copy to: with @len, within one object of a pool created
 *	by smalloc_create_wr().
 * @src: What to copy.
 * @len: Bytes to copy.
 *
 * If the pool is sealed, the bytes are written through a mapping that only
 * this CPU can use, for the time of the copy; the pool stays read-only for
 * everybody else, through all of its mappings.  If it is not, this is
 * memcpy().  The caller serialises writes to the same bytes, and seal and
 * unseal of the pool, as for plain writes.
 *
 * A naturally aligned 1, 2, 4 or 8 bytes are written with one store, so
 * that lockless readers see either the old or the new value.
 *
 * Context: Task context; interrupts, softirqs or preemption may be
 * disabled, but not under a lock that an interrupt handler or a softirq
 * takes: the lookup takes vmalloc's vmap node lock, which vmalloc holds
 * with interrupts on.  Not from hardirq, softirq or NMI context.  On
 * PREEMPT_RT, where that lock sleeps, only where sleeping is allowed.
 * Does not sleep otherwise.
 * Return: 0 on success; -EINVAL, with a warning and nothing written, if
 * [@dst, @dst + @len) is not within one object of a write-rare pool, or
 * from another context; the architecture's error, with a warning, if it
 * refuses a page (the pages before it are written).
 */
int smalloc_wr_memcpy(void *dst, const void *src, size_t len)
{
	/* This file is not instrumented: check the caller's bytes here. */
	kasan_check_read(src, len);
	return smalloc_wr_write(dst, src, NULL, len);
}
EXPORT_SYMBOL_GPL(smalloc_wr_memcpy);

/**
 * smalloc_wr_memset() - Fill bytes of an object of a write-rare pool.
 * @dst: The first byte: with @len, within one object of a pool created by
 *	smalloc_create_wr().
 * @c: The byte value.
 * @len: Bytes to fill.
 *
 * Like smalloc_wr_memcpy(), for memset().
 *
 * Context: As for smalloc_wr_memcpy().
 * Return: As for smalloc_wr_memcpy().
 */
int smalloc_wr_memset(void *dst, int c, size_t len)
{
	return smalloc_wr_write(dst, NULL, &c, len);
}
EXPORT_SYMBOL_GPL(smalloc_wr_memset);

/*
 * For smalloc_wr_rcu_assign_pointer(): publish @val at @dst, a pointer in
 * a write-rare object, with one store that orders what @val points to
 * before it, as rcu_assign_pointer() does.
 */
int __smalloc_wr_rcu_assign(void **dst, void *val)
{
	if (smalloc_warn_on(!IS_ALIGNED((unsigned long)dst, sizeof(*dst))))
		return -EINVAL;
	/* The release of rcu_assign_pointer(), before the store. */
	smp_mb();
	/* An aligned word: arch_write_rare() stores it at once. */
	return smalloc_wr_write(dst, &val, NULL, sizeof(val));
}
EXPORT_SYMBOL_GPL(__smalloc_wr_rcu_assign);

/*
 * Whether @t lies in __ro_after_init memory: read-only once boot is done,
 * so that a data-only attacker cannot forge a ticket.
 */
static bool smalloc_wr_ticket_ro(const struct smalloc_wr_ticket *t)
{
	return (void *)t >= (void *)__start_ro_after_init &&
	       (void *)(t + 1) <= (void *)__end_ro_after_init;
}

/**
 * smalloc_wr_prepare() - Check a write-rare target once, for good.
 * @t: The ticket to fill: __ro_after_init.
 * @start: The target's first byte: with @len, within one object of a
 *	write-rare pool that smalloc_seal_final() has sealed.
 * @len: The target's size: it may cross one page boundary, no more.
 *
 * smalloc_wr_memcpy() finds its object, and the architecture checks its
 * pages, under vmalloc's vmap node lock, on every call: so it cannot run
 * under a spinlock that a softirq takes, where vmalloc, which holds that
 * lock with softirqs on, could be interrupted by one.  A target that never
 * moves can be checked once instead: this does the checks, and
 * smalloc_wr_commit() writes within @t without them.  The pool must never
 * be destroyed.  Whoever can change a ticket chooses the pages
 * smalloc_wr_commit() writes: so tickets live in __ro_after_init memory,
 * are prepared during boot, and only built-in code has them.
 *
 * Context: Boot, before the kernel's read-only-after-init data is made
 * read-only; otherwise as smalloc_wr_memcpy().
 * Return: 0; -EINVAL, with a warning, if @t is not __ro_after_init, or the
 * target is not within one object of a write-rare pool sealed for good,
 * or crosses more than one page boundary; the architecture's error, with
 * a warning, if it refuses a page (-EBUSY: it has no write path yet).
 */
int smalloc_wr_prepare(struct smalloc_wr_ticket *t, void *start, size_t len)
{
	struct smalloc_wr_ticket new = { };
	struct smalloc_node *node;
	struct smalloc_pool *pool;
	int nr = -EINVAL;

	/* Before mark_readonly(), while __ro_after_init can be written. */
	if (smalloc_warn_on(!smalloc_wr_ticket_ro(t) ||
			    system_state >= SYSTEM_FREEING_INITMEM))
		return -EINVAL;
	*t = new;
	if (smalloc_warn_on(!in_task() || !len ||
			    offset_in_page(start) + len > 2 * PAGE_SIZE))
		return -EINVAL;
	rcu_read_lock();
	pool = smalloc_wr_target(start, len, &node);
	if (pool && !smalloc_warn_on(!READ_ONCE(pool->final) ||
				     !smalloc_sealed(node, start, len)))
		nr = arch_write_rare_check(start, len, new.pages);
	rcu_read_unlock();
	if (nr < 0) {
		if (pool)
			pr_err_ratelimited("write-rare ticket for %p (%zu bytes) refused: %d\n",
					   start, len, nr);
		return nr;
	}
	new.start = start;
	new.len = len;
	new.nr = nr;
	*t = new;
	return 0;
}

/**
 * smalloc_wr_commit() - Write within a checked write-rare target.
 * @t: A ticket smalloc_wr_prepare() filled.
 * @dst: Where to write: with @len, within @t's target.
 * @src: What to copy.
 * @len: Bytes to copy.
 *
 * smalloc_wr_memcpy() within @t, without the lookup and its lock: it
 * checks that pools can be sealed on this system (smalloc_can_seal(): with
 * rodata=off, __ro_after_init is writable, and so is @t), that @t is
 * __ro_after_init and fits the architecture's slot, that [@dst, @dst +
 * @len) lies within @t, and that vmalloc still maps @t's pages there (a
 * lockless walk of the page tables), and writes through the
 * architecture's CPU-local mapping.  So it may run under a
 * spinlock that a softirq takes, with interrupts off.  Naturally aligned
 * 1, 2, 4 or 8 bytes are stored at once.
 *
 * Context: Task context; interrupts, softirqs or preemption may be
 * disabled, under any spinlock.  Not from hardirq, softirq or NMI context.
 * Does not sleep.
 * Return: 0; -EINVAL, with a warning and nothing written, if pools cannot
 * be sealed, @t is not a ticket smalloc_wr_prepare() filled, the range is
 * not within it, or its pages are no longer mapped there.
 */
int smalloc_wr_commit(const struct smalloc_wr_ticket *t, void *dst,
		      const void *src, size_t len)
{
	unsigned long first = (unsigned long)t->start & PAGE_MASK;
	int i;

	if (smalloc_warn_on(!in_task() || !smalloc_can_seal() ||
			    !smalloc_wr_ticket_ro(t) || t->nr < 1 || t->nr > 2 ||
			    !smalloc_in_window(t->start) || !len ||
			    dst < t->start || len > t->len ||
			    dst - t->start > t->len - len ||
			    offset_in_page(t->start) + t->len > t->nr * PAGE_SIZE))
		return -EINVAL;
	for (i = 0; i < t->nr; i++) {
		if (smalloc_warn_on(vmalloc_to_page((void *)first + i * PAGE_SIZE) !=
				    t->pages[i]))
			return -EINVAL;
	}
	/* The pages of [dst, dst + len): t->pages from dst's page on. */
	i = ((unsigned long)dst & PAGE_MASK) != first;
	return smalloc_warn_on(arch_write_rare_pages(t->pages + i,
						     PFN_UP(offset_in_page(dst) + len),
						     dst, src, len, false)) ?
	       -EINVAL : 0;
}
