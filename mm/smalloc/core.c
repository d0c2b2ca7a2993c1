// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: sealable memory pools.
 *
 * A pool hands out objects that are written during a setup phase and then
 * only read: allocate, write, smalloc_seal(), read many times, then
 * smalloc_unseal() to change them or smalloc_destroy() to give them back.
 * Sealing makes every page of the pool read-only through its vmalloc
 * address, its only mapping: a node's pages come from blocks that are out
 * of the kernel's direct map for as long as smalloc keeps them (block.c),
 * so a stray or malicious write faults wherever it comes from.  One TLB
 * flush covers the whole pool, however many nodes it has.
 *
 * A pool is a list of nodes.  Each node is one vmalloc area of whole
 * pages, marked VM_SMALLOC, whose pages smalloc maps from its blocks and
 * gives back to them when the pool is destroyed.  (Without an MMU,
 * vmalloc() is kmalloc(): a node is physically contiguous, a power of two
 * of at most 16 pages unless an object needs more, and nothing can be
 * sealed.)  Nodes are mapped in the top sixteenth of the vmalloc space
 * (SMALLOC_VSTART), far from where vmalloc() allocates, so that the
 * lookups of most other addresses stop at a comparison.  Objects are
 * carved from the newest node with a bump pointer, aligned to the pool's
 * alignment.  When an object does not fit, the pool grows by a node as
 * large as the pool so far (up to 512 pages), so that the number of nodes,
 * and of allocations and checks per seal, stays small; an object larger
 * than that gets a node of its own, kept behind the newest node so that
 * the newest node's free space is not lost.  There is no per-object free:
 * the memory comes back when the pool is destroyed.
 *
 * Who may write what, and when:
 *
 * - A node's header (struct smalloc_node) is the start of its own area,
 *   and the end offset of each of its objects is kept at the end of the
 *   area; struct smalloc_pool and its name live in the pool's first node.
 *   So all that describes a sealed pool is sealed with it: forging a node
 *   address, a list link or an object bound of a sealed pool means
 *   defeating the seal itself.  All of it is written only under the pool
 *   lock, while the pool is unsealed.
 * - What must stay writable, the mutex, the debugfs list link and the
 *   sealed state, is in struct smalloc_state, which points back to its
 *   pool.
 * - The address index (index.c) and the state stay writable; they are
 *   cross-checked before any permission change or destroy: a node must be
 *   the one the index holds for its address, belong to the pool, and be a
 *   whole VM_SMALLOC area of its size.  A pool whose metadata fails that is
 *   left untouched, with a warning: never made writable, never freed.
 * - The blocks' bookkeeping (block.c) stays writable; the marks in the
 *   pages' own descriptors bound what a write to it can do.
 *
 * One mutex per pool serialises allocation (including the initialisation
 * of zeroed and copied objects), seal, unseal and destroy; all of them may
 * sleep.  Lookups (index.c) take no lock.
 *
 * A sealed pool stays exactly as it was sealed: allocating from it is a
 * caller bug that fails with a warning, rather than a new writable node
 * that would leave part of a "sealed" pool open.  To add objects, unseal,
 * allocate and seal again.
 *
 * The global pool, smalloc_global, completes __ro_after_init for memory
 * that built-in code allocates during boot: callers can neither seal nor
 * unseal it, kernel_init() seals it for good before it frees init memory,
 * and from then on allocating from it fails with a warning.
 */

#define pr_fmt(fmt) "smalloc: " fmt

#include <linux/bug.h>
#include <linux/init.h>
#include <linux/fault-inject.h>
#include <linux/kasan.h>
#include <linux/kasan-checks.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <asm/tlbflush.h>

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test-bug.h>

#ifdef CONFIG_ARM64
#include <linux/mmu_context.h>	/* rodata_full */
#endif
/* x86_64's own page tables, not UML's, which also sets CONFIG_X86_64. */
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#define SMALLOC_X86_64
#include <asm/sections.h>	/* _text, _brk_end */
#endif

#include "../internal.h"
#include "smalloc.h"

static struct smalloc_pool smalloc_global_pool __ro_after_init;

static struct smalloc_state smalloc_global_state = {
	.lock = __MUTEX_INITIALIZER(smalloc_global_state.lock),
	.list = LIST_HEAD_INIT(smalloc_global_state.list),
	.pool = &smalloc_global_pool,
};

/* Written only until kernel_init() seals the pool, then read-only. */
static struct smalloc_pool smalloc_global_pool __ro_after_init = {
	.state = &smalloc_global_state,
	.name = "global",
	.align = ARCH_KMALLOC_MINALIGN,
	.shared = true,
};

/*
 * smalloc_global - The global pool, for built-in code during boot.
 *
 * Not exported: modules load after the pool is sealed for good.
 */
struct smalloc_pool *const smalloc_global = &smalloc_global_pool;

/* Pools other than the global one, for debugfs. */
LIST_HEAD(smalloc_pools);
/* Protects smalloc_pools; taken before a pool's lock. */
DEFINE_MUTEX(smalloc_pools_lock);

/*
 * A KUnit test that provokes a caller bug or a corruption on purpose arms
 * the SMALLOC_WARNINGS resource around the call: the warning is counted
 * there instead of printed, and the test asserts the count.  Any other
 * warning, in a test or not, is printed, and fails the run.
 */
bool smalloc_warning_expected(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	struct kunit_resource *resource;
	struct smalloc_warnings *w;
	bool counted = false;

	/*
	 * A hardirq's warning is not the interrupted test's; a softirq's,
	 * served in the test's task as smalloc_wr_test_contexts does, is.
	 */
	if (in_nmi() || in_hardirq() || !kunit_get_current_test())
		return false;
	resource = kunit_find_named_resource(current->kunit_test,
					     SMALLOC_WARNINGS);
	if (!resource)
		return false;
	w = resource->data;
	if (w->armed) {
		w->count++;
		counted = true;
	}
	kunit_put_resource(resource);
	return counted;
#else
	return false;
#endif
}

/*
 * The state of @pool, or NULL, with a warning, if @pool is NULL (a failed
 * smalloc_create()) or does not look like a pool: it must lie in smalloc's
 * window, its state must point back to it, and, with @lookup, the index
 * must hold it in a node of its own.  The allocation path leaves the
 * lookup out, as it costs as much as the allocation: allocation changes
 * no permission and frees nothing, and seal, unseal and destroy check the
 * pool fully, and each of its nodes, before they do.
 */
static struct smalloc_state *__smalloc_pool_state(const struct smalloc_pool *pool,
						  bool lookup)
{
	struct smalloc_state *state = NULL;
	struct smalloc_node *node;
	bool ours = true;

	if (smalloc_warn_on(!pool))
		return NULL;
	if (pool != &smalloc_global_pool) {
		ours = smalloc_in_window(pool);
		if (ours && lookup) {
			rcu_read_lock();
			node = smalloc_index_find(pool);
			ours = node && node->pool == pool;
			rcu_read_unlock();
		}
	}
	if (ours)
		state = READ_ONCE(pool->state);
	if (smalloc_warn_on(!state || READ_ONCE(state->pool) != pool)) {
		pr_err("%p is not a pool, or its metadata is corrupted\n",
		       pool);
		return NULL;
	}
	return state;
}

struct smalloc_state *smalloc_pool_state(const struct smalloc_pool *pool)
{
	return __smalloc_pool_state(pool, true);
}

/*
 * What the system can do, whatever a KUnit test plays through
 * smalloc_can_seal()'s stub: blocks follow this (block.c).
 */
bool smalloc_system_can_seal(void)
{
	/*
	 * Hardware tag-based KASAN maps vmalloc memory with a tagged memory
	 * type, which the permission change would not keep.
	 */
	if (IS_ENABLED(CONFIG_KASAN_HW_TAGS))
		return false;
#if defined(SMALLOC_X86_64)
	/*
	 * Booted with rodata=off, __ro_after_init data stays writable: the
	 * global pool's descriptor, write-rare tickets and the pointers that
	 * users keep to sealed data, all of which a seal trusts.
	 */
	return rodata_enabled;
#elif defined(CONFIG_ARM64)
	return rodata_full;
#else
	return false;
#endif
}

/* Why smalloc_system_can_seal() says no, for its notice: the same ladder. */
static const char *smalloc_cannot_seal_why(void)
{
	if (IS_ENABLED(CONFIG_KASAN_HW_TAGS))
		return "hardware tag-based KASAN is on";
#if defined(SMALLOC_X86_64)
	return "boot without rodata=off";
#elif defined(CONFIG_ARM64)
	return "boot with rodata=full";
#elif !defined(CONFIG_MMU)
	return "there is no MMU";
#else
	return "the linear alias would stay writable";
#endif
}

