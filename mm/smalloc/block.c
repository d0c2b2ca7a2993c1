// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: the blocks that nodes take their pages from.
 *
 * Taking a page out of the direct map splits the large page around it for
 * good, and each split flushes every CPU's TLB.  Node pages from anywhere
 * in memory would split a new 2 MiB region of the direct map for nearly
 * each node, and a system that reloads a policy for years would end up
 * with its direct map in 4 KiB pages.  So nodes take their pages from
 * blocks of SMALLOC_BLOCK_SIZE, naturally aligned, that smalloc keeps for
 * itself, as the execmem ROX cache does for text:
 *
 * - A block is taken out of the direct map whole when it is made, where
 *   pools can be sealed (smalloc_blocks_unmapped()): on x86,
 *   set_direct_map_valid_noflush() over the aligned 2 MiB changes a 2 MiB
 *   page in place (and splits at most the 1 GiB page around it); arm64
 *   with rodata=full maps its linear map a page at a time anyway, and its
 *   pages go one by one; then one flush.  The block's pages leave x86_64's
 *   high mapping then too (smalloc_unmap_highmap()).  Seal and unseal
 *   change node PTEs only.
 * - Where nothing can be sealed, there are no blocks: a node's pages come
 *   from the page allocator one by one, highmem included, and go back to
 *   it once the node is unmapped and flushed, marked all the same.
 * - Pages are handed out from the fullest block that has one free, so that
 *   blocks empty out and can go back.  A destroyed pool's pages go back to
 *   their blocks; a block whose pages are all free goes back to the page
 *   allocator, with its direct map restored in one piece, but one: the
 *   spare, so that a pool that is destroyed and made again (a policy
 *   reload) does not make and free a block each time.
 * - Where no 2 MiB block can be had even after one compaction, blocks of
 *   smaller orders are made, down to a page, and counted ("small"): they
 *   split a large page each, which is what the page allocator's
 *   fragmentation costs.  Compaction is not tried again for a second
 *   after it failed.
 *
 * A block's bookkeeping (struct smalloc_block) is writable kernel memory.
 * A block is used only if its size and alignment are those of a block.
 * What a write to its bitmap or count can do is bounded by the marks in
 * the pages' own descriptors: a page is handed out only if its block's
 * bitmap and its page->private both say it is free, and a block goes back
 * to the page allocator only if every page's mark says it is free.  A
 * forged bitmap can leak pages, not hand out one that is in a node.
 *
 * x86 hibernation maps each page of a block back in the direct map, a page
 * at a time and with interrupts off, to copy it: a not-present 2 MiB page
 * cannot be split there.  Before hibernation, blocks are split to 4 KiB
 * pages (smalloc_blocks_pm_notify()), once.
 *
 * All of it runs under one mutex, smalloc_blocks_lock(), which nests
 * inside a pool's lock.  Without an MMU there are no blocks: nodes are
 * kmalloc() memory (core.c).
 */

#define pr_fmt(fmt) "smalloc: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/set_memory.h>
#include <linux/suspend.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <asm/tlbflush.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "smalloc.h"

#define SMALLOC_BLOCK_ORDER	min_t(unsigned int,			\
				      SMALLOC_BLOCK_SHIFT - PAGE_SHIFT,	\
				      MAX_PAGE_ORDER)
static LIST_HEAD(smalloc_blocks);
/*
 * Where there are no blocks: node pages given back, to be freed once the
 * node is unmapped and flushed (smalloc_blocks_trim_locked()).
 */
static LIST_HEAD(smalloc_pages_to_free);
static DEFINE_MUTEX(smalloc_blocks_mutex);
/* When a 2 MiB block could not be had even after compaction. */
static unsigned long smalloc_compaction_failed;
static bool smalloc_compaction_ever_failed;
/* Between the start and the end of a hibernation: blocks are made 4 KiB. */
static bool smalloc_blocks_4k;
/* A block's page was found in the direct map: no block is made again. */
static bool smalloc_blocks_broken;

/* Since boot, for debugfs: blocks made, small ones, blocks freed. */
static unsigned long smalloc_blocks_made;
static unsigned long smalloc_blocks_small;
static unsigned long smalloc_blocks_freed;
/* Blocks whose making split a 2 MiB, or a 1 GiB, page of the direct map. */
static unsigned long smalloc_blocks_split_2m;
static unsigned long smalloc_blocks_split_1g;

