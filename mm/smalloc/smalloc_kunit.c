// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for smalloc.
 *
 * The tests check properties, not that code ran: a sealed object must
 * refuse a write through its vmalloc address and through its direct-map
 * alias, checked with copy_to_kernel_nofault(), which returns -EFAULT
 * instead of oopsing.  Caller bugs and corruptions provoked on purpose are
 * counted through the "smalloc_warnings" resource instead of warning, so
 * any warning in the log of a run is a real one.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "smalloc.h"

static struct kunit_resource resource;
static int warnings;

KUNIT_DEFINE_ACTION_WRAPPER(smalloc_destroy_action, smalloc_destroy,
			    struct smalloc_pool *);

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

	list_for_each_entry(node, &pool->nodes, list)
		n++;
	return n;
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

/* Expect the byte at @p to be (@writable) or not be writable, both ways. */
static void expect_writable(struct kunit *test, u8 *p, bool writable)
{
	long want = writable ? 0 : -EFAULT;
	u8 old = *p;

	KUNIT_EXPECT_EQ_MSG(test, want, try_write(p, old ^ 0xff),
			    "vmalloc address, offset in page %lu",
			    offset_in_page(p));
	KUNIT_EXPECT_EQ_MSG(test, want, try_write(linear_alias(p), old),
			    "direct-map alias, offset in page %lu",
			    offset_in_page(p));
	if (!writable)
		KUNIT_EXPECT_EQ(test, old, READ_ONCE(*p));
}

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
	KUNIT_EXPECT_EQ(test, 0, warnings);
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
	KUNIT_EXPECT_NULL(test, smalloc_create_aligned("bad-align", 24));
	KUNIT_EXPECT_NULL(test, smalloc_create_aligned("bad-align",
						       2 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, smalloc_create_aligned(NULL, 64));
	KUNIT_EXPECT_EQ(test, 3, warnings);
}

static void smalloc_test_zalloc(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *node;
	u8 *p;

	/* Dirty the free tail of the newest node: zalloc must clear it. */
	KUNIT_ASSERT_NOT_NULL(test, smalloc_alloc(pool, 16));
	node = list_first_entry(&pool->nodes, struct smalloc_node, list);
	KUNIT_ASSERT_GE(test, node->size - node->used, 1024);
	memset(node->addr + node->used, 0xa5, node->size - node->used);

	p = smalloc_zalloc(pool, 500);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_EQ(test, (void *)node,
			    (void *)list_first_entry(&pool->nodes,
						     struct smalloc_node, list));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 500));

	p = smalloc_zarray(pool, 10, sizeof(u64));
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 10 * sizeof(u64)));
	KUNIT_EXPECT_EQ(test, 0, warnings);
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
	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, SMALLOC_MAX_SIZE + 1));
	KUNIT_EXPECT_EQ(test, 0, warnings);
}