/**
 * smalloc_can_seal() - Can pools be sealed on this system?
 *
 * Sealing takes every mapping of a pool's pages away from writers: the
 * vmalloc mapping at the seal, and the direct-map alias for as long as
 * smalloc holds the page (its block is out of the direct map).  That
 * holds on x86_64 unless booted with rodata=off, which leaves the
 * __ro_after_init data a seal trusts writable, and on arm64 with
 * rodata=full, where the linear map is mapped at page granularity.
 * Elsewhere (32-bit highmem pages have no alias to take out; no MMU) pools
 * work, unsealed, and smalloc_seal() returns -EOPNOTSUPP.  A user that
 * says once at boot that its data stays writable asks this.
 *
 * Return: true if smalloc_seal() can seal a pool on this system.
 */
bool smalloc_can_seal(void)
{
	/*
	 * A test plays a system that cannot seal (smalloc_kunit.c).  Not from
	 * NMI: the stub's lookup takes the test's lock.
	 */
	if (!in_nmi())
		KUNIT_STATIC_STUB_REDIRECT(smalloc_can_seal);
	return smalloc_system_can_seal();
}
EXPORT_SYMBOL_GPL(smalloc_can_seal);

#if IS_ENABLED(CONFIG_SMALLOC_KUNIT_TEST)
DEFINE_STATIC_KEY_FALSE(smalloc_test_points);
#endif

atomic_long_t smalloc_permission_changes = ATOMIC_LONG_INIT(0);
atomic_long_t smalloc_tlb_flushes = ATOMIC_LONG_INIT(0);
atomic_long_t smalloc_destroy_flushes = ATOMIC_LONG_INIT(0);

static void smalloc_flush_add(struct smalloc_flush *flush, unsigned long addr,
			      unsigned long size)
{
	flush->start = min(flush->start, addr);
	flush->end = max(flush->end, addr + size);
}

/* Flush what @flush covers, on every CPU, once; count it in @count. */
static void smalloc_flush(struct smalloc_flush *flush, atomic_long_t *count)
{
	if (flush->start >= flush->end)
		return;
	atomic_long_inc(count);
#ifdef CONFIG_MMU
	flush_tlb_kernel_range(flush->start, flush->end);
#endif
	*flush = (struct smalloc_flush){ .start = ULONG_MAX };
}

#ifdef SMALLOC_X86_64
/*
 * x86_64 maps the kernel image a second time, at __START_KERNEL_map, from
 * _text up to the 2 MiB boundary after _brk_end (cleanup_highmap()).  The
 * pages of that range that the kernel image does not keep (after _brk_end,
 * and the init and alignment gaps freed at boot) are ordinary free pages,
 * and the high mapping keeps an alias of them, writable but for the gaps
 * around rodata, which mark_rodata_ro() left read-only.
 * Taking a block out of the direct map (set_direct_map_valid_noflush()) does
 * not touch it.  Take such a page out of the high mapping for good, when
 * its block is made, as
 * free_kernel_image_pages() does with PTI: the kernel never reaches a
 * page that is not its image through it.  A page that has no present
 * high-mapping alias costs a range check.
 *
 * The range's page frames, and what to add to a physical address for its
 * alias there: _brk_end and phys_base stay writable after boot, and what
 * a seal takes away, or calls sealed, must not follow a write to them.
 * They are read once, into data that mark_rodata_ro() protects: from an
 * early initcall (before the other CPUs run), or at the first block if
 * boot code makes one before that.  After boot they are never read again:
 * a block made then, with the bounds still unknown, fails.
 */
static unsigned long smalloc_highmap_first __ro_after_init;
static unsigned long smalloc_highmap_last __ro_after_init;
static unsigned long smalloc_highmap_offset __ro_after_init;

/*
 * _brk_end, as the range is read from it.  KUnit forges it here, not in
 * the kernel's own variable, which x86's page-attribute code reads too.
 */
VISIBLE_IF_KUNIT unsigned long smalloc_brk_end(void)
{
	KUNIT_STATIC_STUB_REDIRECT(smalloc_brk_end);
	return _brk_end;
}

static void smalloc_highmap_read(void)
{
	smalloc_highmap_first = PHYS_PFN(__pa_symbol(_text));
	smalloc_highmap_last = PHYS_PFN(__pa_symbol(roundup(smalloc_brk_end(),
							    PMD_SIZE) - 1));
	smalloc_highmap_offset = __START_KERNEL_map - phys_base;
}

static int __init smalloc_highmap_init(void)
{
	if (!smalloc_highmap_last)
		smalloc_highmap_read();
	return 0;
}
early_initcall(smalloc_highmap_init);

/*
 * Has @page a present alias in the high mapping?  Its address in *@alias,
 * or 0 if the range is not known yet: then any page may have one.
 */
static bool smalloc_highmap_present(struct page *page, unsigned long *alias)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int level;
	pte_t *pte;

	if (!smalloc_highmap_last && system_state == SYSTEM_BOOTING)
		smalloc_highmap_read();
	if (WARN_ON_ONCE(!smalloc_highmap_last)) {
		*alias = 0;
		return true;
	}
	if (pfn < smalloc_highmap_first || pfn > smalloc_highmap_last)
		return false;
	*alias = PFN_PHYS(pfn) + smalloc_highmap_offset;
	pte = lookup_address(*alias, &level);
	return pte && pte_present(*pte);
}

/*
 * Take the @nr pages from @page, of a block being made, out of the high
 * mapping, in one change for the run that it covers: 0 if none has an
 * alias there (any more); -EAGAIN if the bounds are not known.
 */
int smalloc_unmap_highmap(struct page *page, unsigned int nr)
{
	unsigned long pfn = page_to_pfn(page), first, last;

	if (!smalloc_highmap_last && system_state == SYSTEM_BOOTING)
		smalloc_highmap_read();
	if (WARN_ON_ONCE(!smalloc_highmap_last))
		return -EAGAIN;
	first = max(pfn, smalloc_highmap_first);
	last = min(pfn + nr - 1, smalloc_highmap_last);
	if (first > last)
		return 0;
	return set_memory_np_noalias(PFN_PHYS(first) + smalloc_highmap_offset,
				     last - first + 1);
}
#else
/* Other architectures map a page of RAM once, besides vmalloc. */
static inline bool smalloc_highmap_present(struct page *page,
					   unsigned long *alias)
{
	return false;
}

int smalloc_unmap_highmap(struct page *page, unsigned int nr)
{
	return 0;
}
#endif

#ifdef CONFIG_MMU
static int smalloc_pte_set_prot(pte_t *ptep, unsigned long addr, void *data)
{
	pgprot_t *prot = data;

	set_pte_at(&init_mm, addr, ptep, pte_modify(ptep_get(ptep), *prot));
	return 0;
}
#endif

/*
 * Make the @numpages pages of the node at @addr read-only (@ro) or writable
 * again, without flushing TLBs: their vmalloc PTEs, their only mapping.
 * Before a seal, check that: a page must be out of the direct map and out
 * of x86_64's high mapping, as its block left it, or -EFAULT.  The pages
 * are found through the page tables, never through writable metadata.
 * On failure, the node is as it was.  Under the blocks' lock; the caller
 * flushes what @flush covers.
 */
VISIBLE_IF_KUNIT int smalloc_protect(unsigned long addr, int numpages, bool ro,
				     struct smalloc_flush *flush)
{
#ifdef CONFIG_MMU
	pgprot_t prot = ro ? PAGE_KERNEL_RO : PAGE_KERNEL;
	unsigned long alias;
	struct page *page;
	int i, ret;

	/* Pages are mapped under it, after a check that the header is writable. */
	smalloc_blocks_assert_held();
	for (i = 0; ro && i < numpages; i++) {
		page = vmalloc_to_page((void *)addr + i * PAGE_SIZE);
		/* No object reached it yet: there is nothing to protect. */
		if (!page)
			continue;
		if (kernel_page_present(page) ||
		    smalloc_highmap_present(page, &alias)) {
			pr_err("node page %p has a mapping besides the node's\n",
			       (void *)addr + i * PAGE_SIZE);
			return -EFAULT;
		}
	}
	/*
	 * The walk fails only on a huge mapping, which a node never has, and
	 * then before it changes a PTE: the callback itself cannot fail.
	 */
	ret = apply_to_existing_page_range(&init_mm, addr,
					   (unsigned long)numpages << PAGE_SHIFT,
					   smalloc_pte_set_prot, &prot);
	if (WARN_ON_ONCE(ret))
		return -EFAULT;
	smalloc_flush_add(flush, addr, (unsigned long)numpages << PAGE_SHIFT);
	return 0;
#else
	return -EOPNOTSUPP;	/* smalloc_can_seal() is false */
#endif
}