#ifdef CONFIG_X86
/* The level of the direct map's entry for @addr, as the page tables say. */
static unsigned int smalloc_direct_map_level(unsigned long addr)
{
	unsigned int level = PG_LEVEL_NONE;

	lookup_address(addr, &level);
	return level;
}

/*
 * Count what making a block split, from the levels of its direct map
 * before and after: x86 counts its splits only once the system runs
 * (direct_map_level2_splits), and blocks are made during boot too.
 */
static void smalloc_block_count_splits(unsigned int before, unsigned int after)
{
	if (before >= PG_LEVEL_2M && after < PG_LEVEL_2M)
		smalloc_blocks_split_2m++;
	if (before >= PG_LEVEL_1G && after < PG_LEVEL_1G)
		smalloc_blocks_split_1g++;
}
#endif

void smalloc_blocks_lock(void)
{
	mutex_lock(&smalloc_blocks_mutex);
}

void smalloc_blocks_unlock(void)
{
	mutex_unlock(&smalloc_blocks_mutex);
}

void smalloc_blocks_assert_held(void)
{
	lockdep_assert_held(&smalloc_blocks_mutex);
}

/*
 * Do blocks leave the direct map?  Where pools can be sealed, and so
 * whatever a KUnit test plays (smalloc_can_seal()'s stub): what the system
 * can do does not change while it runs.  Elsewhere nothing is gained, and
 * riscv, say, would split its linear map.
 */
bool smalloc_blocks_unmapped(void)
{
	return smalloc_system_can_seal();
}

static unsigned long smalloc_block_addr(const struct smalloc_block *block)
{
	return (unsigned long)page_address(block->page);
}

#ifdef CONFIG_X86
/* Split @block's direct map to 4 KiB pages, as hibernation needs them. */
static int smalloc_block_split(struct smalloc_block *block)
{
	return set_memory_4k(smalloc_block_addr(block), 1 << block->order);
}
#else
/* Other architectures that can seal map their linear map with pages. */
static int smalloc_block_split(struct smalloc_block *block)
{
	return 0;
}
#endif

/*
 * Take @block's pages out of the direct map (@valid false) or put them
 * back, without a flush: on x86 the whole block in one change, which
 * keeps a 2 MiB page whole; elsewhere a page at a time.  The high
 * mapping is not touched.
 */
static int smalloc_block_set_valid(struct smalloc_block *block, bool valid)
{
	unsigned int nr = 1U << block->order;
	int ret = 0;

#ifdef CONFIG_X86
	ret = set_direct_map_valid_noflush(block->page, nr, valid);
#else
	unsigned int i;

	for (i = 0; i < nr && !ret; i++) {
		ret = valid ? set_direct_map_default_noflush(block->page + i) :
			      set_direct_map_invalid_noflush(block->page + i);
	}
	/* Put back what did change. */
	while (ret && !valid && i--)
		set_direct_map_default_noflush(block->page + i);
#endif
	return ret;
}

/* Take @block's pages out of the direct map, and out of the high mapping. */
static int smalloc_block_unmap(struct smalloc_block *block)
{
	unsigned long addr = smalloc_block_addr(block);
	unsigned int nr = 1U << block->order;
	unsigned int before __maybe_unused;
	int ret;

	/*
	 * The pages were free: some may still have a lazily unmapped vmalloc
	 * alias, writable, in a TLB.  Purge those before a node maps them.
	 */
	vm_unmap_aliases();
	ret = smalloc_unmap_highmap(block->page, nr);
	if (ret)
		return ret;
	if (smalloc_blocks_4k) {
		ret = smalloc_block_split(block);
		if (ret)
			return ret;
	}
#ifdef CONFIG_X86
	before = smalloc_direct_map_level(addr);
#endif
	ret = smalloc_block_set_valid(block, false);
#ifdef CONFIG_X86
	/* Hibernation's splits are its own (smalloc_blocks_split_4k()). */
	if (!smalloc_blocks_4k)
		smalloc_block_count_splits(before,
					   smalloc_direct_map_level(addr));
#endif
	/* One flush of every CPU's TLB for the block, also on failure. */
	flush_tlb_kernel_range(addr, addr + nr * PAGE_SIZE);
	return ret;
}

/*
 * Put @block's direct map back, present and writable; its high-mapping
 * aliases stay away.  Making an entry present needs no flush.
 */
static int smalloc_block_remap(struct smalloc_block *block)
{
	return smalloc_block_set_valid(block, true);
}

