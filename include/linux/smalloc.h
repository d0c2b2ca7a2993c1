/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smalloc: pools of memory that can be sealed read-only.
 *
 * Allocate, write, seal, read many times, then unseal or destroy: data that
 * is written once at run time and must not change afterwards gets the
 * protection __ro_after_init gives to static data.  See
 * Documentation/mm/smalloc.rst.
 */
#ifndef _LINUX_SMALLOC_H
#define _LINUX_SMALLOC_H

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

struct page;
struct smalloc_pool;

/* The largest object a single smalloc_alloc() call can return. */
#define SMALLOC_MAX_SIZE	(64UL << 20)

/**
 * struct smalloc_object - An object, as smalloc_find_object() found it.
 * @pool: The pool it belongs to.
 * @start: Its first byte.
 * @size: Its size in bytes, as allocated.
 * @sealed: Whether its pool was sealed when it was looked up.
 */
struct smalloc_object {
	struct smalloc_pool *pool;
	void *start;
	size_t size;
	bool sealed;
};

/**
 * struct smalloc_warnings - Warnings a KUnit test provokes on purpose.
 * @armed: The test expects warnings now: count them instead of printing.
 * @count: Warnings counted.
 *
 * A KUnit test that misuses a pool on purpose, as smalloc's own tests and
 * those of a pool's user do, adds this as its named resource
 * SMALLOC_WARNINGS and arms it around the misuse: smalloc then counts the
 * warnings of the test's own task (not of a hardirq that lands in it)
 * instead of printing them, and the test asserts the count.
 */
struct smalloc_warnings {
	bool armed;
	int count;
};

#define SMALLOC_WARNINGS	"smalloc_warnings"

#ifdef CONFIG_SMALLOC

/*
 * The global pool: for built-in code, during boot only.  kernel_init() seals
 * it for good once every initcall has run; allocating from it after that is
 * a caller bug.  Not exported, so a module that tries to use it does not
 * load.
 */
extern struct smalloc_pool *const smalloc_global;

struct smalloc_pool *smalloc_create_aligned(const char *name, size_t align);
void *smalloc_alloc(struct smalloc_pool *pool, size_t size);
void *smalloc_zalloc(struct smalloc_pool *pool, size_t size);
char *smalloc_strdup(struct smalloc_pool *pool, const char *s);
int smalloc_seal(struct smalloc_pool *pool);
int smalloc_seal_final(struct smalloc_pool *pool);
int smalloc_unseal(struct smalloc_pool *pool);
void smalloc_destroy(struct smalloc_pool *pool);
bool smalloc_can_seal(void);
bool smalloc_free_refused(const void *p);

bool is_smalloc_addr(const void *p);
bool smalloc_find_object(const void *p, struct smalloc_object *obj);
int smalloc_validate(const void *p, size_t size,
		     const struct smalloc_pool *pool, bool sealed);
const char *smalloc_pool_name(const struct smalloc_pool *pool);
#if IS_BUILTIN(CONFIG_LKDTM)
int smalloc_test_first_object(const char *name, struct smalloc_object *obj);
#endif

/* For kernel_init() only. */
void __init smalloc_seal_global(void);

#else /* !CONFIG_SMALLOC */

#define smalloc_global ((struct smalloc_pool *)NULL)

static inline struct smalloc_pool *smalloc_create_aligned(const char *name,
							  size_t align)
{
	return NULL;
}

static inline void *smalloc_alloc(struct smalloc_pool *pool, size_t size)
{
	return NULL;
}

static inline void *smalloc_zalloc(struct smalloc_pool *pool, size_t size)
{
	return NULL;
}

static inline char *smalloc_strdup(struct smalloc_pool *pool, const char *s)
{
	return NULL;
}

static inline int smalloc_seal(struct smalloc_pool *pool)
{
	return -EOPNOTSUPP;
}

static inline int smalloc_seal_final(struct smalloc_pool *pool)
{
	return -EOPNOTSUPP;
}

static inline int smalloc_unseal(struct smalloc_pool *pool)
{
	return -EOPNOTSUPP;
}

static inline void smalloc_destroy(struct smalloc_pool *pool) { }

