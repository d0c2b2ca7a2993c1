// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: the object index, lookups and the hardened usercopy check.
 *
 * A maple tree in RCU mode maps the address range of every node to the
 * node.  Within a node, the end offsets of its objects are sorted by
 * construction (struct smalloc_node), so the object holding an address is
 * found in O(log n), without the pool lock, in any context.  Nodes leave
 * the index before they are freed, after a grace period.
 */

#define pr_fmt(fmt) "smalloc: " fmt

#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../internal.h"
#include "smalloc.h"

static struct maple_tree smalloc_nodes = MTREE_INIT(smalloc_nodes,
						     MT_FLAGS_USE_RCU);

/*
 * The node each CPU found last, with the range the tree holds it for, so
 * that lookups in the same node again, as the copies of one object make,
 * skip the walk of the tree.  Only ever a node the tree held when it was
 * found, and under RCU, as the tree's entries are;
 * smalloc_index_forget() clears it before the node is freed.  Written
 * with interrupts off, so that no interrupt's lookup comes between two
 * stores of another on the same CPU, between two increments of @seq.  A
 * reader, with preemption off, takes what it read only if @seq was even
 * and did not change: an interrupt's write between two of its loads
 * would pair one node with another's range.  Toggling interrupts on each
 * lookup would cost the copies of one object more than the walk it
 * saves, under emulation.  A lookup from NMI never writes the entry (its
 * stores could fall between a writer's); it may read it, as above.
 */
VISIBLE_IF_KUNIT DEFINE_PER_CPU(struct smalloc_last, smalloc_last);

/*
 * Under the pool lock: make @node findable by address.  An insertion, so
 * that an entry already there (which would be a bug) is an error rather
 * than overwritten.
 */
int smalloc_index_add(struct smalloc_node *node)
{
	return mtree_insert_range(&smalloc_nodes, (unsigned long)node,
				 (unsigned long)node + node->size - 1, node,
				 GFP_KERNEL);
}

/*
 * Hide @node, of @size bytes as checked, from lookups.  An erase in an
 * RCU-mode maple tree allocates, so it is not allowed to fail for lack of
 * memory.
 */
int smalloc_index_remove(struct smalloc_node *node, size_t size)
{
	return mtree_store_range(&smalloc_nodes, (unsigned long)node,
				 (unsigned long)node + size - 1, NULL,
				 GFP_KERNEL | __GFP_NOFAIL);
}

/*
 * Once @node is out of the tree and a grace period has passed, no lookup
 * can find it there any more: take it out of the per-CPU caches too.  The
 * caller waits for another grace period before freeing it.
 */
void smalloc_index_forget(struct smalloc_node *node)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu_ptr(&smalloc_last, cpu)->node, node, NULL);
}

/*
 * Under rcu_read_lock(), or with preemption off, which smalloc_destroy()'s
 * first grace period waits for until the node found is cached.
 */
struct smalloc_node *smalloc_index_find(const void *p)
{
	MA_STATE(mas, &smalloc_nodes, (unsigned long)p, (unsigned long)p);
	unsigned long addr = (unsigned long)p, start, last, flags;
	struct smalloc_last *c;
	struct smalloc_node *node;
	unsigned int seq;

	/* Nodes are mapped in a window of their own: no lookup outside it. */
	if (!smalloc_in_window(p))
		return NULL;

	/*
	 * Writers are this CPU's: compiler barriers order against them.
	 * smalloc_index_forget() writes from other CPUs, but only NULL to
	 * @node: it cannot pair a node with another's range.
	 */
	preempt_disable();
	c = this_cpu_ptr(&smalloc_last);
	seq = READ_ONCE(c->seq);
	barrier();
	node = READ_ONCE(c->node);
	start = READ_ONCE(c->start);
	last = READ_ONCE(c->last);
	barrier();
	if ((seq & 1) || READ_ONCE(c->seq) != seq)
		node = NULL;
	preempt_enable();
	if (node && addr >= start && addr <= last) {
		smalloc_test_point(SMALLOC_TEST_CACHED, node);
		return node;
	}