#ifdef CONFIG_MMU
/*
 * Is the page at @addr, in a node, read-only through every mapping?  Its
 * vmalloc PTE must be present and read-only, and its page out of the
 * direct map (and out of x86_64's high mapping).  The answer comes from
 * the page tables, which a write to a pool's writable state cannot change;
 * a lockless walk, as vmalloc_to_page()'s.
 */
static bool smalloc_page_sealed(unsigned long addr)
{
	pte_t pte = smalloc_pte(addr);
	unsigned long alias;
	struct page *page;

	if (!pte_present(pte) || pte_write(pte))
		return false;
	page = pte_page(pte);
	return !kernel_page_present(page) &&
	       !smalloc_highmap_present(page, &alias);
}
#endif

/*
 * smalloc_range_sealed() - Is [@p, @p + @size), in a node, sealed?
 *
 * Every page it touches must be read-only through every mapping
 * (smalloc_page_sealed()).  What the pool's writable state says is not
 * enough: it is a hint that the caller checks first.  In any context, at
 * the cost of a page-table walk per page.
 */
bool smalloc_range_sealed(const void *p, size_t size)
{
#ifdef CONFIG_MMU
	unsigned long addr = (unsigned long)kasan_reset_tag(p);
	unsigned long end = addr + max_t(size_t, size, 1);

	if (!smalloc_can_seal() || end < addr)
		return false;
	for (addr &= PAGE_MASK; addr < end; addr += PAGE_SIZE) {
		if (!smalloc_page_sealed(addr))
			return false;
	}
	return true;
#else
	return false;	/* nothing is sealed without an MMU */
#endif
}

/*
 * The one place that changes permissions, a node at a time, without a TLB
 * flush; KUnit injects failures here.
 */
VISIBLE_IF_KUNIT int smalloc_set_memory(unsigned long addr, int numpages,
					bool ro, struct smalloc_flush *flush)
{
	atomic_long_inc(&smalloc_permission_changes);
	KUNIT_STATIC_STUB_REDIRECT(smalloc_set_memory, addr, numpages, ro,
				   flush);
	return smalloc_protect(addr, numpages, ro, flush);
}

/*
 * KASAN, generic and with KASAN_VMALLOC, sees the objects of a node, and
 * nothing else: the node's free space, the ends of its objects and the
 * bytes after an object up to the next one are poisoned when the node is
 * made, an object is unpoisoned when it is carved, and a node is poisoned
 * whole when its pool is destroyed.  An access out of an object, or to a
 * destroyed pool, is reported.  smalloc's own files are not instrumented
 * (see the Makefile): they read node headers and ends.  Tag-based KASAN
 * would retag the memory, which smalloc does not follow: not annotated.
 */
#if defined(CONFIG_KASAN_GENERIC) && defined(CONFIG_KASAN_VMALLOC)
#define SMALLOC_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)

static void smalloc_kasan_poison(void *start, void *end)
{
	start = PTR_ALIGN(start, SMALLOC_KASAN_GRANULE);
	if (start < end)
		kasan_poison_vmalloc(start, end - start);
}

static void smalloc_kasan_unpoison(void *p, size_t size)
{
	/* An object of a pool aligned below the granule shares one. */
	void *start = PTR_ALIGN_DOWN(p, SMALLOC_KASAN_GRANULE);

	kasan_unpoison_vmalloc(start, size + (p - start),
			       KASAN_VMALLOC_PROT_NORMAL |
			       KASAN_VMALLOC_KEEP_TAG);
}
#else
static void smalloc_kasan_poison(void *start, void *end) { }
static void smalloc_kasan_unpoison(void *p, size_t size) { }
#endif

#ifdef CONFIG_MMU
/*
 * Give the pages of the node at @addr, of @pages pages (some of which may
 * not be mapped yet), back to their blocks, and unmap the node.  The pages
 * are the ones its page tables map, never what writable metadata says.
 * The caller flushes what @flush covers before it unlocks the blocks.
 */
static void smalloc_area_unmap_locked(void *addr, unsigned long pages,
				      struct smalloc_flush *flush)
{
	struct vm_struct *area = find_vm_area(addr);
	struct page *page;
	unsigned long i;

	/*
	 * Checked before, but @pages comes from a record kept in writable
	 * memory: walk exactly the area, and give nothing back otherwise.
	 */
	if (smalloc_warn_on(!area || area->addr != addr ||
			    !(area->flags & VM_SMALLOC) ||
			    get_vm_area_size(area) != pages << PAGE_SHIFT)) {
		pr_err("%p is no node area, leaking its pages\n", addr);
		return;
	}
	for (i = 0; i < pages; i++) {
		page = vmalloc_to_page(addr + i * PAGE_SIZE);
		if (!page)
			continue;	/* never reached by an object */
		/* Each mapped page is a kmemleak object of its own. */
		kmemleak_free(addr + i * PAGE_SIZE);
		smalloc_block_put_locked(page);
	}
	kfree(remove_vm_area(addr));
	smalloc_flush_add(flush, (unsigned long)addr, pages << PAGE_SHIFT);
}

/* Most pages mapped under one hold of the blocks' lock. */
#define SMALLOC_MAP_BATCH	16

/* Where node pages get their PTEs; KUnit injects failures here. */
VISIBLE_IF_KUNIT int smalloc_vmap_pages(unsigned long addr, unsigned long end,
					struct page **pages)
{
	KUNIT_STATIC_STUB_REDIRECT(smalloc_vmap_pages, addr, end, pages);
	return vmap_pages_range_noflush(addr, end, PAGE_KERNEL, pages,
					PAGE_SHIFT);
}

/*
 * Map @nr pages at @addr, none of which is mapped, from blocks, with one
 * vmap call, for @node (NULL for a node's first page, whose header is not
 * written yet).  Each page is the node's for lookups (its index) before
 * its PTE exists, kmemleak scans each apart from the node's other pages
 * (the caller registers the first one, which tells leaks; the others
 * never do), and they are zeroed if pages are zeroed at allocation or
 * free: they may come back from a destroyed pool.  Under the blocks'
 * lock, which a destroy of the node takes: the caller checked, under it,
 * that the area is the node's (or made it).  On failure, no PTE of the
 * run is left and its pages are back in their blocks.
 */
static int smalloc_pages_map_locked(struct smalloc_node *node,
				    unsigned long addr, unsigned int nr)
{
	unsigned long size = (unsigned long)nr << PAGE_SHIFT, off;
	struct page *pages[SMALLOC_MAP_BATCH];
	unsigned int got;
	int ret;

	smalloc_blocks_assert_held();
	if (WARN_ON_ONCE(!nr || nr > SMALLOC_MAP_BATCH))
		return -EINVAL;
	for (got = 0; got < nr; got++) {
		pages[got] = smalloc_block_take_locked(!node);
		if (!pages[got]) {
			ret = -ENOMEM;
			goto put;
		}
		/*
		 * Not what the page's last user left: a lookup that finds the
		 * page through its PTE reads this.
		 */
		WRITE_ONCE(pages[got]->index, (unsigned long)node);
	}
	/* The index before the PTE; pairs with the lookup's dependency. */
	smp_wmb();
	ret = smalloc_vmap_pages(addr, addr + size, pages);
	if (ret) {
		/*
		 * A page table could not be allocated, say: part of the run
		 * may be mapped, and a CPU may have cached it.  None of it was
		 * mapped before (a fresh area, or the caller's walk under this
		 * lock, under which alone smalloc maps): unmapping the run
		 * removes only this call's PTEs.
		 */
		vunmap_range_noflush(addr, addr + size);
		flush_tlb_kernel_range(addr, addr + size);
		goto put;
	}
	flush_cache_vmap(addr, addr + size);
	for (off = 0; off < size; off += PAGE_SIZE) {
		if (node)
			kmemleak_alloc((void *)addr + off, PAGE_SIZE, 0,
				       GFP_KERNEL);
		if (want_init_on_alloc(GFP_KERNEL) || want_init_on_free())
			clear_page((void *)addr + off);
	}
	return 0;
put:
	while (got--) {
		WRITE_ONCE(pages[got]->index, 0);
		smalloc_block_put_locked(pages[got]);
	}
	return ret;
}

