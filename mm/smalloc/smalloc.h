/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smalloc internal interface, shared by the allocator (core.c), the object
 * index (index.c), debugfs (debugfs.c) and the KUnit tests.
 */
#ifndef MM_SMALLOC_SMALLOC_H
#define MM_SMALLOC_SMALLOC_H

#include <linux/jump_label.h>
#include <linux/kasan.h>
#include <linux/list.h>
/*
 * VMALLOC_START and VMALLOC_END come with <linux/mm.h> (arm64; x86_32's
 * need high_memory) and <linux/vmalloc.h> (x86).
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/smalloc.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

#include <kunit/visibility.h>

/*
 * Largest node grown for a pool; larger objects get a node of their own.
 * Without an MMU, vmalloc() is kmalloc() and a node is physically
 * contiguous: grow in small steps there.
 */
#define SMALLOC_NODE_MAX_PAGES	(IS_ENABLED(CONFIG_MMU) ? 512 : 16)

/*
 * Smallest node grown for a pool after its first, on 64-bit: a page is
 * mapped only once an object or an end reaches it, so a larger area costs
 * address space (plenty there) and, from the start, the page of its ends,
 * and saves the making of nodes that a pool would soon outgrow.
 */
#define SMALLOC_NODE_MIN_PAGES	(IS_ENABLED(CONFIG_MMU) &&		\
				 IS_ENABLED(CONFIG_64BIT) ? 16 : 1)

/*
 * Where nodes are mapped: the top sixteenth of the vmalloc space on 64-bit,
 * so that an address below it is no smalloc address without a lookup.
 * vmalloc() fills its space from the bottom; the per-CPU allocator's
 * areas come from the top, and an address of theirs costs a lookup that
 * finds nothing.  All of the space where it is small.
 */
#define SMALLOC_VSTART	(IS_ENABLED(CONFIG_64BIT) ?			\
			 VMALLOC_END - (VMALLOC_END - VMALLOC_START) / 16 :	\
			 VMALLOC_START)
#define SMALLOC_VEND	VMALLOC_END

/* Can @p be in a node?  Without an MMU, nodes are kmalloc() memory. */
static __always_inline bool smalloc_in_window(const void *p)
{
	unsigned long addr = (unsigned long)kasan_reset_tag(p);

	return !IS_ENABLED(CONFIG_MMU) ||
	       (addr >= SMALLOC_VSTART && addr < SMALLOC_VEND);
}

/* Longest pool name kept, with its NUL. */
#define SMALLOC_NAME_MAX	64

/**
 * struct smalloc_node - Header of one vmalloc area of a pool.
 * @pool: The pool it belongs to.
 * @next: The next older node of the pool, or NULL.
 * @size: Size of the area in bytes; a multiple of PAGE_SIZE.
 * @base: Offset of the first object from the start of the node.
 * @used: Bump offset: bytes from the start of the node that objects (and
 *	the headers before them) already cover.
 * @nr: Objects in the node.  The allocator writes an object's end, then
 *	publishes it with smp_store_release(); readers load @nr with
 *	smp_load_acquire() and need no lock.
 * @align: The pool's alignment, here so that a lookup reads one header.
 * @stride: While nonzero, object @i of the first @nr starts @i * @stride
 *	bytes after @base and is @osize bytes long: a lookup computes the
 *	object from the header alone.  Set with the first object, cleared
 *	(before @nr publishes it) by the first that does not fit.
 * @osize: The size of the first object.
 *
 * The header is the first bytes of the area it describes: a node's address
 * is its area's address, and the header is sealed with the pool.  The end
 * offset of each object is kept in a u32 array that grows down from the
 * end of the area (smalloc_node_end()): an object starts where the one
 * before it ends, aligned to the pool's alignment, the first one at @base,
 * so the ends are sorted by construction and one binary search finds the
 * object holding an address.  The node is full when the objects meet the
 * ends.  Only the pages that the header, the objects and the ends reach
 * are mapped: the space between them has no page until they grow into it.
 */
struct smalloc_node {
	struct smalloc_pool *pool;
	struct smalloc_node *next;
	size_t size;
	size_t base;
	size_t used;
	unsigned int nr;
	unsigned int align;
	unsigned int stride;
	unsigned int osize;
};

/* Where the end offset of object @i of @node is kept. */
static inline u32 *smalloc_node_end(const struct smalloc_node *node,
				    unsigned int i)
{
	return (u32 *)((void *)node + node->size) - 1 - i;
}