static void smalloc_test_bad_sizes(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);

	KUNIT_EXPECT_NULL(test, smalloc_array(pool, SIZE_MAX / 2, 4));
	KUNIT_EXPECT_NULL(test, smalloc_zarray(pool, 3, SIZE_MAX / 2));
	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, SIZE_MAX));
	KUNIT_EXPECT_EQ(test, 0, warnings);
	KUNIT_EXPECT_NOT_NULL(test, smalloc_array(pool, 10, 8));

	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 0));
	KUNIT_EXPECT_EQ(test, 1, warnings);
	KUNIT_EXPECT_NULL(test, smalloc_strdup(pool, NULL));
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
	KUNIT_EXPECT_TRUE(test, pool->sealed);

	/* First, middle and last page of the multi-page object, and more. */
	expect_writable(test, small, false);
	expect_writable(test, big, false);
	expect_writable(test, big + size / 2, false);
	expect_writable(test, big + size - 1, false);
	expect_writable(test, (u8 *)str, false);

	/* Reads still work, through both addresses. */
	KUNIT_EXPECT_EQ(test, 0,
			copy_from_kernel_nofault(&val,
						 linear_alias(big + size - 1), 1));
	KUNIT_EXPECT_EQ(test, 0x22, val);
	KUNIT_EXPECT_EQ(test, 0x11, small[15]);
	KUNIT_EXPECT_STREQ(test, "sealed string", str);

	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	KUNIT_EXPECT_FALSE(test, pool->sealed);
	expect_writable(test, small, true);
	expect_writable(test, big, true);
	expect_writable(test, big + size / 2, true);
	expect_writable(test, big + size - 1, true);
	big[size - 1] = 0x33;
	KUNIT_EXPECT_EQ(test, 0x33, big[size - 1]);
	KUNIT_EXPECT_EQ(test, 0, warnings);
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

	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8));
	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 2 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, smalloc_zalloc(pool, 8));
	KUNIT_EXPECT_EQ(test, 3, warnings);
	KUNIT_EXPECT_EQ(test, nodes, pool_nodes(pool));
	KUNIT_EXPECT_EQ(test, pages, pool->nr_pages);
	KUNIT_EXPECT_TRUE(test, pool->sealed);
	expect_writable(test, p, false);

	/* Unseal, allocate, seal again: the new object is covered too. */
	KUNIT_ASSERT_EQ(test, 0, smalloc_unseal(pool));
	p = smalloc_alloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_writable(test, p + 2 * PAGE_SIZE - 1, false);
}

static void smalloc_test_destroy_restores_direct_map(struct kunit *test)
{
#ifdef CONFIG_X86
	struct smalloc_pool *pool;
	unsigned long alias[3];
	unsigned int level;
	size_t size = 3 * PAGE_SIZE;
	pte_t *pte;
	u8 *p;
	int i;

	pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	p = smalloc_alloc(pool, size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 3; i++)
		alias[i] = (unsigned long)linear_alias(p + i * PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	for (i = 0; i < 3; i++) {
		pte = lookup_address(alias[i], &level);
		KUNIT_ASSERT_NOT_NULL(test, pte);
		KUNIT_EXPECT_FALSE(test, pte_write(*pte));
	}

	kunit_remove_action(test, smalloc_destroy_action, pool);
	smalloc_destroy(pool);
	for (i = 0; i < 3; i++) {
		pte = lookup_address(alias[i], &level);
		KUNIT_ASSERT_NOT_NULL(test, pte);
		KUNIT_EXPECT_TRUE(test, pte_write(*pte));
	}
#else
	kunit_skip(test, "needs lookup_address() (x86)");
#endif
}

/*
 * A node whose metadata no longer matches its area is never touched, and
 * neither are the others: seal and unseal check every node first.
 */
static void smalloc_test_corrupted_node(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	struct smalloc_node *first, *last;
	void *addr;
	u8 *p, *r;

	/* Two nodes: the small object's, then the large object's own. */
	p = smalloc_alloc(pool, 64);
	r = smalloc_alloc(pool, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, r);
	first = list_first_entry(&pool->nodes, struct smalloc_node, list);
	last = list_last_entry(&pool->nodes, struct smalloc_node, list);
	KUNIT_ASSERT_PTR_NE(test, first, last);
	addr = first->addr;

	first->addr = addr + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	first->addr = addr;
	last->size += PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_seal(pool));
	last->size -= PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 2, warnings);
	KUNIT_EXPECT_FALSE(test, pool->sealed);
	expect_writable(test, p, true);
	expect_writable(test, r, true);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	last->size += PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, -EFAULT, smalloc_unseal(pool));
	last->size -= PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 3, warnings);
	KUNIT_EXPECT_TRUE(test, pool->sealed);
	expect_writable(test, p, false);
	expect_writable(test, r, false);
}

static void smalloc_test_mismatched(struct kunit *test)
{
	struct smalloc_pool *pool = test_pool(test, ARCH_KMALLOC_MINALIGN);
	u8 *p = smalloc_alloc(pool, 32);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, 1, warnings);
	KUNIT_EXPECT_FALSE(test, pool->sealed);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, 2, warnings);
	KUNIT_EXPECT_TRUE(test, pool->sealed);
	expect_writable(test, p, false);

	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(NULL));
	KUNIT_EXPECT_EQ(test, 4, warnings);
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
	KUNIT_EXPECT_EQ(test, 0, warnings);
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