/*
 * A node's area of @pages pages, of which only the first is mapped: the
 * others are mapped as objects reach them (smalloc_node_populate()).  The
 * first page's index is NULL until smalloc_index_add() makes it the node.
 */
static void *smalloc_area_alloc(unsigned long pages)
{
	unsigned long size = pages << PAGE_SHIFT;
	struct vm_struct *area;
	int ret;

	/* Sizes often come from data: a failure is the caller's to report. */
	area = __get_vm_area_caller(size, VM_SMALLOC, SMALLOC_VSTART,
				    SMALLOC_VEND, __builtin_return_address(0));
	if (!area)
		return NULL;
	smalloc_blocks_lock();
	ret = smalloc_pages_map_locked(NULL, (unsigned long)area->addr, 1);
	if (ret)
		kfree(remove_vm_area(area->addr));
	smalloc_blocks_unlock();
	if (ret)
		return NULL;
	/* It holds pointers to other memory, as vmalloc() memory may. */
	kmemleak_vmalloc(area, PAGE_SIZE, GFP_KERNEL);
	return area->addr;
}

/*
 * Map the next run of pages of @node, of @pool, up to SMALLOC_MAP_BATCH,
 * that bytes [*@start, @end) of the node reach and that are not mapped
 * yet, under one hold of the blocks' lock.  Returns how many it mapped, 0
 * once none is left, or an error; on success, *@start moves past the
 * pages it looked at.
 *
 * Only within the node's own area, as vmalloc has it under the blocks'
 * lock, which a destroy holds while it takes the area down: never past
 * it, where a forged header may point, nor into a freed range.  Then only
 * for a node that says it is @pool's (not another pool's that a forged
 * list points at) and whose header is writable (not sealed): a seal
 * changes PTEs under this lock, so a page mapped here is one its walk
 * finds.  The area is checked before anything of the node is read or any
 * of its page table walked, and which pages are mapped is read under the
 * lock, under which alone smalloc maps.
 */
static long smalloc_pages_map(struct smalloc_pool *pool,
			      struct smalloc_node *node, size_t *start,
			      size_t end)
{
	unsigned long addr = (unsigned long)node;
	size_t off = *start & PAGE_MASK;
	struct vm_struct *area;
	unsigned int nr = 0;
	long ret = -EFAULT;

	smalloc_blocks_lock();
	area = find_vm_area(node);
	if (smalloc_warn_on(!area || area->addr != node ||
			    !(area->flags & VM_SMALLOC) ||
			    end > get_vm_area_size(area)) ||
	    smalloc_warn_on(READ_ONCE(node->pool) != pool ||
			    !pte_write(smalloc_pte(addr))))
		goto unlock;
	while (off < end && vmalloc_to_page((void *)addr + off))
		off += PAGE_SIZE;
	while (nr < SMALLOC_MAP_BATCH && off + nr * PAGE_SIZE < end &&
	       !vmalloc_to_page((void *)addr + off + nr * PAGE_SIZE))
		nr++;
	ret = nr ? smalloc_pages_map_locked(node, addr + off, nr) : 0;
	if (!ret) {
		ret = nr;
		*start = min_t(size_t, off + nr * PAGE_SIZE, end);
	}
unlock:
	smalloc_blocks_unlock();
	return ret;
}

/*
 * Map the pages of @node, of @pool, that bytes [@start, @end) of the node
 * reach and that are not mapped yet, counting them in *@mapped: only
 * within its area, and only while it is @pool's and writable
 * (smalloc_pages_map()).  Which pages are mapped, the page table says.
 * Under the pool's lock.  On failure, the pages mapped so far stay the
 * node's.
 */
static int smalloc_node_populate(struct smalloc_pool *pool,
				 struct smalloc_node *node, size_t start,
				 size_t end, unsigned long *mapped)
{
	long nr;

	while (start < end) {
		/* Sizes come from data: let a task that is killed go. */
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		nr = smalloc_pages_map(pool, node, &start, end);
		if (nr <= 0)
			return nr;
		*mapped += nr;
	}
	return 0;
}

