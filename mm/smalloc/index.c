// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: the object index, lookups and the hardened usercopy check.
 *
 * A node is found by an address through the descriptor of the page that
 * holds it, whose index points at the node (with an MMU; a maple tree in
 * RCU mode without), and the tree keeps the range each node was added
 * with, for the checks that must not trust a node's writable header.
 * Within a node, the end offsets of its objects are sorted by
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

#ifdef CONFIG_MMU
/*
 * Point the descriptors of @node's pages, @size bytes, at @node, or at
 * nothing: a lookup finds a node through the page that holds the address
 * (__smalloc_index_find()).  Called once the header is written, so that a
 * lookup that reads @node reads a complete header.  The pages that no
 * object reached yet are not mapped: the one that maps such a page points
 * it at its node first (smalloc_pages_map()).
 */
static void smalloc_index_pages(struct smalloc_node *node, size_t size,
				struct smalloc_node *to)
{
	unsigned long i;
	struct page *page;

	/* Pairs with the address dependency of __smalloc_index_find(). */
	smp_wmb();
	for (i = 0; i < size >> PAGE_SHIFT; i++) {
		page = vmalloc_to_page((void *)node + i * PAGE_SIZE);
		if (page)
			WRITE_ONCE(page->index, (unsigned long)to);
	}
}
#else
static void smalloc_index_pages(struct smalloc_node *node, size_t size,
				struct smalloc_node *to)
{
}
#endif

/*
 * Under the pool lock: make @node findable by address.  An insertion, so
 * that an entry already there (which would be a bug) is an error rather
 * than overwritten.  Only the header's page needs its index: every other
 * page got it before it was mapped (smalloc_pages_map()), and walking a
 * node of 512 pages, most of them not mapped yet, would cost more than
 * making it.
 */
int smalloc_index_add(struct smalloc_node *node)
{
	int ret = mtree_insert_range(&smalloc_nodes, (unsigned long)node,
				     (unsigned long)node + node->size - 1,
				     node, GFP_KERNEL);

	if (!ret)
		smalloc_index_pages(node, PAGE_SIZE, node);
	return ret;
}

/*
 * Hide @node, of @size bytes as checked, from lookups.  An erase in an
 * RCU-mode maple tree allocates, so it is not allowed to fail for lack of
 * memory.  The caller waits for a grace period before it frees the node:
 * a lookup may still hold it.
 */
int smalloc_index_remove(struct smalloc_node *node, size_t size)
{
	smalloc_index_pages(node, size, NULL);
	return mtree_store_range(&smalloc_nodes, (unsigned long)node,
				 (unsigned long)node + size - 1, NULL,
				 GFP_KERNEL | __GFP_NOFAIL);
}

/*
 * The node whose range holds @addr, as the tree has it, or NULL.  For an
 * address that no PTE maps: a page of a node that no object reached yet
 * (smalloc_node_populate()) is still the node's, for hardened usercopy's
 * report and for the vfree() that must be refused.  Off the fast path: an
 * object's pages are always mapped.
 */
static noinline struct smalloc_node *smalloc_index_tree_find(unsigned long addr)
{
	MA_STATE(mas, &smalloc_nodes, addr, addr);
	struct smalloc_node *node;

	rcu_read_lock();
	node = mas_walk(&mas);
	rcu_read_unlock();
	return node;
}

/*
 * __smalloc_index_find() - The node that holds @p, if any.
 *
 * Under rcu_read_lock(), or with preemption off, which smalloc_destroy()'s
 * grace period waits for.  With an MMU, the node is in the descriptor of
 * the page that holds @p, as a slab's cache is in its struct slab, reached
 * by a lockless walk of the kernel page table, as vmalloc_to_page()'s
 * (smalloc_pte(): for an address in no live node, as safe as
 * vmalloc_to_page() of it).  pfn_valid() first: an ioremap() in the window
 * maps pfns that have no descriptor.  No tree walk, no lock, no interrupts
 * toggled, the same cost for one pool or many.  The page must be marked as
 * a node's (its page_private()), so that a page of another mapping in the
 * window, whose index means something else, is not read as a node; and the
 * node must say it holds @p.  An address that no PTE maps may be in a
 * node's pages that no object reached yet: the tree says.  Without an MMU,
 * nodes are kmalloc() memory, naturally aligned powers of two of pages:
 * the tree.  Inline in the
 * usercopy check, which it is most of: under emulation each return is an
 * indirect jump to look up.
 */
