// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc benchmark: what smalloc costs next to what a kernel developer
 * would use instead.
 *
 * Reading /sys/kernel/debug/smalloc_bench/run measures, in one go:
 *
 * - allocation of 16 to 4096 bytes from a pool, kmalloc(), a kmem_cache,
 *   vmalloc() and a gen_pool, and the parts of a pool's 64-byte one;
 * - seal and unseal of pools of 1, 16, 256 and 4096 pages of 64-byte
 *   objects, next to one set_memory_ro()/set_memory_rw() over as many
 *   contiguous vmalloc pages, with the TLB-flush IPIs each one causes;
 * - an 8-byte store to a sealed object: write-rare, a plain store, and
 *   unseal + store + seal;
 * - the memory of 10,000 objects of 16, 64 and 256 bytes;
 * - 64-byte copy_to_user() and copy_from_user() with smalloc, kmalloc and
 *   vmalloc memory;
 * - loads from 16 MiB of a sealed pool, of vmalloc() memory and of the
 *   direct map, a page apart: what small pages cost a large table.
 *
 * Each line is "section,case,median,min,max,unit" over BENCH_ROUNDS rounds;
 * timings are in ns per operation, and under emulation only their ratios
 * within one run mean anything.  Writing a size in MiB to
 * /sys/kernel/debug/smalloc_bench/hold seals a pool of that many MiB of
 * 64-byte objects and keeps it, for /proc/meminfo's DirectMap lines; reading
 * it tells in how many 2 MiB regions of physical memory its pages lie;
 * writing 0 destroys it.
 */

#define pr_fmt(fmt) "smalloc_bench: " fmt

#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/hardirq.h>
#include <linux/ktime.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/set_memory.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smalloc.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "../internal.h"
#include "smalloc.h"

#define BENCH_ROUNDS	11
#define BENCH_ALLOCS	256
#define BENCH_COPIES	2000
#define BENCH_OBJECTS	10000
#define BENCH_WR_STORES	200

struct bench_out {
	char *buf;
	size_t len, size;
};

static int bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Where the IPIs are counted (bench_ipis()); elsewhere their rows say n/a. */
#define BENCH_IPIS_COUNTED	(IS_ENABLED(CONFIG_X86) && IS_ENABLED(CONFIG_SMP))

static bool bench_not_counted(struct bench_out *out, const char *section,
			      const char *name, const char *unit)
{
	if (BENCH_IPIS_COUNTED || !strstr(unit, "IPIs"))
		return false;
	out->len += scnprintf(out->buf + out->len, out->size - out->len,
			      "%s,%s,n/a,,,%s\n", section, name, unit);
	return true;
}

/* One row: the median, min and max of @n samples, each divided by @ops. */
static void bench_row(struct bench_out *out, const char *section,
		      const char *name, u64 *v, int n, u64 ops,
		      const char *unit)
{
	if (bench_not_counted(out, section, name, unit))
		return;
	sort(v, n, sizeof(*v), bench_cmp, NULL);
	out->len += scnprintf(out->buf + out->len, out->size - out->len,
			      "%s,%s,%llu,%llu,%llu,%s\n", section, name,
			      div64_u64(v[n / 2], ops), div64_u64(v[0], ops),
			      div64_u64(v[n - 1], ops), unit);
}

/* A row of hundredths: "1.25" for 125. */
static void bench_row_cent(struct bench_out *out, const char *section,
			   const char *name, u64 *v, int n, u64 ops,
			   const char *unit)
{
	u64 med, lo, hi;

	if (bench_not_counted(out, section, name, unit))
		return;
	sort(v, n, sizeof(*v), bench_cmp, NULL);
	med = div64_u64(v[n / 2] * 100, ops);
	lo = div64_u64(v[0] * 100, ops);
	hi = div64_u64(v[n - 1] * 100, ops);
	out->len += scnprintf(out->buf + out->len, out->size - out->len,
			      "%s,%s,%llu.%02llu,%llu.%02llu,%llu.%02llu,%s\n",
			      section, name, med / 100, med % 100, lo / 100,
			      lo % 100, hi / 100, hi % 100, unit);
}

