// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for smalloc.
 *
 * The tests check properties, not that code ran: a sealed object must
 * refuse a write through its vmalloc address and through its direct-map
 * alias, checked with copy_to_kernel_nofault(), which returns -EFAULT
 * instead of oopsing.  A test that provokes a caller bug or a corruption on
 * purpose does it inside SMALLOC_EXPECT_WARNINGS(), which counts the
 * warnings of that statement instead of printing them and asserts their
 * number; any other warning is printed, and fails the run.
 */

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/hash.h>
#include <linux/io.h>
#include <linux/irq_work.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/set_memory.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#ifdef CONFIG_X86_64
#include <asm/sections.h>
#include <asm/text-patching.h>
#endif

#include "../internal.h"
#include "smalloc.h"
#if defined(CONFIG_KASAN_GENERIC) && defined(CONFIG_KASAN_VMALLOC)
#include "../kasan/kasan.h"	/* kasan_byte_accessible() */
#endif

static struct kunit_resource resource;
static struct smalloc_warnings warnings;

/*
 * Run the statement (or block) given after @n with smalloc's warnings
 * counted instead of printed, and expect exactly @n of them.
 */
#define SMALLOC_EXPECT_WARNINGS(test, n, ...) do {			\
	int __before = warnings.count;					\
									\
	warnings.armed = true;						\
	__VA_ARGS__;							\
	warnings.armed = false;						\
	KUNIT_EXPECT_EQ_MSG(test, (n), warnings.count - __before,	\
			    "warnings from: %s", #__VA_ARGS__);		\
} while (0)

KUNIT_DEFINE_ACTION_WRAPPER(smalloc_destroy_action, smalloc_destroy,
			    struct smalloc_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);

/* A pool destroyed when the test ends, however it ends. */
static struct smalloc_pool *test_pool(struct kunit *test, size_t align)
{
	struct smalloc_pool *pool;

	pool = smalloc_create_aligned(test->name, align);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smalloc_destroy_action,
						  pool));
	return pool;
}

static unsigned long pool_nodes(struct smalloc_pool *pool)
{
	struct smalloc_node *node;
	unsigned long n = 0;

	for (node = pool->nodes; node; node = node->next)
		n++;
	return n;
}

static struct smalloc_node *oldest_node(struct smalloc_pool *pool)
{
	struct smalloc_node *node = pool->nodes;

	while (node->next)
		node = node->next;
	return node;
}

static void *linear_alias(const void *p)
{
	return page_address(vmalloc_to_page(p)) + offset_in_page(p);
}

/* 0 if a byte can be written at @p, -EFAULT if the write faults. */
static long try_write(void *p, u8 val)
{
	return copy_to_kernel_nofault(p, &val, 1);
}

/*
 * Expect the byte at @p to be (@writable) or not be writable through its
 * vmalloc address.  Through its direct-map alias, never where blocks leave
 * the direct map (block.c), sealed or not; elsewhere as through @p.
 */
static void expect_writable(struct kunit *test, u8 *p, bool writable)
{
	long want = writable ? 0 : -EFAULT;
	long want_alias = writable && !smalloc_blocks_unmapped() ? 0 : -EFAULT;
	u8 old = *p;

	KUNIT_EXPECT_EQ_MSG(test, want, try_write(p, old ^ 0xff),
			    "vmalloc address, offset in page %lu",
			    offset_in_page(p));
	KUNIT_EXPECT_EQ_MSG(test, want_alias, try_write(linear_alias(p), old),
			    "direct-map alias, offset in page %lu",
			    offset_in_page(p));
	if (writable)
		try_write(p, old);
	else
		KUNIT_EXPECT_EQ(test, old, READ_ONCE(*p));
}

#ifdef CONFIG_X86_64
/*
 * The alias of @page in x86_64's kernel high mapping, which covers the
 * pages from _text up to the 2 MiB boundary after _brk_end, or 0.
 */
static unsigned long highmap_alias(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (pfn < PHYS_PFN(__pa_symbol(_text)) ||
	    pfn > PHYS_PFN(__pa_symbol(roundup(_brk_end, PMD_SIZE) - 1)))
		return 0;
	return __START_KERNEL_map + PFN_PHYS(pfn) - phys_base;
}

/* Is @addr mapped, present and writable, as the page tables say? */
static bool mapped_writable(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && pte_present(*pte) && pte_write(*pte);
}

/*
 * The property of a seal, page by page and independently of smalloc's own
 * walks: no page of any node of @pool has a present, writable mapping, be
 * it its vmalloc PTE, its direct-map alias or its high-mapping alias.  A
 * page that no object reached yet is not mapped at all; the pages that are
 * must be as many as the pool says it maps.  Returns the number of pages
 * that have a high-mapping alias.
 */
static int expect_no_writable_mapping(struct kunit *test,
				      struct smalloc_pool *pool)
{
	unsigned long addr, alias, mapped = 0;
	struct smalloc_node *node;
	struct page *page;
	int highmap = 0;

	for (node = pool->nodes; node; node = node->next) {
		for (addr = (unsigned long)node;
		     addr < (unsigned long)node + node->size;
		     addr += PAGE_SIZE) {
			KUNIT_EXPECT_FALSE_MSG(test, mapped_writable(addr),
					       "vmalloc PTE of %p", (void *)addr);
			page = vmalloc_to_page((void *)addr);
			if (!page)
				continue;
			mapped++;
			KUNIT_EXPECT_FALSE_MSG(test,
					       mapped_writable((unsigned long)page_address(page)),
					       "direct-map alias of %p", (void *)addr);
			alias = highmap_alias(page);
			if (alias) {
				highmap++;
				KUNIT_EXPECT_FALSE_MSG(test, mapped_writable(alias),
						       "high-mapping alias of %p",
						       (void *)addr);
			}
		}
	}
	KUNIT_EXPECT_EQ(test, mapped, pool->nr_mapped);
	return highmap;
}
#else
static int expect_no_writable_mapping(struct kunit *test,
				      struct smalloc_pool *pool)
{
	return 0;	/* expect_writable() checks both mappings there */
}
#endif

/* Independent of smalloc's own lookup: ask vmalloc. */
static bool in_smalloc_area(const void *p)
{
	struct vm_struct *area;

	if (!is_vmalloc_addr(p))
		return false;
	area = find_vm_area(p);
	return area && (area->flags & VM_SMALLOC);
}

static void smalloc_test_alloc(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t sizes[] = { 1, 7, 8, 100, 1000, PAGE_SIZE - 1, PAGE_SIZE + 1 };
	unsigned long start[ARRAY_SIZE(sizes)];
	int i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = smalloc_alloc(pool, sizes[i]);

		KUNIT_ASSERT_NOT_NULL(test, p);
		start[i] = (unsigned long)p;
		/* No overlap with any earlier object. */
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_TRUE(test, start[i] >= start[j] + sizes[j] ||
					  start[i] + sizes[i] <= start[j]);
		KUNIT_EXPECT_TRUE(test, in_smalloc_area(p));
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
						   ARCH_KMALLOC_MINALIGN));
		memset(p, i, sizes[i]);
		KUNIT_EXPECT_EQ(test, (u8)i, p[sizes[i] - 1]);
	}
}

static void smalloc_test_alignment(struct kunit *test)
{
	size_t aligns[] = { 64, 256, PAGE_SIZE };
	int i, j;

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		struct smalloc_pool *pool = test_pool(test, aligns[i]);

		for (j = 0; j < 8; j++) {
			void *p = smalloc_alloc(pool, 1 + j * 37);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
							   aligns[i]));
		}
	}

	/* Not a power of two, or larger than a page: refused. */
	SMALLOC_EXPECT_WARNINGS(test, 3, {
		KUNIT_EXPECT_NULL(test, smalloc_create_aligned("bad-align", 24));
		KUNIT_EXPECT_NULL(test, smalloc_create_aligned("bad-align",
							       2 * PAGE_SIZE));
		KUNIT_EXPECT_NULL(test, smalloc_create_aligned(NULL, 64));
	});
}

static void smalloc_test_zalloc(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *node;
	size_t free;
	u8 *p;

	/* Dirty the free space of the newest node: zalloc must clear it. */
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 16));
	node = pool->nodes;
	free = (void *)smalloc_node_end(node, node->nr) + sizeof(u32) -
	       ((void *)node + node->used);
	KUNIT_ASSERT_GE(test, free, 1024);
	memset((void *)node + node->used, 0xa5, free);

	p = smalloc_zalloc(pool, 500);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_EQ(test, node, pool->nodes);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 500));

	p = smalloc_zarray(pool, 10, sizeof(u64));
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 10 * sizeof(u64)));
}

static void smalloc_test_cross_page(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t size = PAGE_SIZE * 3 / 4;
	u8 *p = NULL;
	int i, j;

	/* Objects of 3/4 page: within a few, one straddles a page boundary. */
	for (i = 0; i < 8; i++) {
		p = smalloc_alloc(pool, size);
		KUNIT_ASSERT_NOT_NULL(test, p);
		for (j = 0; j < size; j++)
			p[j] = i + j;
		for (j = 0; j < size; j++)
			if (p[j] != (u8)(i + j))
				break;
		KUNIT_EXPECT_EQ(test, size, j);
		if (offset_in_page(p) + size > PAGE_SIZE)
			break;
	}
	KUNIT_ASSERT_GT(test, offset_in_page(p) + size, PAGE_SIZE);
	KUNIT_EXPECT_PTR_NE(test, vmalloc_to_page(p),
			    vmalloc_to_page(p + size - 1));
}

#ifdef CONFIG_MMU
/*
 * Are exactly the pages of @pool's nodes mapped that the header, the
 * objects or their ends reach?  Returns the number of mapped pages.
 */
static unsigned long expect_reached_pages_mapped(struct kunit *test,
						 struct smalloc_pool *pool)
{
	unsigned long mapped = 0, start, end;
	struct smalloc_node *node;
	bool reached;
	void *page;

	for (node = pool->nodes; node; node = node->next) {
		for (start = 0; start < node->size; start += PAGE_SIZE) {
			end = start + PAGE_SIZE;
			reached = !start || start < node->used ||
				  end > node->size - sizeof(u32) * node->nr;
			page = vmalloc_to_page((void *)node + start);
			KUNIT_EXPECT_EQ_MSG(test, reached, !!page,
					    "page %lu of a node of %zu bytes, %u objects up to %zu",
					    start >> PAGE_SHIFT, node->size,
					    node->nr, node->used);
			mapped += !!page;
		}
	}
	KUNIT_EXPECT_EQ(test, mapped, pool->nr_mapped);
	return mapped;
}
#endif

/*
 * A node maps a page when an object or an object's end first reaches it:
 * what lies between the objects and the ends has no page.  Writes there
 * fault, but the pages are the node's all the same: hardened usercopy
 * finds no object there and vfree() is refused.  A seal and an unseal
 * pass over them, and the pages mapped after an unseal are sealed with
 * the others.
 */
static void smalloc_test_populate(struct kunit *test)
{
#ifdef CONFIG_MMU
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *node, *first;
	unsigned long mapped, nodes, i;
	struct smalloc_pool *other;
	struct smalloc_object obj;
	void *hole, *past;
	size_t size;
	u8 *p;

	if (!smalloc_can_seal())
		kunit_skip(test, "pools cannot be sealed here");

	/*
	 * An allocation that cannot map the pages of the node it adds (here,
	 * killed before the second page) leaves the pool as it was.
	 */
	node = pool->nodes;
	mapped = pool->nr_mapped;
	nodes = pool->nr_pages;
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	p = smalloc_alloc(pool, 4 * PAGE_SIZE);
	flush_signals(current);
	disallow_signal(SIGKILL);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, node, pool->nodes);
	KUNIT_EXPECT_EQ(test, nodes, pool->nr_pages);
	KUNIT_EXPECT_EQ(test, mapped, pool->nr_mapped);

	/* Enough 64-byte objects that the newest node has room to spare. */
	for (i = 0; i < 1500; i++) {
		p = smalloc_alloc(pool, 64);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, i, 64);
	}
	node = pool->nodes;
	KUNIT_ASSERT_GT(test, node->size - sizeof(u32) * node->nr,
			PAGE_ALIGN(node->used) + PAGE_SIZE);
	mapped = expect_reached_pages_mapped(test, pool);
	KUNIT_EXPECT_LT(test, mapped, pool->nr_pages);
	/*
	 * The objects and their ends, the pool's first page, and in each
	 * other node the header and two pages at most partly used.
	 */
	for (nodes = 0; node; node = node->next)
		nodes++;
	KUNIT_EXPECT_LE(test, mapped, DIV_ROUND_UP(1500 * (64 + sizeof(u32)),
						   PAGE_SIZE) + 2 * nodes);
	node = pool->nodes;

	hole = (void *)node + PAGE_ALIGN(node->used);
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(hole));
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write(hole, 1));
	KUNIT_EXPECT_TRUE(test, is_smalloc_addr(hole));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_NO_OBJECT,
			smalloc_copy_verdict(hole, 8, false, &obj));
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);
	SMALLOC_EXPECT_WARNINGS(test, 1, vfree(hole));
	KUNIT_EXPECT_PTR_EQ(test, (void *)node, find_vm_area(hole)->addr);

	/*
	 * A header forged larger than its area, so that the next end falls
	 * in the guard page after it, asks for that page: refused, and
	 * nothing is mapped there.  The next object stays in its page, so
	 * that nothing else is mapped either.
	 */
	while (PAGE_ALIGN(node->used) - ALIGN(node->used, pool->align) < 64)
		KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	size = node->size;
	past = (void *)node + size;
	KUNIT_ASSERT_NULL(test, vmalloc_to_page(past));
	node->size = size + PAGE_SIZE + sizeof(u32) * node->nr;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 64));
	});
	node->size = size;
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(past));
	mapped = expect_reached_pages_mapped(test, pool);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_no_writable_mapping(test, pool);
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write(p, 1));
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));

	/* Into the hole: its page comes, writable, and is sealed next. */
	while (!vmalloc_to_page(hole))
		KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	KUNIT_EXPECT_EQ(test, 0, try_write(hole, 1));
	KUNIT_EXPECT_PTR_EQ(test, (void *)vmalloc_to_page(hole)->index, node);
	KUNIT_EXPECT_GT(test, expect_reached_pages_mapped(test, pool), mapped);
	mapped = pool->nr_mapped;

	/*
	 * The node still has pages that no object reached.  Writable
	 * metadata forged to allocate there maps none of them, and writes
	 * nothing: another pool's list aimed at the node, whose header names
	 * this pool; and, once the pool is sealed, its writable state forged
	 * open, the header read-only.  Two pages, so that the object reaches
	 * past the mapped ones before anything is written.
	 */
	past = (void *)node + PAGE_ALIGN(node->used) + PAGE_SIZE;
	KUNIT_ASSERT_GT(test, node->size - sizeof(u32) * (node->nr + 1),
			PAGE_ALIGN(node->used) + 3 * PAGE_SIZE);
	KUNIT_ASSERT_NULL(test, vmalloc_to_page(past));
	other = test_pool(test, ARCH_KMALLOC_MINALIGN);
	first = other->nodes;
	other->nodes = node;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(other, 2 * PAGE_SIZE));
	});
	other->nodes = first;
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(past));
	KUNIT_EXPECT_EQ(test, mapped, expect_reached_pages_mapped(test, pool));

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_no_writable_mapping(test, pool);
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write(hole, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write(linear_alias(hole), 1));

	pool->state->closed = false;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 2 * PAGE_SIZE));
	});
	pool->state->closed = true;
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(past));
	KUNIT_EXPECT_EQ(test, mapped, pool->nr_mapped);
	KUNIT_EXPECT_EQ(test, mapped, expect_reached_pages_mapped(test, pool));
	expect_no_writable_mapping(test, pool);
#else
	kunit_skip(test, "without an MMU, a node is kmalloc() memory, all mapped");
#endif
}

#ifdef CONFIG_MMU
/* The run that vmap_half() failed, and its pages. */
static unsigned long vmap_failed_addr, vmap_failed_end;
static struct page *vmap_failed_pages[2];

/*
 * A page table that cannot be allocated halfway through a run: maps the
 * first half of a run of two pages or more, then fails.  A single page
 * (a node's first) is mapped.
 */
static int vmap_half(unsigned long addr, unsigned long end,
		     struct page **pages)
{
	unsigned long half = ((end - addr) >> PAGE_SHIFT) / 2;

	if (!half)
		return vmap_pages_range_noflush(addr, end, PAGE_KERNEL, pages,
						PAGE_SHIFT);
	vmap_failed_addr = addr;
	vmap_failed_end = end;
	vmap_failed_pages[0] = pages[0];
	vmap_failed_pages[1] = pages[half];
	return vmap_pages_range_noflush(addr, addr + (half << PAGE_SHIFT),
					PAGE_KERNEL, pages, PAGE_SHIFT) ?: -ENOMEM;
}
#endif

/*
 * The pages an object reaches are mapped in runs: all of them, each
 * pointed at its node.  A run that fails halfway, as when a page table
 * cannot be allocated, leaves no PTE of it, its pages back in their
 * blocks and pointed at nothing, and the pool as it was.
 */
static void smalloc_test_populate_run(struct kunit *test)
{
#ifdef CONFIG_MMU
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *node;
	unsigned long mapped, a;
	u8 *p;
	int i;

	if (!smalloc_can_seal())
		kunit_skip(test, "pools cannot be sealed here");

	/* A second node, of 16 pages, of which two are mapped. */
	while (pool->nodes == oldest_node(pool))
		KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	node = pool->nodes;
	KUNIT_ASSERT_GE(test, node->size, 8 * PAGE_SIZE);
	mapped = expect_reached_pages_mapped(test, pool);

	vmap_failed_addr = 0;
	kunit_activate_static_stub(test, smalloc_vmap_pages, vmap_half);
	p = smalloc_alloc(pool, 3 * PAGE_SIZE);
	kunit_deactivate_static_stub(test, smalloc_vmap_pages);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_ASSERT_NE(test, 0, vmap_failed_addr);
	KUNIT_EXPECT_EQ(test, vmap_failed_end - vmap_failed_addr, 3 * PAGE_SIZE);
	for (a = vmap_failed_addr; a < vmap_failed_end; a += PAGE_SIZE)
		KUNIT_EXPECT_NULL(test, vmalloc_to_page((void *)a));
	for (i = 0; i < ARRAY_SIZE(vmap_failed_pages); i++) {
		KUNIT_EXPECT_EQ(test, SMALLOC_PAGE_FREE,
				page_private(vmap_failed_pages[i]));
		KUNIT_EXPECT_EQ(test, 0, vmap_failed_pages[i]->index);
	}
	KUNIT_EXPECT_PTR_EQ(test, node, pool->nodes);
	KUNIT_EXPECT_EQ(test, mapped, pool->nr_mapped);
	KUNIT_EXPECT_EQ(test, mapped, expect_reached_pages_mapped(test, pool));

	/* Again, and it maps: the same run. */
	p = smalloc_alloc(pool, 3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (a = vmap_failed_addr; a < vmap_failed_end; a += PAGE_SIZE)
		KUNIT_EXPECT_PTR_EQ(test, node,
				    (void *)vmalloc_to_page((void *)a)->index);
	memset(p, 0x5a, 3 * PAGE_SIZE);

	/* 40 pages: three runs, and a node of their own. */
	p = smalloc_alloc(pool, 40 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	node = find_vm_area(p)->addr;
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_PTR_EQ(test, node,
				    (void *)vmalloc_to_page(p + i * PAGE_SIZE)->index);
	memset(p, 0xa5, 40 * PAGE_SIZE);
	expect_reached_pages_mapped(test, pool);
#else
	kunit_skip(test, "without an MMU, a node is kmalloc() memory, all mapped");
#endif
}

/*
 * A pool's list and its newest node's header are writable while the pool
 * is.  Forged to aim an allocation's writes out of smalloc's window (the
 * list at a fake header in kmalloc() memory, the header's size reaching
 * round the address space to that memory, its objects' end to the
 * header), or a large object's node linked after a fake header in the
 * window or another pool's node, the allocation is refused with a
 * warning, and nothing there is written.
 * Each forgery leaves the object and its end in pages already mapped, so
 * that no page is mapped and the area check does not see it.
 */
static void smalloc_test_carve_forged(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t large = (SMALLOC_NODE_MAX_PAGES + 1) * PAGE_SIZE, size;
	struct smalloc_node *node, *fake;
	struct smalloc_pool *other;
	u8 *buf, *copy, *obj;

	if (!IS_ENABLED(CONFIG_MMU))
		kunit_skip(test, "without an MMU, nodes are kmalloc() memory: no window");
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	node = pool->nodes;
	KUNIT_ASSERT_EQ(test, 2, node->nr);
	KUNIT_ASSERT_LT(test, node->used + 64, PAGE_SIZE);
	/* Page-aligned, as kmalloc() aligns a power of two. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	copy = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, copy);

	/* A copy of the header, with room in its page for the next object. */
	fake = (struct smalloc_node *)buf;
	*fake = *node;
	fake->size = PAGE_SIZE;
	fake->used = fake->base;
	memcpy(copy, buf, PAGE_SIZE);
	pool->nodes = fake;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 64));
	});
	pool->nodes = node;
	KUNIT_EXPECT_EQ(test, 0, memcmp(buf, copy, PAGE_SIZE));

	/* The node's own header, its next end aimed into the buffer. */
	size = node->size;
	node->size = (unsigned long)buf + PAGE_SIZE - (unsigned long)node;
	memset(buf, 0, PAGE_SIZE);
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 64));
	});
	node->size = size;
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, PAGE_SIZE));

	/*
	 * Its objects' end forged so near SIZE_MAX that aligning it wraps to
	 * 0: not an object carved over the header.
	 */
	size = node->used;
	node->used = 1 - (size_t)pool->align;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 64));
	});
	KUNIT_EXPECT_EQ(test, 2, node->nr);
	node->used = size;

	/*
	 * An object larger than the growth step, whose node of its own is
	 * linked after the newest one: not after a fake header in the
	 * window, written in a page of an object.
	 */
	obj = smalloc_alloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	node = pool->nodes;
	fake = (struct smalloc_node *)PTR_ALIGN(obj, PAGE_SIZE);
	*fake = *node;
	fake->size = PAGE_SIZE;
	fake->used = PAGE_SIZE;
	memcpy(copy, fake, PAGE_SIZE);
	pool->nodes = fake;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, large));
	});
	pool->nodes = node;
	KUNIT_EXPECT_EQ(test, 0, memcmp(fake, copy, PAGE_SIZE));

	/* Nor after another pool's node, which the index knows. */
	other = test_pool(test, ARCH_KMALLOC_MINALIGN);
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(other, 64));
	fake = other->nodes;
	memcpy(copy, fake, sizeof(*fake));
	pool->nodes = fake;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, large));
	});
	pool->nodes = node;
	KUNIT_EXPECT_EQ(test, 0, memcmp(fake, copy, sizeof(*fake)));

	KUNIT_EXPECT_NOT_NULL(test, smalloc_alloc(pool, 64));
}

