// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc benchmark: the cost of hardened usercopy's smalloc check.
 *
 * Reading /sys/kernel/debug/smalloc_bench times copies of 64 bytes to and
 * from user space, for a kmalloc object, a vmalloc area and smalloc objects
 * (in a pool of one object and in one of many; copies to user space also
 * from a sealed pool), and returns one line per case: the best of several
 * rounds, in ns per copy.
 */

#define pr_fmt(fmt) "smalloc_bench: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/smalloc.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define BENCH_COPIES	20000
#define BENCH_ROUNDS	5
#define BENCH_OBJECTS	10000

/* Best time of a round of BENCH_COPIES copies, in ns per copy; or -EFAULT. */
static s64 bench_copy(void __user *ubuf, void *obj, size_t size, bool to_user)
{
	u64 best = U64_MAX, t;
	int round, i;

	/* Not a compile-time constant: usercopy checks only those that are not. */
	OPTIMIZER_HIDE_VAR(size);
	for (round = 0; round < BENCH_ROUNDS; round++) {
		t = ktime_get_ns();
		for (i = 0; i < BENCH_COPIES; i++) {
			if (to_user ? copy_to_user(ubuf, obj, size) :
				      copy_from_user(obj, ubuf, size))
				return -EFAULT;
		}
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	return div_u64(best, BENCH_COPIES);
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct smalloc_pool *one = NULL, *many = NULL;
	void *k = NULL, *v = NULL, *s1 = NULL, *sn = NULL;
	char *out;
	ssize_t ret = -ENOMEM;
	size_t len = 0;
	int i;

	if (*ppos)
		return 0;
	if (count < 64)
		return -EINVAL;
	out = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	k = kzalloc(64, GFP_KERNEL);
	v = vzalloc(64);
	one = smalloc_create("bench-one");
	many = smalloc_create("bench-many");
	if (!k || !v || !one || !many)
		goto out;
	s1 = smalloc_zalloc(one, 64);
	for (i = 0; i < BENCH_OBJECTS; i++) {
		void *p = smalloc_zalloc(many, 64);

		if (!p)
			goto out;
		if (i == BENCH_OBJECTS / 2)
			sn = p;
	}
	if (!s1 || !sn)
		goto out;

#define BENCH(name, obj, to_user)					\
	(len += scnprintf(out + len, PAGE_SIZE - len, "%-36s %lld\n",	\
			  name, bench_copy(ubuf, obj, 64, to_user)))

	BENCH("to_user kmalloc", k, true);
	BENCH("to_user vmalloc", v, true);
	BENCH("to_user smalloc-1-object", s1, true);
	BENCH("to_user smalloc-10000-objects", sn, true);
	BENCH("from_user kmalloc", k, false);
	BENCH("from_user vmalloc", v, false);
	BENCH("from_user smalloc-1-object", s1, false);
	BENCH("from_user smalloc-10000-objects", sn, false);
	ret = smalloc_seal(one);
	if (ret)
		goto out;
	BENCH("to_user smalloc-1-object-sealed", s1, true);
#undef BENCH

	ret = simple_read_from_buffer(ubuf, count, ppos, out, len);
out:
	smalloc_destroy(many);
	smalloc_destroy(one);
	vfree(v);
	kfree(k);
	kfree(out);
	return ret;
}

static const struct file_operations bench_fops = {
	.read = bench_read,
	.llseek = noop_llseek,
};

static int __init smalloc_bench_init(void)
{
	debugfs_create_file("smalloc_bench", 0400, NULL, NULL, &bench_fops);
	return 0;
}
late_initcall(smalloc_bench_init);