static void bench_error(struct bench_out *out, const char *section,
			const char *name, int err)
{
	out->len += scnprintf(out->buf + out->len, out->size - out->len,
			      "%s,%s,error %d,,,\n", section, name, err);
}

/*
 * TLB-shootdown and function-call IPIs received so far, on all CPUs, as
 * /proc/interrupts counts them (TLB, CAL): a kernel TLB flush reaches the
 * other CPUs through one of them.  0 where they are not counted.
 */
static u64 bench_ipis(void)
{
#if defined(CONFIG_X86) && defined(CONFIG_SMP)
	u64 n = 0;
	int cpu;

	for_each_online_cpu(cpu)
		n += per_cpu(irq_stat, cpu).irq_tlb_count +
		     per_cpu(irq_stat, cpu).irq_call_count;
	return n;
#else
	return 0;
#endif
}

/* Allocation */

enum bench_allocator { B_SMALLOC, B_KMALLOC, B_CACHE, B_VMALLOC, B_GENPOOL,
		       B_NR };
static const char *const bench_allocator_name[B_NR] = {
	"smalloc", "kmalloc", "kmem_cache", "vmalloc", "gen_pool",
};

/* ns for BENCH_ALLOCS allocations of @size from @a, or a negative errno. */
static s64 bench_alloc_round(enum bench_allocator a, size_t size,
			     void **objs)
{
	struct smalloc_pool *pool = NULL;
	struct kmem_cache *cache = NULL;
	struct gen_pool *gp = NULL;
	void *chunk = NULL;
	s64 ret = 0;
	u64 t;
	int i;

	switch (a) {
	case B_SMALLOC:
		pool = smalloc_create("bench-alloc");
		ret = pool ? 0 : -ENOMEM;
		break;
	case B_CACHE:
		cache = kmem_cache_create("bench-alloc", size, 0, 0, NULL);
		ret = cache ? 0 : -ENOMEM;
		break;
	case B_GENPOOL:
		gp = gen_pool_create(ilog2(ARCH_KMALLOC_MINALIGN), NUMA_NO_NODE);
		chunk = vmalloc(BENCH_ALLOCS * size);
		if (!gp || !chunk ||
		    gen_pool_add(gp, (unsigned long)chunk, BENCH_ALLOCS * size,
				 NUMA_NO_NODE))
			ret = -ENOMEM;
		break;
	default:
		break;
	}
	if (ret)
		goto out;

	memset(objs, 0, BENCH_ALLOCS * sizeof(*objs));
	t = ktime_get_ns();
	for (i = 0; i < BENCH_ALLOCS; i++) {
		switch (a) {
		case B_SMALLOC:
			objs[i] = smalloc_alloc(pool, size);
			break;
		case B_KMALLOC:
			objs[i] = kmalloc(size, GFP_KERNEL);
			break;
		case B_CACHE:
			objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
			break;
		case B_VMALLOC:
			objs[i] = vmalloc(size);
			break;
		case B_GENPOOL:
			objs[i] = (void *)gen_pool_alloc(gp, size);
			break;
		default:
			break;
		}
	}
	ret = ktime_get_ns() - t;

	for (i = 0; i < BENCH_ALLOCS; i++) {
		if (!objs[i])
			ret = -ENOMEM;
		else if (a == B_KMALLOC)
			kfree(objs[i]);
		else if (a == B_CACHE)
			kmem_cache_free(cache, objs[i]);
		else if (a == B_VMALLOC)
			vfree(objs[i]);
		else if (a == B_GENPOOL)
			gen_pool_free(gp, (unsigned long)objs[i], size);
	}
out:
	smalloc_destroy(pool);
	kmem_cache_destroy(cache);
	if (gp)
		gen_pool_destroy(gp);
	vfree(chunk);
	return ret;
}

static void bench_alloc(struct bench_out *out)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	u64 v[BENCH_ROUNDS];
	char name[32];
	void **objs;
	int s, a, r;
	s64 ns;

	objs = kmalloc_array(BENCH_ALLOCS, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		bench_error(out, "alloc", "all", -ENOMEM);
		return;
	}
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (a = 0; a < B_NR; a++) {
			snprintf(name, sizeof(name), "%s %zu B",
				 bench_allocator_name[a], sizes[s]);
			for (r = 0; r < BENCH_ROUNDS; r++) {
				ns = bench_alloc_round(a, sizes[s], objs);
				if (ns < 0)
					break;
				v[r] = ns;
				cond_resched();
			}
			if (ns < 0)
				bench_error(out, "alloc", name, ns);
			else
				bench_row(out, "alloc", name, v, BENCH_ROUNDS,
					  BENCH_ALLOCS, "ns/op");
		}
	}
	kfree(objs);
}