static void smalloc_test_large(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t size = SZ_4M;
	u8 *p, *small;

	small = smalloc_alloc(pool, 16);
	KUNIT_ASSERT_NOT_NULL(test, small);
	p = smalloc_alloc(pool, size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* The large object's node does not end the small objects' node. */
	KUNIT_EXPECT_PTR_EQ(test, find_vm_area(small),
			    find_vm_area(smalloc_alloc(pool, 16)));
	p[0] = 1;
	p[size / 2] = 2;
	p[size - 1] = 3;
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_writable(test, p, false);
	expect_writable(test, p + size / 2, false);
	expect_writable(test, p + size - 1, false);
	KUNIT_EXPECT_EQ(test, 3, p[size - 1]);
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	expect_writable(test, p + size - 1, true);

	/* Too large is an allocation failure, not a caller bug. */
	SMALLOC_EXPECT_WARNINGS(test, 0, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool,
						      SMALLOC_MAX_SIZE + 1));
	});
}

static void smalloc_test_bad_sizes(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	unsigned long pages = pool->nr_pages;
	size_t bytes = pool->bytes;
	struct smalloc_object obj;
	size_t zero = 0;

	/* Sizes that come from data fail without a warning. */
	SMALLOC_EXPECT_WARNINGS(test, 0, {
		KUNIT_EXPECT_NULL(test, smalloc_array(pool, SIZE_MAX / 2, 4));
		KUNIT_EXPECT_NULL(test, smalloc_zarray(pool, 3, SIZE_MAX / 2));
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, SIZE_MAX));
		KUNIT_EXPECT_NULL(test, smalloc_strdup(pool, NULL));
	});

	/* Size 0 is kmalloc(0): ZERO_SIZE_PTR, no warning, nothing used. */
	OPTIMIZER_HIDE_VAR(zero);
	SMALLOC_EXPECT_WARNINGS(test, 0, {
		KUNIT_EXPECT_PTR_EQ(test, ZERO_SIZE_PTR,
				    smalloc_alloc(pool, zero));
		KUNIT_EXPECT_PTR_EQ(test, ZERO_SIZE_PTR,
				    smalloc_zalloc(pool, zero));
		KUNIT_EXPECT_PTR_EQ(test, ZERO_SIZE_PTR,
				    smalloc_array(pool, zero, 8));
		KUNIT_EXPECT_PTR_EQ(test, ZERO_SIZE_PTR,
				    smalloc_zarray(pool, 8, zero));
	});
	KUNIT_EXPECT_EQ(test, pages, pool->nr_pages);
	KUNIT_EXPECT_EQ(test, bytes, pool->bytes);
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(ZERO_SIZE_PTR, &obj));
	KUNIT_EXPECT_NOT_NULL(test, smalloc_array(pool, 10, 8));
}

/*
 * A NULL pool is what a failed smalloc_create() returns: every call on it
 * is a caller bug, and says so at once.
 */
static void smalloc_test_null_pool(struct kunit *test)
{
	SMALLOC_EXPECT_WARNINGS(test, 5, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(NULL, 8));
		KUNIT_EXPECT_NULL(test, smalloc_zalloc(NULL, 0));
		KUNIT_EXPECT_NULL(test, smalloc_strdup(NULL, "x"));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(NULL));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(NULL));
	});
	/* As kfree(NULL). */
	SMALLOC_EXPECT_WARNINGS(test, 0, {
		smalloc_destroy(NULL);
	});
	KUNIT_EXPECT_EQ(test, -EXDEV,
			smalloc_validate(smalloc_strdup(test_pool(test, 8), "v"),
					 1, NULL, false));
}

static void smalloc_test_seal(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t size = 3 * PAGE_SIZE;
	u8 *small, *big;
	char *str;
	u8 val;

	small = smalloc_alloc(pool, 16);
	big = smalloc_alloc(pool, size);
	str = smalloc_strdup(pool, "sealed string");
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_NOT_NULL(test, str);
	memset(small, 0x11, 16);
	memset(big, 0x22, size);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_TRUE(test, pool->state->sealed);
	expect_no_writable_mapping(test, pool);

	/* First, middle and last page of the multi-page object, and more. */
	expect_writable(test, small, false);
	expect_writable(test, big, false);
	expect_writable(test, big + size / 2, false);
	expect_writable(test, big + size - 1, false);
	expect_writable(test, (u8 *)str, false);

	/* Reads work through the vmalloc address; the alias is unmapped. */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			copy_from_kernel_nofault(&val,
						 linear_alias(big + size - 1), 1));
	KUNIT_EXPECT_EQ(test, 0x22, big[size - 1]);
	KUNIT_EXPECT_EQ(test, 0x11, small[15]);
	KUNIT_EXPECT_STREQ(test, "sealed string", str);

	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_FALSE(test, pool->state->sealed);
	expect_writable(test, small, true);
	expect_writable(test, big, true);
	expect_writable(test, big + size / 2, true);
	expect_writable(test, big + size - 1, true);
	big[size - 1] = 0x33;
	KUNIT_EXPECT_EQ(test, 0x33, big[size - 1]);
}

/* The documented rule: a sealed pool refuses to grow, and stays sealed. */
static void smalloc_test_alloc_after_seal(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	unsigned long nodes, pages;
	u8 *p;

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	nodes = pool_nodes(pool);
	pages = pool->nr_pages;

	SMALLOC_EXPECT_WARNINGS(test, 3, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8));
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 2 * PAGE_SIZE));
		KUNIT_EXPECT_NULL(test, smalloc_zalloc(pool, 8));
	});
	KUNIT_EXPECT_EQ(test, nodes, pool_nodes(pool));
	KUNIT_EXPECT_EQ(test, pages, pool->nr_pages);
	KUNIT_EXPECT_TRUE(test, pool->state->sealed);
	expect_writable(test, p, false);

	/* Unseal, allocate, seal again: the new object is covered too. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	p = smalloc_alloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_writable(test, p + 2 * PAGE_SIZE - 1, false);
	expect_no_writable_mapping(test, pool);
}

enum alias_state { ALIAS_UNMAPPED, ALIAS_READ_ONLY, ALIAS_WRITABLE };

/*
 * The direct-map alias of @page, as the page tables say.  Off x86, where
 * kernel_page_present() is all there is to ask, a present alias counts
 * as writable: the linear map maps RAM writable.
 */
static enum alias_state alias_state(struct kunit *test, struct page *page)
{
#ifdef CONFIG_X86
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)page_address(page), &level);

	KUNIT_ASSERT_NOT_NULL(test, pte);
	if (!pte_present(*pte))
		return ALIAS_UNMAPPED;
	return pte_write(*pte) ? ALIAS_WRITABLE : ALIAS_READ_ONLY;
#else
	return kernel_page_present(page) ? ALIAS_WRITABLE : ALIAS_UNMAPPED;
#endif
}

/*
 * A node's pages come from blocks that are out of the direct map for as
 * long as smalloc holds them, where pools can be sealed: before a seal,
 * while sealed, and after an unseal; elsewhere they stay in it.  The page
 * carries the mark of a page in a node.
 */
static void smalloc_test_block_direct_map(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	enum alias_state want = smalloc_blocks_unmapped() ? ALIAS_UNMAPPED :
							    ALIAS_WRITABLE;
	struct page *page;
	u8 *p;

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	page = vmalloc_to_page(p);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, SMALLOC_PAGE_USED, page_private(page));
	KUNIT_EXPECT_EQ(test, want, alias_state(test, page));
	expect_writable(test, p, true);
	if (!smalloc_can_seal())
		return;

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, ALIAS_UNMAPPED, alias_state(test, page));
	expect_writable(test, p, false);
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, want, alias_state(test, page));
	expect_writable(test, p, true);
}

/*
 * A destroyed pool's pages go back to their blocks, and the blocks that no
 * pool uses go back to the page allocator, but one (the spare): their
 * pages with their marks cleared and their direct map back, writable.  A
 * page whose block smalloc keeps is marked free in it, and out of the
 * direct map still.  The test holds a reference to each page, so that the
 * page allocator does not hand it out meanwhile: a free page is not ours
 * to write, and DEBUG_PAGEALLOC takes it out of the direct map.
 */
static void smalloc_test_block_release(struct kunit *test)
{
	const unsigned long nr = 3 * SMALLOC_BLOCK_SIZE / PAGE_SIZE;
	enum alias_state kept_state = smalloc_blocks_unmapped() ?
				      ALIAS_UNMAPPED : ALIAS_WRITABLE;
	struct smalloc_blocks_stats before, mid, after;
	unsigned long i, back = 0, kept = 0;
	struct smalloc_pool *pool;
	struct page **pages;
	u8 *p;

	pages = kunit_kcalloc(test, nr, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	smalloc_blocks_stats(&before);
	pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	p = smalloc_alloc(pool, nr * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	smalloc_blocks_stats(&mid);
	for (i = 0; i < nr; i++) {
		pages[i] = vmalloc_to_page(p + i * PAGE_SIZE);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		get_page(pages[i]);
	}

	kunit_remove_action(test, smalloc_destroy_action, pool);
	smalloc_destroy(pool);
	smalloc_blocks_stats(&after);
	for (i = 0; i < nr; i++) {
		if (!page_private(pages[i])) {
			back++;
			KUNIT_EXPECT_EQ(test, ALIAS_WRITABLE,
					alias_state(test, pages[i]));
			KUNIT_EXPECT_EQ(test, 0,
					try_write(page_address(pages[i]), 0));
		} else {
			kept++;
			KUNIT_EXPECT_EQ(test, SMALLOC_PAGE_FREE,
					page_private(pages[i]));
			KUNIT_EXPECT_EQ(test, kept_state,
					alias_state(test, pages[i]));
		}
		put_page(pages[i]);
	}
	kunit_info(test, "blocks made %lu (small %lu), freed %lu; %lu of the object's pages back, %lu kept\n",
		   mid.made - before.made, mid.small - before.small,
		   after.freed - before.freed, back, kept);
	if (!smalloc_blocks_unmapped()) {
		/* No blocks: each page went back to the page allocator. */
		KUNIT_EXPECT_EQ(test, nr, back);
		KUNIT_EXPECT_EQ(test, 0UL, after.blocks);
		return;
	}
	/* The object needed more than two blocks of its own. */
	KUNIT_EXPECT_GE(test, after.freed - before.freed, 2UL);
	KUNIT_EXPECT_EQ(test, 1UL, after.free_blocks);
	/* What went back is the object's pages, and the pool's first page. */
	KUNIT_EXPECT_GE(test, mid.pages - after.pages, back);
	KUNIT_EXPECT_LE(test, mid.pages - after.pages, back + 1);
	KUNIT_EXPECT_EQ(test, mid.blocks - after.blocks,
			after.freed - before.freed);
}

/*
 * A destroy costs one TLB flush, however many nodes the pool has (vfree()
 * of each node cost one each), and no seal or unseal flush.  Sealed first
 * where pools can be sealed, as users destroy them.
 */
static void smalloc_test_destroy_flushes_once(struct kunit *test)
{
	static const unsigned int nodes[] = { 1, 3, 17 };
	struct smalloc_pool *pool;
	long destroys, seals;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
		/* Larger than any growth step: a node each. */
		for (j = 1; j < nodes[i]; j++)
			KUNIT_ASSERT_NOT_NULL(test,
					      smalloc_alloc(pool, SMALLOC_NODE_MAX_PAGES *
							    PAGE_SIZE));
		KUNIT_ASSERT_EQ(test, (unsigned long)nodes[i], pool_nodes(pool));
		if (smalloc_can_seal())
			KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
		destroys = atomic_long_read(&smalloc_destroy_flushes);
		seals = atomic_long_read(&smalloc_tlb_flushes);
		kunit_remove_action(test, smalloc_destroy_action, pool);
		smalloc_destroy(pool);
		KUNIT_EXPECT_EQ_MSG(test, 1,
				    atomic_long_read(&smalloc_destroy_flushes) -
				    destroys, "%u nodes", nodes[i]);
		KUNIT_EXPECT_EQ(test, seals,
				atomic_long_read(&smalloc_tlb_flushes));
	}
}

/*
 * Sealing N pages, of blocks in one 1 GiB region, splits at most
 * ceil(N / 512) + 1 large pages of the direct map: 64 pools of random
 * sizes, sealed, unsealed, sealed again and destroyed, twice.  A 2 MiB
 * block leaves the direct map whole, so only a block smaller than that,
 * made when memory is fragmented, may split a 2 MiB page.  The splits are
 * read off x86's page tables, before and after each block is made
 * (x86's own counts, direct_map_level2_splits, start once the system
 * runs, after this suite).  How many of the pools' pages a large page's
 * entry maps is information: a block may come from a region that
 * something else split before.
 */
static void smalloc_test_split_bound(struct kunit *test)
{
#ifdef CONFIG_X86_64
	struct smalloc_pool *pools[64];
	struct smalloc_blocks_stats before, after;
	unsigned long pages, most = 0, large = 0, small_pages = 0;
	unsigned long l2, l3, addr;
	struct smalloc_node *node;
	struct rnd_state rnd;
	u64 seed = get_random_u64();
	struct page *page;
	unsigned int level;
	size_t size;
	int round, i;
	u8 *p;

	if (!smalloc_can_seal())
		kunit_skip(test, "pools cannot be sealed here");
	prandom_seed_state(&rnd, seed);
	smalloc_blocks_stats(&before);
	for (round = 0; round < 2; round++) {
		pages = 0;
		for (i = 0; i < ARRAY_SIZE(pools); i++) {
			pools[i] = test_pool(test, ARCH_KMALLOC_MINALIGN);
			size = 1 + prandom_u32_state(&rnd) % (96 * PAGE_SIZE);
			p = smalloc_alloc(pools[i], size);
			KUNIT_ASSERT_NOT_NULL(test, p);
			memset(p, i, size);
			pages += pools[i]->nr_mapped;
		}
		most = max(most, pages);
		for (i = 0; i < ARRAY_SIZE(pools); i++) {
			KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pools[i]));
			KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pools[i]));
			KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pools[i]));
		}
		for (i = 0; i < ARRAY_SIZE(pools); i++) {
			for (node = pools[i]->nodes; node; node = node->next) {
				for (addr = (unsigned long)node;
				     addr < (unsigned long)node + node->size;
				     addr += PAGE_SIZE) {
					page = vmalloc_to_page((void *)addr);
					if (!page)
						continue;
					lookup_address((unsigned long)page_address(page),
						       &level);
					if (level >= PG_LEVEL_2M)
						large++;
					else
						small_pages++;
				}
			}
			kunit_release_action(test, smalloc_destroy_action,
					     pools[i]);
		}
	}
	smalloc_blocks_stats(&after);
	l2 = after.split_2m - before.split_2m;
	l3 = after.split_1g - before.split_1g;
	kunit_info(test, "seed %llu: %lu pages at most, blocks made %lu (small %lu); splits: 2 MiB %lu, 1 GiB %lu; pages mapped large %lu, small %lu\n",
		   seed, most, after.made - before.made,
		   after.small - before.small, l2, l3, large, small_pages);
	KUNIT_EXPECT_GT(test, after.made, before.made);
	KUNIT_EXPECT_LE(test, l2, after.small - before.small);
	KUNIT_EXPECT_LE(test, l2 + l3, DIV_ROUND_UP(most, 512) + 1);
#else
	kunit_skip(test, "x86_64 counts the direct map's splits");
#endif
}

/*
 * A block's bookkeeping is writable: what a write to it can do is bounded
 * by the marks in the pages' own descriptors.  Forged here, under the
 * blocks' lock, each on a block that holds a live node page:
 * - the page set free in the bitmap: it is not handed out again, whichever
 *   block the pages come from, and is leaked with a warning;
 * - every page set free, bitmap and count: the block is not given back to
 *   the page allocator while a page says it is in a node;
 * - a page given back twice: refused, the count unchanged.
 * The node's object stays whole and out of the direct map throughout.
 */
static void smalloc_test_block_forged(struct kunit *test)
{
	const unsigned long most = 64 * SMALLOC_BLOCK_PAGES;
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	unsigned long n = 0, i;
	DECLARE_BITMAP(free, SMALLOC_BLOCK_PAGES);
	struct smalloc_block *block;
	struct page *page, **taken;
	unsigned int nr_free, idx;
	bool handed_out = false;
	u8 *p;

	if (!smalloc_blocks_unmapped())
		kunit_skip(test, "no blocks where pools cannot be sealed");
	taken = kvcalloc(most, sizeof(*taken), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, taken);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kvfree_action, taken));
	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 64);
	page = vmalloc_to_page(p);
	KUNIT_ASSERT_NOT_NULL(test, page);

	smalloc_blocks_lock();
	block = smalloc_block_of(page);
	if (!block) {
		smalloc_blocks_unlock();
		KUNIT_FAIL(test, "no block holds the node's page");
		return;
	}
	idx = page - block->page;
	/* The node page free in its bitmap: take every page until it comes. */
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		__set_bit(idx, block->free);
		block->nr_free++;
		while (test_bit(idx, block->free) && n < most) {
			taken[n] = smalloc_block_take_locked(false);
			if (!taken[n])
				break;
			handed_out |= taken[n++] == page;
		}
	});
	/* Unforged, if the loop stopped short of the page. */
	if (test_bit(idx, block->free)) {
		KUNIT_FAIL(test, "the forged page never came");
		__clear_bit(idx, block->free);
		block->nr_free--;
	}
	for (i = 0; i < n; i++) {
		/* Never give back the live node's page, even on the red path. */
		if (taken[i] != page)
			smalloc_block_put_locked(taken[i]);
	}

	/* Every page free in bitmap and count: the block is kept. */
	bitmap_copy(free, block->free, SMALLOC_BLOCK_PAGES);
	nr_free = block->nr_free;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		bitmap_set(block->free, 0, 1U << block->order);
		block->nr_free = 1U << block->order;
		smalloc_block_free(block);
	});
	KUNIT_EXPECT_PTR_EQ(test, block, smalloc_block_of(page));
	bitmap_copy(block->free, free, SMALLOC_BLOCK_PAGES);
	block->nr_free = nr_free;

	/* A free page given back twice. */
	taken[0] = smalloc_block_take_locked(false);
	if (taken[0]) {
		smalloc_block_put_locked(taken[0]);
		block = smalloc_block_of(taken[0]);
		nr_free = block ? block->nr_free : 0;
		SMALLOC_EXPECT_WARNINGS(test, 1,
					smalloc_block_put_locked(taken[0]));
		KUNIT_EXPECT_EQ(test, nr_free, block ? block->nr_free : 0);
	}
	smalloc_blocks_unlock();

	kunit_info(test, "pages taken until the forged one came: %lu\n", n);
	KUNIT_EXPECT_NOT_NULL(test, taken[0]);
	KUNIT_EXPECT_LT(test, n, most);
	KUNIT_EXPECT_FALSE(test, handed_out);
	KUNIT_EXPECT_EQ(test, SMALLOC_PAGE_USED, page_private(page));
	KUNIT_EXPECT_EQ(test, ALIAS_UNMAPPED, alias_state(test, page));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0xa5, 64));
	KUNIT_EXPECT_EQ(test, 0, smalloc_seal(pool));
	expect_writable(test, p, false);
}

/* smalloc_block_fresh()'s stub: a node's first page from a new block. */
static bool block_fresh_always(void)
{
	return true;
}

/*
 * Hibernation maps each page of a block back in the direct map to copy it,
 * a page at a time with interrupts off (safe_copy_page()), where a 2 MiB
 * page cannot be split: before it, smalloc splits its blocks to 4 KiB
 * pages, out of the direct map still, and blocks made meanwhile too.  The
 * map and unmap that hibernation does must then allocate nothing (with
 * interrupts off, an allocation would be reported in the log).
 */
static void smalloc_test_block_hibernate(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_blocks_stats before, after;
	struct smalloc_pool *later;
	struct page *page;
	unsigned long flags;
	int i, ret[2];
	u8 *p, *q;

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_blocks_split_4k());
	/* A pool made before the end of the hibernation: a block of its own. */
	smalloc_blocks_stats(&before);
	kunit_activate_static_stub(test, smalloc_block_fresh, block_fresh_always);
	later = test_pool(test, ARCH_KMALLOC_MINALIGN);
	kunit_deactivate_static_stub(test, smalloc_block_fresh);
	smalloc_blocks_stats(&after);
	smalloc_blocks_whole();
	q = smalloc_alloc(later, 64);
	KUNIT_ASSERT_NOT_NULL(test, q);
	if (!smalloc_blocks_unmapped())
		return;
	KUNIT_EXPECT_EQ(test, before.made + 1, after.made);

	for (i = 0; i < 2; i++) {
		page = vmalloc_to_page(i ? q : p);
#ifdef CONFIG_X86
		{
			unsigned int level;

			lookup_address((unsigned long)page_address(page), &level);
			KUNIT_EXPECT_EQ(test, PG_LEVEL_4K, level);
		}
#endif
		KUNIT_EXPECT_FALSE(test, kernel_page_present(page));
		local_irq_save(flags);
		ret[0] = set_direct_map_default_noflush(page);
		ret[1] = set_direct_map_invalid_noflush(page);
		local_irq_restore(flags);
		flush_tlb_kernel_range((unsigned long)page_address(page),
				       (unsigned long)page_address(page) +
				       PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, 0, ret[0]);
		KUNIT_EXPECT_EQ(test, 0, ret[1]);
		KUNIT_EXPECT_FALSE(test, kernel_page_present(page));
	}
	expect_writable(test, p, true);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_writable(test, p, false);
}

