// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: sealable memory pools.
 *
 * A pool hands out objects that are written during a setup phase and then
 * only read: allocate, write, smalloc_seal(), read many times, then
 * smalloc_unseal() to change them or smalloc_destroy() to give them back.
 * Sealing makes every page of the pool read-only both through its vmalloc
 * address and through its alias in the kernel's direct map, so a stray or
 * malicious write faults wherever it comes from.
 *
 * A pool is a list of nodes.  Each node is one vmalloc area of whole pages,
 * allocated with VM_FLUSH_RESET_PERMS, so that vfree() restores the direct
 * map, and marked VM_SMALLOC.  Objects are carved from the newest node with
 * a bump pointer, aligned to the pool's alignment.  When an object does not
 * fit, the pool grows by a node as large as the pool so far (up to 2 MiB),
 * so that the number of nodes, and of TLB-flushing set_memory_*() calls per
 * seal, stays small; an object larger than that gets a node of its own,
 * kept behind the newest node so that the newest node's free space is not
 * lost.  There is no per-object free: the memory comes back when the pool
 * is destroyed.
 *
 * The pool and node structures are allocated apart from the nodes' pages:
 * no object overflow reaches them, and sealing never writes to a sealed
 * page.  Each node also records where each of its objects ends, in an
 * array sorted by construction (an object starts where the previous one
 * ends, aligned); a maple tree in RCU mode maps addresses to nodes.  So
 * the object holding an address is found in O(log n) without the pool
 * lock: hardened usercopy does that, in any context, to keep
 * copies within one object and out of sealed pools.  Before changing
 * permissions, each node is checked against its vmalloc area, so that a
 * corrupted node cannot aim set_memory_rw() at memory that is not a
 * smalloc node.  One mutex per pool serialises allocation
 * (including the initialisation of zeroed and copied objects), seal,
 * unseal and destroy; all of them may sleep.
 *
 * A sealed pool stays exactly as it was sealed: allocating from it is a
 * caller bug that fails with a warning, rather than a new writable node
 * that would leave part of a "sealed" pool open.  To add objects, unseal,
 * allocate and seal again.
 *
 * A NULL pool means the global pool.  It completes __ro_after_init for
 * memory allocated during boot: callers can neither seal nor unseal it,
 * kernel_init() seals it for good just before mark_readonly(), and from
 * then on allocating from it fails with a warning.
 */

#define pr_fmt(fmt) "smalloc: " fmt

#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <kunit/test-bug.h>
#include <kunit/resource.h>

#include "smalloc.h"

/* Largest node grown for a pool; larger objects get a node of their own. */
#define SMALLOC_NODE_MAX_PAGES	512

static struct smalloc_pool smalloc_global = {
	.lock = __MUTEX_INITIALIZER(smalloc_global.lock),
	.nodes = LIST_HEAD_INIT(smalloc_global.nodes),
	.name = "global",
	.align = ARCH_KMALLOC_MINALIGN,
	.shared = true,
};

/* Every node, by address range; readers need only rcu_read_lock(). */
static struct maple_tree smalloc_nodes = MTREE_INIT(smalloc_nodes,
						     MT_FLAGS_USE_RCU);

/* Pools other than the global one, for debugfs. */
static LIST_HEAD(smalloc_pools);
static DEFINE_MUTEX(smalloc_pools_lock);

/*
 * A KUnit test that provokes a caller bug or a corruption on purpose counts
 * it in a named resource instead of getting a warning (the pattern of
 * lib/slub_kunit.c): any warning left in the log is then a real one.
 */
#if IS_ENABLED(CONFIG_KUNIT)
static bool smalloc_kunit_count_warning(void)
{
	struct kunit_resource *resource;

	if (!kunit_get_current_test())
		return false;

	resource = kunit_find_named_resource(current->kunit_test,
					     "smalloc_warnings");
	if (!resource)
		return false;

	(*(int *)resource->data)++;
	kunit_put_resource(resource);
	return true;
}
#else
static inline bool smalloc_kunit_count_warning(void) { return false; }
#endif