/*
 * What a 64-byte allocation is made of: its own path, with its page mapped
 * and its node made (the pool's lock, the carve, the checks), and what
 * allocations share, the making of a node and the mapping of a page.
 */
static void bench_alloc_parts(struct bench_out *out)
{
	static const char *const names[] = {
		"pool lock and unlock",
		"carve 64 B from mapped pages",
		"smalloc_alloc() 64 B into mapped pages",
		"node added",
		"page mapped",
	};
	u64 v[ARRAY_SIZE(names)][BENCH_ROUNDS];
	struct smalloc_alloc_parts parts;
	int r, i, err;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		err = smalloc_bench_alloc_parts(&parts);
		if (err) {
			bench_error(out, "alloc-parts", "all", err);
			return;
		}
		v[0][r] = parts.lock;
		v[1][r] = parts.carve;
		v[2][r] = parts.alloc;
		v[3][r] = parts.node;
		v[4][r] = parts.page;
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(names); i++)
		bench_row(out, "alloc-parts", names[i], v[i], BENCH_ROUNDS, 1,
			  "ns/op");
}

/* Seal and unseal */

/* A pool of 64-byte objects that maps at least @pages pages, or NULL. */
static struct smalloc_pool *bench_pool_of(const char *name,
					  unsigned long pages, void **first)
{
	struct smalloc_pool *pool = smalloc_create(name);
	void *p;

	while (pool && pool->nr_mapped < pages) {
		p = smalloc_zalloc(pool, 64);
		if (!p) {
			smalloc_destroy(pool);
			return NULL;
		}
		if (first && !*first)
			*first = p;
	}
	return pool;
}

/* Seal (@ro) or unseal a pool, or an area of @pages pages. */
typedef int (*bench_protect_t)(void *what, unsigned long pages, bool ro);

static int bench_protect_pool(void *what, unsigned long pages, bool ro)
{
	return ro ? smalloc_seal(what) : smalloc_unseal(what);
}

static int bench_protect_area(void *what, unsigned long pages, bool ro)
{
	return ro ? set_memory_ro((unsigned long)what, pages) :
		    set_memory_rw((unsigned long)what, pages);
}

/*
 * BENCH_ROUNDS seals and unseals of @what with @protect: the rows of their
 * times and IPIs, or of the first error.
 */
static void bench_seal_rows(struct bench_out *out, const char *name,
			    bench_protect_t protect, void *what,
			    unsigned long pages)
{
	u64 ns[2][BENCH_ROUNDS], ipis[2][BENCH_ROUNDS], t, i;
	int r, ro, err = 0;

	for (r = 0; r < BENCH_ROUNDS && !err; r++) {
		for (ro = 1; ro >= 0 && !err; ro--) {
			i = bench_ipis();
			t = ktime_get_ns();
			err = protect(what, pages, ro);
			ns[ro][r] = ktime_get_ns() - t;
			ipis[ro][r] = bench_ipis() - i;
		}
	}
	if (err) {
		bench_error(out, "seal", name, err);
		return;
	}
	bench_row(out, "seal", name, ns[1], BENCH_ROUNDS, 1, "ns");
	bench_row(out, "seal-ipis", name, ipis[1], BENCH_ROUNDS, 1, "IPIs");
	bench_row(out, "unseal", name, ns[0], BENCH_ROUNDS, 1, "ns");
	bench_row(out, "unseal-ipis", name, ipis[0], BENCH_ROUNDS, 1, "IPIs");
}