/* The global pool (NULL): allocations work during boot, callers can't seal. */
static void smalloc_test_global_pool(struct kunit *test)
{
	char *s;

	if (READ_ONCE(smalloc_global_pool()->final))
		kunit_skip(test, "the global pool is sealed for good after boot");

	s = smalloc_strdup(NULL, "smalloc_kunit");
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, in_smalloc_area(s));
	KUNIT_EXPECT_STREQ(test, "smalloc_kunit", s);

	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(NULL));
	KUNIT_EXPECT_EQ(test, 2, warnings);
	smalloc_destroy(NULL);
	KUNIT_EXPECT_STREQ(test, "smalloc_kunit", s);
}

/* What the global pool does at the end of init, on a pool of the same kind. */
static void smalloc_test_shared_pool_final(struct kunit *test)
{
	struct smalloc_pool *pool;
	u8 *p;

	pool = smalloc_create_shared("shared-test");
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smalloc_destroy_action,
						  pool));

	p = smalloc_alloc(pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal(pool));
	KUNIT_EXPECT_EQ(test, 1, warnings);
	expect_writable(test, p, true);

	KUNIT_ASSERT_EQ(test, 0, smalloc_seal_final(pool));
	expect_writable(test, p, false);
	expect_writable(test, p + 99, false);
	KUNIT_EXPECT_NULL(test, smalloc_alloc(pool, 8));
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_unseal(pool));
	KUNIT_EXPECT_EQ(test, -EINVAL, smalloc_seal_final(pool));
	KUNIT_EXPECT_EQ(test, 4, warnings);
	expect_writable(test, p, false);
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
	mutex_lock(&pool->lock);
	preempt_disable();
	KUNIT_EXPECT_TRUE(test, smalloc_find_object(b + 50, &obj));
	KUNIT_EXPECT_EQ(test, 0, smalloc_validate(b, 100, pool, true));
	preempt_enable();
	mutex_unlock(&pool->lock);
	KUNIT_EXPECT_TRUE(test, obj.sealed);
	KUNIT_EXPECT_EQ(test, 0, warnings);
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

static int smalloc_test_init(struct kunit *test)
{
	warnings = 0;
	return kunit_add_named_resource(test, NULL, NULL, &resource,
					"smalloc_warnings", &warnings);
}

static struct kunit_case smalloc_test_cases[] = {
	KUNIT_CASE(smalloc_test_alloc),
	KUNIT_CASE(smalloc_test_alignment),
	KUNIT_CASE(smalloc_test_zalloc),
	KUNIT_CASE(smalloc_test_cross_page),
	KUNIT_CASE(smalloc_test_large),
	KUNIT_CASE(smalloc_test_bad_sizes),
	KUNIT_CASE(smalloc_test_seal),
	KUNIT_CASE(smalloc_test_alloc_after_seal),
	KUNIT_CASE(smalloc_test_destroy_restores_direct_map),
	KUNIT_CASE(smalloc_test_corrupted_node),
	KUNIT_CASE(smalloc_test_mismatched),
	KUNIT_CASE(smalloc_test_cycles),
	KUNIT_CASE(smalloc_test_concurrent),
	KUNIT_CASE(smalloc_test_global_pool),
	KUNIT_CASE(smalloc_test_shared_pool_final),
	KUNIT_CASE(smalloc_test_find_object),
	KUNIT_CASE(smalloc_test_lookup_while_allocating),
	KUNIT_CASE(smalloc_test_usercopy_verdict),
	KUNIT_CASE(smalloc_test_usercopy_allowed),
	{}
};

static struct kunit_suite smalloc_test_suite = {
	.name = "smalloc",
	.init = smalloc_test_init,
	.test_cases = smalloc_test_cases,
};

kunit_test_suite(smalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for smalloc");
MODULE_LICENSE("GPL");