static __always_inline struct smalloc_node *__smalloc_index_find(const void *p)
{
	unsigned long addr = (unsigned long)kasan_reset_tag(p), start;
	struct smalloc_node *node;

	/* Nodes are mapped in a window of their own: no lookup outside it. */
	if (!smalloc_in_window(p))
		return NULL;
#ifdef CONFIG_MMU
	{
		struct page *page;
		pte_t pte;

		pte = smalloc_pte(addr);
		if (!pte_present(pte)) {
			node = smalloc_index_tree_find(addr);
		} else {
			if (!pfn_valid(pte_pfn(pte)))
				return NULL;
			page = pte_page(pte);
			if (READ_ONCE(page->private) != SMALLOC_PAGE_USED)
				return NULL;
			node = (struct smalloc_node *)READ_ONCE(page->index);
		}
	}
#else
	node = smalloc_index_tree_find(addr);
#endif
	start = (unsigned long)kasan_reset_tag(node);
	if (!node || !smalloc_in_window(node) || !PAGE_ALIGNED(start) ||
	    addr < start || addr - start >= READ_ONCE(node->size))
		return NULL;
	smalloc_test_point(SMALLOC_TEST_FOUND, node);
	return node;
}

/* The same, out of line, for the slow paths. */
struct smalloc_node *smalloc_index_find(const void *p)
{
	return __smalloc_index_find(p);
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
 * Fill @obj, whose start is @p and size 0, with the object of @node that
 * holds @p, from @node's header and ends alone; @obj->size stays 0 if
 * @p is in no object.
 */
static __always_inline void smalloc_node_lookup(struct smalloc_node *node,
						const void *p,
						struct smalloc_object *obj)
{
	unsigned long offset, start, stride, i;
	unsigned int lo = 0, hi, mid, nr;

	obj->pool = node->pool;

	offset = p - (void *)node;
	/* Pairs with smalloc_carve(): the ends below @nr are written. */
	nr = smp_load_acquire(&node->nr);
	/* Objects of one size: the header says where each one is. */
	stride = READ_ONCE(node->stride);
	if (stride && offset >= node->base) {
		if (is_power_of_2(stride))
			i = (offset - node->base) >> __ffs(stride);
		else
			i = (offset - node->base) / stride;
		start = node->base + i * stride;
		if (i < nr && offset - start < node->osize) {
			obj->start = (void *)node + start;
			obj->size = node->osize;
		}
		return;
	}
	/* The first object that ends after @p. */
	hi = nr;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (*smalloc_node_end(node, mid) <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr)
		return;
	start = lo ? ALIGN(*smalloc_node_end(node, lo - 1), node->align) :
		     node->base;
	if (offset >= start) {
		obj->start = (void *)node + start;
		obj->size = *smalloc_node_end(node, lo) - start;
	}
}

/*
 * Under rcu_read_lock(), or with preemption off: find the node holding @p
 * and fill @obj with the object holding it.  Returns the node, or NULL if
 * @p is not in a node; @obj->size is 0 if @p is in a node but in no
 * object.
 */
static __always_inline struct smalloc_node *
smalloc_lookup(const void *p, struct smalloc_object *obj)
{
	struct smalloc_node *node;

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
	node = __smalloc_index_find(p);
	if (node)
		smalloc_node_lookup(node, p, obj);
	return node;
}

/*
 * Under rcu_read_lock(): fill @obj with the object of @node that holds @p,
 * @node being what the index gave for @p and its caller has checked;
 * true if @p is within an object.  A second lookup of @p could be
 * answered by another node: the index stays writable.  @obj->sealed is
 * left false.
 */
bool smalloc_node_find_object(struct smalloc_node *node, const void *p,
			      struct smalloc_object *obj)
{
	/* As smalloc_lookup(). */
	smp_rmb();
	obj->start = (void *)p;
	obj->size = 0;
	obj->sealed = false;
	smalloc_node_lookup(node, p, obj);
	return obj->size;
}

/*
 * Under rcu_read_lock(): is [@p, @p + @size), which a lookup found in
 * @node, sealed?  Not on the word of anything an attacker can write
 * without defeating the seal itself (the index, the node pages'
 * descriptors, the pool's state): @node's header and the pool, which lives in its first
 * node, must be sealed pages (the global pool is __ro_after_init instead),
 * @node must be on the pool's list of nodes, which is then sealed too,
 * the pool's state must say sealed, and the pages of [@p, @p + @size)
 * must be sealed.  A forged entry that leads to a fake header, or to a
 * sealed header of another pool, fails.  A few page-table walks, and a
 * walk of the pool's few nodes.
 */
bool smalloc_sealed(const struct smalloc_node *node, const void *p,
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
	/*
	 * For a caller about to trust the memory, not the fast path: the
	 * tree must hold the node for the range its header says, so that a
	 * page's descriptor forged to point at a fake header, which an
	 * attacker may place in any vmalloc memory they fill, does not pass.
	 */
	if (!node || !obj.size ||
	    !smalloc_index_holds(node, READ_ONCE(node->size)))
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
static __always_inline enum smalloc_copy_verdict __maybe_unused
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