static void bench_seal(struct bench_out *out)
{
	static const unsigned long sizes[] = { 1, 16, 256, 4096 };
	unsigned long pages, nodes;
	struct smalloc_pool *pool;
	struct smalloc_node *node;
	char name[48];
	void *area;
	int s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		snprintf(name, sizeof(name), "smalloc %lu pages", sizes[s]);
		pool = bench_pool_of("bench-seal", sizes[s], NULL);
		if (!pool) {
			bench_error(out, "seal", name, -ENOMEM);
			continue;
		}
		pages = pool->nr_mapped;
		for (nodes = 0, node = pool->nodes; node; node = node->next)
			nodes++;
		snprintf(name, sizeof(name), "smalloc %lu pages (%lu nodes)",
			 pages, nodes);
		bench_seal_rows(out, name, bench_protect_pool, pool, pages);
		smalloc_destroy(pool);

		/* One set_memory_ro/rw over as many contiguous pages. */
		snprintf(name, sizeof(name), "set_memory %lu pages", pages);
		area = vmalloc(pages << PAGE_SHIFT);
		if (!area) {
			bench_error(out, "seal", name, -ENOMEM);
			continue;
		}
		bench_seal_rows(out, name, bench_protect_area, area, pages);
		vfree(area);
		cond_resched();
	}
}

/* Write-rare */

static void bench_wr(struct bench_out *out)
{
	u64 wr[BENCH_ROUNDS], cycle[BENCH_ROUNDS], plain[BENCH_ROUNDS];
	u64 wipi[BENCH_ROUNDS], cipi[BENCH_ROUNDS];
	struct smalloc_pool *wrp, *pool;
	u64 *w = NULL, *s = NULL, *k, t, i;
	int r, n, err = 0;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	wrp = smalloc_create_wr("bench-wr");
	pool = bench_pool_of("bench-wr-16-pages", 16, (void **)&s);
	if (!k || !pool || !s) {
		err = -ENOMEM;
		goto out;
	}
	if (wrp) {
		w = smalloc_zalloc(wrp, sizeof(*w));
		if (!w)
			err = -ENOMEM;
		else
			err = smalloc_seal_final(wrp);
	}
	if (!err)
		err = smalloc_seal(pool);
	if (err)
		goto out;

	for (r = 0; r < BENCH_ROUNDS && !err; r++) {
		i = bench_ipis();
		t = ktime_get_ns();
		for (n = 0; w && n < BENCH_WR_STORES && !err; n++)
			err = smalloc_wr_assign(*w, n);
		wr[r] = ktime_get_ns() - t;
		wipi[r] = bench_ipis() - i;
		if (w && !err && READ_ONCE(*w) != BENCH_WR_STORES - 1)
			err = -EIO;

		t = ktime_get_ns();
		for (n = 0; n < BENCH_WR_STORES; n++)
			WRITE_ONCE(*k, n);
		plain[r] = ktime_get_ns() - t;

		i = bench_ipis();
		t = ktime_get_ns();
		err = err ?: smalloc_unseal(pool);
		if (!err) {
			WRITE_ONCE(*s, r);
			err = smalloc_seal(pool);
		}
		cycle[r] = ktime_get_ns() - t;
		cipi[r] = bench_ipis() - i;
		cond_resched();
	}
	if (err)
		goto out;
	if (w) {
		bench_row(out, "write-rare", "smalloc_wr_assign", wr,
			  BENCH_ROUNDS, BENCH_WR_STORES, "ns/op");
		bench_row_cent(out, "write-rare-ipis", "smalloc_wr_assign",
			       wipi, BENCH_ROUNDS, BENCH_WR_STORES, "IPIs/op");
	}
	bench_row(out, "write-rare", "plain store kmalloc", plain,
		  BENCH_ROUNDS, BENCH_WR_STORES, "ns/op");
	bench_row(out, "write-rare", "unseal+store+seal 16 pages", cycle,
		  BENCH_ROUNDS, 1, "ns/op");
	bench_row(out, "write-rare-ipis", "unseal+store+seal 16 pages", cipi,
		  BENCH_ROUNDS, 1, "IPIs/op");
out:
	if (err)
		bench_error(out, "write-rare", "all", err);
	smalloc_destroy(pool);
	smalloc_destroy(wrp);
	kfree(k);
}

/* Memory */