/*
 * What smalloc_destroy() waits for, held where it matters
 * (smalloc_test_destroy_waits).  The test points run on every lookup and
 * destroy while the test has them on; they hold only the lookup of the
 * test's reader and the destroy of the test's pool.  A held reader spins
 * with a grace period pending: never for more than HOLD_MAX, below the
 * RCU CPU stall timeout (21 s by default).
 */
static struct {
	const struct smalloc_node *node;	/* the pool's node */
	void *p, *other;			/* in it; in another pool */
	struct task_struct *reader;
	bool verdict;				/* the reader checks a usercopy */
	bool holding;				/* the reader holds the node */
	bool release;				/* let the reader go */
	bool gave_up;				/* the reader stopped holding by itself */
	bool returned_early;			/* destroy returned under a held node */
	struct completion destroyed;
	struct completion reader_done;
} hold;

#define HOLD_MAX	(5 * HZ)
/* How long the reader is held for a destroy that does not wait to show. */
#define HOLD_WINDOW	(2 * HZ)

/*
 * smalloc_wr_test_index_switched: once a lookup by @task finds @node, the
 * descriptor of @page is rewritten to point at @fake, as an attacker could
 * between two lookups.
 */
static struct {
	const struct smalloc_node *node;
	struct task_struct *task;
	struct page *page;
	struct smalloc_node *fake;
} index_switch;

static int stress_reader(void *data);
/* How long, at most, smalloc_stress's readers stop where they hold a node. */
#define STRESS_WINDOW_US	20

void smalloc_test_point_reached(enum smalloc_test_point point,
				const struct smalloc_node *node)
{
	unsigned long end;

	if (!in_task() || !node)
		return;
	if (node == READ_ONCE(index_switch.node) &&
	    current == READ_ONCE(index_switch.task)) {
		WRITE_ONCE(index_switch.node, NULL);
		WRITE_ONCE(index_switch.page->index,
			   (unsigned long)index_switch.fake);
		return;
	}
	/*
	 * smalloc_stress's readers stop for a while, at random, where they
	 * hold a node that they found: a destroy that does not wait for them
	 * gets a window to show in.
	 */
	if (kthread_func(current) == stress_reader) {
		udelay(get_random_u32_below(STRESS_WINDOW_US + 1));
		return;
	}
	if (node != READ_ONCE(hold.node) || current != READ_ONCE(hold.reader))
		return;
	/*
	 * Within the lookup's RCU read-side section: spin.  The test needs
	 * nothing from this CPU before it lets the reader go, and the
	 * destroy's grace period waits for the reader anyway.
	 */
	end = jiffies + HOLD_MAX;
	WRITE_ONCE(hold.holding, true);
	while (!READ_ONCE(hold.release) && time_before(jiffies, end))
		cpu_relax();
	if (!READ_ONCE(hold.release))
		WRITE_ONCE(hold.gave_up, true);
}

/* Wait up to 10 s for @flag. */
static bool hold_wait(bool *flag)
{
	unsigned long end = jiffies + 10 * HZ;

	while (!READ_ONCE(*flag) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	return READ_ONCE(*flag);
}

/*
 * The destroy, on the test's CPU.  Whether it returned while the reader
 * still held a node is recorded here, when it happens: a destroy that
 * does not wait is caught however long it takes to return.
 */
static int hold_destroyer(void *pool)
{
	smalloc_destroy(pool);
	WRITE_ONCE(hold.returned_early,
		   READ_ONCE(hold.holding) && !READ_ONCE(hold.release) &&
		   !READ_ONCE(hold.gave_up));
	/* No later destroy of a pool at the same address is held. */
	WRITE_ONCE(hold.node, NULL);
	complete(&hold.destroyed);
	return 0;
}

/*
 * The reader, on a CPU of its own: look up the other pool's object, then
 * the pool's, which is held where the lookup found its node: under
 * rcu_read_lock(), as smalloc_find_object() holds it, or with preemption
 * off, as the usercopy check does.
 */
static int hold_reader(void *data)
{
	struct smalloc_object obj;

	smalloc_find_object(hold.other, &obj);
	if (hold.verdict)
		smalloc_copy_verdict(hold.p, 8, true, &obj);
	else
		smalloc_find_object(hold.p, &obj);
	complete(&hold.reader_done);
	return 0;
}

/*
 * A thread on @cpu, known as *@who if given, kept till stopped, not woken
 * yet.  Both threads are created before the reader holds its CPU: nothing
 * the test needs then (kthreadd, for one) may be queued behind it.
 */
static struct task_struct *hold_thread(int (*fn)(void *), void *data,
				       unsigned int cpu, const char *name,
				       struct task_struct **who)
{
	struct task_struct *t = kthread_create(fn, data, "%s", name);

	if (!IS_ERR(t)) {
		get_task_struct(t);
		kthread_bind(t, cpu);
		if (who)
			WRITE_ONCE(*who, t);
	}
	return t;
}

/*
 * Hold a lookup of an object of a pool where it found the node, and
 * destroy the pool meanwhile: the destroy must not return, its nodes
 * freed, while the lookup holds one.  The destroy records it as it
 * happens; the test holds the reader for HOLD_WINDOW, in which a destroy
 * that does not wait gets there.  Returns -ETIMEDOUT if a thread did not
 * finish in time (the next run is not started), -EAGAIN if the reader was
 * not released in time (nothing judged), else 0.  A destroy that never
 * returns hangs the case (kthread_stop()).
 */
static int destroy_waits(struct kunit *test, bool verdict)
{
	struct task_struct *reader, *destroyer;
	struct smalloc_pool *pool, *other;
	struct smalloc_node *node;
	unsigned int cpu, here;
	bool valid, done, destroyed = false, woken = false;
	int stopped;

	/*
	 * The reader spins on its CPU; the test and the destroy run on
	 * another one, so that they do not wait behind it.
	 */
	here = cpumask_first(cpu_online_mask);
	cpu = cpumask_any_but(cpu_online_mask, here);
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(here)));

	other = test_pool(test, 8);
	pool = smalloc_create_aligned("kunit_destroy_waits", 8);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	memset(&hold, 0, sizeof(hold));
	hold.p = smalloc_alloc(pool, 64);
	hold.other = smalloc_alloc(other, 64);
	node = pool->nodes;
	if (!hold.p || !hold.other ||
	    (void *)hold.p < (void *)node ||
	    (void *)hold.p >= (void *)node + node->size) {
		smalloc_destroy(pool);
		KUNIT_FAIL(test, "no objects");
		return 0;
	}
	init_completion(&hold.destroyed);
	init_completion(&hold.reader_done);
	hold.verdict = verdict;
	WRITE_ONCE(hold.node, node);
	reader = hold_thread(hold_reader, NULL, cpu, "smalloc_hold", &hold.reader);
	destroyer = hold_thread(hold_destroyer, pool, here, "smalloc_destroy", NULL);
	if (IS_ERR(reader) || IS_ERR(destroyer)) {
		if (!IS_ERR(reader))
			kthread_stop_put(reader);
		if (!IS_ERR(destroyer))
			kthread_stop_put(destroyer);
		WRITE_ONCE(hold.node, NULL);
		smalloc_destroy(pool);
		KUNIT_FAIL(test, "no threads");
		return 0;
	}
	static_branch_enable(&smalloc_test_points);
	wake_up_process(reader);

	valid = hold_wait(&hold.holding);
	if (!valid) {
		KUNIT_FAIL(test, "the reader's lookup did not find the node");
	} else {
		wake_up_process(destroyer);
		woken = true;
		/* Used up here, the completion is not waited for again. */
		destroyed = wait_for_completion_timeout(&hold.destroyed,
							HOLD_WINDOW);
	}

	/*
	 * Whatever happened, let everything go before judging.  A reader
	 * whose node was freed under it may never finish: the destroy's
	 * own record still says why.
	 */
	WRITE_ONCE(hold.release, true);
	done = wait_for_completion_timeout(&hold.reader_done, HOLD_MAX + 10 * HZ);
	KUNIT_EXPECT_TRUE_MSG(test, done, "the reader did not finish");
	if (woken) {
		destroyed = destroyed ||
			    wait_for_completion_timeout(&hold.destroyed,
							HOLD_MAX + 10 * HZ) != 0;
		KUNIT_EXPECT_TRUE_MSG(test, destroyed, "the destroy did not finish");
		done &= destroyed;
	}
	/*
	 * Stopped before it ran its function, a thread exits without it
	 * (-EINTR): a destroyer that never ran leaves the pool to the test.
	 */
	kthread_stop_put(reader);
	stopped = kthread_stop_put(destroyer);
	static_branch_disable(&smalloc_test_points);
	if (stopped == -EINTR) {
		WRITE_ONCE(hold.node, NULL);
		smalloc_destroy(pool);
	}
	/*
	 * Released by itself, the reader says nothing of the destroy: the
	 * test could not let it go in time.  A stop_machine() does that: it
	 * waits for the reader's CPU, with the test's CPU held (the switch
	 * to the refined TSC, early in boot, was seen to).  Run again.
	 */
	if (READ_ONCE(hold.gave_up))
		valid = false;
	if (valid && destroyed)
		KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(hold.returned_early),
				       "the destroy returned while a lookup held its node");
	WRITE_ONCE(hold.node, NULL);
	if (!done)
		return -ETIMEDOUT;
	return READ_ONCE(hold.gave_up) ? -EAGAIN : 0;
}

/*
 * smalloc_destroy() frees the nodes only once no lookup can use them: it
 * waits for a lookup that found a node before the node left the index,
 * and still holds it (else the node is freed under it), under
 * rcu_read_lock() or with preemption off.
 */
static void smalloc_test_destroy_waits(struct kunit *test)
{
	int verdict, tries, ret = 0;

	/* Preemption off first: a node freed under the reader ends the case. */
	for (verdict = 1; verdict >= 0 && ret != -ETIMEDOUT; verdict--) {
		for (tries = 0; tries < 3; tries++) {
			ret = destroy_waits(test, verdict);
			if (ret != -EAGAIN)
				break;
			kunit_info(test, "the reader was not released in time: again\n");
		}
		if (ret == -EAGAIN)
			KUNIT_FAIL(test, "reader not released in time, 3 times: nothing judged");
	}
}

/*
 * vfree(), kvfree(), vfree_atomic() (as vfree() in interrupt context
 * calls it) and kfree() of pool memory, as a new error path of a pool's
 * user might do: refused with one warning each, and nothing freed, nor
 * written: vfree_atomic() would link the memory into a list.
 * Unsealed, then sealed: the object keeps its bytes and its page, the page
 * its one reference, and the seal holds.
 */
static void smalloc_test_free_refused(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct page *page;
	int sealed;
	u8 *p;

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 64);
	page = vmalloc_to_page(p);

	for (sealed = 0; sealed < 2; sealed++) {
		if (sealed)
			KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
		SMALLOC_EXPECT_WARNINGS(test, 1, vfree(p));
		SMALLOC_EXPECT_WARNINGS(test, 1, vfree(pool->nodes));
		SMALLOC_EXPECT_WARNINGS(test, 1, kvfree(p));
		SMALLOC_EXPECT_WARNINGS(test, 1, kfree(linear_alias(p)));
		/* In interrupt context, vfree() defers to vfree_atomic(). */
		SMALLOC_EXPECT_WARNINGS(test, 1, {
			local_bh_disable();
			vfree(pool->nodes);
			local_bh_enable();
		});
		SMALLOC_EXPECT_WARNINGS(test, 1, vfree_atomic(p));
		KUNIT_EXPECT_PTR_EQ(test, page, vmalloc_to_page(p));
		KUNIT_EXPECT_EQ(test, 1, page_count(page));
		KUNIT_EXPECT_TRUE(test, is_smalloc_addr(p));
		KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0x5a, 64));
		expect_writable(test, p, !sealed);
	}
}

#if defined(CONFIG_KASAN_GENERIC) && defined(CONFIG_KASAN_VMALLOC)
/*
 * What KASAN sees of a pool: its objects, each up to its last byte, and
 * nothing else.  The bytes after an object up to the next granule, the
 * gap alignment leaves before the next object, and the node's free space
 * are poisoned; so are a 20-byte object's bytes 20 to 23 (generic KASAN
 * tracks a partial granule), as kmalloc(20)'s would be.
 * Checked on KASAN's shadow, without provoking a report.
 */
static void smalloc_test_kasan(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, 32);
	u8 *a, *b;
	int i;

	a = smalloc_alloc(pool, 20);
	b = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_PTR_EQ(test, a + 32, b);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_TRUE_MSG(test, kasan_byte_accessible(a + i),
				      "byte %d of a 20-byte object", i);
	/*
	 * kasan_byte_accessible() answers for a whole granule: the shadow of
	 * the one holding bytes 16 to 23 says how many of its bytes are (4).
	 */
	KUNIT_EXPECT_EQ(test, 4, *(s8 *)kasan_mem_to_shadow(a + 16));
	for (i = 24; i < 32; i++)
		KUNIT_EXPECT_FALSE_MSG(test, kasan_byte_accessible(a + i),
				       "byte %d after a 20-byte object", i);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_TRUE(test, kasan_byte_accessible(b + i));
	KUNIT_EXPECT_FALSE(test, kasan_byte_accessible(b + 64));
	KUNIT_EXPECT_FALSE(test, kasan_byte_accessible(b + 200));
	/* The node's header is smalloc's, and is left alone. */
	KUNIT_EXPECT_TRUE(test, kasan_byte_accessible(pool->nodes));
}
#endif

/* Everything that describes a sealed pool is read-only with it. */
static void smalloc_test_sealed_metadata(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *first, *large;
	u8 *p, *r;

	/* Two nodes: the pool's own first one, and the second object's. */
	p = smalloc_alloc(pool, 64);
	r = smalloc_alloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, 2, pool_nodes(pool));
	first = oldest_node(pool);
	large = pool->nodes == first ? first->next : pool->nodes;
	KUNIT_ASSERT_PTR_NE(test, first, large);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_no_writable_mapping(test, pool);
	/* The pool, its name, each node header, each node's object ends. */
	expect_writable(test, (u8 *)pool, false);
	expect_writable(test, (u8 *)&pool->nodes, false);
	expect_writable(test, (u8 *)pool->name, false);
	expect_writable(test, (u8 *)first, false);
	expect_writable(test, (u8 *)&large->next, false);
	expect_writable(test, (u8 *)smalloc_node_end(first, 0), false);
	expect_writable(test, (u8 *)smalloc_node_end(large, 0), false);
	/* What must change while sealed stays writable. */
	KUNIT_EXPECT_EQ(test, 0, try_write((u8 *)&pool->state->final,
					   READ_ONCE(pool->state->final)));

	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	expect_writable(test, (u8 *)pool, true);
	expect_writable(test, (u8 *)smalloc_node_end(large, 0), true);
}

/* Count the permission changes a test makes; fail the @fail_at'th one. */
struct set_memory_calls {
	int calls;
	int fail_at;
	struct smalloc_pool *pool;
	u8 *probe;
	int not_sealed;	/* seen unsealed by validate before each change */
	int closed;	/* seen refusing copies from user space */
	/* At call @forge_at, rewrite @forge->next to @forge_to. */
	int forge_at;
	struct smalloc_node *forge, *forge_to;
	int forge_to_calls;	/* changes aimed at @forge_to */
};

static struct set_memory_calls *set_memory_calls;

static int counting_set_memory(unsigned long addr, int numpages, bool ro,
			       struct smalloc_flush *flush)
{
	struct set_memory_calls *c = set_memory_calls;
	struct smalloc_object obj;
	int ret;

	c->calls++;
#ifdef CONFIG_MMU
	/*
	 * Under the lock under which a page is mapped only for a writable
	 * header (smalloc_pages_map()): none comes after the walk passed it.
	 */
	KUNIT_EXPECT_TRUE(kunit_get_current_test(), smalloc_blocks_locked());
#endif
	if (c->probe) {
		/* Whatever the pages are now, sealed is not what they are. */
		c->not_sealed += smalloc_validate(c->probe, 1, c->pool,
						  true) == -EPERM;
		c->closed += smalloc_copy_verdict(c->probe, 1, false, &obj) ==
			     SMALLOC_COPY_INTO_SEALED;
	}
	if (c->calls == c->fail_at)
		return -ENOMEM;
	if (c->forge_to && addr == (unsigned long)c->forge_to)
		c->forge_to_calls++;
	/* A racing attacker writes the link while the header is writable. */
	if (c->calls == c->forge_at && ro)
		c->forge->next = c->forge_to;
	ret = smalloc_protect(addr, numpages, ro, flush);
	if (c->calls == c->forge_at && !ro)
		c->forge->next = c->forge_to;
	return ret;
}

static struct set_memory_calls *count_set_memory(struct kunit *test)
{
	set_memory_calls = kunit_kzalloc(test, sizeof(*set_memory_calls),
					 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set_memory_calls);
	kunit_activate_static_stub(test, smalloc_set_memory,
				   counting_set_memory);
	return set_memory_calls;
}

/*
 * "Sealed" only while every page is read-only; writes from user space
 * refused while any page may be.
 */
static void smalloc_test_sealed_state(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct set_memory_calls *c;
	struct smalloc_object obj;
	long flushes;
	u8 *p;

	/* Three nodes, so three permission changes per seal. */
	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 17 * PAGE_SIZE));
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 20 * PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 3, pool_nodes(pool));
	c = count_set_memory(test);
	c->pool = pool;
	c->probe = p;

	flushes = atomic_long_read(&smalloc_tlb_flushes);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, 3, c->calls);
	KUNIT_EXPECT_EQ(test, 3, c->not_sealed);
	KUNIT_EXPECT_EQ(test, 3, c->closed);
	/* One TLB flush for the three nodes. */
	KUNIT_EXPECT_EQ(test, 1, atomic_long_read(&smalloc_tlb_flushes) -
				 flushes);
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(p, 64, pool, true));
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p, &obj) && obj.sealed);

	c->calls = 0;
	c->not_sealed = 0;
	c->closed = 0;
	flushes = atomic_long_read(&smalloc_tlb_flushes);
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, 3, c->calls);
	KUNIT_EXPECT_EQ(test, 3, c->not_sealed);
	KUNIT_EXPECT_EQ(test, 3, c->closed);
	KUNIT_EXPECT_EQ(test, 1, atomic_long_read(&smalloc_tlb_flushes) -
				 flushes);
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 1, false, &obj));
	expect_writable(test, p, true);
}

static bool smalloc_cannot_seal(void)
{
	return false;
}

/*
 * Where pools cannot be sealed (x86_64 booted with rodata=off, arm64
 * without rodata=full, or here with smalloc_can_seal() stubbed to say
 * so), a seal is refused with
 * -EOPNOTSUPP and changes no page, and nothing calls the pool sealed:
 * neither smalloc_validate(), nor a lookup, nor usercopy's check.  A
 * refused smalloc_seal_final() still closes the pool, as documented.
 * Where pools can be sealed, the stub is off while the pool is checked,
 * so that the checks read the pool's state and the page tables; where
 * they cannot, those checks answer "not sealed" before they look.
 */
static void smalloc_test_cannot_seal(struct kunit *test)
{
	struct smalloc_pool *pool, *final;
	struct smalloc_object obj;
	bool can = smalloc_can_seal();
	long changes;
	u8 *p, *big, *q;

	kunit_info(test, "this system %s seal pools%s\n", can ? "can" : "cannot",
		   can ? ": smalloc_can_seal() stubbed" : "");
	pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	final = test_pool(test, ARCH_KMALLOC_MINALIGN);
	p = smalloc_alloc(pool, 64);
	big = smalloc_alloc(pool, 3 * PAGE_SIZE);
	q = smalloc_alloc(final, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(p, 0x5a, 64);

	if (can)
		kunit_activate_static_stub(test, smalloc_can_seal,
					   smalloc_cannot_seal);
	KUNIT_ASSERT_FALSE(test, smalloc_can_seal());
	changes = atomic_long_read(&smalloc_permission_changes);
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, smalloc_seal_final(final));
	KUNIT_EXPECT_EQ(test, changes,
			atomic_long_read(&smalloc_permission_changes));
	if (can)
		kunit_deactivate_static_stub(test, smalloc_can_seal);

	KUNIT_EXPECT_FALSE(test, pool->state->sealed);
	KUNIT_EXPECT_FALSE(test, pool->state->closed);
	expect_writable(test, p, true);
	expect_writable(test, big, true);
	expect_writable(test, big + 3 * PAGE_SIZE - 1, true);
	KUNIT_EXPECT_EQ(test, -EPERM, smalloc_validate(p, 64, pool, true));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(p, 64, pool, false));
	KUNIT_EXPECT_FALSE(test, smalloc_range_sealed(p, 64));
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p, &obj));
	KUNIT_EXPECT_FALSE(test, obj.sealed);
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 1, false, &obj));
	/* Refused, the pool goes on as before. */
	KUNIT_EXPECT_NOT_NULL(test, smalloc_alloc(pool, 64));
	KUNIT_EXPECT_EQ(test, 0x5a, p[63]);

	/* Sealed for good it is not, but closed, and final. */
	KUNIT_EXPECT_FALSE(test, final->state->sealed);
	KUNIT_EXPECT_TRUE(test, final->state->closed);
	KUNIT_EXPECT_TRUE(test, final->state->final);
	expect_writable(test, q, true);
	KUNIT_EXPECT_EQ(test, -EPERM, smalloc_validate(q, 64, final, true));
	KUNIT_EXPECT_FALSE(test, smalloc_range_sealed(q, 64));
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(q, &obj));
	KUNIT_EXPECT_FALSE(test, obj.sealed);
	/* No copy from user space, no allocation. */
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_INTO_SEALED,
			smalloc_copy_verdict(q, 1, false, &obj));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_NULL(test, smalloc_alloc(final, 64)));
}