	rcu_read_lock();
	node = mas_walk(&mas);
	rcu_read_unlock();
	if (!node || in_nmi())
		return node;
	smalloc_test_point(SMALLOC_TEST_WALKED, node);
	local_irq_save(flags);
	c = this_cpu_ptr(&smalloc_last);
	WRITE_ONCE(c->seq, c->seq + 1);
	barrier();
	WRITE_ONCE(c->node, NULL);
	barrier();
	WRITE_ONCE(c->start, mas.index);
	WRITE_ONCE(c->last, mas.last);
	barrier();
	WRITE_ONCE(c->node, node);
	barrier();
	WRITE_ONCE(c->seq, c->seq + 1);
	local_irq_restore(flags);
	return node;
}

/*
 * Does the index hold @node for exactly @size bytes from its address?  The
 * range is the one smalloc_index_add() stored, not one a forged header
 * says.
 */
bool smalloc_index_holds(const struct smalloc_node *node, size_t size)
{
	MA_STATE(mas, &smalloc_nodes, (unsigned long)node, (unsigned long)node);
	bool ret;

	rcu_read_lock();
	ret = mas_walk(&mas) == node && mas.index == (unsigned long)node &&
	      mas.last - mas.index + 1 == size;
	rcu_read_unlock();
	return ret;
}

/*
 * Under rcu_read_lock(), or with preemption off: find the node holding @p
 * and fill @obj with the object holding it.  Returns the node, or NULL if
 * @p is not in a node; @obj->size is 0 if @p is in a node but in no
 * object.
 */
static struct smalloc_node *smalloc_lookup(const void *p,
					   struct smalloc_object *obj)
{
	struct smalloc_node *node;
	unsigned int lo = 0, hi, mid, nr;
	unsigned long offset, start, stride;

	/*
	 * Callers often got @p through rcu_dereference(), which orders only
	 * the loads that go through @p, not our loads of the index and of the
	 * ends.  Pairs with the release of the allocation that made @p (the
	 * pool mutex, smp_store_release() of the object count).
	 */
	smp_rmb();
	obj->pool = NULL;
	obj->start = (void *)p;
	obj->size = 0;
	obj->sealed = false;
	node = smalloc_index_find(p);
	if (!node)
		return NULL;

	obj->pool = node->pool;