static void bench_memory(struct bench_out *out)
{
	static const size_t sizes[] = { 16, 64, 256 };
	struct smalloc_pool *pool;
	struct kmem_cache *cache;
	struct smalloc_node *node;
	DEFINE_XARRAY(seen);
	struct folio *folio;
	u64 payload, bytes;
	char name[32];
	void **objs;
	int s, i;

	objs = kvmalloc_array(BENCH_OBJECTS, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		bench_error(out, "memory", "all", -ENOMEM);
		return;
	}
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		payload = (u64)BENCH_OBJECTS * sizes[s];

		/*
		 * The pages the pool's nodes map, their vm_structs (as the
		 * vmalloc row counts), its state and the index's entries.
		 */
		snprintf(name, sizeof(name), "smalloc %zu B", sizes[s]);
		pool = smalloc_create("bench-memory");
		for (i = 0; pool && i < BENCH_OBJECTS; i++) {
			if (!smalloc_alloc(pool, sizes[s]))
				break;
		}
		if (!pool || i < BENCH_OBJECTS) {
			bench_error(out, "memory", name, -ENOMEM);
			smalloc_destroy(pool);
			continue;
		}
		bytes = ((u64)pool->nr_mapped << PAGE_SHIFT) +
			sizeof(struct smalloc_state);
		/* Per node, its vm_struct and a slot and pivot in the index. */
		for (node = pool->nodes; node; node = node->next)
			bytes += sizeof(struct vm_struct) +
				 2 * sizeof(unsigned long);
		smalloc_destroy(pool);
		bench_row_cent(out, "memory", name, &bytes, 1, payload,
			       "x payload");

		/* The slabs that hold the objects, in a cache of their own. */
		snprintf(name, sizeof(name), "kmem_cache %zu B", sizes[s]);
		cache = kmem_cache_create("bench-memory", sizes[s], 0,
					  SLAB_NO_MERGE, NULL);
		bytes = 0;
		for (i = 0; cache && i < BENCH_OBJECTS; i++) {
			objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
			if (!objs[i])
				break;
			folio = virt_to_folio(objs[i]);
			if (xa_load(&seen, folio_pfn(folio)))
				continue;
			if (!xa_err(xa_store(&seen, folio_pfn(folio),
					     xa_mk_value(1), GFP_KERNEL)))
				bytes += folio_size(folio);
		}
		xa_destroy(&seen);
		if (!cache || i < BENCH_OBJECTS)
			bytes = 0;
		while (cache && i--)
			kmem_cache_free(cache, objs[i]);
		kmem_cache_destroy(cache);
		bench_row_cent(out, "memory", name, &bytes, 1, payload,
			       "x payload");

		/* A page, at least, per vmalloc() area. */
		snprintf(name, sizeof(name), "vmalloc %zu B", sizes[s]);
		bytes = (u64)BENCH_OBJECTS *
			(PAGE_ALIGN(sizes[s]) + sizeof(struct vm_struct));
		bench_row_cent(out, "memory", name, &bytes, 1, payload,
			       "x payload");
	}
	kvfree(objs);
}

/* Usercopy */

/* Copies of 64 bytes, from or to @obj and @alt in turn. */
static s64 bench_copy(void __user *ubuf, void *obj, void *alt, bool to_user,
		      u64 *v)
{
	size_t size = 64;
	void *p;
	int r, i;
	u64 t;

	/* Not a compile-time constant: usercopy checks only those that are not. */
	OPTIMIZER_HIDE_VAR(size);
	for (r = 0; r < BENCH_ROUNDS; r++) {
		t = ktime_get_ns();
		for (i = 0; i < BENCH_COPIES; i++) {
			p = i & 1 ? alt : obj;
			if (to_user ? copy_to_user(ubuf, p, size) :
				      copy_from_user(p, ubuf, size))
				return -EFAULT;
		}
		v[r] = ktime_get_ns() - t;
	}
	return 0;
}

#ifdef CONFIG_HARDENED_USERCOPY
/*
 * What the check of one copy costs, part by part, where the copies of
 * @obj (smalloc), @kobj (kmalloc) and @vobj (vmalloc) differ: hardened
 * usercopy's whole check of each, smalloc's part of it, and that part's
 * first steps, each row the one before and one step more, so that a gap
 * between the copies has its measured reasons.
 */