/* A failed set_memory_*() leaves the whole pool as it was. */
static void smalloc_test_seal_fails(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct set_memory_calls *c;
	struct smalloc_object obj;
	u8 *p, *r;

	p = smalloc_alloc(pool, 64);
	r = smalloc_alloc(pool, 3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, r);
	c = count_set_memory(test);

	c->fail_at = 2;
	KUNIT_EXPECT_EQ(test, -ENOMEM, smalloc_seal(pool));
	/* Two tries, and the first node put back. */
	KUNIT_EXPECT_EQ(test, 3, c->calls);
	expect_writable(test, p, true);
	expect_writable(test, r, true);
	KUNIT_EXPECT_EQ(test, -EPERM, smalloc_validate(p, 1, pool, true));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 1, false, &obj));

	c->calls = 0;
	c->fail_at = 0;
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	c->calls = 0;
	c->fail_at = 2;
	KUNIT_EXPECT_EQ(test, -ENOMEM, smalloc_unseal(pool));
	expect_writable(test, p, false);
	expect_writable(test, r, false);
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(p, 1, pool, true));
	c->fail_at = 0;
}

/* Objects of a sealed victim, and what must hold of them after an attack. */
struct victim {
	struct smalloc_pool *pool;
	struct smalloc_node *node;
	u8 *p;
};

static void victim_init(struct kunit *test, struct victim *v, bool seal)
{
	v->pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	v->p = smalloc_alloc(v->pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, v->p);
	memset(v->p, 0x77, 64);
	v->node = v->pool->nodes;
	if (seal)
		KUNIT_ASSERT_EQ(test, 0, smalloc_seal(v->pool));
}

static void victim_untouched(struct kunit *test, struct victim *v,
			     bool sealed)
{
	struct vm_struct *area = find_vm_area(v->node);

	KUNIT_EXPECT_TRUE(test, area && (area->flags & VM_SMALLOC));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(v->p, 0x77, 64));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(v->p, 64, v->pool, sealed));
	expect_writable(test, v->p, !sealed);
	expect_writable(test, (u8 *)v->node, !sealed);
}

/*
 * Seal, unseal and destroy of a pool whose metadata was forged: refused,
 * with one warning each, before any permission changes or page is freed.
 * The victim's pages are the ones such a forgery would aim at.
 */
static void expect_forgery_refused(struct kunit *test,
				   struct smalloc_pool *pool,
				   struct victim *v, bool victim_sealed)
{
	struct set_memory_calls *c = count_set_memory(test);

	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	});
	SMALLOC_EXPECT_WARNINGS(test, 1, smalloc_destroy(pool));
	KUNIT_EXPECT_EQ(test, 0, c->calls);
	KUNIT_EXPECT_FALSE(test, pool->state->sealed);
	victim_untouched(test, v, victim_sealed);
}

/* Pool X's node pointer forged to another pool's (sealed) node. */
static void smalloc_test_forged_node(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *own;
	struct victim v;

	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	victim_init(test, &v, true);
	own = pool->nodes;
	KUNIT_ASSERT_EQ(test, v.node->size, own->size);

	pool->nodes = v.node;
	expect_forgery_refused(test, pool, &v, true);
	pool->nodes = own;

	/* Put right, the pool works again; the test's action destroys it. */
	KUNIT_EXPECT_EQ(test, 0, smalloc_seal(pool));
	victim_untouched(test, &v, true);
}

/* A list link forged to a fake node header, crafted in an object. */
static void smalloc_test_forged_link(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *fake, *last;
	struct victim v;

	victim_init(test, &v, false);
	fake = smalloc_zalloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	/* A header that says all the right things, aimed at one page. */
	*fake = *v.node;
	fake->pool = pool;
	fake->next = NULL;
	fake->size = PAGE_SIZE;
	last = oldest_node(pool);

	last->next = fake;
	expect_forgery_refused(test, pool, &v, false);
	last->next = NULL;

	/* A link cut: the nodes no longer cover the pool's pages. */
	KUNIT_ASSERT_PTR_EQ(test, last, pool->nodes->next);
	pool->nodes->next = NULL;
	expect_forgery_refused(test, pool, &v, false);
	pool->nodes->next = last;
	KUNIT_EXPECT_EQ(test, 0, smalloc_seal(pool));
}

/* A node of pool A linked into pool B. */
static void smalloc_test_foreign_node(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *last;
	unsigned long pages;
	struct victim v;

	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
	victim_init(test, &v, false);
	last = oldest_node(pool);
	pages = pool->nr_pages;

	/* Even with the page count forged to match. */
	last->next = v.node;
	pool->nr_pages += v.node->size >> PAGE_SHIFT;
	expect_forgery_refused(test, pool, &v, false);
	last->next = NULL;
	pool->nr_pages = pages;

	/* A node whose size no longer matches its area. */
	last->size += PAGE_SIZE;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	});
	last->size -= PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 0, smalloc_seal(pool));
	victim_untouched(test, &v, false);
}

/*
 * A list rewritten while seal, unseal or destroy walks it, as an attacker
 * racing them would: the walk never reaches the victim.
 */
static void smalloc_test_forged_during_walk(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *newest, *older;
	struct set_memory_calls *c;
	struct victim v;
	u8 *p;

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 3 * PAGE_SIZE));
	newest = pool->nodes;
	older = newest->next;
	KUNIT_ASSERT_NOT_NULL(test, older);
	victim_init(test, &v, true);
	c = count_set_memory(test);
	c->forge = newest;
	c->forge_to = v.node;

	/* Seal: the link is rewritten just before the header is sealed. */
	c->forge_at = 1;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	});
	KUNIT_EXPECT_EQ(test, 0, c->forge_to_calls);
	KUNIT_EXPECT_FALSE(test, pool->state->sealed);
	expect_writable(test, p, true);
	victim_untouched(test, &v, true);
	newest->next = older;

	/* Unseal: the link is rewritten as soon as the header is writable. */
	c->forge_at = 0;
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	c->calls = 0;
	c->forge_at = 1;
	KUNIT_EXPECT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, 2, c->calls);
	KUNIT_EXPECT_EQ(test, 0, c->forge_to_calls);
	victim_untouched(test, &v, true);
	newest->next = older;

	/* A link cut during the walk leaves nodes out: refused, undone. */
	c->calls = 0;
	c->forge_to = NULL;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	});
	/* Both nodes sealed, the cut found once they are, both undone. */
	KUNIT_EXPECT_EQ(test, 4, c->calls);
	KUNIT_EXPECT_FALSE(test, pool->state->closed);
	expect_writable(test, p, true);
	expect_writable(test, (u8 *)older, true);
	newest->next = older;

	/* A cycle made during the walk ends it too, and the walk is undone. */
	c->calls = 0;
	c->forge = older;
	c->forge_to = newest;
	c->forge_at = 2;
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	});
	KUNIT_EXPECT_EQ(test, 4, c->calls);
	KUNIT_EXPECT_FALSE(test, pool->state->closed);
	expect_writable(test, p, true);
	expect_writable(test, (u8 *)older, true);
	older->next = NULL;
	c->forge = newest;
	c->forge_to = v.node;
	c->forge_to_calls = 0;
	c->forge_at = 1;

	/*
	 * Destroy acts only on the nodes it checked: a list forged while
	 * the writable state claims the pool sealed is refused, and nothing
	 * changes permissions or is freed.
	 */
	c->forge_at = 0;
	c->calls = 0;
	newest->next = v.node;
	pool->state->sealed = true;
	SMALLOC_EXPECT_WARNINGS(test, 1, smalloc_destroy(pool));
	KUNIT_EXPECT_EQ(test, 0, c->calls);
	victim_untouched(test, &v, true);
	pool->state->sealed = false;
	newest->next = older;
}

/* What is not a pool is refused by every entry point. */
static void smalloc_test_forged_pool(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_pool *fake;
	struct smalloc_state *state = pool->state;
	struct victim v;

	victim_init(test, &v, true);
	/* A copy of a real pool, in an object of another pool. */
	fake = smalloc_alloc(pool, sizeof(*fake));
	KUNIT_ASSERT_NOT_NULL(test, fake);
	*fake = *v.pool;
	SMALLOC_EXPECT_WARNINGS(test, 3, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(fake));
		KUNIT_EXPECT_NULL(test, smalloc_alloc(fake, 8));
		smalloc_destroy(fake);
	});

	/* A pool whose state pointer was redirected to another pool's. */
	pool->state = v.pool->state;
	SMALLOC_EXPECT_WARNINGS(test, 2, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool));
		smalloc_destroy(pool);
	});
	pool->state = state;
	victim_untouched(test, &v, true);
}

static void smalloc_test_mismatched(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *p = smalloc_alloc(pool, 32);

	KUNIT_ASSERT_NOT_NULL(test, p);
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool));
	});
	KUNIT_EXPECT_FALSE(test, pool->state->sealed);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool));
	});
	KUNIT_EXPECT_TRUE(test, pool->state->sealed);
	expect_writable(test, p, false);

	SMALLOC_EXPECT_WARNINGS(test, 3, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(smalloc_global));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(smalloc_global));
		smalloc_destroy(smalloc_global);
	});
	expect_writable(test, p, false);
}

static void smalloc_test_cycles(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	size_t size = 2 * PAGE_SIZE + 100;
	u32 *p;
	int i;

	p = smalloc_alloc(pool, size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p[0] = 0;
	p[size / sizeof(u32) - 1] = ~0U;

	for (i = 1; i <= 200; i++) {
		KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
		expect_writable(test, (u8 *)&p[size / sizeof(u32) - 1], false);
		KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
		KUNIT_ASSERT_EQ(test, i - 1, p[0]);
		KUNIT_ASSERT_EQ(test, ~0U, p[size / sizeof(u32) - 1]);
		p[0] = i;
	}
	KUNIT_EXPECT_EQ(test, 200, p[0]);
}

#define CONCURRENT_THREADS	4
#define CONCURRENT_OBJECTS	256

struct concurrent_object {
	u8 *p;
	size_t size;
};

struct concurrent_worker {
	struct smalloc_pool *pool;
	struct completion done;
	struct concurrent_object obj[CONCURRENT_OBJECTS];
	int id;
	int failed;
};

static int concurrent_alloc(void *data)
{
	struct concurrent_worker *w = data;
	int i;

	for (i = 0; i < CONCURRENT_OBJECTS; i++) {
		size_t size = 1 + (i * 97 + w->id * 31) % 700;
		u8 *p = smalloc_alloc(w->pool, size);

		if (!p) {
			w->failed++;
			continue;
		}
		memset(p, w->id, size);
		w->obj[i].p = p;
		w->obj[i].size = size;
		if (i % 16 == 0)
			cond_resched();
	}
	complete(&w->done);
	return 0;
}

static int cmp_object(const void *a, const void *b)
{
	const struct concurrent_object *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void smalloc_test_concurrent(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct concurrent_object *all;
	struct concurrent_worker *w;
	int i, j, n = 0;

	w = kunit_kcalloc(test, CONCURRENT_THREADS, sizeof(*w), GFP_KERNEL);
	all = kunit_kcalloc(test, CONCURRENT_THREADS * CONCURRENT_OBJECTS,
			    sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, all);

	for (i = 0; i < CONCURRENT_THREADS; i++) {
		struct task_struct *t;

		w[i].pool = pool;
		w[i].id = i + 1;
		init_completion(&w[i].done);
		t = kthread_run(concurrent_alloc, &w[i], "smalloc_test/%d", i);
		if (IS_ERR(t))
			break;
	}
	for (j = 0; j < i; j++)
		wait_for_completion(&w[j].done);
	KUNIT_ASSERT_EQ(test, CONCURRENT_THREADS, i);

	for (i = 0; i < CONCURRENT_THREADS; i++) {
		KUNIT_EXPECT_EQ(test, 0, w[i].failed);
		for (j = 0; j < CONCURRENT_OBJECTS; j++) {
			struct concurrent_object *o = &w[i].obj[j];

			if (!o->p)
				continue;
			/* Nobody else wrote into this thread's objects. */
			KUNIT_EXPECT_TRUE(test, !memchr_inv(o->p, w[i].id,
							    o->size));
			all[n++] = *o;
		}
	}
	KUNIT_EXPECT_EQ(test, CONCURRENT_THREADS * CONCURRENT_OBJECTS, n);

	sort(all, n, sizeof(*all), cmp_object, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, (unsigned long)all[i].p,
				(unsigned long)all[i - 1].p + all[i - 1].size);
}

/* The global pool: allocations work during boot, callers can't seal it. */
static void smalloc_test_global_pool(struct kunit *test)
{
	char *s;

	/* Built-in tests run from kernel_init_freeable(), before the seal. */
	KUNIT_ASSERT_FALSE(test, READ_ONCE(smalloc_global->state->final));

	s = smalloc_strdup(smalloc_global, "smalloc_kunit");
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, in_smalloc_area(s));
	KUNIT_EXPECT_STREQ(test, "smalloc_kunit", s);
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(s, 14, smalloc_global,
						  false));
	KUNIT_EXPECT_STREQ(test, "global", smalloc_pool_name(smalloc_global));

	SMALLOC_EXPECT_WARNINGS(test, 2, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(smalloc_global));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(smalloc_global));
	});
	expect_writable(test, s, true);
}

/* A pool like the global one, destroyed when the test ends. */
static struct smalloc_pool *test_shared_pool(struct kunit *test)
{
	struct smalloc_pool *pool = smalloc_create_shared("shared-test");

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smalloc_destroy_action,
						  pool));
	return pool;
}

/* What the global pool does at the end of init, on a pool of the same kind. */
static void smalloc_test_shared_pool_final(struct kunit *test)
{
	struct set_memory_calls *c;
	struct smalloc_pool *pool;
	u8 *p;

	pool = test_shared_pool(test);

	p = smalloc_alloc(pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool));
	});
	expect_writable(test, p, true);

	/* A final seal that fails still closes the pool for good. */
	c = count_set_memory(test);
	c->fail_at = 1;
	KUNIT_EXPECT_EQ(test, -ENOMEM, smalloc_seal_final(pool));
	KUNIT_EXPECT_TRUE(test, pool->state->closed);
	KUNIT_EXPECT_FALSE(test, pool->state->sealed);
	SMALLOC_EXPECT_WARNINGS(test, 1, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8));
	});
	kunit_deactivate_static_stub(test, smalloc_set_memory);
}

/* What the global pool does at the end of init, on a pool of the same kind. */
static void smalloc_test_shared_pool_sealed(struct kunit *test)
{
	struct smalloc_pool *pool;
	u8 *p;

	pool = test_shared_pool(test);
	p = smalloc_alloc(pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	KUNIT_EXPECT_TRUE(test, pool->state->sealed);
	expect_writable(test, p, false);
	expect_writable(test, p + 99, false);
	expect_writable(test, (u8 *)pool, false);
	SMALLOC_EXPECT_WARNINGS(test, 3, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal_final(pool));
	});
	expect_writable(test, p, false);
}

/*
 * Once a pool is destroyed, no lookup finds it, and its pages' descriptors
 * no longer point at its nodes: a page that goes to another node, or back
 * to the page allocator, says nothing of a freed node.
 */
static void smalloc_test_lookup_after_destroy(struct kunit *test)
{
	struct smalloc_object obj;
	struct smalloc_pool *pool;
	struct page *page;
	u8 *p;

	pool = smalloc_create(test->name);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	page = vmalloc_to_page(p);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_NE(test, 0, page->index);

	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p, &obj));
	smalloc_destroy(pool);
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(p));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(p, &obj));
	/*
	 * The page stays free in its block: nothing else makes nodes while
	 * the suite runs.  Without blocks, it went back to the page
	 * allocator, and may be anybody's.
	 */
	if (smalloc_blocks_unmapped())
		KUNIT_EXPECT_EQ(test, 0, READ_ONCE(page->index));
}

static void smalloc_test_find_object(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, 64);
	struct smalloc_pool *other;
	struct smalloc_object obj;
	u8 *a, *b, *c, *k;

	a = smalloc_alloc(pool, 10);
	b = smalloc_alloc(pool, 100);
	c = smalloc_alloc(pool, PAGE_SIZE + 1);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	other = smalloc_create("other");
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smalloc_destroy_action,
						  other));
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(other, 8));

	KUNIT_ASSERT_TRUE(test, smalloc_find_object(a + 5, &obj));
	KUNIT_EXPECT_PTR_EQ(test, (void *)a, obj.start);
	KUNIT_EXPECT_EQ(test, 10, obj.size);
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);
	KUNIT_EXPECT_FALSE(test, obj.sealed);
	KUNIT_EXPECT_STREQ(test, test->name, smalloc_pool_name(obj.pool));

	KUNIT_ASSERT_TRUE(test, smalloc_find_object(c + PAGE_SIZE, &obj));
	KUNIT_EXPECT_PTR_EQ(test, (void *)c, obj.start);
	KUNIT_EXPECT_EQ(test, PAGE_SIZE + 1, obj.size);

	/* Padding between objects is smalloc memory, but no object. */
	KUNIT_EXPECT_TRUE(test, is_smalloc_addr(a + 10));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(a + 10, &obj));

	k = kunit_kmalloc(test, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(k));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(k, &obj));

	/* The validation API. */
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(b, 100, pool, false));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(b + 99, 1, pool, false));
	KUNIT_EXPECT_EQ(test, -ERANGE, smalloc_validate(b, 101, pool, false));
	KUNIT_EXPECT_EQ(test, -EXDEV, smalloc_validate(b, 1, other, false));
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_validate(k, 1, pool, false));
	KUNIT_EXPECT_EQ(test, -EPERM, smalloc_validate(b, 1, pool, true));

	/* Lookups take no lock and never sleep. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	mutex_lock(&pool->state->lock);
	preempt_disable();
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(b + 50, &obj));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(b, 100, pool, true));
	preempt_enable();
	mutex_unlock(&pool->state->lock);
	KUNIT_EXPECT_TRUE(test, obj.sealed);

	/* Headers are no objects. */
	KUNIT_EXPECT_TRUE(test, is_smalloc_addr(pool));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(pool, &obj));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(pool->nodes, &obj));
}

#define LOOKUP_OBJECTS	3000

struct lookup_worker {
	struct smalloc_pool *pool;
	struct completion done;
	u8 *p[LOOKUP_OBJECTS];
	unsigned int nr;	/* published with smp_store_release() */
};

static size_t lookup_size(unsigned int i)
{
	return 1 + (i * 37) % 300;
}

static int lookup_alloc(void *data)
{
	struct lookup_worker *w = data;
	unsigned int i;

	for (i = 0; i < LOOKUP_OBJECTS; i++) {
		w->p[i] = smalloc_alloc(w->pool, lookup_size(i));
		if (!w->p[i])
			break;
		/* Publish p[i]; pairs with the lookup loop. */
		smp_store_release(&w->nr, i + 1);
	}
	complete(&w->done);
	return 0;
}

/*
 * Objects of one size are found from the node's header alone; the first
 * object of another size ends that, and the ends are searched.  Every
 * byte of each object, and of the padding after it, must give the same
 * answer either way: a stride kept past an object of another size would
 * give it the others' size.  24 bytes in a pool aligned to 8 is a stride
 * that is no power of two; 20 bytes aligned to 8 leave padding in each
 * stride; 64 bytes aligned to 64 is a stride of a power of two.
 */
static void expect_objects(struct kunit *test, u8 **objs, size_t *sizes,
			   int nr, size_t align)
{
	struct smalloc_object obj;
	size_t off;
	int i;

	for (i = 0; i < nr; i++) {
		for (off = 0; off < ALIGN(sizes[i], align); off++) {
			bool in = off < sizes[i];

			KUNIT_EXPECT_EQ_MSG(test, in,
					    smalloc_find_object(objs[i] + off, &obj),
					    "object %d, byte %zu", i, off);
			if (!in || !smalloc_find_object(objs[i] + off, &obj))
				continue;
			KUNIT_EXPECT_PTR_EQ(test, (void *)objs[i], obj.start);
			KUNIT_EXPECT_EQ(test, sizes[i], obj.size);
		}
	}
}

static void smalloc_test_lookup_stride(struct kunit *test)
{
	static const size_t aligns[] = { 8, 8, 64 }, lens[] = { 24, 20, 64 };
	struct smalloc_object obj;
	struct smalloc_pool *pool;
	size_t sizes[17];
	u8 *objs[17];
	int a, i;

	for (a = 0; a < ARRAY_SIZE(aligns); a++) {
		pool = test_pool(test, aligns[a]);
		for (i = 0; i < 16; i++) {
			sizes[i] = lens[a];
			objs[i] = smalloc_alloc(pool, sizes[i]);
			KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		}
		KUNIT_EXPECT_EQ(test, ALIGN(lens[a], aligns[a]),
				pool->nodes->stride);
		expect_objects(test, objs, sizes, 16, aligns[a]);
		/* Neither the header before the first, nor the free space after the last. */
		KUNIT_EXPECT_FALSE(test, smalloc_find_object(objs[0] - 1, &obj));
		KUNIT_EXPECT_FALSE(test,
				   smalloc_find_object(objs[15] +
						       ALIGN(lens[a], aligns[a]),
						       &obj));

		sizes[16] = lens[a] + 16;
		objs[16] = smalloc_alloc(pool, sizes[16]);
		KUNIT_ASSERT_NOT_NULL(test, objs[16]);
		/* All in the pool's first node, which the stride is of. */
		KUNIT_ASSERT_TRUE(test, objs[0] > (u8 *)pool->nodes &&
				  objs[16] < (u8 *)pool->nodes +
					     pool->nodes->size);
		KUNIT_EXPECT_EQ(test, 0, pool->nodes->stride);
		expect_objects(test, objs, sizes, 17, aligns[a]);
	}
}