/**
 * struct smalloc_state - What changes about a pool while it is sealed.
 * @lock: Serialises allocation, seal, unseal and destroy.
 * @list: Entry in the list of pools shown in debugfs.
 * @pool: The pool, for debugfs; checked against &smalloc_pool.state.
 * @closed: Writes are refused: set before the pages become read-only and
 *	cleared after they are writable again, so that hardened usercopy
 *	never lets a copy reach a read-only page.
 * @sealed: Every node is read-only, through both of its mappings: set once
 *	the pages are read-only and cleared before they become writable, so
 *	that smalloc_validate() never calls writable memory sealed.
 * @final: Sealed for good: allocation, seal and unseal are refused.
 *
 * Apart from the pool because it must stay writable: a mutex is written
 * by every locker, the debugfs list by every creation and destruction.
 * The flags are written under @lock and read without it.
 */
struct smalloc_state {
	struct mutex lock;	/* serialises alloc, seal, unseal, destroy */
	struct list_head list;
	struct smalloc_pool *pool;
	bool closed;
	bool sealed;
	bool final;
};

/**
 * struct smalloc_pool - A sealable pool.
 * @state: What must stay writable; points back to the pool.
 * @nodes: The newest node; the others follow through &smalloc_node.next.
 * @name: Name for reports and debugfs, kept in the pool's first node.
 * @align: Alignment of every object, a power of two.
 * @nr_pages: Pages in all nodes.
 * @nr_mapped: Pages mapped in all nodes: a node maps a page once an object
 *	or an object's end reaches it (smalloc_node_populate()).
 * @bytes: Bytes handed out to objects, padding excluded.
 * @shared: Callers may neither seal nor unseal the pool (the global pool).
 * @final: Sealed for good by smalloc_seal_final(): unseal is refused.  Set
 *	before the pages become read-only, so that it is sealed with them.
 * @wr: Created by smalloc_create_wr(): write-rare may change its objects.
 *
 * A pool lives in its first node, just after the node's header, so it is
 * sealed with its objects: nothing in it changes while it is sealed.  The
 * global pool is static and __ro_after_init instead.
 */
struct smalloc_pool {
	struct smalloc_state *state;
	struct smalloc_node *nodes;
	const char *name;
	size_t align;
	unsigned long nr_pages;
	unsigned long nr_mapped;
	size_t bytes;
	bool shared;
	bool final;
	bool wr;
};

/**
 * enum smalloc_copy_verdict - What hardened usercopy makes of a copy.
 * @SMALLOC_COPY_OK: The copy stays within one object and may go ahead.
 * @SMALLOC_COPY_NO_OBJECT: Its start is in no object (padding, free space,
 *	a header).
 * @SMALLOC_COPY_OVERRUN: It runs past the end of the object it starts in.
 * @SMALLOC_COPY_INTO_SEALED: It would write into a sealed object.
 */
enum smalloc_copy_verdict {
	SMALLOC_COPY_OK,
	SMALLOC_COPY_NO_OBJECT,
	SMALLOC_COPY_OVERRUN,
	SMALLOC_COPY_INTO_SEALED,
};

/*
 * Node pages come from blocks of this size (block.c), naturally aligned: a
 * large page of the direct map on x86_64 and on arm64 with 4 KiB pages.  A
 * constant, not PMD_SIZE, which is 512 MiB with arm64's 64 KiB pages.
 */
#define SMALLOC_BLOCK_SHIFT	21
#define SMALLOC_BLOCK_SIZE	BIT(SMALLOC_BLOCK_SHIFT)

/*
 * A block's pages carry one of these in page->private, which nobody else
 * uses while smalloc holds them, and which block.c clears before they go
 * back to the page allocator: free in its block, or in a node.  kfree() of
 * a page's direct-map alias can then tell smalloc memory from other memory
 * that kmalloc() did not give out (smalloc_free_refused()), and a forged
 * block bitmap cannot hand out a page that is in a node.
 */
#define SMALLOC_PAGE_FREE	0x5ea1ed00UL
#define SMALLOC_PAGE_USED	0x5ea1ed01UL

static inline bool smalloc_page_marked(struct page *page)
{
	unsigned long mark = page_private(page);

	return mark == SMALLOC_PAGE_FREE || mark == SMALLOC_PAGE_USED;
}