static void bench_usercopy_parts(struct bench_out *out, void *obj,
				 void *kobj, void *vobj)
{
	static const char *const names[] = {
		"__check_object_size() smalloc 64 B",
		"__check_object_size() kmalloc 64 B",
		"__check_object_size() vmalloc 64 B",
		"smalloc_check_usercopy() 64 B",
		"smalloc: page-table walk",
		"smalloc: walk + pfn_valid()",
		"smalloc: walk + pfn_valid() + node from the page",
		"vmalloc: vmap_area_info()",
	};
	unsigned long n = 64, start, end, flags;
	u64 v[BENCH_ROUNDS], t;
	bool valid;
	int c, r, i;
	void *p;
	pte_t pte;

	for (c = 0; c < ARRAY_SIZE(names); c++) {
		p = c == 1 ? kobj : c == 2 || c == 7 ? vobj : obj;
		for (r = 0; r < BENCH_ROUNDS; r++) {
			t = ktime_get_ns();
			for (i = 0; i < BENCH_COPIES; i++) {
				/* Neither hoisted nor folded: a copy's checks each time. */
				OPTIMIZER_HIDE_VAR(p);
				OPTIMIZER_HIDE_VAR(n);
				switch (c) {
				case 0 ... 2:
					__check_object_size(p, n, true);
					break;
				case 3:
					smalloc_check_usercopy(p, n, true);
					break;
				case 4:
					pte = smalloc_pte((unsigned long)p);
					OPTIMIZER_HIDE_VAR(pte);
					break;
				case 5:
					pte = smalloc_pte((unsigned long)p);
					valid = pfn_valid(pte_pfn(pte));
					OPTIMIZER_HIDE_VAR(valid);
					break;
				case 6:
					preempt_disable();
					smalloc_index_find(p);
					preempt_enable();
					break;
				default:
					vmap_area_info((unsigned long)p, &start,
						       &end, &flags);
					break;
				}
			}
			v[r] = ktime_get_ns() - t;
		}
		bench_row(out, "usercopy", names[c], v, BENCH_ROUNDS,
			  BENCH_COPIES, "ns/op");
	}
}
#else
static void bench_usercopy_parts(struct bench_out *out, void *obj,
				 void *kobj, void *vobj)
{
}
#endif

static void bench_usercopy(struct bench_out *out, void __user *ubuf)
{
	static const char *const names[4] = {
		"smalloc same object", "kmalloc", "vmalloc",
		"smalloc 2 pools in turn",
	};
	struct smalloc_pool *pool, *other;
	void *obj[4] = {}, *alt[4], *p;
	u64 v[BENCH_ROUNDS];
	char name[48];
	int i, dir;

	/* An object in the middle of a pool of BENCH_OBJECTS. */
	pool = smalloc_create("bench-usercopy");
	for (i = 0; pool && i < BENCH_OBJECTS; i++) {
		p = smalloc_zalloc(pool, 64);
		if (!p)
			break;
		if (i == BENCH_OBJECTS / 2)
			obj[0] = p;
	}
	obj[1] = kzalloc(64, GFP_KERNEL);
	obj[2] = vzalloc(64);
	/* Each copy in another node than the one before. */
	other = smalloc_create("bench-usercopy-other");
	obj[3] = obj[0];
	alt[3] = other ? smalloc_zalloc(other, 64) : NULL;
	for (i = 0; i < 3; i++)
		alt[i] = obj[i];
	if (obj[0] && obj[1] && obj[2])
		bench_usercopy_parts(out, obj[0], obj[1], obj[2]);
	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "%s %s 64 B",
				 dir ? "copy_from_user" : "copy_to_user",
				 names[i]);
			if (!obj[i] || !alt[i] ||
			    bench_copy(ubuf, obj[i], alt[i], !dir, v))
				bench_error(out, "usercopy", name, -EFAULT);
			else
				bench_row(out, "usercopy", name, v,
					  BENCH_ROUNDS, BENCH_COPIES, "ns/op");
			cond_resched();
		}
	}
	vfree(obj[2]);
	kfree(obj[1]);
	smalloc_destroy(other);
	smalloc_destroy(pool);
}