static struct page *smalloc_block_pages(unsigned int *order)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct page *page;
	unsigned int o;

	/* A 2 MiB block if it is there, then with compaction. */
	page = alloc_pages(gfp | __GFP_NORETRY, SMALLOC_BLOCK_ORDER);
	if (!page && (!smalloc_compaction_ever_failed ||
		      time_after(jiffies, smalloc_compaction_failed + HZ))) {
		page = alloc_pages(gfp | __GFP_RETRY_MAYFAIL,
				   SMALLOC_BLOCK_ORDER);
		if (!page) {
			smalloc_compaction_failed = jiffies;
			smalloc_compaction_ever_failed = true;
		}
	}
	if (page) {
		*order = SMALLOC_BLOCK_ORDER;
		return page;
	}
	for (o = SMALLOC_BLOCK_ORDER; o-- > 0;) {
		page = alloc_pages(o ? gfp | __GFP_NORETRY : gfp, o);
		if (page) {
			*order = o;
			return page;
		}
	}
	return NULL;
}

/* Make a block, out of the direct map where blocks leave it. */
static struct smalloc_block *smalloc_block_make(void)
{
	struct smalloc_block *block;
	unsigned int i, order;
	struct page *page;

	block = kzalloc(sizeof(*block), GFP_KERNEL);
	if (!block)
		return NULL;
	if (WARN_ON_ONCE(!smalloc_blocks_unmapped()) || smalloc_blocks_broken)
		goto free_block;
	page = smalloc_block_pages(&order);
	if (!page)
		goto free_block;
	if (order)
		split_page(page, order);
	block->page = page;
	block->order = order;
	block->nr_free = 1U << order;
	bitmap_set(block->free, 0, block->nr_free);
	for (i = 0; i < block->nr_free; i++)
		set_page_private(page + i, SMALLOC_PAGE_FREE);
	if (smalloc_block_unmap(block))
		goto free_pages;

	list_add(&block->list, &smalloc_blocks);
	smalloc_blocks_made++;
	if (order < SMALLOC_BLOCK_ORDER)
		smalloc_blocks_small++;
	return block;

free_pages:
	/* What did leave the direct map comes back; the high mapping not. */
	if (smalloc_block_remap(block)) {
		pr_err("block %lx: cannot map it again, leaking it\n",
		       page_to_pfn(page));
		goto free_block;
	}
	for (i = 0; i < 1U << order; i++) {
		set_page_private(page + i, 0);
		__free_page(page + i);
	}
free_block:
	kfree(block);
	return NULL;
}

/*
 * Has @block the size and alignment of a block?  Its bookkeeping is
 * writable: one that does not is never used again.
 */
static bool smalloc_block_sane(const struct smalloc_block *block)
{
	return !smalloc_warn_on(block->order > SMALLOC_BLOCK_ORDER ||
				!IS_ALIGNED(page_to_pfn(block->page),
					    1UL << block->order) ||
				block->nr_free > 1U << block->order);
}

/* The block with the fewest free pages that has one; NULL if none has. */
static struct smalloc_block *smalloc_block_fullest(void)
{
	struct smalloc_block *block, *fullest = NULL;

	list_for_each_entry(block, &smalloc_blocks, list) {
		if (block->nr_free && smalloc_block_sane(block) &&
		    (!fullest || block->nr_free < fullest->nr_free))
			fullest = block;
	}
	return fullest;
}

/*
 * Should a node's first page come from a new block?  Never, but KUnit's
 * fault suite says yes, so that making a block is among the allocations
 * of every node it fails in turn.
 */
VISIBLE_IF_KUNIT bool smalloc_block_fresh(void)
{
	KUNIT_STATIC_STUB_REDIRECT(smalloc_block_fresh);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_block_fresh);

