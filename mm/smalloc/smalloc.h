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
 * struct smalloc_node - One vmalloc area of a pool.
 * @list: Entry in &smalloc_pool.nodes, newest first.
 * @addr: Start of the area; page aligned.
 * @size: Size of the area in bytes; a multiple of PAGE_SIZE.
 * @used: Bump offset: bytes from @addr that objects already cover.
 *
 * Node metadata is allocated apart from the area it describes, so that no
 * object can overflow into it and sealing never writes into sealed pages.
 */
struct smalloc_node {
	struct list_head list;
	void *addr;
	size_t size;
	size_t used;
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
 * @sealed: Every node is read-only, through both of its mappings.
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

struct smalloc_pool *smalloc_global_pool(void);
struct smalloc_pool *smalloc_create_shared(const char *name);
int smalloc_seal_final(struct smalloc_pool *pool);

#endif /* MM_SMALLOC_SMALLOC_H */
