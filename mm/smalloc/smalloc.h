/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smalloc internal interface, shared by the allocator and its tests.
 */
#ifndef MM_SMALLOC_SMALLOC_H
#define MM_SMALLOC_SMALLOC_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/smalloc.h>
#include <linux/types.h>

/**
 * struct smalloc_objects - The objects of a node, in address order.
 * @rcu: Frees a copy replaced by a larger one after readers are done.
 * @nr: Entries of @end in use.  The allocator fills an entry, then
 *	publishes it with smp_store_release(); readers load @nr with
 *	smp_load_acquire() and need no lock.
 * @cap: Entries of @end allocated.
 * @end: For each object, in address order, the offset from the start of
 *	the node of the byte after its last one.  An object starts where
 *	the one before it ends, aligned to the pool's alignment; the first
 *	one at offset 0.  The bump pointer only grows, so @end is sorted.
 */
struct smalloc_objects {
	struct rcu_head rcu;
	unsigned int nr;
	unsigned int cap;
	u32 end[] __counted_by(cap);
};

/**
 * struct smalloc_node - One vmalloc area of a pool.
 * @list: Entry in &smalloc_pool.nodes, newest first.
 * @pool: The pool it belongs to.
 * @addr: Start of the area; page aligned.
 * @size: Size of the area in bytes; a multiple of PAGE_SIZE.
 * @used: Bump offset: bytes from @addr that objects already cover.
 * @objects: Where each object ends (RCU).
 *
 * Node metadata is allocated apart from the area it describes, so that no
 * object can overflow into it and sealing never writes into sealed pages.
 * Nodes are found by address, without the pool lock, through an RCU-safe
 * maple tree; they are freed after a grace period.
 */
struct smalloc_node {
	struct list_head list;
	struct smalloc_pool *pool;
	void *addr;
	size_t size;
	size_t used;
	struct smalloc_objects __rcu *objects;
};

/**
 * struct smalloc_pool - A sealable pool.
 * @lock: Serialises allocation, seal, unseal and destroy.
 * @nodes: The pool's &struct smalloc_node, newest first.
 * @list: Entry in the list of pools shown in debugfs.
 * @name: Name for reports and debugfs.
 * @align: Alignment of every object, a power of two.
 * @nr_pages: Pages in all nodes.
 * @bytes: Bytes handed out to objects, padding excluded.
 * @shared: Callers may neither seal nor unseal the pool (the global pool).
 * @sealed: Every node is read-only, through both of its mappings.  Written
 *	under @lock; read without it by the lookups.
 * @final: Sealed for good: allocation, seal and unseal are refused.  Set
 *	once, under @lock, and never cleared, so it may be read without @lock.
 */
struct smalloc_pool {
	struct mutex lock;	/* serialises alloc, seal, unseal, destroy */
	struct list_head nodes;
	struct list_head list;
	const char *name;
	size_t align;
	unsigned long nr_pages;
	size_t bytes;
	bool shared;
	bool sealed;
	bool final;
};

/**
 * enum smalloc_copy_verdict - What hardened usercopy makes of a copy.
 * @SMALLOC_COPY_OK: The copy stays within one object and may go ahead.
 * @SMALLOC_COPY_NO_OBJECT: Its start is in no object (padding, free space).
 * @SMALLOC_COPY_OVERRUN: It runs past the end of the object it starts in.
 * @SMALLOC_COPY_INTO_SEALED: It would write into a sealed object.
 */
enum smalloc_copy_verdict {
	SMALLOC_COPY_OK,
	SMALLOC_COPY_NO_OBJECT,
	SMALLOC_COPY_OVERRUN,
	SMALLOC_COPY_INTO_SEALED,
};

enum smalloc_copy_verdict smalloc_copy_verdict(const void *ptr,
					       unsigned long n, bool to_user,
					       struct smalloc_object *obj);
struct smalloc_pool *smalloc_global_pool(void);
struct smalloc_pool *smalloc_create_shared(const char *name);
int smalloc_seal_final(struct smalloc_pool *pool);

#endif /* MM_SMALLOC_SMALLOC_H */