static inline bool smalloc_can_seal(void)
{
	return false;
}

static inline bool smalloc_free_refused(const void *p)
{
	return false;
}

static inline bool is_smalloc_addr(const void *p)
{
	return false;
}

static inline bool smalloc_find_object(const void *p,
				       struct smalloc_object *obj)
{
	return false;
}

static inline int smalloc_validate(const void *p, size_t size,
				   const struct smalloc_pool *pool,
				   bool sealed)
{
	return -EFAULT;
}

static inline const char *smalloc_pool_name(const struct smalloc_pool *pool)
{
	return NULL;
}

static inline void smalloc_seal_global(void) { }

#endif /* CONFIG_SMALLOC */

/**
 * struct smalloc_wr_ticket - A write-rare target, checked once.
 * @start: Its first byte, in an object of a pool sealed for good.
 * @len: Its size in bytes: it crosses at most one page boundary.
 * @pages: Its pages, as the architecture found them.
 * @nr: How many.
 *
 * Filled by smalloc_wr_prepare() during boot, used by smalloc_wr_commit().
 * Whoever can change a ticket chooses the pages smalloc_wr_commit()
 * writes: both refuse a ticket that is not __ro_after_init.
 */
struct smalloc_wr_ticket {
	void *start;
	size_t len;
	struct page *pages[2];
	int nr;
};

#ifdef CONFIG_SMALLOC_WRITE_RARE

struct smalloc_pool *smalloc_create_wr(const char *name);
int smalloc_wr_memcpy(void *dst, const void *src, size_t len);
int smalloc_wr_memset(void *dst, int c, size_t len);
int __smalloc_wr_rcu_assign(void **dst, void *val);
int smalloc_wr_prepare(struct smalloc_wr_ticket *t, void *start, size_t len);
int smalloc_wr_commit(const struct smalloc_wr_ticket *t, void *dst,
		      const void *src, size_t len);

#else /* !CONFIG_SMALLOC_WRITE_RARE */

static inline struct smalloc_pool *smalloc_create_wr(const char *name)
{
	return NULL;
}