/* Evaluates to @cond; warns once per call site when true. */
#define smalloc_warn_on(cond) ({					\
	bool __bad = !!(cond);						\
									\
	if (unlikely(__bad) && !smalloc_kunit_count_warning())		\
		WARN_ON_ONCE(1);					\
	unlikely(__bad);						\
})

/* For the tests. */
struct smalloc_pool *smalloc_global_pool(void)
{
	return &smalloc_global;
}

static struct smalloc_pool *smalloc_pool_or_global(struct smalloc_pool *pool)
{
	return pool ?: &smalloc_global;
}

static struct smalloc_node *smalloc_node_new(struct smalloc_pool *pool,
					     size_t size)
{
	unsigned long pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long grow = max(1UL, min(pool->nr_pages,
					  SMALLOC_NODE_MAX_PAGES));
	struct smalloc_node *node;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return NULL;
	node->pool = pool;

	/* Grow geometrically, so that seal needs few set_memory calls. */
	node->size = max(pages, grow) << PAGE_SHIFT;
	node->addr = __vmalloc_node_range(node->size, PAGE_SIZE,
					  VMALLOC_START, VMALLOC_END,
					  GFP_KERNEL, PAGE_KERNEL,
					  VM_FLUSH_RESET_PERMS | VM_SMALLOC,
					  NUMA_NO_NODE,
					  __builtin_return_address(0));
	if (!node->addr) {
		kfree(node);
		return NULL;
	}
	if (mtree_store_range(&smalloc_nodes, (unsigned long)node->addr,
			      (unsigned long)node->addr + node->size - 1,
			      node, GFP_KERNEL)) {
		vfree(node->addr);
		kfree(node);
		return NULL;
	}

	/* An object larger than the growth step gets a node of its own. */
	if (pages > grow)
		list_add_tail(&node->list, &pool->nodes);
	else
		list_add(&node->list, &pool->nodes);
	pool->nr_pages += node->size >> PAGE_SHIFT;
	return node;
}