/* Lookups stay exact while another thread grows the pool and its index. */
static void smalloc_test_lookup_while_allocating(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct lookup_worker *w;
	struct task_struct *t;
	unsigned int lookups = 0, racing = 0, wrong = 0, nr, i;
	struct smalloc_object obj;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->pool = pool;
	init_completion(&w->done);
	t = kthread_run(lookup_alloc, w, "smalloc_lookup");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	do {
		bool running = !completion_done(&w->done);

		cond_resched();
		/* Pairs with lookup_alloc(): p[0..nr) are set. */
		nr = smp_load_acquire(&w->nr);
		if (!nr)
			continue;
		/* Mostly the newest objects, whose extents were just added. */
		i = nr - 1 - get_random_u32_below(min(nr, 16U));
		if (get_random_u32_below(4) == 0)
			i = get_random_u32_below(nr);
		lookups++;
		racing += running;
		if (!smalloc_find_object(w->p[i] + lookup_size(i) - 1, &obj) ||
		    obj.start != w->p[i] || obj.size != lookup_size(i))
			wrong++;
	} while (!completion_done(&w->done) || (lookups < 1000 && nr));
	wait_for_completion(&w->done);

	KUNIT_EXPECT_EQ(test, LOOKUP_OBJECTS, w->nr);
	KUNIT_EXPECT_EQ(test, 0, wrong);
	if (!racing)
		kunit_skip(test, "no lookup ran while the pool grew");
	for (i = 0; i < w->nr; i++) {
		if (!smalloc_find_object(w->p[i], &obj) ||
		    obj.start != w->p[i] || obj.size != lookup_size(i))
			wrong++;
	}
	KUNIT_EXPECT_EQ(test, 0, wrong);
}

/* What hardened usercopy decides, without aborting anything. */
static void smalloc_test_usercopy_verdict(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, 64);
	struct smalloc_object obj;
	u8 *p, *q;

	p = smalloc_alloc(pool, 64);
	q = smalloc_alloc(pool, 8);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);

	/* In bounds, both ways. */
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 64, true, &obj));
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 64, false, &obj));
	/* One byte over, both ways. */
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OVERRUN,
			smalloc_copy_verdict(p, 65, true, &obj));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OVERRUN,
			smalloc_copy_verdict(p, 65, false, &obj));
	/* Starting mid-object: bounded by the rest of the object. */
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p + 40, 24, true, &obj));
	KUNIT_EXPECT_PTR_EQ(test, (void *)p, obj.start);
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OVERRUN,
			smalloc_copy_verdict(p + 40, 25, true, &obj));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OVERRUN,
			smalloc_copy_verdict(q + 4, 5, false, &obj));
	/* Starting in padding or free space. */
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_NO_OBJECT,
			smalloc_copy_verdict(q + 8, 1, true, &obj));
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);

	/* Sealed: reading out is fine, writing in is refused. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 64, true, &obj));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_INTO_SEALED,
			smalloc_copy_verdict(p, 1, false, &obj));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_INTO_SEALED,
			smalloc_copy_verdict(q, 8, false, &obj));
	/* Unsealed again: writing in is fine. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_OK,
			smalloc_copy_verdict(p, 64, false, &obj));
}

/*
 * Allowed copies through the real copy_*_user(): mm/usercopy.c sends them
 * to smalloc's check, which must let them through (a refused one would
 * abort the test with an Oops, which the harness reports).
 */
static void smalloc_test_usercopy_allowed(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	unsigned long user_addr;
	void __user *user;
	size_t size = 64;
	u8 *p, *q;

	user_addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
				  PROT_READ | PROT_WRITE,
				  MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, user_addr, 0, "no user memory");
	KUNIT_ASSERT_LT(test, user_addr, (unsigned long)TASK_SIZE);
	user = (void __user *)user_addr;

	p = smalloc_alloc(pool, size);
	q = smalloc_zalloc(pool, size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(p, 0x5a, size);

	/* Sizes usercopy checks: not compile-time constants. */
	OPTIMIZER_HIDE_VAR(size);
	KUNIT_EXPECT_EQ(test, 0, copy_to_user(user, p, size));
	KUNIT_EXPECT_EQ(test, 0, copy_from_user(q, user, size));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(q, 0x5a, size));
	KUNIT_EXPECT_EQ(test, 0, copy_from_user(p + 16, user, size - 16));

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, 0, copy_to_user(user, q, size));
}

#ifdef CONFIG_X86_64
/* A page of the kernel image, so of the high mapping. */
static u8 highmap_page[PAGE_SIZE] __aligned(PAGE_SIZE);
/* kmemleak must not scan it while it is unmapped: told once. */
static bool highmap_untracked;

/* The page highmap_page stands in for, while it is in a node. */
static struct page *highmap_replaced;
static unsigned long highmap_at;

/*
 * Map @new at @addr of an unsealed node instead of the page there, with
 * the node's contents and what its descriptor says for lookups; return
 * that page.  The copy goes through the node's vmalloc address: a block's
 * page has no other mapping.
 */
static u8 highmap_bounce[PAGE_SIZE];

static struct page *swap_node_page(unsigned long addr, struct page *new)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);
	struct page *old = pte_page(*pte);

	memcpy(highmap_bounce, (void *)addr, PAGE_SIZE);
	/* What a lookup reads of a node's page goes with it, and back. */
	swap(old->private, new->private);
	swap(old->index, new->index);
	set_pte(pte, mk_pte(new, PAGE_KERNEL));
	flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
	memcpy((void *)addr, highmap_bounce, PAGE_SIZE);
	return old;
}

/*
 * However the test ends: put the high mapping of highmap_page back, and
 * give the node its own page again before the pool is destroyed (the
 * destroy gives back the pages its page tables map).
 */
static void highmap_cleanup(void *unused)
{
	set_memory_p((unsigned long)highmap_page, 1);
	if (highmap_replaced)
		swap_node_page(highmap_at, highmap_replaced);
	highmap_replaced = NULL;
}

/* A _brk_end that ends the high mapping before highmap_page. */
static unsigned long highmap_brk_forged(void)
{
	return (unsigned long)_text;
}
#endif

/*
 * x86_64 maps the kernel image twice, and the free pages that follow it
 * are in its high mapping too: a block made of such a page takes it out of
 * the high mapping (smalloc_unmap_highmap()), whatever _brk_end, which
 * stays writable after boot, says by then.  highmap_page, a page of the
 * kernel image, stands in for such a page, with _brk_end forged (as
 * smalloc reads it) to end the high mapping before it: smalloc must not
 * follow.  Then, put in a node behind smalloc's back, the same page, which
 * has a direct-map alias, makes the seal fail: -EFAULT, with a warning,
 * and the pool stays open.
 */
static void smalloc_test_highmap_alias(struct kunit *test)
{
#ifdef CONFIG_X86_64
	struct page *page = virt_to_page(lm_alias(highmap_page));
	struct smalloc_pool *pool;
	int ret;
	u8 *p;

	if (!smalloc_blocks_unmapped())
		kunit_skip(test, "blocks stay in the direct map here");
	if (!highmap_untracked) {
		kmemleak_free_part(highmap_page, PAGE_SIZE);
		highmap_untracked = true;
	}
	pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   highmap_cleanup,
							   NULL));
	KUNIT_ASSERT_EQ(test, (unsigned long)highmap_page, highmap_alias(page));
	KUNIT_EXPECT_EQ(test, 0, try_write(highmap_page, 0x5a));

	kunit_activate_static_stub(test, smalloc_brk_end, highmap_brk_forged);
	ret = smalloc_unmap_highmap(page, 1);
	kunit_deactivate_static_stub(test, smalloc_brk_end);
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_FALSE(test, mapped_writable((unsigned long)highmap_page));
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write(highmap_page, 0xa5));
	KUNIT_EXPECT_EQ(test, 0x5a, READ_ONCE(*(u8 *)lm_alias(highmap_page)));
	set_memory_p((unsigned long)highmap_page, 1);

	p = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	highmap_at = (unsigned long)p & PAGE_MASK;
	highmap_replaced = swap_node_page(highmap_at, page);
	KUNIT_ASSERT_PTR_EQ(test, page, vmalloc_to_page(p));
	SMALLOC_EXPECT_WARNINGS(test, 1, ret = smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, -EFAULT, ret);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(pool->state->sealed));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(pool->state->closed));
	KUNIT_EXPECT_FALSE(test, smalloc_range_sealed(p, 64));
	KUNIT_EXPECT_EQ(test, 0, try_write(p, 0x11));
#else
	kunit_skip(test, "only x86_64 has a kernel high mapping");
#endif
}

/*
 * The pool's state is writable: saying "sealed" there must not make
 * writable memory pass for sealed.
 */
static void smalloc_test_forged_sealed(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_object obj;
	u8 *p = smalloc_alloc(pool, 3 * PAGE_SIZE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	WRITE_ONCE(pool->state->sealed, true);
	KUNIT_EXPECT_EQ(test, -EPERM, smalloc_validate(p, 1, pool, true));
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p + PAGE_SIZE, &obj));
	KUNIT_EXPECT_FALSE(test, obj.sealed);
	WRITE_ONCE(pool->state->sealed, false);

	/* Sealed for real, it is sealed, from any page of the object. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(p + 2 * PAGE_SIZE, 1, pool,
						  true));
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p + PAGE_SIZE, &obj));
	KUNIT_EXPECT_TRUE(test, obj.sealed);
}

/*
 * A lookup from NMI finds what one from a task finds: it takes no lock,
 * also where no PTE maps the address and the tree answers, under RCU.
 */
static void smalloc_test_nmi_lookup(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *p = smalloc_alloc(pool, 8), *hole = NULL;
	bool found, in, hole_found = false, hole_in = true;
	struct smalloc_object obj, hole_obj;
	struct smalloc_node *node;
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* A page of a node that no object reached yet: the tree's lookup. */
	if (IS_ENABLED(CONFIG_MMU) && smalloc_can_seal()) {
		while (pool->nodes == oldest_node(pool))
			KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 64));
		node = pool->nodes;
		hole = (u8 *)node + PAGE_ALIGN(node->used);
		KUNIT_ASSERT_LT(test, PAGE_ALIGN(node->used) + PAGE_SIZE,
				node->size);
		KUNIT_ASSERT_NULL(test, vmalloc_to_page(hole));
	}
	local_irq_save(flags);
	__preempt_count_add(NMI_OFFSET + HARDIRQ_OFFSET);
	found = smalloc_find_object(p + 4, &obj);
	in = is_smalloc_addr(p);
	if (hole) {
		hole_found = smalloc_find_object(hole, &hole_obj);
		hole_in = is_smalloc_addr(hole);
	}
	__preempt_count_sub(NMI_OFFSET + HARDIRQ_OFFSET);
	local_irq_restore(flags);

	KUNIT_EXPECT_TRUE(test, found);
	KUNIT_EXPECT_TRUE(test, in);
	KUNIT_EXPECT_PTR_EQ(test, p, obj.start);
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);
	KUNIT_EXPECT_FALSE(test, hole_found);
	KUNIT_EXPECT_TRUE(test, hole_in);
}

/*
 * A lookup finds a node through the descriptor of the page that holds the
 * address.  The descriptors stay writable: forged, each of the lookup's
 * checks must refuse what they say.  The page's index cleared, as a
 * destroy leaves it, hides the object; pointed at another pool's node,
 * which does not hold the address, it finds nothing (not that node); a
 * page not marked as a node's is not read as one.  Each forgery is undone
 * before the next.
 */
static void smalloc_test_find_by_page(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_pool *other = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *p = smalloc_alloc(pool, 64), *q = smalloc_alloc(other, 64);
	unsigned long index, private;
	struct smalloc_object obj;
	u64 __percpu *pcpu;
	struct page *page;
	u64 *in;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	page = vmalloc_to_page(p);
	KUNIT_ASSERT_NOT_NULL(test, page);
	index = page->index;
	private = page_private(page);
	KUNIT_EXPECT_EQ(test, (unsigned long)oldest_node(pool), index);
	KUNIT_EXPECT_EQ(test, SMALLOC_PAGE_USED, private);
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p, &obj));
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);

	WRITE_ONCE(page->index, 0);
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(p));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(p, &obj));
	KUNIT_EXPECT_NULL(test, obj.pool);

	WRITE_ONCE(page->index, (unsigned long)oldest_node(other));
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(p));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(p, &obj));
	KUNIT_EXPECT_NULL(test, obj.pool);
	WRITE_ONCE(page->index, index);

	set_page_private(page, SMALLOC_PAGE_FREE);
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(p));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(p, &obj));
	set_page_private(page, private);

	KUNIT_EXPECT_TRUE(test, smalloc_find_object(p, &obj));
	KUNIT_EXPECT_PTR_EQ(test, pool, obj.pool);
	KUNIT_EXPECT_PTR_EQ(test, other, smalloc_find_object(q, &obj) ?
			    obj.pool : NULL);

	/*
	 * Per-CPU memory is vmalloc memory too, and its pages' index points
	 * at their chunk: not a node, and their mark is none.
	 */
	pcpu = alloc_percpu(u64);
	KUNIT_ASSERT_NOT_NULL(test, pcpu);
	in = per_cpu_ptr(pcpu, raw_smp_processor_id());
	if (!smalloc_in_window(in))
		kunit_info(test, "per-CPU memory is not in smalloc's window here\n");
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(in));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(in, &obj));
	free_percpu(pcpu);
}

/*
 * A page's descriptor forged to point at a fake header, in vmalloc memory
 * in smalloc's window that the attacker filled, with no entry in the
 * tree: the lookups may believe it, smalloc_validate() must not.
 */
static void smalloc_test_validate_forged_page(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *fake;
	struct page *page;
	u8 *obj;

	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 8));
	fake = __vmalloc_node_range(PAGE_SIZE, PAGE_SIZE, SMALLOC_VSTART,
				    SMALLOC_VEND, GFP_KERNEL | __GFP_ZERO,
				    PAGE_KERNEL, 0, NUMA_NO_NODE,
				    __builtin_return_address(0));
	KUNIT_ASSERT_NOT_NULL(test, fake);
	*fake = (struct smalloc_node) {
		.pool = pool, .size = PAGE_SIZE, .base = 256,
		.used = 320, .nr = 1,
	};
	*smalloc_node_end(fake, 0) = 320;
	obj = (u8 *)fake + 256;
	page = vmalloc_to_page(fake);
	page->index = (unsigned long)fake;
	set_page_private(page, SMALLOC_PAGE_USED);

	/* The forgery is good enough for the lookup. */
	KUNIT_EXPECT_TRUE(test, is_smalloc_addr(obj));
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_validate(obj, 8, pool, false));
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_validate(obj, 8, pool, true));

	set_page_private(page, 0);
	page->index = 0;
	synchronize_rcu();
	vfree(fake);
}

/* Sealed for good: only destruction remains. */
static void smalloc_test_seal_final(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *p = smalloc_zalloc(pool, 64);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	expect_writable(test, p, false);
	expect_no_writable_mapping(test, pool);
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal_final(pool)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8)));
	expect_writable(test, p, false);
	/* The mark that forbids unsealing is sealed in the pool. */
	KUNIT_EXPECT_EQ(test, -EFAULT, try_write((u8 *)&pool->final, 0));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(pool->final));
}

#ifdef CONFIG_SMALLOC_WRITE_RARE

/* Write-rare stores in the race below: each one maps, writes, unmaps. */
#define WR_RACE_WRITES	5000

/* A write-rare pool, destroyed when the test ends. */
static struct smalloc_pool *test_wr_pool(struct kunit *test)
{
	struct smalloc_pool *pool = smalloc_create_wr(test->name);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smalloc_destroy_action,
						  pool));
	return pool;
}

struct wr_object {
	u64 a;
	const u32 b;
	u8 bytes[40];
	struct wr_object __rcu *next;
};

/* Writes through the CPU-local mapping, counted. */
static int wr_pokes;

static int counting_wr_poke(void *dst, const void *src, size_t len, bool set)
{
	wr_pokes++;
	return arch_write_rare(dst, src, len, set);
}

static void smalloc_wr_test_assign(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct wr_object *o = smalloc_zalloc(pool, sizeof(*o));
	u8 pattern[sizeof(o->bytes)];

	KUNIT_ASSERT_NOT_NULL(test, o);
	kunit_activate_static_stub(test, smalloc_wr_poke, counting_wr_poke);
	wr_pokes = 0;

	/* Unsealed: plain stores. */
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_assign(o->a, 1));
	KUNIT_EXPECT_EQ(test, 1, READ_ONCE(o->a));
	KUNIT_EXPECT_EQ(test, 0, wr_pokes);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_assign(o->a, 0x1122334455667788ULL));
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_assign(o->b, 0xdeadbeef));
	memset(pattern, 0x5a, sizeof(pattern));
	pattern[0] = 1;
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_memcpy(o->bytes, pattern,
						   sizeof(pattern)));
	KUNIT_EXPECT_EQ(test, 0x1122334455667788ULL, READ_ONCE(o->a));
	KUNIT_EXPECT_EQ(test, 0xdeadbeef, READ_ONCE(o->b));
	KUNIT_EXPECT_MEMEQ(test, o->bytes, pattern, sizeof(pattern));
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_memset(o->bytes, 0xa5, 8));
	KUNIT_EXPECT_NULL(test, memchr_inv(o->bytes, 0xa5, 8));
	KUNIT_EXPECT_EQ(test, 0x5a, o->bytes[8]);
	KUNIT_EXPECT_EQ(test, 4, wr_pokes);

	/* And it stayed sealed, through both mappings, for good. */
	expect_writable(test, (u8 *)&o->a, false);
	expect_writable(test, &o->bytes[0], false);
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool)));
}

static DEFINE_SPINLOCK(wr_ticket_lock);
static DECLARE_COMPLETION(wr_ticket_softirq_done);
/* Tickets are __ro_after_init: this suite runs at boot, before that. */
static struct smalloc_wr_ticket wr_ticket __ro_after_init;
static struct smalloc_wr_ticket wr_ticket_pages __ro_after_init;

/*
 * The test's pool is destroyed when it ends, and smalloc_wr_commit() could
 * not tell a page vmalloc reuses at the same address: no ticket to it may
 * outlive it.  Before the pool's own cleanup, still at boot.
 */
static void wr_tickets_clear(void *unused)
{
	memset(&wr_ticket, 0, sizeof(wr_ticket));
	memset(&wr_ticket_pages, 0, sizeof(wr_ticket_pages));
}

/* Take wr_ticket_lock in softirq context, so that lockdep knows it so. */
static void wr_ticket_timer_fn(struct timer_list *timer)
{
	spin_lock(&wr_ticket_lock);
	spin_unlock(&wr_ticket_lock);
	complete(&wr_ticket_softirq_done);
}

/*
 * A ticket: checked once, at boot, then written without a lookup, under a
 * spinlock that softirqs take (lockdep would report the vmap node lock
 * taken under it), also across a page boundary; only within its target,
 * only from __ro_after_init, only once the pool is sealed for good.
 */
static void smalloc_wr_test_ticket(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	u64 *a = smalloc_zalloc(pool, sizeof(*a));
	u64 *b = smalloc_zalloc(pool, sizeof(*b));
	u8 *big = smalloc_zalloc(pool, 2 * PAGE_SIZE);
	u64 v = 0x0102030405060708ULL, w[2] = { 0x1111, 0x2222 };
	struct smalloc_wr_ticket forged;
	struct timer_list timer;
	unsigned long flags;
	u8 *edge;
	int ret;

	if (system_state >= SYSTEM_FREEING_INITMEM)
		kunit_skip(test, "tickets are prepared during boot only");
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, wr_tickets_clear, NULL));
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, big);
	/* Not yet sealed for good: anyone may write it, so no ticket. */
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_prepare(&wr_ticket, a, sizeof(*a))));
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	/* A ticket outside __ro_after_init, and two objects at once. */
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_prepare(&forged, a, sizeof(*a))));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_prepare(&wr_ticket, a,
								   2 * sizeof(*a))));
	KUNIT_ASSERT_EQ(test, 0, smalloc_wr_prepare(&wr_ticket, a, sizeof(*a)));

	timer_setup_on_stack(&timer, wr_ticket_timer_fn, 0);
	mod_timer(&timer, jiffies);
	wait_for_completion(&wr_ticket_softirq_done);
	del_timer_sync(&timer);
	destroy_timer_on_stack(&timer);
	spin_lock_irqsave(&wr_ticket_lock, flags);
	ret = smalloc_wr_commit(&wr_ticket, a, &v, sizeof(v));
	spin_unlock_irqrestore(&wr_ticket_lock, flags);
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_EQ(test, v, READ_ONCE(*a));

	/*
	 * Where pools cannot be sealed (x86_64 booted with rodata=off), a
	 * ticket lies in writable memory like any other: no commit.
	 */
	kunit_activate_static_stub(test, smalloc_can_seal, smalloc_cannot_seal);
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_commit(&wr_ticket, a, &w[0],
								  sizeof(u64))));
	kunit_deactivate_static_stub(test, smalloc_can_seal);
	KUNIT_EXPECT_EQ(test, v, READ_ONCE(*a));

	/* Outside the ticket: the next object, or past the end. */
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_commit(&wr_ticket, b, &v, sizeof(v))));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_commit(&wr_ticket, (u8 *)a + 4, &v,
								  sizeof(v))));
	/* A copy of a good ticket, where an attacker could have written it. */
	forged = wr_ticket;
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_commit(&forged, a, &w[0], 1)));
	KUNIT_EXPECT_EQ(test, v, READ_ONCE(*a));
	KUNIT_EXPECT_EQ(test, 0, READ_ONCE(*b));

	/* 16 bytes across a page boundary, written in the second page. */
	edge = big + PAGE_SIZE - offset_in_page(big) - sizeof(u64);
	KUNIT_ASSERT_EQ(test, 0, smalloc_wr_prepare(&wr_ticket_pages, edge,
						    sizeof(w)));
	KUNIT_EXPECT_EQ(test, 2, wr_ticket_pages.nr);
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_commit(&wr_ticket_pages,
						   edge + sizeof(u64), &w[1],
						   sizeof(u64)));
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_commit(&wr_ticket_pages, edge, w,
						   sizeof(w)));
	KUNIT_EXPECT_MEMEQ(test, edge, w, sizeof(w));
	KUNIT_EXPECT_NULL(test, memchr_inv(big, 0, edge - big));
	expect_writable(test, (u8 *)a, false);
	expect_writable(test, edge + sizeof(u64), false);
}

/* A pool that is only sealed, not for good: never unsealed either. */
static void smalloc_wr_test_no_unseal(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	u64 *p = smalloc_zalloc(pool, sizeof(*p));

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool)));
	expect_writable(test, (u8 *)p, false);
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_assign(*p, 7));
	KUNIT_EXPECT_EQ(test, 7, READ_ONCE(*p));
}