/* Give back an area that smalloc_area_alloc() made. */
static void smalloc_area_free(void *addr, unsigned long pages)
{
	struct smalloc_flush flush = { .start = ULONG_MAX };

	smalloc_blocks_lock();
	smalloc_area_unmap_locked(addr, pages, &flush);
	smalloc_flush(&flush, &smalloc_destroy_flushes);
	smalloc_blocks_trim_locked();
	smalloc_blocks_unlock();
}
#else
static void *smalloc_area_alloc(unsigned long pages)
{
	return __vmalloc_node_range(pages << PAGE_SHIFT, PAGE_SIZE,
				    SMALLOC_VSTART, SMALLOC_VEND,
				    GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				    VM_SMALLOC, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

static void smalloc_area_free(void *addr, unsigned long pages)
{
	vfree(addr);
}

/* Without an MMU, a node is kmalloc() memory, all of it there. */
static int smalloc_node_populate(struct smalloc_pool *pool,
				 struct smalloc_node *node, size_t start,
				 size_t end, unsigned long *mapped)
{
	return 0;
}
#endif

/**
 * smalloc_free_refused() - Refuse to free smalloc memory as other memory.
 * @p: An address that vfree() or kfree() was asked to free.
 *
 * A pool is freed whole, by smalloc_destroy(), which takes its nodes out
 * of the index first.  A vfree() of a node or of an address within one,
 * or a kfree() of a page's direct-map alias, would free pages the pool
 * still hands out, and that may be sealed: memory corruption.  vfree() and
 * vfree_atomic() ask this for every address, before they touch the
 * memory; kfree() only for a page that kmalloc() cannot have given out
 * (order 0, not a slab), off its fast path.  Other ways to free memory
 * are not covered: kmem_cache_free() of a vmalloc address, as a policy's
 * ebitmap_destroy() would do, faults in virt_to_slab() before any check.
 * Without an MMU, nodes are kmalloc() memory, and nothing is refused.
 *
 * Context: Any context vfree() and kfree() take.
 * Return: true, with a warning, if @p is smalloc memory: then nothing may
 * be freed.
 */
bool smalloc_free_refused(const void *p)
{
	if (!IS_ENABLED(CONFIG_MMU) || !p)
		return false;
	if (is_vmalloc_addr(p)) {
		if (!smalloc_in_window(p) || !is_smalloc_addr(p))
			return false;
	} else if (!virt_addr_valid(p) ||
		   !smalloc_page_marked(virt_to_page(p))) {
		return false;
	}
	if (!smalloc_warning_expected()) {
		pr_err_ratelimited("refused to free %p, memory of a pool: pools are freed by smalloc_destroy()\n",
				   p);
		WARN_ON_ONCE(1);
	}
	return true;
}

/* Add a node to @pool large enough for an object of @size bytes. */
static struct smalloc_node *smalloc_node_add(struct smalloc_pool *pool,
					     struct smalloc_node *newest,
					     size_t size, size_t *nsize,
					     size_t *base_out)
{
	size_t base = ALIGN(sizeof(struct smalloc_node), pool->align);
	unsigned long pages = PAGE_ALIGN(base + size + sizeof(u32)) >> PAGE_SHIFT;
	unsigned long grow = clamp(pool->nr_pages,
				   (unsigned long)SMALLOC_NODE_MIN_PAGES,
				   (unsigned long)SMALLOC_NODE_MAX_PAGES);
	unsigned long n = max(pages, grow), mapped;
	struct smalloc_node *node;

	/*
	 * @newest, from the pool's list, gets a link written into it: it must
	 * be a node, as the index has it, and the pool's.  Only this pool's
	 * nodes stay while its lock is held: the lookup under RCU.
	 */
	if (pages > grow && newest) {
		bool ours;

		rcu_read_lock();
		ours = smalloc_index_find(newest) == newest &&
		       READ_ONCE(newest->pool) == pool;
		rcu_read_unlock();
		if (smalloc_warn_on(!ours))
			return NULL;
	}
	/* Without an MMU, kmalloc() would round the node up: use it all. */
	if (!IS_ENABLED(CONFIG_MMU))
		n = roundup_pow_of_two(n);
	/* Grow geometrically, so that a pool has few nodes to check. */
	node = smalloc_area_alloc(n);
	if (!node)
		return NULL;
	node->pool = pool;
	node->size = n << PAGE_SHIFT;
	node->base = base;
	node->used = base;
	node->nr = 0;
	node->align = pool->align;
	node->stride = 0;
	node->osize = 0;
	smalloc_kasan_poison((void *)node + base, (void *)node + node->size);
	/*
	 * The pages of its first object and of that object's end, before the
	 * node joins the pool: an allocation that fails leaves the pool as it
	 * was.
	 */
	mapped = IS_ENABLED(CONFIG_MMU) ? 1 : n;
	if (smalloc_node_populate(pool, node, base, base + size, &mapped) ||
	    smalloc_node_populate(pool, node, node->size - sizeof(u32),
				  node->size, &mapped) ||
	    smalloc_index_add(node)) {
		smalloc_area_free(node, n);
		return NULL;
	}

	/* An object larger than the growth step gets a node of its own. */
	if (pages > grow && newest) {
		node->next = newest->next;
		newest->next = node;
	} else {
		node->next = newest;
		pool->nodes = node;
	}
	pool->nr_pages += node->size >> PAGE_SHIFT;
	pool->nr_mapped += mapped;
	*nsize = n << PAGE_SHIFT;
	*base_out = base;
	return node;
}

/*
 * Is there room in a node of @nsize bytes with @nr objects for an object of
 * @size at @offset, and for its end below the others?  All of it from
 * writable metadata: nothing here may wrap.
 */
static bool smalloc_node_fits(size_t nsize, unsigned int nr, size_t offset,
			      size_t size)
{
	return offset <= nsize && size <= nsize - offset &&
	       (nsize - offset - size) / sizeof(u32) > nr;
}

/*
 * Carve @size bytes at @offset of @node, a node of @nsize bytes with @nr
 * objects whose objects end at @used: map the pages the object and its end
 * reach, write its end and publish it.
 */
static __always_inline void *smalloc_carve_at(struct smalloc_pool *pool,
					      struct smalloc_node *node,
					      size_t size, size_t nsize,
					      unsigned int nr, size_t used,
					      size_t offset)
{
	size_t end = nsize - sizeof(u32) * ((size_t)nr + 1);

	/*
	 * The pages of the object and of its end, when they reach a page that
	 * the objects or the ends before them did not: the first object of a
	 * node, or one that crosses a page boundary.
	 */
	if (offset + size > PAGE_ALIGN(used) &&
	    smalloc_node_populate(pool, node, offset, offset + size,
				  &pool->nr_mapped))
		return NULL;
	if ((!nr || end < ((end + sizeof(u32)) & PAGE_MASK)) &&
	    smalloc_node_populate(pool, node, end, end + sizeof(u32),
				  &pool->nr_mapped))
		return NULL;

	/*
	 * Pools often hold objects of one size: while they do, the lookup
	 * finds one from the header alone (struct smalloc_node).  Cleared
	 * before @nr publishes an object that breaks the rule.
	 */
	if (!nr) {
		node->osize = size;
		WRITE_ONCE(node->stride, offset == node->base ?
					 ALIGN(size, node->align) : 0);
	} else if (size != node->osize ||
		   offset != node->base + nr * (size_t)node->stride) {
		WRITE_ONCE(node->stride, 0);
	}
	*(u32 *)((void *)node + end) = offset + size;
	node->used = offset + size;
	/* Publish the object once its end is written; pairs with smalloc_lookup(). */
	smp_store_release(&node->nr, nr + 1);
	pool->bytes += size;
	smalloc_kasan_unpoison((void *)node + offset, size);
	return (void *)node + offset;
}

/*
 * Carve @size bytes from a new node after @newest.  Out of line: the size
 * and base it returns through memory would cost every carve the stack
 * protector's check.
 */
static noinline void *smalloc_carve_new(struct smalloc_pool *pool,
					struct smalloc_node *newest,
					size_t size)
{
	struct smalloc_node *node;
	size_t nsize, base;

	node = smalloc_node_add(pool, newest, size, &nsize, &base);
	if (!node)
		return NULL;
	return smalloc_carve_at(pool, node, size, nsize, 0, base, base);
}

/*
 * Carve @size bytes from the newest node, adding a node if needed.
 *
 * The pool's list and the node's header are writable while the pool is,
 * and read here once each.  Whatever they say, the writes below (the
 * header, the object's end, and the object its caller fills, all between
 * the header and the end) stay in smalloc's window, and a page is mapped
 * only within the node's own area (smalloc_pages_map()).  The window also
 * holds the per-CPU allocator's areas, and other nodes: checking the
 * end's page against the index instead would cost an allocation a lookup.
 */
static void *smalloc_carve(struct smalloc_pool *pool, size_t size)
{
	struct smalloc_node *node = READ_ONCE(pool->nodes);
	size_t nsize, used, offset;
	unsigned long addr;
	unsigned int nr;

	if (!node)
		return smalloc_carve_new(pool, NULL, size);
	if (smalloc_warn_on(!smalloc_in_window(node)))
		return NULL;
	addr = (unsigned long)kasan_reset_tag(node);
	nsize = READ_ONCE(node->size);
	nr = READ_ONCE(node->nr);
	used = READ_ONCE(node->used);
	offset = ALIGN(used, pool->align);
	/*
	 * A size that reaches past the window, or objects that end so near
	 * SIZE_MAX that ALIGN() wraps to the header: forged, not full.
	 */
	if (smalloc_warn_on(offset < sizeof(*node) ||
			    (IS_ENABLED(CONFIG_MMU) &&
			     nsize > SMALLOC_VEND - addr)))
		return NULL;
	if (unlikely(!smalloc_node_fits(nsize, nr, offset, size)))
		return smalloc_carve_new(pool, node, size);
	return smalloc_carve_at(pool, node, size, nsize, nr, used, offset);
}

/* Does vmalloc have a whole VM_SMALLOC area of @size bytes at @node? */
bool smalloc_area_ours(const struct smalloc_node *node, size_t size)
{
	unsigned long start, end, flags;

	/*
	 * Without an MMU, vmalloc() is kmalloc() and there are no areas: the
	 * index's range is all there is to check.
	 */
	if (!IS_ENABLED(CONFIG_MMU))
		return true;

	/* Read under the vmap lock: the area may be going, if forged. */
	return vmap_area_info((unsigned long)node, &start, &end, &flags) &&
	       (flags & VM_SMALLOC) &&
	       start == (unsigned long)kasan_reset_tag(node) &&
	       /* vmalloc's guard page follows the area. */
	       end - start == size + PAGE_SIZE;
}

/*
 * Is @node a node of @pool?  The pool's list of nodes was writable while the
 * pool was unsealed: before trusting a node with a permission change or
 * vfree(), check it against what an overwrite of the list cannot change as
 * easily: the index must hold it for its address and exactly its size, it
 * must say it belongs to @pool, and vmalloc must have a whole VM_SMALLOC
 * area of its size at its address.
 */
static bool smalloc_node_ours(const struct smalloc_pool *pool,
			      struct smalloc_node *node, size_t *pages)
{
	size_t size = 0;
	bool ours;

	rcu_read_lock();
	ours = smalloc_index_find(node) == node && node->pool == pool;
	if (ours)
		size = node->size;
	rcu_read_unlock();

	if (!ours || !smalloc_index_holds(node, size) ||
	    !smalloc_area_ours(node, size))
		return false;
	/* The size that was checked, not one written since. */
	*pages = size >> PAGE_SHIFT;
	return true;
}

/* A node of a pool, and the size in pages that was checked. */
struct smalloc_rec {
	struct smalloc_node *node;
	size_t pages;
};

/*
 * Walk @pool's list of nodes once, checking each node, into *@recs (to be
 * kfree()d, allocated with @gfp).  The nodes must cover exactly the pool's
 * pages, so a list forged into a cycle, or cut short, fails.  Whatever the
 * writable list says afterwards, callers act on this record only.
 *
 * Return: the number of nodes; -EFAULT if the metadata is corrupted, or
 * -ENOMEM.
 */
static long smalloc_nodes_record(const struct smalloc_pool *pool,
				 struct smalloc_rec **recs, gfp_t gfp)
{
	unsigned long budget = READ_ONCE(pool->nr_pages);
	struct smalloc_rec *rec = NULL, *bigger;
	struct smalloc_node *node;
	long nr = 0, cap = 0;
	size_t pages;

	for (node = READ_ONCE(pool->nodes); node; node = READ_ONCE(node->next)) {
		if (!smalloc_node_ours(pool, node, &pages) || pages > budget)
			goto corrupted;
		budget -= pages;
		if (nr == cap) {
			cap = cap ? 2 * cap : 8;
			bigger = krealloc_array(rec, cap, sizeof(*rec), gfp);
			if (!bigger) {
				kfree(rec);
				return -ENOMEM;
			}
			rec = bigger;
		}
		rec[nr].node = node;
		rec[nr++].pages = pages;
	}
	if (budget)
		goto corrupted;
	*recs = rec;
	return nr;

corrupted:
	kfree(rec);
	return -EFAULT;
}

static unsigned long smalloc_rec_pages(const struct smalloc_rec *recs, long nr)
{
	unsigned long pages = 0;

	while (nr--)
		pages += recs[nr].pages;
	return pages;
}

/* Give back the nodes of a destroyed pool, as recorded: one flush. */
static void smalloc_nodes_free(const struct smalloc_rec *recs, long nr)
{
#ifdef CONFIG_MMU
	struct smalloc_flush flush = { .start = ULONG_MAX };
	long i;

	smalloc_blocks_lock();
	for (i = 0; i < nr; i++)
		smalloc_area_unmap_locked(recs[i].node, recs[i].pages, &flush);
	smalloc_flush(&flush, &smalloc_destroy_flushes);
	smalloc_blocks_trim_locked();
	smalloc_blocks_unlock();
#else
	while (nr--)
		vfree(recs[nr].node);
#endif
}

/*
 * Once a node is read-only, what its header says is final: check that it
 * is what the record was made of, so that nothing written between the
 * check and the seal is sealed in.
 */
static bool smalloc_node_sealed_as(const struct smalloc_pool *pool,
				   const struct smalloc_rec *recs, long nr,
				   long i)
{
	const struct smalloc_node *node = recs[i].node;

	return READ_ONCE(node->pool) == pool &&
	       READ_ONCE(node->size) == recs[i].pages << PAGE_SHIFT &&
	       READ_ONCE(node->next) == (i + 1 < nr ? recs[i + 1].node : NULL);
}

/*
 * Make every node of @pool read-only (@ro) or writable.  The nodes are
 * checked and recorded first, so that a corrupted pool is left entirely as
 * it is, and the permissions change from that record, never from links
 * that may be rewritten meanwhile; once sealed, each header must still say
 * what was checked.  On a failure, put back the nodes already changed,
 * unless @keep, and return the error; *@mixed tells whether some pages may
 * still be in the new state (@keep, or a failed rollback).
 */
static int smalloc_set_pages(struct smalloc_pool *pool, bool ro, bool keep,
			     bool *mixed)
{
	struct smalloc_flush flush = { .start = ULONG_MAX };
	struct smalloc_rec *recs;
	long nr, i;
	int ret = 0;

	*mixed = false;
	nr = smalloc_nodes_record(pool, &recs, GFP_KERNEL);
	if (nr < 0) {
		if (smalloc_warn_on(nr == -EFAULT))
			pr_err("pool %s: node metadata corrupted\n", pool->name);
		return nr;
	}

	/*
	 * No page of the pool has another mapping, not even a lazily unmapped
	 * vmalloc alias that a TLB may still hold: its block purged those
	 * when it was made (block.c), and a destroy flushes a node's mapping
	 * before its pages can go to another node.
	 */
	/*
	 * Under the blocks' lock, under which a page is mapped only for a
	 * node whose header is writable (smalloc_pages_map()): no page comes
	 * into a node after the walk that seals the node passed it.
	 */
	smalloc_blocks_lock();
	for (i = 0; i < nr; i++) {
		ret = smalloc_set_memory((unsigned long)recs[i].node,
					 recs[i].pages, ro, &flush);
		if (ret)
			break;
	}
	smalloc_blocks_unlock();
	/*
	 * One flush for the whole pool, however many nodes it has, of the
	 * range that covers its nodes' vmalloc addresses (on x86, a range of
	 * more than 33 pages is a flush of the whole TLB).
	 */
	smalloc_flush(&flush, &smalloc_tlb_flushes);
	/*
	 * Once the pages are read-only on every CPU, what the headers say is
	 * final: check that it is what the record was made of, so that
	 * nothing written between the check and the seal is sealed in.  The
	 * pool itself, in its first node, is final too.
	 */
	if (!ret && ro) {
		for (i = 0; i < nr; i++) {
			if (!smalloc_node_sealed_as(pool, recs, nr, i))
				ret = -EFAULT;
		}
		if (nr && (READ_ONCE(pool->nodes) != recs[0].node ||
			   READ_ONCE(pool->nr_pages) !=
			   smalloc_rec_pages(recs, nr)))
			ret = -EFAULT;
	}
	if (!ret)
		goto out;

	if (smalloc_warn_on(ret == -EFAULT))
		pr_err("pool %s: node metadata changed, or a page mapped elsewhere, under a permission change\n",
		       pool->name);
	else
		pr_err("pool %s: cannot make pages %s: %d\n", pool->name,
		       ro ? "read-only" : "writable", ret);
	if (!keep) {
		smalloc_blocks_lock();
		while (i && !smalloc_set_memory((unsigned long)recs[i - 1].node,
						recs[i - 1].pages, !ro, &flush))
			i--;
		smalloc_blocks_unlock();
		smalloc_flush(&flush, &smalloc_tlb_flushes);
	}
	*mixed = i;
out:
	kfree(recs);
	return ret;
}

/* Seal @pool, under its lock; @keep as for smalloc_set_pages(). */
static int smalloc_seal_locked(struct smalloc_pool *pool,
			       struct smalloc_state *state, bool keep)
{
	bool mixed;
	int ret;

	if (pool->nodes && !smalloc_can_seal()) {
		/* Not a test's stub: what the system cannot do. */
		if (smalloc_system_can_seal())
			return -EOPNOTSUPP;
		pr_notice_once("pools cannot be sealed on this system: %s\n",
			       smalloc_cannot_seal_why());
		return -EOPNOTSUPP;
	}
	/* Refuse copies from user space before the pages fault. */
	WRITE_ONCE(state->closed, true);
	ret = smalloc_set_pages(pool, true, keep, &mixed);
	if (!ret)
		WRITE_ONCE(state->sealed, true);
	else if (!mixed)
		WRITE_ONCE(state->closed, false);
	return ret;
}

/* A pool: @shared as the global pool, @wr for write-rare (wr.c). */
struct smalloc_pool *smalloc_pool_new(const char *name, size_t align,
				      bool shared, bool wr)
{
	struct smalloc_state *state;
	struct smalloc_node *node;
	struct smalloc_pool *pool;
	size_t len;
	char *copy;

	might_sleep();

	if (smalloc_warn_on(!name || !is_power_of_2(align) ||
			    align > PAGE_SIZE))
		return NULL;
	align = max_t(size_t, align, ARCH_KMALLOC_MINALIGN);

	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (!state)
		return NULL;
	node = smalloc_area_alloc(1);
	if (!node)
		goto free_state;

	/* The pool, then its name, follow the header of its first node. */
	pool = (void *)(node + 1);
	copy = (void *)(pool + 1);
	len = strnlen(name, SMALLOC_NAME_MAX - 1);
	memcpy(copy, name, len);
	copy[len] = '\0';
	*pool = (struct smalloc_pool) {
		.state = state,
		.nodes = node,
		.name = copy,
		.align = align,
		.nr_pages = 1,
		.nr_mapped = 1,
		.shared = shared,
		.wr = wr,
	};
	*node = (struct smalloc_node) {
		.pool = pool,
		.size = PAGE_SIZE,
		.used = copy + len + 1 - (char *)node,
		.align = align,
	};
	node->base = ALIGN(node->used, align);
	smalloc_kasan_poison((void *)node + node->used, (void *)node + PAGE_SIZE);

	mutex_init(&state->lock);
	state->pool = pool;
	if (smalloc_index_add(node))
		goto free_node;

	mutex_lock(&smalloc_pools_lock);
	list_add_tail(&state->list, &smalloc_pools);
	mutex_unlock(&smalloc_pools_lock);
	return pool;

free_node:
	smalloc_area_free(node, 1);
free_state:
	kfree(state);
	return NULL;
}

/**
 * smalloc_create_aligned() - Create a pool.
 * @name: Name of the pool, shown in reports and in debugfs; its first 63
 *	characters are kept, in the pool.
 * @align: Alignment of every object of the pool: a power of two, at most
 *	PAGE_SIZE.  Values below ARCH_KMALLOC_MINALIGN are raised to it.
 *
 * The pool's own description, and its name, take the start of its first
 * page and are sealed with it.
 *
 * Context: Process context.  May sleep.
 * Return: The new, unsealed and empty pool; NULL if memory runs out, or,
 * with a warning, if @name is NULL or @align is invalid.
 */
struct smalloc_pool *smalloc_create_aligned(const char *name, size_t align)
{
	return smalloc_pool_new(name, align, false, false);
}
EXPORT_SYMBOL_GPL(smalloc_create_aligned);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * smalloc_create_shared() - Create a pool that behaves like the global one:
 * callers can neither seal nor unseal it, only smalloc_seal_final() can.
 * For the tests of the global pool's rules.
 */
VISIBLE_IF_KUNIT struct smalloc_pool *smalloc_create_shared(const char *name)
{
	return smalloc_pool_new(name, ARCH_KMALLOC_MINALIGN, true, false);
}
#endif

#ifdef CONFIG_FAIL_SMALLOC
/*
 * Fault injection, for the error paths of smalloc's users: see
 * Documentation/fault-injection/fault-injection.rst.  "fail_smalloc=" on
 * the command line, /sys/kernel/debug/fail_smalloc/, or a task's fail-nth.
 */
static DECLARE_FAULT_ATTR(fail_smalloc);

static int __init setup_fail_smalloc(char *str)
{
	return setup_fault_attr(&fail_smalloc, str);
}
__setup("fail_smalloc=", setup_fail_smalloc);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static int __init fail_smalloc_debugfs(void)
{
	return PTR_ERR_OR_ZERO(fault_create_debugfs_attr("fail_smalloc", NULL,
							 &fail_smalloc));
}
late_initcall(fail_smalloc_debugfs);
#endif

static bool smalloc_should_fail(size_t size)
{
	return should_fail(&fail_smalloc, size);
}
#else
static inline bool smalloc_should_fail(size_t size)
{
	return false;
}
#endif

/*
 * Allocate @size bytes and, under the pool lock, so that the object is
 * written before anybody can seal the pool, copy @src into them, or zero
 * them if @src is NULL and @zero.
 */
static void *smalloc_alloc_init(struct smalloc_pool *pool, size_t size,
				const void *src, bool zero)
{
	struct smalloc_state *state;
	void *p = NULL;

	might_sleep();
	state = __smalloc_pool_state(pool, false);
	if (!state)
		return NULL;
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > SMALLOC_MAX_SIZE || smalloc_should_fail(size))
		return NULL;

	mutex_lock(&state->lock);
	/* A sealed pool, or the global pool after boot: a caller bug. */
	if (!smalloc_warn_on(state->closed || state->final ||
			     READ_ONCE(pool->final)))
		p = smalloc_carve(pool, size);
	if (p && src) {
		/* This file is not instrumented: check the caller's bytes. */
		kasan_check_read(src, size);
		memcpy(p, src, size);
	} else if (p && zero) {
		memset(p, 0, size);
	}
	mutex_unlock(&state->lock);
	return p;
}

/**
 * smalloc_alloc() - Allocate an object from a pool.
 * @pool: Pool to allocate from; smalloc_global for built-in code during
 *	boot.
 * @size: Size of the object in bytes, up to SMALLOC_MAX_SIZE.
 *
 * The object is aligned to the pool's alignment and is not zeroed.  It lives
 * until the pool is destroyed; there is no way to free it alone.  As with
 * kmalloc(), a size of 0 gives ZERO_SIZE_PTR.
 *
 * Allocating from a sealed pool is a caller bug: it warns and fails, and so
 * does allocating from the global pool once kernel init has finished, or
 * from a NULL pool (as a failed smalloc_create() returns).
 *
 * Context: Process context.  May sleep.
 * Return: The object; ZERO_SIZE_PTR if @size is 0; NULL if memory runs out
 * or @size exceeds SMALLOC_MAX_SIZE, or, with a warning, for a caller bug.
 */
void *smalloc_alloc(struct smalloc_pool *pool, size_t size)
{
	return smalloc_alloc_init(pool, size, NULL, false);
}
EXPORT_SYMBOL_GPL(smalloc_alloc);

/**
 * smalloc_zalloc() - Allocate a zeroed object from a pool.
 * @pool: Pool to allocate from.
 * @size: Size of the object in bytes.
 *
 * Like smalloc_alloc(), with the object zeroed.
 *
 * Context: Process context.  May sleep.
 * Return: The zeroed object, or ZERO_SIZE_PTR or NULL as for
 * smalloc_alloc().
 */
void *smalloc_zalloc(struct smalloc_pool *pool, size_t size)
{
	return smalloc_alloc_init(pool, size, NULL, true);
}
EXPORT_SYMBOL_GPL(smalloc_zalloc);

/**
 * smalloc_strdup() - Copy a string into a pool.
 * @pool: Pool to allocate from.
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
 * Every page of the pool, including the pool's own description, becomes
 * read-only through its vmalloc address, its only mapping: node pages come
 * from blocks kept out of the direct map.  The whole pool costs one TLB
 * flush on every CPU, however many nodes it has.  smalloc_validate() and
 * smalloc_find_object() report the pool sealed only once every page is
 * read-only.
 *
 * Sealing a sealed pool, or the global pool, is a caller bug.
 *
 * Context: Process context.  May sleep.
 * Return: 0 on success; -EINVAL, with a warning, for a caller bug; -EFAULT,
 * with a warning, if the pool's metadata is corrupted; -EOPNOTSUPP where
 * pools cannot be sealed (smalloc_can_seal(): architectures other than
 * x86_64 and arm64, x86_64 booted with rodata=off, arm64 without
 * rodata=full); -ENOMEM if the record of its nodes cannot be allocated;
 * otherwise the error of changing the page tables.  On failure, the pool
 * stays unsealed.
 */
int smalloc_seal(struct smalloc_pool *pool)
{
	struct smalloc_state *state;
	int ret;

	might_sleep();
	state = smalloc_pool_state(pool);
	if (!state || smalloc_warn_on(pool->shared))
		return -EINVAL;

	mutex_lock(&state->lock);
	if (smalloc_warn_on(state->closed))
		ret = -EINVAL;
	else
		ret = smalloc_seal_locked(pool, state, false);
	mutex_unlock(&state->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_seal);

/**
 * smalloc_unseal() - Make every object of a sealed pool writable again.
 * @pool: The pool.
 *
 * While a pool is unsealed, any CPU can write to it: keep the window short
 * and seal again, or write sealed objects with smalloc_wr_memcpy() and its
 * kin instead.  Unsealing an unsealed pool, a pool sealed for good, a
 * write-rare pool, or the global pool, is a caller bug.
 *
 * Context: Process context.  May sleep.
 * Return: 0 on success; -EINVAL, with a warning, for a caller bug; -EFAULT,
 * with a warning, if the pool's metadata is corrupted; -ENOMEM if the
 * record of its nodes cannot be allocated; otherwise the error of changing
 * the page tables.  On failure, the pool stays sealed.
 */
int smalloc_unseal(struct smalloc_pool *pool)
{
	struct smalloc_state *state;
	bool mixed;
	int ret;

	might_sleep();
	state = smalloc_pool_state(pool);
	if (!state || smalloc_warn_on(pool->shared))
		return -EINVAL;

	mutex_lock(&state->lock);
	if (smalloc_warn_on(!state->sealed || READ_ONCE(pool->final) ||
			    pool->wr)) {
		ret = -EINVAL;
	} else {
		/* Not sealed any more before the first page is writable. */
		WRITE_ONCE(state->sealed, false);
		ret = smalloc_set_pages(pool, false, false, &mixed);
		if (!ret)
			WRITE_ONCE(state->closed, false);
		else if (!mixed)
			WRITE_ONCE(state->sealed, true);
	}
	mutex_unlock(&state->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_unseal);

/**
 * smalloc_seal_final() - Seal a pool for good.
 * @pool: The pool, unsealed.
 *
 * Like smalloc_seal(), without a way back: from then on allocation, seal
 * and unseal fail with a warning, and only smalloc_destroy() remains.  The
 * mark is kept in the pool itself, and sealed with it, so that writing
 * the pool's writable state cannot make it unsealable again.  The objects
 * of a pool created by smalloc_create_wr() can still be changed, one
 * write at a time, with smalloc_wr_memcpy() and its kin.
 *
 * There is no rollback: if a node cannot be made read-only, the others
 * stay read-only, the pool refuses writes and allocation all the same, and
 * debugfs shows it as "seal-failed".
 *
 * Context: Process context.  May sleep.
 * Return: 0 on success; -EINVAL, with a warning, if @pool is sealed
 * already; otherwise as smalloc_seal().
 */
int smalloc_seal_final(struct smalloc_pool *pool)
{
	struct smalloc_state *state;
	int ret;

	might_sleep();
	state = smalloc_pool_state(pool);
	if (!state)
		return -EINVAL;

	mutex_lock(&state->lock);
	if (smalloc_warn_on(state->final || state->closed)) {
		mutex_unlock(&state->lock);
		return -EINVAL;
	}
	/* In the pool, so that it is sealed with it. */
	WRITE_ONCE(pool->final, true);
	ret = smalloc_seal_locked(pool, state, true);
	WRITE_ONCE(state->closed, true);
	WRITE_ONCE(state->final, true);
	mutex_unlock(&state->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smalloc_seal_final);

/**
 * smalloc_seal_global() - Seal the global pool for good.
 *
 * Called once by kernel_init(), when every initcall has run and before init
 * memory is freed and mark_readonly() write-protects the global pool's
 * description; being __init, nothing can call it later.
 */
void __init smalloc_seal_global(void)
{
	int ret = smalloc_seal_final(smalloc_global);

	if (ret && ret != -EOPNOTSUPP)
		pr_err("the global pool could not be sealed: %d\n", ret);
}

#if IS_BUILTIN(CONFIG_LKDTM)
/*
 * For LKDTM, whose tests write on purpose to objects of other subsystems'
 * pools, without those subsystems handing out addresses: the first object
 * of the one pool named @name, looked up as debugfs lists pools.  The pool
 * may go once this returns, and the object is read after the locks are
 * dropped: for pools that stay, such as those sealed for good.  Not
 * exported.
 *
 * Return: 0; -ENOENT if no pool has that name, or it has no object;
 * -ENOTUNIQ if several have.
 */
int smalloc_test_first_object(const char *name, struct smalloc_object *obj)
{
	struct smalloc_node *node, *first = NULL;
	struct smalloc_state *state;
	struct smalloc_pool *pool;
	unsigned long nodes;
	int found = 0;

	mutex_lock(&smalloc_pools_lock);
	list_for_each_entry(state, &smalloc_pools, list) {
		mutex_lock(&state->lock);
		pool = state->pool;
		/* The state is writable: trust its pool only if it points back. */
		if (pool->state == state && !strcmp(pool->name, name)) {
			found++;
			/* The first node is the one that holds the pool. */
			nodes = 0;
			for (node = pool->nodes; node && nodes <= pool->nr_pages;
			     node = node->next, nodes++) {
				if ((void *)pool >= (void *)node &&
				    (void *)pool < (void *)node + node->size) {
					first = node;
					break;
				}
			}
		}
		mutex_unlock(&state->lock);
	}
	mutex_unlock(&smalloc_pools_lock);
	if (found > 1)
		return -ENOTUNIQ;
	if (!first || !smalloc_find_object((void *)first + first->base, obj))
		return -ENOENT;
	return 0;
}
#endif

/**
 * smalloc_destroy() - Destroy a pool and free all of its objects.
 * @pool: The pool, sealed or not.  NULL does nothing, as for kfree().
 *
 * The pages go back to smalloc's blocks, and a block that no pool uses any
 * more to the page allocator, with its direct map restored.  The whole
 * pool costs one TLB flush.  The caller must make sure nothing uses the
 * pool's objects any more, and that no other call on the pool runs at the
 * same time or comes later: the pool is gone when this returns.  Lookups
 * (smalloc_find_object() and the like) may run meanwhile; they stop
 * finding the pool's objects before any page is freed.
 *
 * A pool whose metadata fails the checks of smalloc_seal() is not freed but
 * leaked, with a warning: freeing pages that may belong to somebody else
 * would be worse.  Destroying the global pool is a caller bug.
 *
 * Context: Process context.  May sleep.
 */
void smalloc_destroy(struct smalloc_pool *pool)
{
	struct smalloc_state *state;
	struct smalloc_rec *recs;
	long nr, i;

	might_sleep();
	if (!pool)
		return;
	state = smalloc_pool_state(pool);
	if (!state || smalloc_warn_on(pool == smalloc_global))
		return;

	/*
	 * Check and record the nodes; from here on only the record is used,
	 * never the writable links.  No other call may run on the pool, so
	 * the record stays true after the lock is dropped for the debugfs
	 * list, which is locked before pools.  Users destroy pools on their
	 * error paths, when memory may be short: the record, a few bytes a
	 * node, must not fail and leak the pool.
	 */
	mutex_lock(&state->lock);
	nr = smalloc_nodes_record(pool, &recs, GFP_KERNEL | __GFP_NOFAIL);
	mutex_unlock(&state->lock);
	if (smalloc_warn_on(nr == -EFAULT) || nr < 0) {
		pr_err("pool %s: cannot be destroyed safely (%ld), leaking it\n",
		       pool->name, nr);
		return;
	}

	mutex_lock(&smalloc_pools_lock);
	list_del(&state->list);
	mutex_unlock(&smalloc_pools_lock);

	/* Nothing may use the objects any more: let KASAN say if it does. */
	for (i = 0; i < nr; i++)
		smalloc_kasan_poison(recs[i].node,
				     (void *)recs[i].node +
				     (recs[i].pages << PAGE_SHIFT));

	/*
	 * Hide the nodes from lookups, and wait for the lookups under way.  A
	 * failure cannot happen (__GFP_NOFAIL, valid ranges); if it did, the
	 * pool is leaked whole, so that nothing the index or a lookup may
	 * still reach is freed.
	 */
	for (i = 0; i < nr; i++) {
		if (WARN_ON(smalloc_index_remove(recs[i].node,
						 recs[i].pages << PAGE_SHIFT))) {
			kfree(recs);
			return;
		}
	}
	synchronize_rcu();

	/*
	 * The pages go back to their blocks, out of the direct map, and each
	 * node is unmapped; one flush for all of them, before another node
	 * can take a page (under the blocks' lock).  The pool, in its first
	 * node, is not read once this begins.
	 */
	smalloc_nodes_free(recs, nr);
	kfree(recs);
	mutex_destroy(&state->lock);
	kfree(state);
}
EXPORT_SYMBOL_GPL(smalloc_destroy);

#if IS_ENABLED(CONFIG_SMALLOC_BENCH)
#define SMALLOC_PARTS_OBJECTS	256
#define SMALLOC_PARTS_NODES	8

/**
 * smalloc_bench_alloc_parts() - Time the parts of an allocation apart.
 * @parts: Filled in, in ns for one of each.
 *
 * For the benchmark (smalloc_bench.c), in a pool of its own: what one
 * allocation of 64 bytes costs with its page mapped and its node made,
 * and what it costs to make a node and to map a page, which allocations
 * share.
 *
 * Return: 0, or -ENOMEM.
 */
int smalloc_bench_alloc_parts(struct smalloc_alloc_parts *parts)
{
	struct smalloc_pool *pool = smalloc_create("bench-parts");
	struct smalloc_node *node = NULL;
	struct smalloc_state *state;
	unsigned long mapped = 0;
	size_t nsize, base;
	int i, ret = -ENOMEM;
	u64 t;

	if (!pool)
		return -ENOMEM;
	state = pool->state;
	t = ktime_get_ns();
	for (i = 0; i < SMALLOC_PARTS_OBJECTS; i++) {
		mutex_lock(&state->lock);
		mutex_unlock(&state->lock);
	}
	parts->lock = div_u64(ktime_get_ns() - t, SMALLOC_PARTS_OBJECTS);

	mutex_lock(&state->lock);
	t = ktime_get_ns();
	for (i = 0; i < SMALLOC_PARTS_NODES; i++) {
		node = smalloc_node_add(pool, pool->nodes, 64, &nsize, &base);
		if (!node)
			goto unlock;
	}
	parts->node = div_u64(ktime_get_ns() - t, SMALLOC_PARTS_NODES);
	/* The newest node, of hundreds of pages: every page of it. */
	t = ktime_get_ns();
	if (smalloc_node_populate(pool, node, 0, node->size, &mapped) ||
	    !mapped)
		goto unlock;
	parts->page = div_u64(ktime_get_ns() - t, mapped);
	pool->nr_mapped += mapped;
	t = ktime_get_ns();
	for (i = 0; i < SMALLOC_PARTS_OBJECTS; i++) {
		if (!smalloc_carve(pool, 64))
			goto unlock;
	}
	parts->carve = div_u64(ktime_get_ns() - t, SMALLOC_PARTS_OBJECTS);
	mutex_unlock(&state->lock);

	t = ktime_get_ns();
	for (i = 0; i < SMALLOC_PARTS_OBJECTS; i++) {
		if (!smalloc_alloc(pool, 64))
			goto destroy;
	}
	parts->alloc = div_u64(ktime_get_ns() - t, SMALLOC_PARTS_OBJECTS);
	/* All of it from the node whose pages were mapped. */
	ret = pool->nodes == node ? 0 : -EINVAL;
	goto destroy;
unlock:
	mutex_unlock(&state->lock);
destroy:
	smalloc_destroy(pool);
	return ret;
}
#endif