/* Make room for one more extent in @node's object array. */
static int smalloc_reserve_extent(struct smalloc_node *node)
{
	struct smalloc_objects *old, *new;
	unsigned int cap;

	/* Extents are u32 offsets into a node. */
	BUILD_BUG_ON(SMALLOC_MAX_SIZE + SMALLOC_NODE_MAX_PAGES * PAGE_SIZE >
		     U32_MAX);
	old = rcu_dereference_protected(node->objects,
					lockdep_is_held(&node->pool->lock));
	if (old && old->nr < old->cap)
		return 0;

	cap = old ? 2 * old->cap : 16;
	new = kvmalloc(struct_size(new, end, cap), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->cap = cap;
	new->nr = 0;
	if (old) {
		memcpy(new->end, old->end, old->nr * sizeof(old->end[0]));
		new->nr = old->nr;
	}
	rcu_assign_pointer(node->objects, new);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* Carve @size bytes from the newest node, adding a node if needed. */
static void *smalloc_carve(struct smalloc_pool *pool, size_t size)
{
	struct smalloc_objects *objs;
	struct smalloc_node *node;
	size_t offset = 0;

	node = list_first_entry_or_null(&pool->nodes, struct smalloc_node,
					list);
	if (node)
		offset = ALIGN(node->used, pool->align);
	if (!node || offset > node->size || size > node->size - offset) {
		node = smalloc_node_new(pool, size);
		if (!node)
			return NULL;
		offset = 0;
	}
	if (smalloc_reserve_extent(node))
		return NULL;

	objs = rcu_dereference_protected(node->objects,
					 lockdep_is_held(&pool->lock));
	objs->end[objs->nr] = offset + size;
	/* Publish the extent once filled; pairs with smalloc_lookup(). */
	smp_store_release(&objs->nr, objs->nr + 1);

	node->used = offset + size;
	pool->bytes += size;
	return node->addr + offset;
}

/*
 * A node's metadata is ordinary kernel memory: before trusting it with
 * set_memory_*(), check that it still describes one whole smalloc area.
 */
static bool smalloc_node_valid(struct smalloc_node *node)
{
	struct vm_struct *area = find_vm_area(node->addr);

	return area && (area->flags & VM_SMALLOC) &&
	       area->addr == node->addr &&
	       get_vm_area_size(area) == node->size;
}

/*
 * Make every node of @pool read-only (@ro) or writable.  Every node is
 * checked first: corrupted metadata leaves the whole pool untouched.  On a
 * failure of set_memory_*(), put back the nodes already changed, unless
 * @keep, so that the pool is entirely in its old state, and return the
 * error.
 */
static int smalloc_set_pages_ro(struct smalloc_pool *pool, bool ro, bool keep)
{
	int (*set)(unsigned long addr, int numpages);
	int (*undo)(unsigned long addr, int numpages);
	struct smalloc_node *node;
	int ret;

	list_for_each_entry(node, &pool->nodes, list) {
		if (smalloc_warn_on(!smalloc_node_valid(node))) {
			pr_err("pool %s: node metadata corrupted\n",
			       pool->name);
			return -EFAULT;
		}
	}

	set = ro ? set_memory_ro : set_memory_rw;
	undo = ro ? set_memory_rw : set_memory_ro;

	list_for_each_entry(node, &pool->nodes, list) {
		ret = set((unsigned long)node->addr, node->size >> PAGE_SHIFT);
		if (ret)
			goto undo;
	}
	return 0;

undo:
	pr_err("pool %s: cannot make pages %s: %d\n", pool->name,
	       ro ? "read-only" : "writable", ret);
	if (keep)
		return ret;
	list_for_each_entry_from_reverse(node, &pool->nodes, list)
		WARN_ON(undo((unsigned long)node->addr,
			     node->size >> PAGE_SHIFT));
	return ret;
}

/* Seal @pool, under its lock; @keep as for smalloc_set_pages_ro(). */
static int smalloc_seal_locked(struct smalloc_pool *pool, bool keep)
{
	int ret;

	/* Refuse copies from user space before the pages fault. */
	WRITE_ONCE(pool->sealed, true);
	ret = smalloc_set_pages_ro(pool, true, keep);
	if (ret)
		WRITE_ONCE(pool->sealed, false);
	return ret;
}

static struct smalloc_pool *smalloc_pool_new(const char *name, size_t align,
					     bool shared)
{
	struct smalloc_pool *pool;

	might_sleep();

	if (smalloc_warn_on(!name || !is_power_of_2(align) ||
			    align > PAGE_SIZE))
		return NULL;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;

	pool->name = kstrdup_const(name, GFP_KERNEL);
	if (!pool->name) {
		kfree(pool);
		return NULL;
	}

	mutex_init(&pool->lock);
	INIT_LIST_HEAD(&pool->nodes);
	pool->align = max_t(size_t, align, ARCH_KMALLOC_MINALIGN);
	pool->shared = shared;

	mutex_lock(&smalloc_pools_lock);
	list_add_tail(&pool->list, &smalloc_pools);
	mutex_unlock(&smalloc_pools_lock);
	return pool;
}

/**
 * smalloc_create_aligned() - Create a pool.
 * @name: Name of the pool, shown in reports and in debugfs.  Need not stay
 *	valid after the call.
 * @align: Alignment of every object of the pool: a power of two, at most
 *	PAGE_SIZE.  Values below ARCH_KMALLOC_MINALIGN are raised to it.
 *
 * Context: Process context.  May sleep.
 * Return: The new, unsealed and empty pool; NULL if memory runs out, or,
 * with a warning, if @name is NULL or @align is invalid.
 */
struct smalloc_pool *smalloc_create_aligned(const char *name, size_t align)
{
	return smalloc_pool_new(name, align, false);
}
EXPORT_SYMBOL_GPL(smalloc_create_aligned);

/*
 * smalloc_create_shared() - Create a pool that behaves like the global one:
 * callers can neither seal nor unseal it, only smalloc_seal_final() can.
 * For the global pool's tests.
 */
struct smalloc_pool *smalloc_create_shared(const char *name)
{
	return smalloc_pool_new(name, ARCH_KMALLOC_MINALIGN, true);
}

/*
 * Allocate @size bytes and, under the pool lock, so that the object is
 * written before anybody can seal the pool, copy @src into them, or zero
 * them if @src is NULL and @zero.
 */
static void *smalloc_alloc_init(struct smalloc_pool *pool, size_t size,
				const void *src, bool zero)
{
	void *p = NULL;

	might_sleep();
	pool = smalloc_pool_or_global(pool);

	if (smalloc_warn_on(!size || READ_ONCE(pool->final)))
		return NULL;
	if (size > SMALLOC_MAX_SIZE)
		return NULL;

	mutex_lock(&pool->lock);
	if (!smalloc_warn_on(pool->sealed))
		p = smalloc_carve(pool, size);
	if (p && src)
		memcpy(p, src, size);
	else if (p && zero)
		memset(p, 0, size);
	mutex_unlock(&pool->lock);
	return p;
}

/**
 * smalloc_alloc() - Allocate an object from a pool.
 * @pool: Pool to allocate from, or NULL for the global pool.
 * @size: Size of the object in bytes, from 1 to SMALLOC_MAX_SIZE.
 *
 * The object is aligned to the pool's alignment and is not zeroed.  It lives
 * until the pool is destroyed; there is no way to free it alone.
 *
 * Allocating from a sealed pool is a caller bug: it warns and fails, and so
 * does allocating from the global pool once kernel init has finished.
 *
 * Context: Process context.  May sleep.
 * Return: The object; NULL if memory runs out or @size exceeds
 * SMALLOC_MAX_SIZE, or, with a warning, if @size is 0 or the pool is sealed.
 */
void *smalloc_alloc(struct smalloc_pool *pool, size_t size)
{
	return smalloc_alloc_init(pool, size, NULL, false);
}
EXPORT_SYMBOL_GPL(smalloc_alloc);

/**
 * smalloc_zalloc() - Allocate a zeroed object from a pool.
 * @pool: Pool to allocate from, or NULL for the global pool.
 * @size: Size of the object in bytes.
 *
 * Like smalloc_alloc(), with the object zeroed.
 *
 * Context: Process context.  May sleep.
 * Return: The zeroed object, or NULL as for smalloc_alloc().
 */
void *smalloc_zalloc(struct smalloc_pool *pool, size_t size)
{
	return smalloc_alloc_init(pool, size, NULL, true);
}
EXPORT_SYMBOL_GPL(smalloc_zalloc);

/**
 * smalloc_strdup() - Copy a string into a pool.
 * @pool: Pool to allocate from, or NULL for the global pool.
 * @s: The string to copy; NULL gives NULL, as with kstrdup().
 *
 * Context: Process context.  May sleep.
 * Return: The copy, or NULL as for smalloc_alloc().
 */
char *smalloc_strdup(struct smalloc_pool *pool, const char *s)
{
	if (!s)
		return NULL;
	return smalloc_alloc_init(pool, strlen(s) + 1, s, false);
}
EXPORT_SYMBOL_GPL(smalloc_strdup);

/**
 * smalloc_seal() - Make every object of a pool read-only.
 * @pool: The pool.
 *
 * Every page of the pool becomes read-only through its vmalloc address and
 * its direct-map alias (on arm64 the alias only with rodata=full).  Each
 * node costs one set_memory_ro() call, which flushes the TLB of every CPU.
 *
 * Sealing a sealed pool, or the global pool (NULL), is a caller bug.
 *
 * Context: Process context.  May sleep.
 * Return: 0 on success; -EINVAL, with a warning, for a caller bug;
 * otherwise the error of set_memory_ro(), and the pool stays unsealed.
 */
int smalloc_seal(struct smalloc_pool *pool)
{
	int ret;

	might_sleep();
	if (smalloc_warn_on(!pool || pool->shared))
		return -EINVAL;

	mutex_lock(&pool->lock);
	if (smalloc_warn_on(pool->sealed))
		ret = -EINVAL;
	else
		ret = smalloc_seal_locked(pool, false);
	mutex_unlock(&pool->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_seal);

/**
 * smalloc_unseal() - Make every object of a sealed pool writable again.
 * @pool: The pool.
 *
 * While a pool is unsealed, any CPU can write to it: keep the window short
 * and seal again.  Unsealing an unsealed pool, or the global pool (NULL),
 * is a caller bug.
 *
 * Context: Process context.  May sleep.
 * Return: 0 on success; -EINVAL, with a warning, for a caller bug;
 * otherwise the error of set_memory_rw(), and the pool stays sealed.
 */
int smalloc_unseal(struct smalloc_pool *pool)
{
	int ret;

	might_sleep();
	if (smalloc_warn_on(!pool || pool->shared))
		return -EINVAL;

	mutex_lock(&pool->lock);
	if (smalloc_warn_on(!pool->sealed)) {
		ret = -EINVAL;
	} else {
		ret = smalloc_set_pages_ro(pool, false, false);
		if (!ret)
			WRITE_ONCE(pool->sealed, false);
	}
	mutex_unlock(&pool->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_unseal);

/*
 * smalloc_seal_final() - Seal a shared pool for good.  From then on
 * allocation, seal and unseal fail; only destruction remains, and the
 * global pool is never destroyed.
 */
int smalloc_seal_final(struct smalloc_pool *pool)
{
	int ret = 0;

	might_sleep();
	if (smalloc_warn_on(!pool->shared || pool->final))
		return -EINVAL;

	mutex_lock(&pool->lock);
	/*
	 * No rollback: if a node cannot be made read-only, keep the others
	 * read-only.  Allocation is refused from now on either way.
	 */
	if (!pool->sealed)
		ret = smalloc_seal_locked(pool, true);
	WARN_ON(ret);
	WRITE_ONCE(pool->final, true);
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * smalloc_seal_global() - Seal the global pool for good.
 *
 * Called once by kernel_init(), at the end of init, next to
 * mark_readonly().  Not for other callers.
 */
void smalloc_seal_global(void)
{
	if (smalloc_seal_final(&smalloc_global))
		pr_err("the global pool could not be sealed\n");
}

/**
 * smalloc_destroy() - Destroy a pool and free all of its objects.
 * @pool: The pool, sealed or not.  NULL (the global pool) does nothing.
 *
 * The pages go back with their direct-map alias writable again.  The
 * caller must make sure nothing uses the pool's objects any more.
 *
 * Context: Process context.  May sleep.
 */
void smalloc_destroy(struct smalloc_pool *pool)
{
	struct smalloc_node *node, *next;

	might_sleep();
	if (!pool)
		return;

	mutex_lock(&smalloc_pools_lock);
	list_del(&pool->list);
	mutex_unlock(&smalloc_pools_lock);

	/* Let a seal, unseal or allocation that is under way finish first. */
	mutex_lock(&pool->lock);
	/*
	 * Hide the nodes from lookups (an erase in an RCU-mode maple tree
	 * allocates, so it must not fail silently), and wait for the lookups
	 * under way.  A node that cannot be hidden is leaked, not freed.
	 */
	list_for_each_entry_safe(node, next, &pool->nodes, list) {
		if (WARN_ON(mtree_store_range(&smalloc_nodes,
					      (unsigned long)node->addr,
					      (unsigned long)node->addr +
					      node->size - 1, NULL,
					      GFP_KERNEL | __GFP_NOFAIL)))
			list_del(&node->list);
	}
	synchronize_rcu();

	/* vfree() of a VM_FLUSH_RESET_PERMS area restores the direct map. */
	list_for_each_entry_safe(node, next, &pool->nodes, list) {
		kvfree(rcu_dereference_protected(node->objects, true));
		vfree(node->addr);
		kfree(node);
	}
	mutex_unlock(&pool->lock);
	mutex_destroy(&pool->lock);
	kfree_const(pool->name);
	kfree(pool);
}
EXPORT_SYMBOL_GPL(smalloc_destroy);

/*
 * Under rcu_read_lock(): find the node holding @p and fill @obj with the
 * object holding it.  Returns the node, or NULL if @p is not in a node;
 * @obj->size is 0 if @p is in a node but in no object.
 */
static struct smalloc_node *smalloc_lookup(const void *p,
					   struct smalloc_object *obj)
{
	struct smalloc_objects *objs;
	struct smalloc_node *node;
	unsigned int lo = 0, hi, mid, nr;
	unsigned long offset, start;

	/*
	 * Callers often got @p through rcu_dereference(), which orders only
	 * the loads that go through @p, not our loads of the tree and of the
	 * extents.  Pairs with the release of the allocation that made @p
	 * (the pool mutex, smp_store_release() of the extent count).
	 */
	smp_rmb();
	obj->pool = NULL;
	obj->start = (void *)p;
	obj->size = 0;
	node = mtree_load(&smalloc_nodes, (unsigned long)p);
	if (!node)
		return NULL;

	obj->pool = node->pool;
	obj->sealed = READ_ONCE(node->pool->sealed);

	objs = rcu_dereference(node->objects);
	if (!objs)
		return node;

	/* The first object that ends after @p. */
	offset = p - node->addr;
	/* Pairs with smalloc_carve(): entries below @nr are filled. */
	nr = smp_load_acquire(&objs->nr);
	hi = nr;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (objs->end[mid] <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr)
		return node;
	start = lo ? ALIGN(objs->end[lo - 1], node->pool->align) : 0;
	if (offset >= start) {
		obj->start = node->addr + start;
		obj->size = objs->end[lo] - start;
	}
	return node;
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
	ret = mtree_load(&smalloc_nodes, (unsigned long)p);
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
 * and nodes.  The pool must not be destroyed meanwhile.
 *
 * Context: Any context.
 * Return: true if @p is within an object; false if it is not smalloc
 * memory, or falls in padding or free space of a pool.
 */
bool smalloc_find_object(const void *p, struct smalloc_object *obj)
{
	bool found;

	rcu_read_lock();
	found = smalloc_lookup(p, obj) && obj->size;
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_GPL(smalloc_find_object);

/**
 * smalloc_validate() - Check that memory is (sealed) smalloc memory of a pool.
 * @p: Start of the memory.
 * @size: Its size in bytes.
 * @pool: The pool it must belong to; NULL for the global pool.
 * @sealed: Whether it must also be sealed.
 *
 * For code that receives a pointer it means to trust, as XNU's
 * zone_require_ro() or Windows' ExSecurePoolValidate(): [@p, @p + @size)
 * must lie within one object of @pool.
 *
 * Context: Any context.
 * Return: 0 if so; -EFAULT if @p is not in a smalloc object, -EXDEV if it
 * is in another pool, -ERANGE if the memory runs past the object, -EPERM
 * if @sealed and the pool is not sealed.
 */
int smalloc_validate(const void *p, size_t size,
		     const struct smalloc_pool *pool, bool sealed)
{
	struct smalloc_object obj;

	if (!pool)
		pool = &smalloc_global;
	if (!smalloc_find_object(p, &obj))
		return -EFAULT;
	if (obj.pool != pool)
		return -EXDEV;
	if (size > obj.start + obj.size - p)
		return -ERANGE;
	if (sealed && !obj.sealed)
		return -EPERM;
	return 0;
}
EXPORT_SYMBOL_GPL(smalloc_validate);

/**
 * smalloc_pool_name() - The name of a pool.
 * @pool: The pool; NULL for the global pool.
 *
 * Return: The name the pool was created with.
 */
const char *smalloc_pool_name(const struct smalloc_pool *pool)
{
	return pool ? pool->name : smalloc_global.name;
}
EXPORT_SYMBOL_GPL(smalloc_pool_name);

/* Under rcu_read_lock(). */
static enum smalloc_copy_verdict
__smalloc_copy_verdict(const void *ptr, unsigned long n, bool to_user,
		       struct smalloc_object *obj)
{
	if (!smalloc_lookup(ptr, obj) || !obj->size)
		return SMALLOC_COPY_NO_OBJECT;
	if (n > obj->start + obj->size - ptr)
		return SMALLOC_COPY_OVERRUN;
	if (!to_user && obj->sealed)
		return SMALLOC_COPY_INTO_SEALED;
	return SMALLOC_COPY_OK;
}

/*
 * smalloc_copy_verdict() - Decide on a usercopy to or from smalloc memory,
 * without acting on it: the policy of smalloc_check_usercopy(), apart so
 * that tests can check it.
 */
enum smalloc_copy_verdict smalloc_copy_verdict(const void *ptr,
					       unsigned long n, bool to_user,
					       struct smalloc_object *obj)
{
	enum smalloc_copy_verdict verdict;

	rcu_read_lock();
	verdict = __smalloc_copy_verdict(ptr, n, to_user, obj);
	rcu_read_unlock();
	return verdict;
}

#ifdef CONFIG_HARDENED_USERCOPY
/**
 * smalloc_check_usercopy() - Hardened usercopy's check of smalloc memory.
 * @ptr: Kernel address of the copy, in a VM_SMALLOC area.
 * @n: Size of the copy.
 * @to_user: true for a copy to user space, false for one from it.
 *
 * Aborts, naming the pool, a copy that does not start in an object, runs
 * past the end of the object it starts in, or writes into a sealed pool.
 *
 * Context: Any context; takes no lock.  Like the rest of
 * check_heap_object()'s vmalloc checks, usercopy calls it only when page
 * faults are enabled.
 */
void smalloc_check_usercopy(const void *ptr, unsigned long n, bool to_user)
{
	enum smalloc_copy_verdict verdict;
	struct smalloc_object obj;
	char pool[32] = "";

	rcu_read_lock();
	verdict = __smalloc_copy_verdict(ptr, n, to_user, &obj);
	/* The pool may go once we leave the RCU section: copy its name. */
	if (verdict != SMALLOC_COPY_OK && obj.pool)
		strscpy(pool, obj.pool->name);
	rcu_read_unlock();

	if (likely(verdict == SMALLOC_COPY_OK))
		return;
	usercopy_abort(verdict == SMALLOC_COPY_INTO_SEALED ?
		       "sealed smalloc" : "smalloc", pool, to_user,
		       ptr - obj.start, n);
}
#endif /* CONFIG_HARDENED_USERCOPY */

#ifdef CONFIG_DEBUG_FS

static void smalloc_show_pool(struct seq_file *seq, struct smalloc_pool *pool)
{
	struct smalloc_node *node;
	unsigned long nodes = 0;

	list_for_each_entry(node, &pool->nodes, list)
		nodes++;
	seq_printf(seq, "%-24s %6lu %8lu %12zu %s\n", pool->name, nodes,
		   pool->nr_pages, pool->bytes,
		   pool->sealed ? (pool->final ? "sealed-final" : "sealed") :
		   (pool->final ? "seal-failed" : "unsealed"));
}

static int smalloc_pools_show(struct seq_file *seq, void *v)
{
	struct smalloc_pool *pool = &smalloc_global;

	seq_printf(seq, "%-24s %6s %8s %12s %s\n", "# name", "nodes", "pages",
		   "bytes", "state");

	mutex_lock(&pool->lock);
	smalloc_show_pool(seq, pool);
	mutex_unlock(&pool->lock);

	mutex_lock(&smalloc_pools_lock);
	list_for_each_entry(pool, &smalloc_pools, list) {
		mutex_lock(&pool->lock);
		smalloc_show_pool(seq, pool);
		mutex_unlock(&pool->lock);
	}
	mutex_unlock(&smalloc_pools_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smalloc_pools);

static int __init smalloc_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("smalloc", NULL);

	debugfs_create_file("pools", 0400, dir, NULL, &smalloc_pools_fops);
	return 0;
}
late_initcall(smalloc_debugfs_init);

#endif /* CONFIG_DEBUG_FS */