#if IS_ENABLED(CONFIG_KUNIT)
/* Is the blocks' lock held?  For KUnit's stubs of what runs under it. */
bool smalloc_blocks_locked(void)
{
	return mutex_is_locked(&smalloc_blocks_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_blocks_locked);
#endif

/**
 * smalloc_block_take_locked() - Take a free page for a node.
 * @first: The node's first page.
 *
 * From the fullest block that has one, or from a new block.  The page is
 * marked SMALLOC_PAGE_USED.  Under smalloc_blocks_lock().
 *
 * Return: the page, or NULL if memory runs out, if the pages that could
 * be taken, a new block's included, all fail their checks, or if a block
 * is found in the direct map (then no block is made again).
 */
struct page *smalloc_block_take_locked(bool first)
{
	struct smalloc_block *block;
	bool made = false;
	struct page *page;
	unsigned int i;

	lockdep_assert_held(&smalloc_blocks_mutex);
	if (!smalloc_blocks_unmapped()) {
		page = alloc_page(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN);
		if (page)
			set_page_private(page, SMALLOC_PAGE_USED);
		return page;
	}
	for (;;) {
		block = NULL;
		if (!first || !smalloc_block_fresh())
			block = smalloc_block_fullest();
		/*
		 * One new block per page at most: pages that fail the checks
		 * below are leaked, not replaced by block after block.
		 */
		if (!block && !made) {
			block = smalloc_block_make();
			made = true;
		}
		first = false;
		if (!block)
			return NULL;
		i = find_first_bit(block->free, 1U << block->order);
		if (i >= 1U << block->order) {
			/* nr_free is forged, or out of step: mend it. */
			smalloc_warn_on(1);
			block->nr_free = 0;
			continue;
		}
		__clear_bit(i, block->free);
		block->nr_free--;
		page = block->page + i;
		/*
		 * The page must be out of the direct map, as its block left it:
		 * if it is not, the block is not used again, nor any new one.
		 */
		if (smalloc_warn_on(kernel_page_present(page))) {
			pr_err("block %lx is in the direct map: leaking it, and making no more blocks\n",
			       page_to_pfn(block->page));
			list_del(&block->list);
			kfree(block);
			smalloc_blocks_broken = true;
			return NULL;
		}
		/* The bitmap is writable: the page's own mark must agree. */
		if (smalloc_warn_on(page_private(page) != SMALLOC_PAGE_FREE)) {
			pr_err_ratelimited("block page %lx is not free, leaking it\n",
					   page_to_pfn(page));
			continue;
		}
		set_page_private(page, SMALLOC_PAGE_USED);
		return page;
	}
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_block_take_locked);

/* The block that holds @page, if one does and is sane; else NULL. */
VISIBLE_IF_KUNIT struct smalloc_block *smalloc_block_of(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct smalloc_block *block;
	unsigned long first;

	list_for_each_entry(block, &smalloc_blocks, list) {
		if (block->order > SMALLOC_BLOCK_ORDER)
			continue;
		first = page_to_pfn(block->page);
		if (pfn >= first && pfn < first + (1UL << block->order))
			return smalloc_block_sane(block) ? block : NULL;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_block_of);

/**
 * smalloc_block_put_locked() - Give a node's page back to its block.
 * @page: The page, as the node's page table says.
 *
 * A page that no block holds, or that is not marked as in a node, is
 * leaked with a warning.  Under smalloc_blocks_lock().  The caller flushes
 * the node's mapping before it unlocks, so that the page is not handed
 * out again while a TLB may still map it.
 */
void smalloc_block_put_locked(struct page *page)
{
	struct smalloc_block *block;
	unsigned int i;

	lockdep_assert_held(&smalloc_blocks_mutex);
	if (!smalloc_blocks_unmapped()) {
		if (smalloc_warn_on(page_private(page) != SMALLOC_PAGE_USED)) {
			pr_err_ratelimited("page %lx is no node page, leaking it\n",
					   page_to_pfn(page));
			return;
		}
		/* Freed once the node is unmapped and flushed. */
		set_page_private(page, 0);
		list_add(&page->lru, &smalloc_pages_to_free);
		return;
	}
	block = smalloc_block_of(page);
	if (smalloc_warn_on(!block ||
			    page_private(page) != SMALLOC_PAGE_USED)) {
		pr_err_ratelimited("page %lx is no node page of a block, leaking it\n",
				   page_to_pfn(page));
		return;
	}
	i = page - block->page;
	if (smalloc_warn_on(test_bit(i, block->free))) {
		pr_err_ratelimited("page %lx is free in its block already\n",
				   page_to_pfn(page));
		return;
	}
	set_page_private(page, SMALLOC_PAGE_FREE);
	__set_bit(i, block->free);
	block->nr_free++;
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_block_put_locked);

/*
 * Give @block back to the page allocator, if every page says it is free.
 * Under smalloc_blocks_lock().
 */
VISIBLE_IF_KUNIT void smalloc_block_free(struct smalloc_block *block)
{
	unsigned int i, nr;

	lockdep_assert_held(&smalloc_blocks_mutex);
	if (!smalloc_block_sane(block))
		return;
	nr = 1U << block->order;
	for (i = 0; i < nr; i++) {
		if (smalloc_warn_on(page_private(block->page + i) !=
				    SMALLOC_PAGE_FREE)) {
			pr_err("block %lx: page %u is not free, keeping it\n",
			       page_to_pfn(block->page), i);
			return;
		}
	}
	if (smalloc_block_remap(block)) {
		/* Leak it rather than free pages out of the direct map. */
		pr_err("block %lx: cannot map it again, leaking it\n",
		       page_to_pfn(block->page));
		list_del(&block->list);
		kfree(block);
		return;
	}
	list_del(&block->list);
	for (i = 0; i < nr; i++) {
		set_page_private(block->page + i, 0);
		__free_page(block->page + i);
	}
	kfree(block);
	smalloc_blocks_freed++;
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_block_free);

/**
 * smalloc_blocks_trim_locked() - Free the blocks that no node uses.
 *
 * But one, the spare; a whole 2 MiB block rather than a small one.  Under
 * smalloc_blocks_lock(), once the nodes whose pages went back are flushed.
 */
void smalloc_blocks_trim_locked(void)
{
	struct smalloc_block *block, *tmp, *spare = NULL;
	struct page *page, *next;

	lockdep_assert_held(&smalloc_blocks_mutex);
	list_for_each_entry_safe(page, next, &smalloc_pages_to_free, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	list_for_each_entry(block, &smalloc_blocks, list) {
		if (block->order <= SMALLOC_BLOCK_ORDER &&
		    block->nr_free == 1U << block->order &&
		    (!spare || block->order > spare->order))
			spare = block;
	}
	list_for_each_entry_safe(block, tmp, &smalloc_blocks, list) {
		if (block != spare && block->order <= SMALLOC_BLOCK_ORDER &&
		    block->nr_free == 1U << block->order)
			smalloc_block_free(block);
	}
}

/**
 * smalloc_blocks_stats() - What the blocks hold, for debugfs and KUnit.
 * @stats: Filled in.
 */
void smalloc_blocks_stats(struct smalloc_blocks_stats *stats)
{
	struct smalloc_block *block;

	*stats = (struct smalloc_blocks_stats){};
	smalloc_blocks_lock();
	list_for_each_entry(block, &smalloc_blocks, list) {
		stats->blocks++;
		if (block->order > SMALLOC_BLOCK_ORDER)
			continue;
		stats->pages += 1UL << block->order;
		stats->free_pages += block->nr_free;
		if (block->nr_free == 1U << block->order)
			stats->free_blocks++;
	}
	stats->made = smalloc_blocks_made;
	stats->small = smalloc_blocks_small;
	stats->freed = smalloc_blocks_freed;
	stats->split_2m = smalloc_blocks_split_2m;
	stats->split_1g = smalloc_blocks_split_1g;
	smalloc_blocks_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_blocks_stats);

/**
 * smalloc_blocks_split_4k() - Split every block's direct map to 4 KiB pages.
 *
 * For hibernation, which maps each page of a block back to copy it, a page
 * at a time with interrupts off, where a 2 MiB page cannot be split.  The
 * blocks stay split; blocks made until smalloc_blocks_whole() are split
 * too.  Where blocks stay in the direct map, or the architecture maps it
 * with pages, nothing changes.
 *
 * Return: 0, or the first error of a split (-ENOMEM).
 */
int smalloc_blocks_split_4k(void)
{
	struct smalloc_block *block;
	int ret = 0;

	smalloc_blocks_lock();
	smalloc_blocks_4k = true;
	list_for_each_entry(block, &smalloc_blocks, list) {
		if (smalloc_block_sane(block))
			ret = ret ?: smalloc_block_split(block);
	}
	/* No PM_POST_* follows a failed PM_HIBERNATION_PREPARE. */
	if (ret)
		smalloc_blocks_4k = false;
	smalloc_blocks_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_blocks_split_4k);

/* Blocks made from now on leave the direct map as one large page again. */
void smalloc_blocks_whole(void)
{
	smalloc_blocks_lock();
	smalloc_blocks_4k = false;
	smalloc_blocks_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(smalloc_blocks_whole);

#ifdef CONFIG_HIBERNATION
static int smalloc_blocks_pm_notify(struct notifier_block *nb,
				    unsigned long action, void *unused)
{
	switch (action) {
	case PM_HIBERNATION_PREPARE:
		return notifier_from_errno(smalloc_blocks_split_4k());
	case PM_POST_HIBERNATION:
		smalloc_blocks_whole();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block smalloc_blocks_pm_nb = {
	.notifier_call = smalloc_blocks_pm_notify,
};

static int __init smalloc_blocks_pm_init(void)
{
	return register_pm_notifier(&smalloc_blocks_pm_nb);
}
core_initcall(smalloc_blocks_pm_init);
#endif