/*
 * The index stays writable: an entry forged to point at a fake node, in
 * vmalloc memory outside any pool, with a fake write-rare pool, must not
 * get a write through.
 */
static void smalloc_wr_test_forged_index(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct smalloc_pool *fake_pool;
	struct smalloc_node *fake;
	u8 ones[8], *obj;

	/* In smalloc's window, where lookups look: only the area check is left. */
	fake = __vmalloc_node_range(PAGE_SIZE, PAGE_SIZE, SMALLOC_VSTART,
				    SMALLOC_VEND, GFP_KERNEL | __GFP_ZERO,
				    PAGE_KERNEL, 0, NUMA_NO_NODE,
				    __builtin_return_address(0));
	KUNIT_ASSERT_NOT_NULL(test, fake);
	fake_pool = (void *)(fake + 1);
	*fake_pool = *pool;
	fake_pool->final = true;
	*fake = (struct smalloc_node) {
		.pool = fake_pool, .size = PAGE_SIZE, .base = 256,
		.used = 320, .nr = 1,
	};
	*smalloc_node_end(fake, 0) = 320;
	obj = (u8 *)fake + 256;
	memset(ones, 0xff, sizeof(ones));
	/* The page's descriptor forged too, as a lookup reads it. */
	vmalloc_to_page(fake)->index = 0;
	set_page_private(vmalloc_to_page(fake), SMALLOC_PAGE_USED);
	if (smalloc_index_add(fake)) {
		set_page_private(vmalloc_to_page(fake), 0);
		vfree(fake);
		KUNIT_FAIL(test, "cannot forge an index entry");
		return;
	}
	KUNIT_EXPECT_TRUE(test, is_smalloc_addr(obj));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_memcpy(obj, ones, 8)));
	KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, 64));
	KUNIT_EXPECT_EQ(test, 0, smalloc_index_remove(fake, PAGE_SIZE));
	synchronize_rcu();
	set_page_private(vmalloc_to_page(fake), 0);
	vfree(fake);
}

/*
 * The index rewritten between the lookup that finds a target's node and a
 * second one: a fake header below the node, naming the pool, whose one
 * object of 64 bytes starts at the 8-byte target.  The write must be
 * checked against the object of the node that was checked, and refused.
 */
static void smalloc_wr_test_index_switched(struct kunit *test)
{
	struct smalloc_node *fake, *node;
	struct smalloc_pool *pool;
	u8 ones[16];
	u64 *a, *b;

	/* First, so that the pool's node, made next, lies above it. */
	fake = __vmalloc_node_range(PAGE_SIZE, PAGE_SIZE, SMALLOC_VSTART,
				    SMALLOC_VEND, GFP_KERNEL | __GFP_ZERO,
				    PAGE_KERNEL, 0, NUMA_NO_NODE,
				    __builtin_return_address(0));
	KUNIT_ASSERT_NOT_NULL(test, fake);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kvfree_action, fake));
	pool = test_wr_pool(test);
	a = smalloc_zalloc(pool, sizeof(*a));
	b = smalloc_zalloc(pool, sizeof(*b));
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_PTR_EQ(test, a + 1, b);
	node = smalloc_index_find(a);
	KUNIT_ASSERT_NOT_NULL(test, node);
	KUNIT_ASSERT_LT(test, (unsigned long)fake, (unsigned long)node);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	*fake = (struct smalloc_node) {
		.pool = pool, .size = (void *)a - (void *)fake + PAGE_SIZE,
		.base = (void *)a - (void *)fake, .nr = 1, .align = 8,
		.stride = 64, .osize = 64,
	};
	memset(ones, 0xff, sizeof(ones));

	index_switch.page = vmalloc_to_page(a);
	index_switch.fake = fake;
	index_switch.task = current;
	WRITE_ONCE(index_switch.node, node);
	static_branch_enable(&smalloc_test_points);
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_memcpy(a, ones,
								  sizeof(ones))));
	static_branch_disable(&smalloc_test_points);
	/* The rewrite happened, after the first lookup. */
	KUNIT_EXPECT_NULL(test, READ_ONCE(index_switch.node));
	WRITE_ONCE(index_switch.node, NULL);
	index_switch.page->index = (unsigned long)node;
	synchronize_rcu();
	KUNIT_EXPECT_EQ(test, 0, READ_ONCE(*a));
	KUNIT_EXPECT_EQ(test, 0, READ_ONCE(*b));
}

static const u64 wr_rodata = 0x600d;

/* Refused, with a warning, and nothing written. */
static void smalloc_wr_test_refused(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct smalloc_pool *plain = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *a = smalloc_zalloc(pool, 32);
	u8 *b = smalloc_zalloc(pool, 32);
	u8 *c = smalloc_zalloc(plain, 32);
	u8 *k = kunit_kzalloc(test, 32, GFP_KERNEL);
	u8 ones[16];

	memset(ones, 0xff, sizeof(ones));
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_PTR_EQ(test, a + 32, b);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(plain));

	/* Across two objects, past the last one, before the first one. */
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_memcpy(a + 24, ones, 16)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_wr_memcpy(b + 28, ones, 8)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_wr_memset(a - 8, 0xff, 8)));
	/* A pool not created for write-rare, kmalloc memory, rodata. */
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_wr_memcpy(c, ones, 8)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_wr_memcpy(k, ones, 8)));
	SMALLOC_EXPECT_WARNINGS(test, 1,
				KUNIT_EXPECT_EQ(test, -EINVAL,
						smalloc_wr_memcpy((void *)&wr_rodata,
								  ones, 8)));

	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0, 32));
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0, 32));
	KUNIT_EXPECT_NULL(test, memchr_inv(c, 0, 32));
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0, 32));
	KUNIT_EXPECT_EQ(test, 0x600d, READ_ONCE(wr_rodata));

	/* The architecture refuses what is not vmalloc memory, too. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_write_rare((void *)&wr_rodata, ones, 8, false));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_write_rare((void *)smalloc_wr_test_refused, ones,
					1, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(k, ones, 8, false));
	KUNIT_EXPECT_EQ(test, 0x600d, READ_ONCE(wr_rodata));
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0, 32));
}

/* Writes across page boundaries, and longer than a page. */
static void smalloc_wr_test_cross_page(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	size_t big = 2 * PAGE_SIZE + 64, i, off;
	u8 *p = smalloc_zalloc(pool, 3 * PAGE_SIZE);
	u8 *buf = kunit_kmalloc(test, big, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < big; i++)
		buf[i] = i * 7 + 3;
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));

	/* 64 bytes, 32 on each side of the first page boundary. */
	off = PAGE_SIZE - offset_in_page(p) - 32;
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_memcpy(p + off, buf, 64));
	KUNIT_EXPECT_MEMEQ(test, p + off, buf, 64);
	KUNIT_EXPECT_EQ(test, 0, p[off - 1]);
	KUNIT_EXPECT_EQ(test, 0, p[off + 64]);
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_memset(p + off + 16, 0x77, 32));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + off + 16, 0x77, 32));

	/* More than two pages, in one call. */
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_memcpy(p + 8, buf, big));
	KUNIT_EXPECT_MEMEQ(test, p + 8, buf, big);

	expect_writable(test, p + off + 40, false);
	expect_writable(test, p + 8 + big - 1, false);
}

struct wr_race {
	u64 *target;
	struct completion done;
	bool stop;
	unsigned long writes, probes, written;
	int err;
};

static int wr_race_writer(void *data)
{
	struct wr_race *r = data;
	u64 i;

	for (i = 1; i <= WR_RACE_WRITES; i++) {
		r->err |= smalloc_wr_assign(*r->target, i);
		r->writes++;
		if (i % 64 == 0)
			cond_resched();
	}
	WRITE_ONCE(r->stop, true);
	complete(&r->done);
	return 0;
}

/* Try to write @p through both mappings while the writer runs. */
static int wr_race_prober(void *data)
{
	struct wr_race *r = data;
	u64 v = 0xbad;

	while (!READ_ONCE(r->stop)) {
		if (!copy_to_kernel_nofault(r->target, &v, sizeof(v)))
			r->written++;
		if (!copy_to_kernel_nofault(linear_alias(r->target), &v,
					    sizeof(v)))
			r->written++;
		r->probes++;
		if (r->probes % 64 == 0)
			cond_resched();
	}
	complete(&r->done);
	return 0;
}

/*
 * While one CPU writes an object again and again with write-rare, another
 * tries plain writes to it through both of its mappings: none may succeed.
 */
static void smalloc_wr_test_other_cpus(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct wr_race writer = {}, prober = {};
	struct task_struct *w, *p;
	u64 *target = smalloc_zalloc(pool, sizeof(*target));

	KUNIT_ASSERT_GE_MSG(test, num_online_cpus(), 2,
			    "the race needs two CPUs (-smp 2)");
	KUNIT_ASSERT_NOT_NULL(test, target);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	writer.target = target;
	prober.target = target;
	init_completion(&writer.done);
	init_completion(&prober.done);

	w = kthread_create(wr_race_writer, &writer, "smalloc_wr/w");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w));
	p = kthread_create(wr_race_prober, &prober, "smalloc_wr/p");
	if (IS_ERR(p)) {
		kthread_stop(w);
		KUNIT_FAIL(test, "no prober thread");
		return;
	}
	kthread_bind(w, 0);
	kthread_bind(p, 1);
	wake_up_process(p);
	wake_up_process(w);
	wait_for_completion(&writer.done);
	WRITE_ONCE(prober.stop, true);
	wait_for_completion(&prober.done);

	KUNIT_EXPECT_EQ(test, 0, writer.err);
	KUNIT_EXPECT_EQ(test, WR_RACE_WRITES, writer.writes);
	KUNIT_EXPECT_EQ(test, WR_RACE_WRITES, READ_ONCE(*target));
	KUNIT_EXPECT_GT(test, prober.probes, 0);
	KUNIT_EXPECT_EQ(test, 0, prober.written);
	kunit_info(test, "%lu write-rare stores on CPU 0, %lu probes of both mappings on CPU 1, %lu plain writes went through\n",
		   writer.writes, prober.probes, prober.written);
}

struct wr_reader {
	struct wr_object *head;
	struct completion done;
	u64 want;
	bool uninitialised;
	bool seen;
};

/* Follow head->next under RCU until it leads to @want. */
static int wr_rcu_reader(void *data)
{
	struct wr_reader *r = data;
	unsigned long deadline = jiffies + 30 * HZ;
	struct wr_object *n;

	while (!r->seen && time_before(jiffies, deadline)) {
		rcu_read_lock();
		n = rcu_dereference(r->head->next);
		if (n && !READ_ONCE(n->a))
			r->uninitialised = true;
		if (n && READ_ONCE(n->a) == r->want)
			r->seen = true;
		rcu_read_unlock();
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

static void smalloc_wr_test_rcu_pointer(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct wr_object *head = smalloc_zalloc(pool, sizeof(*head));
	struct wr_object *one = smalloc_zalloc(pool, sizeof(*one));
	struct wr_object *two = kunit_kzalloc(test, sizeof(*two), GFP_KERNEL);
	struct wr_reader r = { .head = head, .want = 2 };
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_ASSERT_NOT_NULL(test, one);
	KUNIT_ASSERT_NOT_NULL(test, two);
	one->a = 1;
	KUNIT_ASSERT_EQ(test, 0, smalloc_wr_rcu_assign_pointer(head->next, one));
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));

	init_completion(&r.done);
	t = kthread_run(wr_rcu_reader, &r, "smalloc_wr/rcu");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/*
	 * Initialised before it is published: the reader never sees 0.  (On
	 * x86, stores are ordered anyway: this checks the publication, not
	 * the barrier.)
	 */
	two->a = 2;
	KUNIT_EXPECT_EQ(test, 0, smalloc_wr_rcu_assign_pointer(head->next, two));
	wait_for_completion(&r.done);
	KUNIT_EXPECT_TRUE(test, r.seen);
	KUNIT_EXPECT_FALSE(test, r.uninitialised);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(head->next), two);
	synchronize_rcu();
	expect_writable(test, (u8 *)&head->next, false);
}

static const u8 wr_ones[16] = { [0 ... 15] = 0xff };

/*
 * arch_write_rare() is no general write gadget: on its own, whatever
 * smalloc checked, it writes only mapped RAM of a VM_SMALLOC area.  What
 * it refuses fails with an error, writes nothing, and does not warn (the
 * harness fails the run on any warning, and on a BUG).
 */
static void smalloc_wr_test_hook_refuses(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	u8 *obj = smalloc_zalloc(pool, 64);
	u8 *big = kunit_kzalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
	struct smalloc_node *node;
	struct vm_struct *area;
	struct page *page;
	u8 *ro, *gone, *guard;
	int c = 0xff;
	u64 before;

	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));

	/* Nothing, or more than a page, even within a write-rare node. */
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(obj, wr_ones, 0, false));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_write_rare(obj, big, PAGE_SIZE + 1, false));
	KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, 64));

	/* vmalloc memory, writable, then read-only as a BPF image is. */
	ro = vzalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, ro);
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(ro, wr_ones, 8, false));
	KUNIT_EXPECT_EQ(test, 0, set_memory_ro((unsigned long)ro, 1));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(ro, wr_ones, 8, false));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(ro + 8, &c, 1, true));
	KUNIT_EXPECT_NULL(test, memchr_inv(ro, 0, PAGE_SIZE));
	set_memory_rw((unsigned long)ro, 1);
	vfree(ro);

	/* Freed: no area there, nothing mapped. */
	gone = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	vfree(gone);
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_write_rare(gone, wr_ones, 8, false));

	/*
	 * The guard page after a node: in a VM_SMALLOC area, but not mapped.
	 * A write from the node's last bytes into it writes neither page.
	 */
	rcu_read_lock();
	node = smalloc_index_find(obj);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, node);
	guard = (u8 *)node + node->size;
	before = READ_ONCE(*(u64 *)(guard - 8));
	KUNIT_EXPECT_EQ(test, -EFAULT, arch_write_rare(guard, wr_ones, 8, false));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			arch_write_rare(guard - 8, wr_ones, 16, false));
	KUNIT_EXPECT_EQ(test, before, READ_ONCE(*(u64 *)(guard - 8)));

	/*
	 * A VM_IOREMAP area, made as ioremap() makes one, but over a page of
	 * RAM of ours: mapped and RAM, so only the area's flags refuse it, and
	 * a wrong write would show in the page, and harm nothing else.
	 */
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	area = get_vm_area(PAGE_SIZE, VM_IOREMAP);
	if (!area) {
		__free_page(page);
		KUNIT_FAIL(test, "no VM_IOREMAP area");
		return;
	}
	KUNIT_EXPECT_EQ(test, 0,
			ioremap_page_range((unsigned long)area->addr,
					   (unsigned long)area->addr + PAGE_SIZE,
					   page_to_phys(page), PAGE_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, page, vmalloc_to_page(area->addr));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_write_rare(area->addr, wr_ones, 8, false));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(page), 0, PAGE_SIZE));
	free_vm_area(area);
	__free_page(page);

#ifdef CONFIG_X86
	{
		/*
		 * A real ioremap(): the legacy VGA window, which is never RAM
		 * and which anybody may map again; a wrong write there would
		 * only touch video memory.  Its pfn has a struct page, so
		 * again the area's flags refuse it.
		 */
		void __iomem *io = ioremap(0xa0000, PAGE_SIZE);

		if (io) {
			KUNIT_EXPECT_EQ(test, -EINVAL,
					arch_write_rare((void __force *)io,
							wr_ones, 8, false));
			iounmap(io);
		} else {
			kunit_info(test, "no ioremap() of 0xa0000: not tried\n");
		}
	}
#endif
}

/*
 * Rewritten by text_poke() on one CPU while another writes: text_poke()
 * against write-rare.  Its first byte is poked with the value it has, so
 * the text is the same, but every poke maps the page in poking_mm, under
 * its PTE lock, and writes it.
 */
static noinline int wr_test_poked(void)
{
	return 42;
}

struct wr_poker {
	struct completion done;
	bool stop;
	unsigned long pokes, wrong;
};

static int wr_poke_text(void *data)
{
	struct wr_poker *f = data;
	u8 *text = (u8 *)wr_test_poked;
	u8 byte;

	while (!READ_ONCE(f->stop)) {
		mutex_lock(&text_mutex);
		byte = READ_ONCE(*text);
		text_poke(text, &byte, 1);
		mutex_unlock(&text_mutex);
		f->wrong += wr_test_poked() != 42;
		f->pokes++;
		cond_resched();
	}
	complete(&f->done);
	return 0;
}

struct wr_poke_writer {
	u64 *word;
	u8 *across;
	struct completion done;
	unsigned long writes, lost;
	int err;
};

/* For a second: a word, and 16 bytes across a page boundary, read back. */
static int wr_poke_write(void *data)
{
	struct wr_poke_writer *w = data;
	unsigned long end = jiffies + HZ;
	u8 buf[16];
	u64 i;

	for (i = 1; time_before(jiffies, end); i++) {
		w->err |= smalloc_wr_assign(*w->word, i);
		w->lost += READ_ONCE(*w->word) != i;
		memset(buf, (u8)i, sizeof(buf));
		w->err |= smalloc_wr_memcpy(w->across, buf, sizeof(buf));
		w->lost += !!memcmp(w->across, buf, sizeof(buf));
		w->writes += 2;
		if (i % 64 == 0)
			cond_resched();
	}
	complete(&w->done);
	return 0;
}

/*
 * Write-rare shares nothing with text_poke(): while a kthread on CPU 1
 * patches text through poking_mm, a kthread on CPU 0 writes with
 * write-rare.  Neither may hang, and no write is lost.
 */
static void smalloc_wr_test_text_poke(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	u8 *p = smalloc_zalloc(pool, 2 * PAGE_SIZE);
	u64 *word = smalloc_zalloc(pool, sizeof(*word));
	struct wr_poke_writer writer = {};
	struct wr_poker poker = {};
	struct task_struct *w, *f;

	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(0) && cpu_online(1),
			      "the race needs CPUs 0 and 1 (-smp 2)");
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, word);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	writer.word = word;
	writer.across = p + PAGE_SIZE - offset_in_page(p) - 8;
	init_completion(&writer.done);
	init_completion(&poker.done);

	w = kthread_create(wr_poke_write, &writer, "smalloc_wr/w");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w));
	f = kthread_create(wr_poke_text, &poker, "smalloc_wr/poke");
	if (IS_ERR(f)) {
		kthread_stop(w);
		KUNIT_FAIL(test, "no text_poke() thread");
		return;
	}
	kthread_bind(w, 0);
	kthread_bind(f, 1);
	wake_up_process(f);
	wake_up_process(w);
	wait_for_completion(&writer.done);
	WRITE_ONCE(poker.stop, true);
	wait_for_completion(&poker.done);

	KUNIT_EXPECT_EQ(test, 0, writer.err);
	KUNIT_EXPECT_EQ(test, 0, writer.lost);
	KUNIT_EXPECT_GT(test, writer.writes, 0);
	KUNIT_EXPECT_GT(test, poker.pokes, 0);
	KUNIT_EXPECT_EQ(test, 0, poker.wrong);
	kunit_info(test, "%lu write-rare writes on CPU 0, %lu text_poke()s on CPU 1\n",
		   writer.writes, poker.pokes);
}

/*
 * Each CPU writes through a slot of its own: write-rare on CPUs 0 and 1 at
 * once, each to a word and across a page boundary of an object of its
 * own, for a second.  A write that went through the other CPU's mapping
 * would land in the other object, and its own would not read back.
 */
static void smalloc_wr_test_two_cpus(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	struct wr_poke_writer writer[2] = {};
	struct task_struct *t[2];
	u8 *p;
	int i;

	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(0) && cpu_online(1),
			      "the race needs CPUs 0 and 1 (-smp 2)");
	for (i = 0; i < 2; i++) {
		p = smalloc_zalloc(pool, 2 * PAGE_SIZE);
		KUNIT_ASSERT_NOT_NULL(test, p);
		writer[i].across = p + PAGE_SIZE - offset_in_page(p) - 8;
		writer[i].word = (u64 *)(writer[i].across - 64);
		KUNIT_ASSERT_TRUE(test, (u8 *)writer[i].word >= p);
		init_completion(&writer[i].done);
	}
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	for (i = 0; i < 2; i++) {
		t[i] = kthread_create(wr_poke_write, &writer[i], "smalloc_wr/%d", i);
		if (IS_ERR(t[i])) {
			if (i)
				kthread_stop(t[0]);
			KUNIT_FAIL(test, "no writer thread");
			return;
		}
		kthread_bind(t[i], i);
	}
	wake_up_process(t[0]);
	wake_up_process(t[1]);
	for (i = 0; i < 2; i++) {
		wait_for_completion(&writer[i].done);
		KUNIT_EXPECT_EQ(test, 0, writer[i].err);
		KUNIT_EXPECT_EQ(test, 0, writer[i].lost);
		KUNIT_EXPECT_GT(test, writer[i].writes, 0);
	}
	kunit_info(test, "%lu and %lu write-rare writes on CPUs 0 and 1\n",
		   writer[0].writes, writer[1].writes);
}

struct wr_ctx {
	struct work_struct work;
	struct irq_work irq_work;
	struct kunit *test;
	u64 *target;
	bool softirq, hardirq, counted;
	int hook, wr;
};

/* Serving a softirq: the hook refuses quietly, smalloc with a warning. */
static void wr_ctx_bh_work(struct work_struct *work)
{
	struct wr_ctx *c = container_of(work, struct wr_ctx, work);
	u64 v = 0xbad;

	c->softirq = in_serving_softirq();
	c->hook = arch_write_rare(c->target, &v, sizeof(v), false);
	/* Its warning is counted only in the test's task, not in ksoftirqd. */
	c->counted = kunit_get_current_test() == c->test;
	if (c->counted)
		c->wr = smalloc_wr_assign(*c->target, v);
}

static void wr_ctx_irq_work(struct irq_work *work)
{
	struct wr_ctx *c = container_of(work, struct wr_ctx, irq_work);
	u64 v = 0xbad;

	c->hardirq = in_hardirq();
	c->hook = arch_write_rare(c->target, &v, sizeof(v), false);
}