#define BENCH_READ_SIZE		SZ_16M
#define BENCH_READ_CHUNKS	4
#define BENCH_READ_LOADS	BIT(16)

static u64 bench_read_sink;

/*
 * BENCH_READ_LOADS loads of 8 bytes from @chunk (BENCH_READ_SIZE bytes in
 * BENCH_READ_CHUNKS chunks), each 1031 pages on from the one before, round
 * the 16 MiB: what a walk of a large table, such as a loaded policy's,
 * pays for its TLB misses.
 */
static u64 bench_read_round(void *const *chunk)
{
	unsigned long pages = BENCH_READ_SIZE >> PAGE_SHIFT;
	unsigned long per = pages / BENCH_READ_CHUNKS;
	unsigned long i, pg;
	u64 sum = 0, t;

	BUILD_BUG_ON(!is_power_of_2(BENCH_READ_SIZE >> PAGE_SHIFT));
	BUILD_BUG_ON(BENCH_READ_SIZE / BENCH_READ_CHUNKS < PAGE_SIZE);
	t = ktime_get_ns();
	for (i = 0; i < BENCH_READ_LOADS; i++) {
		pg = (i * 1031) & (pages - 1);
		sum += READ_ONCE(*(u64 *)(chunk[pg / per] + (pg % per) * PAGE_SIZE +
					  ((i * 64) & (PAGE_SIZE - 1))));
	}
	t = ktime_get_ns() - t;
	WRITE_ONCE(bench_read_sink, sum);
	return t;
}

/*
 * Reads of a sealed pool and of vmalloc() memory, both mapped with small
 * pages, and of the direct map, mapped with large pages where the
 * architecture has them and nothing split them (debug_pagealloc, or
 * arm64's rodata=full, map it with small pages too).
 */
static noinline_for_stack void bench_read(struct bench_out *out)
{
	static const char *const names[3] = {
		"8 B loads over 16 MiB smalloc sealed",
		"8 B loads over 16 MiB vmalloc",
		"8 B loads over 16 MiB direct map",
	};
	unsigned int order = get_order(BENCH_READ_SIZE / BENCH_READ_CHUNKS);
	void *chunk[3][BENCH_READ_CHUNKS] = {};
	struct page *pages[BENCH_READ_CHUNKS] = {};
	int err[3] = { -ENOMEM, -ENOMEM, -ENOMEM };
	u64 v[3][BENCH_ROUNDS];
	struct smalloc_pool *pool;
	void *p, *vm;
	int i, j;

	pool = smalloc_create("bench-read");
	p = pool ? smalloc_zalloc(pool, BENCH_READ_SIZE) : NULL;
	if (p) {
		err[0] = smalloc_seal(pool);
		if (err[0])
			p = NULL;
	}
	vm = vzalloc(BENCH_READ_SIZE);
	if (order > MAX_PAGE_ORDER)
		err[2] = -EOPNOTSUPP;
	for (j = 0; j < BENCH_READ_CHUNKS; j++) {
		if (order <= MAX_PAGE_ORDER)
			pages[j] = alloc_pages(GFP_KERNEL | __GFP_ZERO |
					       __GFP_NOWARN, order);
		chunk[0][j] = p ? p + j * (BENCH_READ_SIZE / BENCH_READ_CHUNKS) : NULL;
		chunk[1][j] = vm ? vm + j * (BENCH_READ_SIZE / BENCH_READ_CHUNKS) : NULL;
		chunk[2][j] = pages[j] ? page_address(pages[j]) : NULL;
	}
	for (i = 0; i < 3; i++) {
		for (j = 0; j < BENCH_READ_CHUNKS && chunk[i][j]; j++)
			;
		if (j == BENCH_READ_CHUNKS) {
			err[i] = 0;
			bench_read_round(chunk[i]);	/* page tables cached */
		}
	}
	/* Round by round, the three in turn: whatever the TLB's state, all pay it. */
	for (j = 0; j < BENCH_ROUNDS; j++) {
		for (i = 0; i < 3; i++)
			if (!err[i])
				v[i][j] = bench_read_round(chunk[i]);
		cond_resched();
	}
	for (i = 0; i < 3; i++) {
		if (!err[i])
			bench_row_cent(out, "read", names[i], v[i], BENCH_ROUNDS,
				       BENCH_READ_LOADS, "ns/load");
		else
			bench_error(out, "read", names[i], err[i]);
	}
	for (j = 0; j < BENCH_READ_CHUNKS; j++)
		if (pages[j])
			__free_pages(pages[j], order);
	vfree(vm);
	smalloc_destroy(pool);
}