/**
 * struct smalloc_blocks_stats - What the blocks hold (block.c).
 * @blocks: Blocks kept.
 * @pages: Pages in them.
 * @free_pages: Pages of them that no node holds.
 * @free_blocks: Blocks that no node uses (the spare).
 * @made: Blocks made since boot.
 * @small: Of those, blocks smaller than SMALLOC_BLOCK_SIZE.
 * @freed: Blocks given back to the page allocator since boot.
 * @split_2m: Blocks whose making split a 2 MiB page of the direct map
 *	(x86, as its page tables say; hibernation's splits not counted).
 * @split_1g: The same, for a 1 GiB page.
 */
struct smalloc_blocks_stats {
	unsigned long blocks;
	unsigned long pages;
	unsigned long free_pages;
	unsigned long free_blocks;
	unsigned long made;
	unsigned long small;
	unsigned long freed;
	unsigned long split_2m;
	unsigned long split_1g;
};

/* block.c; without an MMU, nodes are kmalloc() memory and there are none. */
#ifdef CONFIG_MMU
#define SMALLOC_BLOCK_PAGES	(1U << (SMALLOC_BLOCK_SHIFT - PAGE_SHIFT))

/**
 * struct smalloc_block - A naturally aligned run of pages for nodes.
 * @list: Entry in smalloc_blocks.
 * @page: Its first page.
 * @order: Its size, 2^@order pages: SMALLOC_BLOCK_ORDER, or less for a
 *	small block.
 * @nr_free: Pages of it that no node holds.
 * @free: A bit per page, set while no node holds the page.
 *
 * Writable kernel memory, which the pages' marks check; here so that KUnit
 * can forge it (smalloc_test_block_forged()).
 */
struct smalloc_block {
	struct list_head list;
	struct page *page;
	unsigned int order;
	unsigned int nr_free;
	DECLARE_BITMAP(free, SMALLOC_BLOCK_PAGES);
};

void smalloc_blocks_lock(void);
void smalloc_blocks_unlock(void);
void smalloc_blocks_assert_held(void);
bool smalloc_blocks_unmapped(void);
struct page *smalloc_block_take_locked(bool first);
void smalloc_block_put_locked(struct page *page);
void smalloc_blocks_trim_locked(void);
void smalloc_blocks_stats(struct smalloc_blocks_stats *stats);
int smalloc_blocks_split_4k(void);
void smalloc_blocks_whole(void);
#if IS_ENABLED(CONFIG_KUNIT)
bool smalloc_block_fresh(void);
bool smalloc_blocks_locked(void);
struct smalloc_block *smalloc_block_of(struct page *page);
void smalloc_block_free(struct smalloc_block *block);
#endif
#else
static inline void smalloc_blocks_lock(void) { }
static inline void smalloc_blocks_unlock(void) { }
static inline bool smalloc_blocks_unmapped(void)
{
	return false;
}
#endif

#ifdef CONFIG_MMU
/*
 * The kernel PTE that maps @addr, or an empty one if a level above has
 * none or maps a leaf: nodes are mapped with small pages.  A lockless
 * walk, as vmalloc_to_page()'s, in any context.  Kernel page tables are
 * not freed under a live mapping: for an address in a node the caller
 * holds (the pool, or a grace period), the walk is safe.  For another
 * address, as safe as vmalloc_to_page() of it: a huge vmalloc or ioremap
 * mapping that takes over the whole 2 MiB around a stale address frees the
 * PTE table there (pmd_free_pte_page()), with no grace period; smalloc's
 * window, at the top of the vmalloc space, is the last place such mappings
 * go.  With PAE, a PTE read while it changes may tear: callers check what
 * it leads to.
 */
static __always_inline pte_t smalloc_pte(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	p4d_t *p4d, p4dval;
	pud_t *pud, pudval;
	pmd_t *pmd, pmdval;

	if (pgd_none(pgdp_get(pgd)))
		return __pte(0);
	p4d = p4d_offset(pgd, addr);
	p4dval = p4dp_get(p4d);
	if (p4d_none(p4dval) || p4d_leaf(p4dval))
		return __pte(0);
	pud = pud_offset(p4d, addr);
	pudval = pudp_get(pud);
	if (pud_none(pudval) || pud_leaf(pudval))
		return __pte(0);
	pmd = pmd_offset(pud, addr);
	pmdval = pmdp_get(pmd);
	if (pmd_none(pmdval) || pmd_leaf(pmdval))
		return __pte(0);
	/* The table the checked entry points at, not what it says now. */
	return ptep_get((pte_t *)pmd_page_vaddr(pmdval) + pte_index(addr));
}
#endif

/* core.c */
extern struct list_head smalloc_pools;
extern struct mutex smalloc_pools_lock;
/*
 * For debugfs, since boot: permission changes of a node, and the TLB
 * flushes that made them visible (one per seal or unseal).
 */