/*
 * Task context with interrupts or softirqs off: written (but on
 * PREEMPT_RT, with interrupts off).  Serving a softirq, or a hardirq:
 * refused, -EINVAL, and nothing written.
 */
static void smalloc_wr_test_contexts(struct kunit *test)
{
	struct smalloc_pool *pool = test_wr_pool(test);
	u64 *p = smalloc_zalloc(pool, sizeof(*p));
	bool rt = IS_ENABLED(CONFIG_PREEMPT_RT);
	struct wr_ctx c = { .test = test };
	unsigned long flags;
	u64 v = 2, want;
	int ret, hook;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	c.target = p;

	SMALLOC_EXPECT_WARNINGS(test, rt ? 1 : 0, {
		local_irq_save(flags);
		ret = smalloc_wr_assign(*p, 1);
		hook = arch_write_rare(p, &v, sizeof(v), false);
		local_irq_restore(flags);
	});
	KUNIT_EXPECT_EQ(test, rt ? -EINVAL : 0, ret);
	KUNIT_EXPECT_EQ(test, rt ? -EINVAL : 0, hook);
	want = rt ? 0 : 2;
	KUNIT_EXPECT_EQ(test, want, READ_ONCE(*p));

	local_bh_disable();
	ret = smalloc_wr_assign(*p, 3);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, 0, ret);
	want = 3;
	KUNIT_EXPECT_EQ(test, want, READ_ONCE(*p));

	/*
	 * A BH work item, queued on this CPU with softirqs off: it runs in
	 * local_bh_enable(), in this task, where a warning is counted.  The
	 * count expected is read after the statement ran.
	 */
	INIT_WORK_ONSTACK(&c.work, wr_ctx_bh_work);
	SMALLOC_EXPECT_WARNINGS(test, c.counted ? 1 : 0, {
		local_bh_disable();
		queue_work(system_bh_wq, &c.work);
		local_bh_enable();
		flush_work(&c.work);
	});
	destroy_work_on_stack(&c.work);
	KUNIT_EXPECT_TRUE(test, c.softirq);
	KUNIT_EXPECT_EQ(test, -EINVAL, c.hook);
	if (c.counted)
		KUNIT_EXPECT_EQ(test, -EINVAL, c.wr);
	KUNIT_EXPECT_EQ(test, want, READ_ONCE(*p));

	/* A hard irq_work runs in hardirq context, also on PREEMPT_RT. */
	c.irq_work = IRQ_WORK_INIT_HARD(wr_ctx_irq_work);
	c.hook = 0;
	KUNIT_ASSERT_TRUE(test, irq_work_queue(&c.irq_work));
	irq_work_sync(&c.irq_work);
	KUNIT_EXPECT_TRUE(test, c.hardirq);
	KUNIT_EXPECT_EQ(test, -EINVAL, c.hook);
	KUNIT_EXPECT_EQ(test, want, READ_ONCE(*p));
}

#endif /* CONFIG_SMALLOC_WRITE_RARE */

static int smalloc_test_init(struct kunit *test)
{
	warnings.armed = false;
	warnings.count = 0;
	return kunit_add_named_resource(test, NULL, NULL, &resource,
					SMALLOC_WARNINGS, &warnings);
}

static struct kunit_case smalloc_test_cases[] = {
	KUNIT_CASE(smalloc_test_alloc),
	KUNIT_CASE(smalloc_test_alignment),
	KUNIT_CASE(smalloc_test_zalloc),
	KUNIT_CASE(smalloc_test_cross_page),
	KUNIT_CASE(smalloc_test_populate),
	KUNIT_CASE(smalloc_test_populate_run),
	KUNIT_CASE(smalloc_test_carve_forged),
	KUNIT_CASE(smalloc_test_large),
	KUNIT_CASE(smalloc_test_bad_sizes),
	KUNIT_CASE(smalloc_test_null_pool),
	KUNIT_CASE(smalloc_test_seal),
	KUNIT_CASE(smalloc_test_alloc_after_seal),
	KUNIT_CASE(smalloc_test_block_direct_map),
	KUNIT_CASE(smalloc_test_block_release),
	KUNIT_CASE(smalloc_test_destroy_flushes_once),
	KUNIT_CASE(smalloc_test_split_bound),
	KUNIT_CASE(smalloc_test_block_hibernate),
	KUNIT_CASE(smalloc_test_block_forged),
	KUNIT_CASE(smalloc_test_destroy_waits),
	KUNIT_CASE(smalloc_test_free_refused),
#if defined(CONFIG_KASAN_GENERIC) && defined(CONFIG_KASAN_VMALLOC)
	KUNIT_CASE(smalloc_test_kasan),
#endif
	KUNIT_CASE(smalloc_test_sealed_metadata),
	KUNIT_CASE(smalloc_test_sealed_state),
	KUNIT_CASE(smalloc_test_seal_fails),
	KUNIT_CASE(smalloc_test_cannot_seal),
	KUNIT_CASE(smalloc_test_forged_node),
	KUNIT_CASE(smalloc_test_forged_link),
	KUNIT_CASE(smalloc_test_foreign_node),
	KUNIT_CASE(smalloc_test_forged_pool),
	KUNIT_CASE(smalloc_test_forged_during_walk),
	KUNIT_CASE(smalloc_test_mismatched),
	KUNIT_CASE(smalloc_test_cycles),
	KUNIT_CASE(smalloc_test_concurrent),
	KUNIT_CASE(smalloc_test_global_pool),
	KUNIT_CASE(smalloc_test_shared_pool_final),
	KUNIT_CASE(smalloc_test_shared_pool_sealed),
	KUNIT_CASE(smalloc_test_seal_final),
	KUNIT_CASE(smalloc_test_find_object),
	KUNIT_CASE(smalloc_test_lookup_after_destroy),
	KUNIT_CASE(smalloc_test_lookup_stride),
	KUNIT_CASE(smalloc_test_lookup_while_allocating),
	KUNIT_CASE(smalloc_test_usercopy_verdict),
	KUNIT_CASE(smalloc_test_usercopy_allowed),
	KUNIT_CASE(smalloc_test_highmap_alias),
	KUNIT_CASE(smalloc_test_forged_sealed),
	KUNIT_CASE(smalloc_test_nmi_lookup),
	KUNIT_CASE(smalloc_test_find_by_page),
	KUNIT_CASE(smalloc_test_validate_forged_page),
#ifdef CONFIG_SMALLOC_WRITE_RARE
	KUNIT_CASE(smalloc_wr_test_assign),
	KUNIT_CASE(smalloc_wr_test_no_unseal),
	KUNIT_CASE(smalloc_wr_test_ticket),
	KUNIT_CASE(smalloc_wr_test_forged_index),
	KUNIT_CASE(smalloc_wr_test_index_switched),
	KUNIT_CASE(smalloc_wr_test_refused),
	KUNIT_CASE(smalloc_wr_test_cross_page),
	KUNIT_CASE(smalloc_wr_test_other_cpus),
	KUNIT_CASE(smalloc_wr_test_rcu_pointer),
	KUNIT_CASE(smalloc_wr_test_hook_refuses),
	KUNIT_CASE(smalloc_wr_test_text_poke),
	KUNIT_CASE(smalloc_wr_test_two_cpus),
	KUNIT_CASE(smalloc_wr_test_contexts),
#endif
	{}
};

static struct kunit_suite smalloc_test_suite = {
	.name = "smalloc",
	.init = smalloc_test_init,
	.test_cases = smalloc_test_cases,
};

kunit_test_suite(smalloc_test_suite);

/*
 * Stress against a model.
 *
 * For smalloc_kunit.stress_seconds, as many worker kthreads as there are
 * CPUs walk pools of their own through random steps (create, alloc, seal,
 * unseal, seal_final, write-rare, destroy), and each checks, after each
 * step, every object of the pool it changed against a model of that
 * pool: its contents, and whether it is writable through both mappings
 * or refuses the write, as smalloc_validate() and smalloc_find_object()
 * say.  Meanwhile as many reader kthreads look up, without a lock,
 * objects that the workers allocated, half of the time one of a pool
 * being destroyed, as usercopy does (smalloc_find_object(), the sealed
 * check of smalloc_validate(), smalloc_copy_verdict()): whatever they
 * find must be consistent, and nothing may fault.  Their lookups stop
 * for up to STRESS_WINDOW_US, at random, where they hold a node
 * (smalloc_test_point()), so that a destroy that frees a node under a
 * lookup has a window to show in.  Each worker draws from
 * its own generator, seeded from smalloc_kunit.stress_seed (or at random,
 * and printed), so that a seed replays every worker's steps on as many
 * CPUs; the interleaving of the threads is not replayed.
 */
#define STRESS_MAX_SECONDS 180	/* and a minute, within KUnit's timeout */
static unsigned long stress_seconds = 5;
module_param(stress_seconds, ulong, 0444);
MODULE_PARM_DESC(stress_seconds, "How long smalloc_stress runs, in seconds (1 to 180)");
static u64 stress_seed;
module_param(stress_seed, ullong, 0444);
MODULE_PARM_DESC(stress_seed, "Seed of smalloc_stress (0: a random one)");

#define STRESS_POOLS	4	/* per worker */
#define STRESS_OBJECTS	24	/* per pool */
#define STRESS_SEEN	256	/* addresses the readers look up */
#define STRESS_DYING	32	/* and of pools being destroyed */

enum stress_state { STRESS_NONE, STRESS_OPEN, STRESS_SEALED, STRESS_FINAL };

enum stress_step {
	STRESS_CREATE, STRESS_ALLOC, STRESS_SEAL, STRESS_UNSEAL,
	STRESS_SEAL_FINAL, STRESS_WR, STRESS_DESTROY, STRESS_NR_STEPS
};

struct stress_object {
	u8 *p;
	size_t size;
	u8 val;		/* every byte of the object */
};

struct stress_pool {
	struct smalloc_pool *pool;
	enum stress_state state;
	bool wr;
	unsigned int nr;
	struct stress_object obj[STRESS_OBJECTS];
};

/*
 * Objects the readers look up: any worker's, of live pools or not, and,
 * half of the time, one of a pool that is being destroyed.
 */
static struct {
	u8 *p;
	size_t size;
} stress_seen[STRESS_SEEN + STRESS_DYING];

struct stress_thread {
	struct task_struct *task;
	struct completion done;
	struct rnd_state rnd;
	unsigned long deadline;
	int id;
	/* A worker's pools, what it did and the first thing that was wrong. */
	struct stress_pool pools[STRESS_POOLS];
	unsigned long steps[STRESS_NR_STEPS];
	unsigned long lookups, found;
	unsigned long errors;
	char error[160];
};

static const char *const stress_step_names[STRESS_NR_STEPS + 1] = {
	[STRESS_CREATE] = "create",
	[STRESS_ALLOC] = "alloc",
	[STRESS_SEAL] = "seal",
	[STRESS_UNSEAL] = "unseal",
	[STRESS_SEAL_FINAL] = "seal_final",
	[STRESS_WR] = "wr",
	[STRESS_DESTROY] = "destroy",
	[STRESS_NR_STEPS] = "lookups",
};

static __printf(2, 3) void stress_error(struct stress_thread *t,
					const char *fmt, ...)
{
	va_list args;

	if (!t->errors++) {
		va_start(args, fmt);
		vsnprintf(t->error, sizeof(t->error), fmt, args);
		va_end(args);
	}
}

/* Does @p take a write, through its vmalloc address and its alias? */
static int stress_writable(u8 *p)
{
	int vmalloc_ok = !try_write(p, READ_ONCE(*p));
	int alias_ok = !try_write(linear_alias(p), READ_ONCE(*p));

	return vmalloc_ok + alias_ok;	/* 2 both, 0 neither */
}

/* Check every object of @sp against the model. */
static void stress_check(struct stress_thread *t, struct stress_pool *sp,
			 int step)
{
	bool sealed = sp->state == STRESS_SEALED || sp->state == STRESS_FINAL;
	struct smalloc_object obj;
	unsigned int i;
	int w;

	for (i = 0; i < sp->nr; i++) {
		struct stress_object *o = &sp->obj[i];

		if (memchr_inv(o->p, o->val, o->size))
			stress_error(t, "step %d: object %u of %zu bytes changed",
				     step, i, o->size);
		/* The first byte, the last, and one in between. */
		w = stress_writable(o->p) + stress_writable(o->p + o->size - 1) +
		    stress_writable(o->p + o->size / 2);
		/* Open objects take no write through an unmapped alias. */
		if (w != (sealed ? 0 : smalloc_blocks_unmapped() ? 3 : 6))
			stress_error(t, "step %d: %s object %u: %d of 6 writes taken",
				     step, sealed ? "sealed" : "open", i, w);
		if (smalloc_validate(o->p, o->size, sp->pool, sealed))
			stress_error(t, "step %d: object %u not valid as %s",
				     step, i, sealed ? "sealed" : "open");
		if (!smalloc_find_object(o->p + o->size - 1, &obj) ||
		    obj.pool != sp->pool || obj.start != o->p ||
		    obj.size != o->size || obj.sealed != sealed)
			stress_error(t, "step %d: object %u found wrong", step, i);
	}
}

static void stress_publish(struct stress_thread *t, u8 *p, size_t size)
{
	unsigned int i = prandom_u32_state(&t->rnd) % STRESS_SEEN;

	WRITE_ONCE(stress_seen[i].size, size);
	WRITE_ONCE(stress_seen[i].p, p);
}

/* One random step on a random pool of @t's; then check that pool. */
static void stress_step(struct stress_thread *t, int step)
{
	struct stress_pool *sp = &t->pools[prandom_u32_state(&t->rnd) %
					   STRESS_POOLS];
	u32 r = prandom_u32_state(&t->rnd) % 100;
	enum stress_step op, seal;
	struct stress_object *o;
	unsigned int i;
	size_t size;

	/* Write-rare pools are sealed for good only. */
	seal = sp->wr ? STRESS_SEAL_FINAL : STRESS_SEAL;
	switch (sp->state) {
	case STRESS_NONE:
		op = STRESS_CREATE;
		break;
	case STRESS_OPEN:
		op = r < 70 ? STRESS_ALLOC : r < 80 ? seal :
		     r < 90 ? STRESS_SEAL_FINAL : STRESS_DESTROY;
		if (op == STRESS_ALLOC && sp->nr == STRESS_OBJECTS)
			op = seal;
		break;
	case STRESS_SEALED:
		op = r < 70 ? STRESS_UNSEAL : STRESS_DESTROY;
		break;
	default:
		op = sp->wr && r < 70 ? STRESS_WR : STRESS_DESTROY;
		break;
	}
	t->steps[op]++;

	switch (op) {
	case STRESS_CREATE:
		sp->wr = IS_ENABLED(CONFIG_SMALLOC_WRITE_RARE) && r < 25;
		sp->pool = sp->wr ? smalloc_create_wr("smalloc_stress") :
				    smalloc_create("smalloc_stress");
		if (!sp->pool) {
			stress_error(t, "step %d: create failed", step);
			return;
		}
		sp->state = STRESS_OPEN;
		sp->nr = 0;
		break;
	case STRESS_ALLOC:
		/* Mostly small, sometimes a node of its own. */
		size = r < 60 ? 1 + prandom_u32_state(&t->rnd) % 256 :
		       r < 65 ? 1 + prandom_u32_state(&t->rnd) % (4 * PAGE_SIZE) :
				1 + prandom_u32_state(&t->rnd) % 2048;
		o = &sp->obj[sp->nr];
		o->p = smalloc_alloc(sp->pool, size);
		if (!o->p) {
			stress_error(t, "step %d: alloc of %zu failed", step, size);
			return;
		}
		o->size = size;
		o->val = prandom_u32_state(&t->rnd);
		memset(o->p, o->val, size);
		sp->nr++;
		stress_publish(t, o->p, size);
		break;
	case STRESS_SEAL:
		if (smalloc_seal(sp->pool))
			stress_error(t, "step %d: seal failed", step);
		else
			sp->state = STRESS_SEALED;
		break;
	case STRESS_UNSEAL:
		if (smalloc_unseal(sp->pool))
			stress_error(t, "step %d: unseal failed", step);
		else
			sp->state = STRESS_OPEN;
		break;
	case STRESS_SEAL_FINAL:
		if (smalloc_seal_final(sp->pool))
			stress_error(t, "step %d: seal_final failed", step);
		else
			sp->state = STRESS_FINAL;
		break;
	case STRESS_WR:
		if (!sp->nr)
			break;
		o = &sp->obj[prandom_u32_state(&t->rnd) % sp->nr];
		i = prandom_u32_state(&t->rnd);
		if (smalloc_wr_memset(o->p, i, o->size))
			stress_error(t, "step %d: write-rare failed", step);
		else
			o->val = i;
		break;
	case STRESS_DESTROY:
	default:
		/*
		 * Its objects stay among those the readers look up.  Whether
		 * a lookup of them fails now is not checked here: another
		 * worker's new node may have their addresses already.
		 */
		if (sp->nr) {
			o = &sp->obj[prandom_u32_state(&t->rnd) % sp->nr];
			i = STRESS_SEEN + t->id % STRESS_DYING;
			WRITE_ONCE(stress_seen[i].size, o->size);
			WRITE_ONCE(stress_seen[i].p, o->p);
		}
		smalloc_destroy(sp->pool);
		sp->pool = NULL;
		sp->state = STRESS_NONE;
		sp->nr = 0;
		return;
	}
	stress_check(t, sp, step);
}

static int stress_worker(void *data)
{
	struct stress_thread *t = data;
	unsigned int i;
	int step;

	for (step = 0; time_before(jiffies, t->deadline) && !t->errors; step++) {
		stress_step(t, step);
		cond_resched();
	}
	for (i = 0; i < STRESS_POOLS; i++)
		smalloc_destroy(t->pools[i].pool);
	complete(&t->done);
	return 0;
}

/* Lock-free lookups of objects whose pools may be going. */
static int stress_reader(void *data)
{
	unsigned int i, dying = num_online_cpus();
	struct stress_thread *t = data;
	struct smalloc_object obj;
	size_t size;
	u8 *p;

	enum smalloc_copy_verdict to, from;
	int ret;

	while (time_before(jiffies, t->deadline)) {
		/* The workers need the CPUs too, whatever the preemption model. */
		cond_resched();
		i = prandom_u32_state(&t->rnd);
		i = i & 1 ? i % STRESS_SEEN :
			    STRESS_SEEN + i % min_t(unsigned int, dying, STRESS_DYING);
		p = READ_ONCE(stress_seen[i].p);
		size = READ_ONCE(stress_seen[i].size);
		if (!p)
			continue;
		t->lookups++;
		if (smalloc_find_object(p, &obj)) {
			t->found++;
			if (p < (u8 *)obj.start ||
			    p >= (u8 *)obj.start + obj.size || !obj.pool)
				stress_error(t, "%p found in %p + %zu",
					     p, obj.start, obj.size);
			/* The sealed check walks the pool's nodes. */
			ret = smalloc_validate(p, size, obj.pool, true);
			if (ret && ret != -EPERM && ret != -EFAULT &&
			    ret != -EXDEV && ret != -ERANGE)
				stress_error(t, "%p: validate gave %d", p, ret);
		}
		/*
		 * A byte where an object started: in an object (the same, or
		 * one of a pool that took the address since), or in none.
		 */
		to = smalloc_copy_verdict(p, 1, true, &obj);
		from = smalloc_copy_verdict(p, 1, false, &obj);
		if ((to != SMALLOC_COPY_OK && to != SMALLOC_COPY_NO_OBJECT) ||
		    from == SMALLOC_COPY_OVERRUN)
			stress_error(t, "%p: copy verdicts %d and %d", p, to, from);
	}
	complete(&t->done);
	return 0;
}