static inline int smalloc_wr_memcpy(void *dst, const void *src, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int smalloc_wr_memset(void *dst, int c, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int __smalloc_wr_rcu_assign(void **dst, void *val)
{
	return -EOPNOTSUPP;
}

static inline int smalloc_wr_prepare(struct smalloc_wr_ticket *t,
				     void *start, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int smalloc_wr_commit(const struct smalloc_wr_ticket *t,
				    void *dst, const void *src, size_t len)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_SMALLOC_WRITE_RARE */

/*
 * The architecture's CPU-local write path, with CONFIG_ARCH_HAS_WRITE_RARE:
 * for smalloc's write-rare pools only, which check their targets first.
 * It is no general write gadget: it checks on its own that every page it
 * writes is mapped RAM of a VM_SMALLOC vmalloc area, and writes at most a
 * page.  It runs in task context, also with interrupts or softirqs off.
 * Anything else fails with an error and nothing written, without a
 * warning: the caller warns.
 */
int arch_write_rare(void *dst, const void *src, size_t len, bool set);
/*
 * Its two halves, for smalloc's write-rare tickets only: the check, and a
 * write of the pages the check found.  The write checks nothing but sizes:
 * the pages it is given are the ones it writes.  A caller keeps them where
 * an attacker who can write kernel memory cannot change them.
 */
int arch_write_rare_check(void *dst, size_t len, struct page **pages);
int arch_write_rare_pages(struct page * const *pages, int nr, void *dst,
			  const void *src, size_t len, bool set);

/*
 * How write-rare copies, through either mapping: naturally aligned 1, 2, 4
 * or 8 bytes in one store, so that lockless readers see the old value or
 * the new one, never a mix.
 */
static __always_inline void smalloc_wr_copy(void *dst, const void *src,
					    size_t len)
{
	unsigned long addr = (unsigned long)dst;

	if (len == 8 && IS_ALIGNED(addr, 8)) {
		u64 v;

		memcpy(&v, src, 8);
		WRITE_ONCE(*(u64 *)dst, v);
	} else if (len == 4 && IS_ALIGNED(addr, 4)) {
		u32 v;

		memcpy(&v, src, 4);
		WRITE_ONCE(*(u32 *)dst, v);
	} else if (len == 2 && IS_ALIGNED(addr, 2)) {
		u16 v;

		memcpy(&v, src, 2);
		WRITE_ONCE(*(u16 *)dst, v);
	} else if (len == 1) {
		WRITE_ONCE(*(u8 *)dst, *(const u8 *)src);
	} else {
		memcpy(dst, src, len);
	}
}

/**
 * smalloc_wr_assign() - Assign a value to a field of a write-rare object.
 * @obj: The lvalue to assign, within an object of a pool created by
 *	smalloc_create_wr(); for example p->field.
 * @val: The value, converted to the type of @obj as by an assignment.
 *
 * smalloc_wr_memcpy() of @val, typed: a naturally aligned field of 1, 2, 4
 * or 8 bytes is stored at once.  @obj may be const: write-rare is how
 * sealed data changes.
 *
 * Context: As for smalloc_wr_memcpy().
 * Return: As for smalloc_wr_memcpy().
 */
#define smalloc_wr_assign(obj, val) ({					\
	typeof(obj) __wr_val = (val);					\
									\
	smalloc_wr_memcpy((void *)&(obj), &__wr_val, sizeof(obj));	\
})

/**
 * smalloc_wr_rcu_assign_pointer() - rcu_assign_pointer() for write-rare.
 * @p: The __rcu pointer to assign, within an object of a pool created by
 *	smalloc_create_wr(), aligned.
 * @v: The new value.
 *
 * Publishes @v as rcu_assign_pointer() does: what @v points to is written
 * before readers can see @v, which is stored at once.
 *
 * Context: As for smalloc_wr_memcpy().
 * Return: As for smalloc_wr_memcpy().
 */
#define smalloc_wr_rcu_assign_pointer(p, v) ({				\
	typeof(v) __wr_v = (v);						\
	typeof(p) __wr_p = (typeof(*__wr_v) __force __rcu *)__wr_v;	\
									\
	BUILD_BUG_ON(sizeof(p) != sizeof(void *));			\
	__smalloc_wr_rcu_assign((void **)&(p), (__force void *)__wr_p);\
})

/**
 * smalloc_create() - Create a pool with the default alignment.
 * @name: Name of the pool, shown in reports and in debugfs.
 *
 * Objects from the pool are aligned to ARCH_KMALLOC_MINALIGN, as kmalloc()
 * objects are.  See smalloc_create_aligned().
 *
 * Context: Process context.  May sleep.
 * Return: The new, unsealed pool, or NULL on failure or when smalloc is
 * not configured.
 */
static inline struct smalloc_pool *smalloc_create(const char *name)
{
	return smalloc_create_aligned(name, ARCH_KMALLOC_MINALIGN);
}

/**
 * smalloc_array() - Allocate an array from a pool.
 * @pool: Pool to allocate from.
 * @n: Number of elements.
 * @size: Size of one element.
 *
 * Like smalloc_alloc() for @n * @size bytes.
 *
 * Context: Process context.  May sleep.
 * Return: The array; ZERO_SIZE_PTR if @n * @size is 0; NULL if it
 * overflows, or as for smalloc_alloc().
 */
static inline void *smalloc_array(struct smalloc_pool *pool, size_t n,
				  size_t size)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return smalloc_alloc(pool, bytes);
}

/**
 * smalloc_zarray() - Allocate a zeroed array from a pool.
 * @pool: Pool to allocate from.
 * @n: Number of elements.
 * @size: Size of one element.
 *
 * Like smalloc_zalloc() for @n * @size bytes.
 *
 * Context: Process context.  May sleep.
 * Return: The zeroed array; ZERO_SIZE_PTR if @n * @size is 0; NULL if it
 * overflows, or as for smalloc_alloc().
 */
static inline void *smalloc_zarray(struct smalloc_pool *pool, size_t n,
				   size_t size)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return smalloc_zalloc(pool, bytes);
}

#endif /* _LINUX_SMALLOC_H */