	/* The first object that ends after @p. */
	offset = p - (void *)node;
	/* Pairs with smalloc_carve(): the ends below @nr are written. */
	nr = smp_load_acquire(&node->nr);
	hi = nr;
	/*
	 * Pools often hold objects of one size: guess where @p is as if the
	 * first object's stride held for all, and search only if it does not.
	 */
	if (nr && offset >= node->base) {
		stride = ALIGN(*smalloc_node_end(node, 0), node->align) -
			 node->base;
		if (is_power_of_2(stride))
			mid = (offset - node->base) >> __ffs(stride);
		else
			mid = stride ? (offset - node->base) / stride : nr;
		if (mid < nr && *smalloc_node_end(node, mid) > offset &&
		    (!mid || *smalloc_node_end(node, mid - 1) <= offset)) {
			lo = mid;
			hi = mid;
		}
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (*smalloc_node_end(node, mid) <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr)
		return node;
	start = lo ? ALIGN(*smalloc_node_end(node, lo - 1), node->align) :
		     node->base;
	if (offset >= start) {
		obj->start = (void *)node + start;
		obj->size = *smalloc_node_end(node, lo) - start;
	}
	return node;
}

/*
 * Under rcu_read_lock(): is [@p, @p + @size), which a lookup found in
 * @node, sealed?  Not on the word of anything an attacker can write
 * without defeating the seal itself (the index, the per-CPU cache, the
 * pool's state): @node's header and the pool, which lives in its first
 * node, must be sealed pages (the global pool is __ro_after_init instead),
 * @node must be on the pool's list of nodes, which is then sealed too,
 * the pool's state must say sealed, and the pages of [@p, @p + @size)
 * must be sealed.  A forged entry that leads to a fake header, or to a
 * sealed header of another pool, fails.  A few page-table walks, and a
 * walk of the pool's few nodes.
 */
static bool smalloc_sealed(const struct smalloc_node *node, const void *p,
			   size_t size)
{
	const struct smalloc_pool *pool;
	const struct smalloc_node *n;
	unsigned long i;

	if (!smalloc_range_sealed(node, sizeof(*node)))
		return false;
	pool = READ_ONCE(node->pool);
	if (pool != smalloc_global &&
	    !smalloc_range_sealed(pool, sizeof(*pool)))
		return false;
	if (!READ_ONCE(pool->state->sealed))
		return false;
	/* Each node has a page at least. */
	for (n = pool->nodes, i = 0; n && n != node && i < pool->nr_pages;
	     n = n->next, i++)
		;
	return n == node && smalloc_range_sealed(p, size);
}

/**
 * is_smalloc_addr() - Is this address in the pages of a smalloc pool?
 * @p: The address.  Objects are known by the addresses the allocator
 *	returned, not by their direct-map alias.
 *
 * Context: Any context.
 * Return: true if @p lies in a node of any pool, object or not.
 */
bool is_smalloc_addr(const void *p)
{
	bool ret;

	rcu_read_lock();
	ret = smalloc_index_find(p);
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(is_smalloc_addr);

/**
 * smalloc_find_object() - Find the object that holds an address.
 * @p: The address, anywhere within the object.
 * @obj: Filled with the object's pool, start, size and sealed state.
 *
 * The lookup takes no lock and costs O(log n) in the number of objects
 * and nodes.  The pool must not be destroyed meanwhile.  @obj->sealed is
 * true only while the pool is sealed, as its sealed metadata and the page
 * tables say: the page of @p is read-only through every mapping.  A forged
 * pool state or index entry cannot make writable memory look sealed.
 *
 * Context: Any context.
 * Return: true if @p is within an object; false if it is not smalloc
 * memory, or falls in padding, free space or a header of a pool.
 */
bool smalloc_find_object(const void *p, struct smalloc_object *obj)
{
	struct smalloc_node *node;
	bool found;

	rcu_read_lock();
	node = smalloc_lookup(p, obj);
	found = node && obj->size;
	obj->sealed = node && smalloc_sealed(node, p, 1);
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_GPL(smalloc_find_object);

/**
 * smalloc_validate() - Check that memory is (sealed) smalloc memory of a pool.
 * @p: Start of the memory.
 * @size: Its size in bytes.
 * @pool: The pool it must belong to.
 * @sealed: Whether the pool must also be sealed.
 *
 * For code that receives a pointer it means to trust, as XNU's
 * zone_require_ro() or Windows' ExSecurePoolValidate(): [@p, @p + @size)
 * must lie within one object of @pool.  "Sealed" means that the pool is
 * sealed and every page of [@p, @p + @size) is read-only through every
 * mapping, as the pool's sealed metadata and the page tables say, not
 * its writable state: never while a seal or an unseal is under way.
 *
 * Context: Any context.
 * Return: 0 if so; -EFAULT if @p is not in a smalloc object, -EXDEV if it
 * is in another pool, -ERANGE if the memory runs past the object, -EPERM
 * if @sealed and the pool is not sealed.
 */
int smalloc_validate(const void *p, size_t size,
		     const struct smalloc_pool *pool, bool sealed)
{
	struct smalloc_node *node;
	struct smalloc_object obj;
	int ret = 0;

	rcu_read_lock();
	node = smalloc_lookup(p, &obj);
	if (!node || !obj.size)
		ret = -EFAULT;
	else if (obj.pool != pool)
		ret = -EXDEV;
	else if (size > obj.start + obj.size - p)
		ret = -ERANGE;
	else if (sealed && !smalloc_sealed(node, p, size))
		ret = -EPERM;
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_validate);

/**
 * smalloc_pool_name() - The name of a pool.
 * @pool: The pool.
 *
 * Return: The name the pool was created with (its first 63 characters).
 */
const char *smalloc_pool_name(const struct smalloc_pool *pool)
{
	return pool->name;
}
EXPORT_SYMBOL_GPL(smalloc_pool_name);

/*
 * Under rcu_read_lock(), or with preemption off.  Unused without hardened
 * usercopy and KUnit.
 */
static enum smalloc_copy_verdict __maybe_unused
__smalloc_copy_verdict(const void *ptr, unsigned long n, bool to_user,
		       struct smalloc_object *obj)
{
	struct smalloc_node *node = smalloc_lookup(ptr, obj);

	if (!node || !obj->size)
		return SMALLOC_COPY_NO_OBJECT;
	if (n > obj->start + obj->size - ptr)
		return SMALLOC_COPY_OVERRUN;
	/* Refused from before the first page is read-only. */
	if (!to_user && READ_ONCE(node->pool->state->closed))
		return SMALLOC_COPY_INTO_SEALED;
	return SMALLOC_COPY_OK;
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * smalloc_copy_verdict() - Decide on a usercopy to or from smalloc memory,
 * without acting on it: the policy of smalloc_check_usercopy(), apart so
 * that tests can check it, with preemption off as there, so that the
 * stress test's readers race destroys as usercopy does.
 */
VISIBLE_IF_KUNIT enum smalloc_copy_verdict
smalloc_copy_verdict(const void *ptr, unsigned long n, bool to_user,
		     struct smalloc_object *obj)
{
	enum smalloc_copy_verdict verdict;

	preempt_disable();
	verdict = __smalloc_copy_verdict(ptr, n, to_user, obj);
	preempt_enable();
	return verdict;
}
#endif

#if defined(CONFIG_HARDENED_USERCOPY) && defined(CONFIG_SMALLOC_HARDENING)
/*
 * Called with preemption off, which it turns back on: false if @ptr is in
 * no node after all; otherwise aborts the copy, naming the pool.  Apart,
 * so that the fast path does not set up the name's buffer.
 */
static noinline bool smalloc_usercopy_refuse(const void *ptr, unsigned long n,
					     bool to_user,
					     enum smalloc_copy_verdict verdict,
					     const struct smalloc_object *obj)
{
	char pool[SMALLOC_NAME_MAX];

	if (!obj->pool) {
		preempt_enable();
		return false;
	}
	/* The pool may go once preemption is back on: copy its name. */
	strscpy(pool, obj->pool->name);
	preempt_enable();

	usercopy_abort(verdict == SMALLOC_COPY_INTO_SEALED ?
		       "sealed smalloc" : "smalloc", pool, to_user,
		       ptr - obj->start, n);
}

/*
 * smalloc_check_usercopy() - Hardened usercopy's check of smalloc memory.
 * @ptr: Kernel address of the copy, a vmalloc address (or, without an
 *	MMU, any address).
 * @n: Size of the copy.
 * @to_user: true for a copy to user space, false for one from it.
 *
 * Aborts, naming the pool, a copy that does not start in an object, runs
 * past the end of the object it starts in, or writes into a sealed pool.
 * Called by check_heap_object() only, before the checks of vmalloc memory,
 * which an object's bounds make redundant; takes no lock.
 *
 * Return: true if @ptr is smalloc memory, and the copy may go ahead; false
 * if @ptr is not smalloc memory.
 */
bool smalloc_check_usercopy(const void *ptr, unsigned long n, bool to_user)
{
	enum smalloc_copy_verdict verdict;
	struct smalloc_object obj;

	if (!smalloc_in_window(ptr))
		return false;
	/*
	 * An RCU read-side section all the same: smalloc_destroy()'s
	 * synchronize_rcu() waits for code that runs with preemption off.
	 * Cheaper than rcu_read_lock() with preemptible RCU, an out-of-line
	 * call each way on every copy.
	 */
	preempt_disable();
	verdict = __smalloc_copy_verdict(ptr, n, to_user, &obj);
	if (unlikely(verdict != SMALLOC_COPY_OK))
		return smalloc_usercopy_refuse(ptr, n, to_user, verdict, &obj);
	preempt_enable();
	return true;
}
#endif /* CONFIG_HARDENED_USERCOPY && CONFIG_SMALLOC_HARDENING */