static void smalloc_stress_model(struct kunit *test)
{
	unsigned long seconds = clamp(stress_seconds, 1UL, STRESS_MAX_SECONDS);
	unsigned long deadline = jiffies + seconds * HZ;
	unsigned int cpus = num_online_cpus(), n = 2 * cpus, i, j;
	unsigned long steps[STRESS_NR_STEPS + 1] = {};
	u64 seed = stress_seed ?: get_random_u64();
	struct stress_thread *t;
	unsigned int started = 0;
	bool stuck = false;

	kunit_info(test, "smalloc_stress: seed %llu (smalloc_kunit.stress_seed=%llu replays it with %u CPUs), %u workers and %u readers for %lu s\n",
		   seed, seed, cpus, cpus, cpus, seconds);
	memset(stress_seen, 0, sizeof(stress_seen));
	/* Not the test's: a thread that never ends may still use it. */
	t = kcalloc(n, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* The readers' lookups stop at the test points. */
	static_branch_enable(&smalloc_test_points);
	for (i = 0; i < n; i++) {
		t[i].id = i;
		t[i].deadline = deadline;
		prandom_seed_state(&t[i].rnd, seed ^ (i * GOLDEN_RATIO_64));
		init_completion(&t[i].done);
		t[i].task = kthread_run(i < cpus ? stress_worker : stress_reader,
					&t[i], "smalloc_stress/%u", i);
		if (IS_ERR(t[i].task))
			break;
		started++;
	}
	/* A thread that faulted never completes: fail, do not hang. */
	deadline += 60 * HZ;
	for (i = 0; i < started; i++) {
		if (!wait_for_completion_timeout(&t[i].done,
						 time_before(jiffies, deadline) ?
						 deadline - jiffies : 1)) {
			KUNIT_FAIL(test, "%s %u, seed %llu: not done a minute after the end",
				   i < cpus ? "worker" : "reader", i, seed);
			stuck = true;
		}
	}
	static_branch_disable(&smalloc_test_points);
	if (stuck)
		return;
	KUNIT_EXPECT_EQ(test, n, started);

	for (i = 0; i < started; i++) {
		KUNIT_EXPECT_EQ_MSG(test, 0, t[i].errors,
				    "%s %u, seed %llu: %lu errors, first: %s",
				    i < cpus ? "worker" : "reader", i, seed,
				    t[i].errors, t[i].error);
		for (j = 0; j < STRESS_NR_STEPS; j++)
			steps[j] += t[i].steps[j];
		steps[STRESS_NR_STEPS] += t[i].lookups;
	}
	kfree(t);
	for (j = 0; j <= STRESS_NR_STEPS; j++) {
		kunit_info(test, "smalloc_stress: %s %lu\n",
			   stress_step_names[j], steps[j]);
		/* Every kind of step ran, and lookups too. */
		if (j != STRESS_WR || IS_ENABLED(CONFIG_SMALLOC_WRITE_RARE))
			KUNIT_EXPECT_GT_MSG(test, steps[j], 0, "%s",
					    stress_step_names[j]);
	}
}

static struct kunit_case smalloc_stress_cases[] = {
	KUNIT_CASE_SLOW(smalloc_stress_model),
	{}
};

static struct kunit_suite smalloc_stress_suite = {
	.name = "smalloc_stress",
	.init = smalloc_test_init,
	.test_cases = smalloc_stress_cases,
};

kunit_test_suite(smalloc_stress_suite);

#ifdef CONFIG_FAIL_SMALLOC
/*
 * Faults at every allocation point of each pool operation.
 *
 * The fault-injection attributes count a task's fail-nth down at each
 * point where they could fail (lib/fault-inject.c: any attribute, in task
 * context, once its own filters let the call through), and fail the point
 * where it reaches zero.  So an operation run with a budget too large to
 * run out tells its number of points by what is left of it.  Then it runs
 * once for each point n, from a fresh pool, with the n-th point failed.
 * Each run must end in a clean refusal (NULL or -ENOMEM) with the pool as
 * it was, or in a success with the pool as the operation leaves it;
 * either way the pool must then work.  The runs go on past the count
 * until two in a row do not reach their point (another run may allocate
 * more); a run that does not reach a point within the count is tried
 * twice more, then counted as short.
 *
 * Which allocations are points depends on the attributes' filters.  With
 * their defaults, at boot, they are fail_smalloc's own and those slab and
 * page allocations that can neither reclaim nor fail without a report
 * (no __GFP_NOFAIL), pages of order 1 and more only; seal and unseal have
 * none.  The harness runs the suite again through debugfs with failslab
 * and fail_page_alloc open to every allocation
 * (tools/testing/smalloc/faults-init.sh), and kmemleak scans after it.
 * Each case prints its counts, for the harness to read.
 *
 * Each node makes a block of its own (smalloc_block_fresh()'s stub), so
 * that making one, and taking it out of the direct map, is among the
 * points, and so are the page tables x86 allocates if the block splits a
 * 1 GiB page of the direct map.  Seal and unseal change only the nodes'
 * PTEs, which exist from the allocation on, and allocate nothing; the
 * rollback of a seal that fails halfway is not among the points:
 * smalloc_test_seal_fails covers it, through the static stub.
 * Write-rare allocates nothing: its case checks that it has no point.
 */

/* Where an operation starts from, what it returns and must leave. */
struct fault_run {
	struct smalloc_pool *pool;
	u8 *small, *big;	/* objects, filled with 0x5a and 0xa5 */
	void *obj;		/* what an allocation returned */
	int ret;		/* 0, or the operation's error */
	unsigned long nodes, pages;
	int pools;		/* pools in the debugfs list before */
};

struct fault_op {
	const char *name;
	/* Bring a zeroed @r to where the operation starts; no faults. */
	void (*setup)(struct kunit *test, struct fault_run *r);
	/* The operation, under fail-nth. */
	void (*op)(struct fault_run *r);
	/* What must hold after it; then use the pool, and destroy it. */
	void (*check)(struct kunit *test, struct fault_run *r);
	/* It must have no point at all. */
	bool none;
};

#define FAULT_BUDGET	1000000000U
#define FAULT_MAX_POINTS 2048
#define FAULT_SMALL	64
#define FAULT_BIG	(3 * PAGE_SIZE)

/*
 * This task's fail-nth, as /proc/<pid>/fail-nth sets and reads it: the
 * points to go until the one that fails, 0 for none.
 */
static void fault_nth_set(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

static unsigned int fault_nth_left(void)
{
	unsigned int left = READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return left;
}

/* Run @op with fail-nth at @nth; return what is left of it. */
static unsigned int fault_nth(const struct fault_op *op, struct fault_run *r,
			      unsigned int nth)
{
	fault_nth_set(nth);
	op->op(r);
	return fault_nth_left();
}

/* Pools of this suite's; other code may create and destroy its own. */
static int fault_count_pools(void)
{
	struct smalloc_state *state;
	int n = 0;

	mutex_lock(&smalloc_pools_lock);
	list_for_each_entry(state, &smalloc_pools, list)
		n += !strcmp(state->pool->name, "smalloc_faults");
	mutex_unlock(&smalloc_pools_lock);
	return n;
}

/*
 * The objects of @r writable or not, through both mappings (each page of
 * the big one); if not, no page of the pool has a writable mapping.  The
 * pool is called sealed exactly when it is, and copies from user space
 * into it are refused exactly when it may be read-only.
 */
static void fault_expect_pool(struct kunit *test, struct fault_run *r,
			      bool writable)
{
	struct smalloc_object obj;
	unsigned long off;

	KUNIT_EXPECT_EQ(test, !writable, r->pool->state->closed);
	KUNIT_EXPECT_EQ(test, writable ? SMALLOC_COPY_OK : SMALLOC_COPY_INTO_SEALED,
			smalloc_copy_verdict(r->small ?: r->big, 1, false, &obj));
	if (r->small) {
		expect_writable(test, r->small, writable);
		KUNIT_EXPECT_EQ(test, writable ? -EPERM : 0,
				smalloc_validate(r->small, 1, r->pool, true));
	}
	for (off = 0; r->big && off < FAULT_BIG; off += PAGE_SIZE)
		expect_writable(test, r->big + off, writable);
	if (r->big)
		expect_writable(test, r->big + FAULT_BIG - 1, writable);
	if (!writable)
		expect_no_writable_mapping(test, r->pool);
	KUNIT_EXPECT_EQ(test, !writable, r->pool->state->sealed);
}

/* The objects of @r still hold what was written to them. */
static void fault_expect_objects(struct kunit *test, struct fault_run *r)
{
	if (r->small)
		KUNIT_EXPECT_PTR_EQ(test, NULL,
				    memchr_inv(r->small, 0x5a, FAULT_SMALL));
	if (r->big)
		KUNIT_EXPECT_PTR_EQ(test, NULL,
				    memchr_inv(r->big, 0xa5, FAULT_BIG));
}

/* Without faults, the pool of @r grows, seals and unseals; then it goes. */
static void fault_use_and_destroy(struct kunit *test, struct fault_run *r)
{
	struct fault_run more = { .pool = r->pool };

	fault_expect_objects(test, r);
	if (!r->pool->final) {
		if (r->pool->state->sealed)
			KUNIT_EXPECT_EQ(test, 0, smalloc_unseal(r->pool));
		more.big = smalloc_alloc(r->pool, FAULT_BIG);
		KUNIT_EXPECT_NOT_NULL(test, more.big);
		if (more.big) {
			memset(more.big, 0xa5, FAULT_BIG);
			KUNIT_EXPECT_EQ(test, 0, smalloc_seal(r->pool));
			fault_expect_pool(test, &more, false);
			KUNIT_EXPECT_EQ(test, 0, smalloc_unseal(r->pool));
			fault_expect_pool(test, &more, true);
			fault_expect_objects(test, &more);
		}
		fault_expect_objects(test, r);
	}
	smalloc_destroy(r->pool);
	KUNIT_EXPECT_EQ(test, r->pools, fault_count_pools());
}

/* A pool of two nodes, each with an object, unsealed. */
static void fault_pool_setup(struct kunit *test, struct fault_run *r)
{
	r->pools = fault_count_pools();
	r->pool = smalloc_create("smalloc_faults");
	KUNIT_ASSERT_NOT_NULL(test, r->pool);
	r->small = smalloc_alloc(r->pool, FAULT_SMALL);
	r->big = smalloc_alloc(r->pool, FAULT_BIG);
	KUNIT_ASSERT_NOT_NULL(test, r->small);
	KUNIT_ASSERT_NOT_NULL(test, r->big);
	memset(r->small, 0x5a, FAULT_SMALL);
	memset(r->big, 0xa5, FAULT_BIG);
	KUNIT_ASSERT_EQ(test, 2, pool_nodes(r->pool));
}

static void fault_sealed_setup(struct kunit *test, struct fault_run *r)
{
	fault_pool_setup(test, r);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(r->pool));
}

static void fault_create_setup(struct kunit *test, struct fault_run *r)
{
	r->pools = fault_count_pools();
}

static void fault_create(struct fault_run *r)
{
	r->pool = smalloc_create("smalloc_faults");
	r->ret = r->pool ? 0 : -ENOMEM;
}

static void fault_create_check(struct kunit *test, struct fault_run *r)
{
	if (!r->pool) {
		KUNIT_EXPECT_EQ(test, r->pools, fault_count_pools());
		return;
	}
	KUNIT_EXPECT_EQ(test, r->pools + 1, fault_count_pools());
	KUNIT_EXPECT_STREQ(test, "smalloc_faults", smalloc_pool_name(r->pool));
	KUNIT_EXPECT_FALSE(test, r->pool->state->sealed);
	fault_use_and_destroy(test, r);
}

/* An allocation that needs a node of its own. */
static void fault_alloc_setup(struct kunit *test, struct fault_run *r)
{
	r->pools = fault_count_pools();
	r->pool = smalloc_create("smalloc_faults");
	KUNIT_ASSERT_NOT_NULL(test, r->pool);
	r->small = smalloc_alloc(r->pool, FAULT_SMALL);
	KUNIT_ASSERT_NOT_NULL(test, r->small);
	memset(r->small, 0x5a, FAULT_SMALL);
	r->nodes = pool_nodes(r->pool);
	r->pages = r->pool->nr_pages;
}

static void fault_alloc(struct fault_run *r)
{
	r->obj = smalloc_alloc(r->pool, FAULT_BIG);
	r->ret = r->obj ? 0 : -ENOMEM;
}

static void fault_alloc_check(struct kunit *test, struct fault_run *r)
{
	struct smalloc_object obj;

	if (r->obj) {
		KUNIT_EXPECT_EQ(test, r->nodes + 1, pool_nodes(r->pool));
		KUNIT_EXPECT_TRUE(test, smalloc_find_object(r->obj, &obj) &&
				  obj.pool == r->pool && obj.start == r->obj &&
				  obj.size == FAULT_BIG);
		r->big = r->obj;
		memset(r->big, 0xa5, FAULT_BIG);
	} else {
		KUNIT_EXPECT_EQ(test, r->nodes, pool_nodes(r->pool));
		KUNIT_EXPECT_EQ(test, r->pages, r->pool->nr_pages);
	}
	fault_expect_pool(test, r, true);
	fault_use_and_destroy(test, r);
}

static void fault_seal(struct fault_run *r)
{
	r->ret = smalloc_seal(r->pool);
}

static void fault_seal_check(struct kunit *test, struct fault_run *r)
{
	if (r->ret)
		KUNIT_EXPECT_EQ(test, -ENOMEM, r->ret);
	fault_expect_pool(test, r, r->ret);
	fault_use_and_destroy(test, r);
}

static void fault_unseal(struct fault_run *r)
{
	r->ret = smalloc_unseal(r->pool);
}

static void fault_unseal_check(struct kunit *test, struct fault_run *r)
{
	if (r->ret)
		KUNIT_EXPECT_EQ(test, -ENOMEM, r->ret);
	fault_expect_pool(test, r, !r->ret);
	fault_use_and_destroy(test, r);
}

static void fault_seal_final(struct fault_run *r)
{
	r->ret = smalloc_seal_final(r->pool);
}

/*
 * Sealed for good; or, as documented, refusing allocation and copies from
 * user space, with whatever pages could not be sealed still writable, and
 * not called sealed.
 */
static void fault_seal_final_check(struct kunit *test, struct fault_run *r)
{
	struct smalloc_object obj;

	KUNIT_EXPECT_TRUE(test, r->pool->final);
	KUNIT_EXPECT_TRUE(test, r->pool->state->closed);
	KUNIT_EXPECT_EQ(test, SMALLOC_COPY_INTO_SEALED,
			smalloc_copy_verdict(r->small, 1, false, &obj));
	if (r->ret) {
		KUNIT_EXPECT_EQ(test, -ENOMEM, r->ret);
		KUNIT_EXPECT_FALSE(test, r->pool->state->sealed);
		KUNIT_EXPECT_EQ(test, -EPERM,
				smalloc_validate(r->small, 1, r->pool, true));
	} else {
		fault_expect_pool(test, r, false);
	}
	SMALLOC_EXPECT_WARNINGS(test, 2, {
		KUNIT_EXPECT_NULL(test, smalloc_alloc(r->pool, 8));
		KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(r->pool));
	});
	fault_use_and_destroy(test, r);
}

static void fault_destroy(struct fault_run *r)
{
	smalloc_destroy(r->pool);
}

/* Destruction cannot fail: the pool is gone, whatever failed within. */
static void fault_destroy_check(struct kunit *test, struct fault_run *r)
{
	struct smalloc_object obj;

	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(r->small));
	KUNIT_EXPECT_FALSE(test, is_smalloc_addr(r->big));
	KUNIT_EXPECT_FALSE(test, smalloc_find_object(r->small, &obj));
	KUNIT_EXPECT_EQ(test, r->pools, fault_count_pools());
}

/* Run @op at every point of its count, and past it; see above. */
static void fault_every_point(struct kunit *test, const struct fault_op *op)
{
	unsigned int points, n, left, tries, misses = 0, beyond = 0;
	unsigned int refused = 0, complete = 0, short_runs = 0;
	struct fault_run r = {};

	/* Each node's first page from a new block: making one is a point. */
	kunit_activate_static_stub(test, smalloc_block_fresh,
				   block_fresh_always);

	/* Once first, for what happens only once (a split of the direct map). */
	op->setup(test, &r);
	fault_nth(op, &r, 0);
	op->check(test, &r);
	memset(&r, 0, sizeof(r));
	op->setup(test, &r);
	points = FAULT_BUDGET - fault_nth(op, &r, FAULT_BUDGET);
	KUNIT_EXPECT_EQ_MSG(test, 0, r.ret, "%s without faults", op->name);
	op->check(test, &r);
	KUNIT_ASSERT_LT(test, points, FAULT_MAX_POINTS);
	if (op->none)
		KUNIT_EXPECT_EQ_MSG(test, 0, points, "%s allocates", op->name);

	for (n = 1; misses < 2 && test->status != KUNIT_FAILURE; n++) {
		if (n > points + FAULT_MAX_POINTS) {
			KUNIT_FAIL(test, "%s: point %u of %u still reached",
				   op->name, n, points);
			break;
		}
		for (tries = 0; tries < (n <= points ? 3 : 1); tries++) {
			memset(&r, 0, sizeof(r));
			op->setup(test, &r);
			left = fault_nth(op, &r, n);
			if (!left)
				break;
			/* Point n not reached: nothing failed. */
			KUNIT_EXPECT_EQ_MSG(test, 0, r.ret,
					    "%s failed, with no point failed",
					    op->name);
			op->check(test, &r);
		}
		if (left) {
			misses++;
			short_runs += n <= points;
			continue;
		}
		misses = 0;
		beyond += n > points;
		if (r.ret)
			refused++;
		else
			complete++;
		op->check(test, &r);
	}
	kunit_info(test, "smalloc_faults %s: %u points, %u failed (%u beyond the count): %u refused, %u complete; %u short of their point\n",
		   op->name, points, refused + complete, beyond, refused,
		   complete, short_runs);
}

#define FAULT_OP(op_name, op_setup, op_check, op_none)			\
static void smalloc_faults_##op_name(struct kunit *test)		\
{									\
	static const struct fault_op op = {				\
		.name = #op_name,					\
		.setup = op_setup,					\
		.op = fault_##op_name,					\
		.check = op_check,					\
		.none = op_none,					\
	};								\
									\
	fault_every_point(test, &op);					\
}

FAULT_OP(create, fault_create_setup, fault_create_check, false)
FAULT_OP(alloc, fault_alloc_setup, fault_alloc_check, false)
FAULT_OP(seal, fault_pool_setup, fault_seal_check, false)
FAULT_OP(unseal, fault_sealed_setup, fault_unseal_check, false)
FAULT_OP(seal_final, fault_pool_setup, fault_seal_final_check, false)
FAULT_OP(destroy, fault_sealed_setup, fault_destroy_check, false)

#ifdef CONFIG_SMALLOC_WRITE_RARE
static const u8 fault_wr_bytes[16] = { [0 ... 15] = 0xe7 };

static void fault_wr_setup(struct kunit *test, struct fault_run *r)
{
	r->pools = fault_count_pools();
	r->pool = smalloc_create_wr("smalloc_faults");
	KUNIT_ASSERT_NOT_NULL(test, r->pool);
	r->small = smalloc_alloc(r->pool, FAULT_SMALL);
	KUNIT_ASSERT_NOT_NULL(test, r->small);
	memset(r->small, 0x5a, FAULT_SMALL);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(r->pool));
}

static void fault_wr(struct fault_run *r)
{
	r->ret = smalloc_wr_memcpy(r->small + 8, fault_wr_bytes,
				   sizeof(fault_wr_bytes));
}

/* All of the write or none of it, nothing else, and still sealed. */
static void fault_wr_check(struct kunit *test, struct fault_run *r)
{
	u8 *p = r->small;

	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(p, 0x5a, 8));
	KUNIT_EXPECT_PTR_EQ(test, NULL,
			    memchr_inv(p + 8, r->ret ? 0x5a : 0xe7, 16));
	KUNIT_EXPECT_PTR_EQ(test, NULL,
			    memchr_inv(p + 24, 0x5a, FAULT_SMALL - 24));
	fault_expect_pool(test, r, false);
	/* Written: not the pattern fault_use_and_destroy() looks for. */
	r->small = NULL;
	fault_use_and_destroy(test, r);
}

/* Write-rare allocates nothing: a write cannot fail for want of memory. */
FAULT_OP(wr, fault_wr_setup, fault_wr_check, true)
#endif

/*
 * An allocation added to what the stub below wraps, one that the fault
 * attributes count with their defaults too: it cannot reclaim.
 */
static void *fault_extra_alloc(void)
{
	return kmalloc(8, GFP_NOWAIT | __GFP_NOWARN);
}

static int fault_extra_set_memory(unsigned long addr, int numpages, bool ro,
				  struct smalloc_flush *flush)
{
	void *extra = fault_extra_alloc();

	if (!extra)
		return -ENOMEM;
	kfree(extra);
	return smalloc_protect(addr, numpages, ro, flush);
}

/*
 * The points of that allocation alone, the fewest of three: one, and
 * one more where kmemleak allocates its record of the object.
 */
static unsigned int fault_extra_points(void)
{
	unsigned int points, fewest = UINT_MAX;
	int i;

	for (i = 0; i < 3; i++) {
		fault_nth_set(FAULT_BUDGET);
		kfree(fault_extra_alloc());
		points = FAULT_BUDGET - fault_nth_left();
		fewest = min(fewest, points);
	}
	return fewest;
}

/*
 * The fewest points of three seals of @r's pool, each unsealed after: an
 * allocation of kmemleak's, now and then, can add one to a seal.
 */
static unsigned int fault_seal_points(struct kunit *test, struct fault_run *r)
{
	unsigned int points, fewest = UINT_MAX;
	int i;

	for (i = 0; i < 3; i++) {
		fault_nth_set(FAULT_BUDGET);
		r->ret = smalloc_seal(r->pool);
		points = FAULT_BUDGET - fault_nth_left();
		KUNIT_EXPECT_EQ(test, 0, r->ret);
		KUNIT_EXPECT_EQ(test, 0, smalloc_unseal(r->pool));
		fewest = min(fewest, points);
	}
	return fewest;
}

/*
 * The count sees a new allocation: with a kmalloc() added to each
 * permission change of a node, a seal of the same two nodes (their direct
 * map split already, so that nothing else changes) counts twice that
 * allocation's points more.
 */
static void smalloc_faults_count_grows(struct kunit *test)
{
	unsigned int before, after, extra;
	struct fault_run r = {};

	extra = fault_extra_points();
	KUNIT_ASSERT_GT_MSG(test, extra, 0, "a kmalloc() is no point");
	fault_sealed_setup(test, &r);
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(r.pool));
	before = fault_seal_points(test, &r);
	kunit_activate_static_stub(test, smalloc_set_memory,
				   fault_extra_set_memory);
	after = fault_seal_points(test, &r);
	kunit_deactivate_static_stub(test, smalloc_set_memory);
	KUNIT_EXPECT_EQ(test, before + 2 * extra, after);
	kunit_info(test, "smalloc_faults count_grows: a seal of two nodes %u points, %u with a kmalloc() of %u points added to each node's permission change\n",
		   before, after, extra);
	fault_use_and_destroy(test, &r);
}

static struct kunit_case smalloc_faults_cases[] = {
	KUNIT_CASE(smalloc_faults_count_grows),
	KUNIT_CASE(smalloc_faults_create),
	KUNIT_CASE(smalloc_faults_alloc),
	KUNIT_CASE(smalloc_faults_seal),
	KUNIT_CASE(smalloc_faults_unseal),
	KUNIT_CASE(smalloc_faults_seal_final),
#ifdef CONFIG_SMALLOC_WRITE_RARE
	KUNIT_CASE(smalloc_faults_wr),
#endif
	KUNIT_CASE(smalloc_faults_destroy),
	{}
};

static struct kunit_suite smalloc_faults_suite = {
	.name = "smalloc_faults",
	.init = smalloc_test_init,
	.test_cases = smalloc_faults_cases,
};

kunit_test_suite(smalloc_faults_suite);
#endif /* CONFIG_FAIL_SMALLOC */

/*
 * For the harness: prove that its checks of the kernel log see a warning.
 * A test-only build option, like the rest of this file.
 */
static bool plant_warning;
module_param(plant_warning, bool, 0444);
MODULE_PARM_DESC(plant_warning, "Warn once at boot, to test log checks");

static int __init smalloc_kunit_plant_warning(void)
{
	WARN(plant_warning, "smalloc_kunit: planted warning\n");
	return 0;
}
late_initcall(smalloc_kunit_plant_warning);

MODULE_DESCRIPTION("KUnit tests for smalloc");
MODULE_LICENSE("GPL");