extern atomic_long_t smalloc_permission_changes;
extern atomic_long_t smalloc_tlb_flushes;
/* The flushes of destroys: one per destroy, however many nodes. */
extern atomic_long_t smalloc_destroy_flushes;
bool smalloc_system_can_seal(void);
int smalloc_unmap_highmap(struct page *page, unsigned int nr);
bool smalloc_warning_expected(void);
struct smalloc_state *smalloc_pool_state(const struct smalloc_pool *pool);
bool smalloc_range_sealed(const void *p, size_t size);
struct smalloc_pool *smalloc_pool_new(const char *name, size_t align,
				      bool shared, bool wr);
bool smalloc_area_ours(const struct smalloc_node *node, size_t size);

/*
 * Evaluates to @cond; warns once per call site when true, unless a KUnit
 * test provoked the warning on purpose and counts it.
 */
#define smalloc_warn_on(cond) ({					\
	bool __bad = !!(cond);						\
									\
	if (unlikely(__bad) && !smalloc_warning_expected())		\
		WARN_ON_ONCE(1);					\
	unlikely(__bad);						\
})

#if IS_ENABLED(CONFIG_SMALLOC_BENCH)
/**
 * struct smalloc_alloc_parts - An allocation's parts, in ns each.
 * @lock: The pool's lock taken and released.
 * @carve: A 64-byte object carved, under the lock, from a node whose
 *	pages are mapped.
 * @alloc: smalloc_alloc() of 64 bytes from such a node: the carve, the
 *	lock and the checks of the pool.
 * @node: A node added: its area, its first and last pages, its index.
 * @page: A page mapped, in runs of SMALLOC_MAP_BATCH.
 */
struct smalloc_alloc_parts {
	u64 lock;
	u64 carve;
	u64 alloc;
	u64 node;
	u64 page;
};

int smalloc_bench_alloc_parts(struct smalloc_alloc_parts *parts);
#endif

/* index.c */
int smalloc_index_add(struct smalloc_node *node);
int smalloc_index_remove(struct smalloc_node *node, size_t size);
struct smalloc_node *smalloc_index_find(const void *p);
bool smalloc_index_holds(const struct smalloc_node *node, size_t size);
bool smalloc_node_find_object(struct smalloc_node *node, const void *p,
			      struct smalloc_object *obj);
bool smalloc_sealed(const struct smalloc_node *node, const void *p,
		    size_t size);

/*
 * Where smalloc_kunit.c holds a lookup, to show that smalloc_destroy()
 * waits for a lookup that found @node before the node left the index;
 * and where smalloc_stress's readers stop for a while, with a node found.
 * Built with the KUnit tests only, and off unless a test turns it on.
 */
enum smalloc_test_point {
	SMALLOC_TEST_FOUND,	/* a lookup found @node and holds it */
};

#if IS_ENABLED(CONFIG_SMALLOC_KUNIT_TEST)
DECLARE_STATIC_KEY_FALSE(smalloc_test_points);
void smalloc_test_point_reached(enum smalloc_test_point point,
				const struct smalloc_node *node);

static inline void smalloc_test_point(enum smalloc_test_point point,
				      const struct smalloc_node *node)
{
	if (static_branch_unlikely(&smalloc_test_points))
		smalloc_test_point_reached(point, node);
}
#else
static inline void smalloc_test_point(enum smalloc_test_point point,
				      const struct smalloc_node *node)
{
}
#endif

/**
 * struct smalloc_flush - What a permission change needs flushed.
 * @start: Lowest address whose mapping changed.
 * @end: End of the highest one.
 */
struct smalloc_flush {
	unsigned long start;
	unsigned long end;
};

#if IS_ENABLED(CONFIG_KUNIT)
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
unsigned long smalloc_brk_end(void);
#endif
int smalloc_set_memory(unsigned long addr, int numpages, bool ro,
		       struct smalloc_flush *flush);
int smalloc_vmap_pages(unsigned long addr, unsigned long end,
		       struct page **pages);
int smalloc_protect(unsigned long addr, int numpages, bool ro,
		    struct smalloc_flush *flush);
struct smalloc_pool *smalloc_create_shared(const char *name);
int smalloc_wr_poke(void *dst, const void *src, size_t len, bool set);
enum smalloc_copy_verdict smalloc_copy_verdict(const void *ptr,
					       unsigned long n, bool to_user,
					       struct smalloc_object *obj);
#endif

#endif /* MM_SMALLOC_SMALLOC_H */
