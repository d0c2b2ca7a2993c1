// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc: /sys/kernel/debug/smalloc/pools, one line per pool, without
 * kernel addresses.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>

#include "smalloc.h"

static const char *smalloc_state_name(const struct smalloc_state *state)
{
	if (state->sealed)
		return state->final ? "sealed-final" : "sealed";
	if (state->closed)
		return "seal-failed";
	return "unsealed";
}

/* Under the pool lock. */
static void smalloc_show_pool(struct seq_file *seq,
			      const struct smalloc_state *state)
{
	const struct smalloc_pool *pool = state->pool;
	const struct smalloc_node *node;
	unsigned long nodes = 0;

	/* The state is writable: trust its pool only if it points back. */
	if (pool->state != state) {
		seq_puts(seq, "# corrupted pool\n");
		return;
	}
	for (node = pool->nodes; node && nodes <= pool->nr_pages;
	     node = node->next)
		nodes++;
	seq_printf(seq, "%-24s %6lu %8lu %8lu %12zu %s\n", pool->name, nodes,
		   pool->nr_pages, pool->nr_mapped, pool->bytes,
		   smalloc_state_name(state));
}

static int smalloc_pools_show(struct seq_file *seq, void *v)
{
	struct smalloc_state *state = smalloc_global->state;

	seq_printf(seq, "%-24s %6s %8s %8s %12s %s\n", "# name", "nodes",
		   "pages", "mapped", "bytes", "state");

	mutex_lock(&state->lock);
	smalloc_show_pool(seq, state);
	mutex_unlock(&state->lock);

	mutex_lock(&smalloc_pools_lock);
	list_for_each_entry(state, &smalloc_pools, list) {
		mutex_lock(&state->lock);
		smalloc_show_pool(seq, state);
		mutex_unlock(&state->lock);
	}
	mutex_unlock(&smalloc_pools_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smalloc_pools);

static int smalloc_permission_changes_get(void *data, u64 *val)
{
	*val = atomic_long_read(&smalloc_permission_changes);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(smalloc_permission_changes_fops,
			 smalloc_permission_changes_get, NULL, "%llu\n");

static int smalloc_tlb_flushes_get(void *data, u64 *val)
{
	*val = atomic_long_read(&smalloc_tlb_flushes);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(smalloc_tlb_flushes_fops, smalloc_tlb_flushes_get,
			 NULL, "%llu\n");

static int smalloc_destroy_flushes_get(void *data, u64 *val)
{
	*val = atomic_long_read(&smalloc_destroy_flushes);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(smalloc_destroy_flushes_fops,
			 smalloc_destroy_flushes_get, NULL, "%llu\n");

#ifdef CONFIG_MMU
/* The blocks that node pages come from (block.c). */
static int smalloc_blocks_show(struct seq_file *seq, void *unused)
{
	struct smalloc_blocks_stats st;

	smalloc_blocks_stats(&st);
	seq_printf(seq, "blocks %lu pages %lu free_pages %lu free_blocks %lu\n",
		   st.blocks, st.pages, st.free_pages, st.free_blocks);
	seq_printf(seq, "made %lu small %lu freed %lu\n",
		   st.made, st.small, st.freed);
	seq_printf(seq, "split_2m %lu split_1g %lu\n", st.split_2m, st.split_1g);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smalloc_blocks);
#endif

static int __init smalloc_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("smalloc", NULL);

	debugfs_create_file("pools", 0400, dir, NULL, &smalloc_pools_fops);
	debugfs_create_file_unsafe("permission_changes", 0400, dir, NULL,
				   &smalloc_permission_changes_fops);
	debugfs_create_file_unsafe("tlb_flushes", 0400, dir, NULL,
				   &smalloc_tlb_flushes_fops);
	debugfs_create_file_unsafe("destroy_flushes", 0400, dir, NULL,
				   &smalloc_destroy_flushes_fops);
#ifdef CONFIG_MMU
	debugfs_create_file("blocks", 0400, dir, NULL, &smalloc_blocks_fops);
#endif
	return 0;
}
late_initcall(smalloc_debugfs_init);