static ssize_t bench_run_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct bench_out out = { .size = 4 * PAGE_SIZE };
	ssize_t ret;

	if (*ppos)
		return 0;
	if (count < out.size)
		return -EINVAL;
	out.buf = kzalloc(out.size, GFP_KERNEL);
	if (!out.buf)
		return -ENOMEM;
	out.len = scnprintf(out.buf, out.size,
			    "# section,case,median,min,max,unit; %d rounds, %d CPUs\n",
			    BENCH_ROUNDS, num_online_cpus());
	/* The reader's buffer is the user side of the copies. */
	bench_usercopy(&out, ubuf);
	bench_alloc(&out);
	bench_alloc_parts(&out);
	bench_seal(&out);
	bench_wr(&out);
	bench_memory(&out);
	bench_read(&out);
	ret = simple_read_from_buffer(ubuf, count, ppos, out.buf, out.len);
	kfree(out.buf);
	return ret;
}

static const struct file_operations bench_run_fops = {
	.owner = THIS_MODULE,
	.read = bench_run_read,
	.llseek = noop_llseek,
};

/* Direct-map splitting */

static DEFINE_MUTEX(bench_hold_lock);
static struct smalloc_pool *bench_held;

static ssize_t bench_hold_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned int mib;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &mib);
	if (ret)
		return ret;
	mutex_lock(&bench_hold_lock);
	smalloc_destroy(bench_held);
	bench_held = NULL;
	if (mib) {
		bench_held = bench_pool_of("bench-hold", mib << (20 - PAGE_SHIFT),
					   NULL);
		ret = bench_held ? smalloc_seal(bench_held) : -ENOMEM;
	}
	mutex_unlock(&bench_hold_lock);
	return ret ?: count;
}

/* Pages of the held pool, and the 2 MiB regions of memory they lie in. */
static ssize_t bench_hold_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	unsigned long pages = 0, regions = 0, pfn, i;
	struct smalloc_node *node;
	struct page *page;
	DEFINE_XARRAY(seen);
	char buf[64];
	int len;

	mutex_lock(&bench_hold_lock);
	for (node = bench_held ? bench_held->nodes : NULL; node;
	     node = node->next) {
		for (i = 0; i < node->size >> PAGE_SHIFT; i++) {
			page = vmalloc_to_page((void *)node + (i << PAGE_SHIFT));
			if (!page)
				continue;	/* not reached by an object yet */
			pfn = page_to_pfn(page);
			pages++;
			if (xa_load(&seen, pfn >> (PMD_SHIFT - PAGE_SHIFT)))
				continue;
			if (!xa_err(xa_store(&seen, pfn >> (PMD_SHIFT - PAGE_SHIFT),
					     xa_mk_value(1), GFP_KERNEL)))
				regions++;
		}
	}
	mutex_unlock(&bench_hold_lock);
	xa_destroy(&seen);
	len = scnprintf(buf, sizeof(buf), "%lu pages in %lu 2MiB regions\n",
			pages, regions);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations bench_hold_fops = {
	.owner = THIS_MODULE,
	.read = bench_hold_read,
	.write = bench_hold_write,
	.llseek = noop_llseek,
};

static struct dentry *bench_dir;

static int __init smalloc_bench_init(void)
{
	bench_dir = debugfs_create_dir("smalloc_bench", NULL);
	debugfs_create_file("run", 0400, bench_dir, NULL, &bench_run_fops);
	debugfs_create_file("hold", 0600, bench_dir, NULL, &bench_hold_fops);
	return 0;
}

static void __exit smalloc_bench_exit(void)
{
	debugfs_remove(bench_dir);
	smalloc_destroy(bench_held);
}

module_init(smalloc_bench_init);
module_exit(smalloc_bench_exit);
MODULE_DESCRIPTION("smalloc benchmark");
MODULE_LICENSE("GPL");
