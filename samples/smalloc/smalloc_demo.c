// SPDX-License-Identifier: GPL-2.0
/*
 * smalloc demo: the life of a sealed pool, one step per command.
 *
 * Write a command to /sys/kernel/debug/smalloc_demo; each step says what it
 * did in the kernel log:
 *
 *   create   create pool "demo" and fill a small rule table in it
 *   seal     seal the pool
 *   write    try to change a rule through both of its kernel mappings
 *   unseal   make the pool writable again
 *   destroy  destroy the pool
 *   global   check the table the demo wrote in the global pool during boot,
 *            which kernel_init() sealed for good, and try to change it
 *            through both of its kernel mappings
 *
 * The writes use copy_to_kernel_nofault(), which reports a write-protect
 * fault as -EFAULT instead of oopsing, so the demo can show the refusal.
 */

#define pr_fmt(fmt) "smalloc_demo: " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/smalloc.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define DEMO_RULES	256

struct demo_rule {
	char subject[24];
	u32 allowed;
};

static DEFINE_MUTEX(demo_lock);
static struct smalloc_pool *demo_pool;
static struct demo_rule *demo_rules;
static const char *demo_banner;
static bool demo_sealed;

static int demo_create(void)
{
	int i;

	if (demo_pool)
		return -EEXIST;
	demo_pool = smalloc_create("demo");
	if (!demo_pool)
		return -ENOMEM;
	demo_rules = smalloc_array(demo_pool, DEMO_RULES, sizeof(*demo_rules));
	demo_banner = smalloc_strdup(demo_pool, "rules loaded by smalloc_demo");
	if (!demo_rules || !demo_banner) {
		smalloc_destroy(demo_pool);
		demo_pool = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < DEMO_RULES; i++) {
		snprintf(demo_rules[i].subject, sizeof(demo_rules[i].subject),
			 "subject%d", i);
		demo_rules[i].allowed = 0;
	}
	pr_info("created pool \"demo\" and wrote %d rules (%zu bytes, %lu pages) and a banner \"%s\"\n",
		DEMO_RULES, DEMO_RULES * sizeof(*demo_rules),
		DIV_ROUND_UP(DEMO_RULES * sizeof(*demo_rules), PAGE_SIZE),
		demo_banner);
	return 0;
}

/*
 * Try to write @val to the u32 at @p, through its vmalloc address and then
 * through its direct-map alias; say what happened to @what each time.
 */
static void demo_try_writes(const char *what, u32 *p, u32 val)
{
	static const char * const how[] = {
		"vmalloc address", "direct-map alias"
	};
	u32 *addr[] = {
		p, page_address(vmalloc_to_page(p)) + offset_in_page(p)
	};
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(addr); i++) {
		ret = copy_to_kernel_nofault(addr[i], &val, sizeof(val));
		if (ret)
			pr_info("write to %s through its %s: refused (%pe), it still reads %#x\n",
				what, how[i], ERR_PTR(ret), READ_ONCE(*p));
		else
			pr_info("write to %s through its %s: done, it now reads %#x\n",
				what, how[i], READ_ONCE(*p));
	}
}

static int demo_write(void)
{
	if (!demo_pool)
		return -ENOENT;
	demo_try_writes("the last rule's allowed field",
			&demo_rules[DEMO_RULES - 1].allowed, 1);
	return 0;
}

static int demo_seal(bool seal)
{
	int ret;

	if (!demo_pool)
		return -ENOENT;
	/* A mismatched seal or unseal is a caller bug: don't make one. */
	if (demo_sealed == seal)
		return -EBUSY;
	ret = seal ? smalloc_seal(demo_pool) : smalloc_unseal(demo_pool);
	if (!ret)
		demo_sealed = seal;
	pr_info("%s pool \"demo\": %s\n", seal ? "seal" : "unseal",
		ret ? "failed" : "done");
	return ret;
}

static int demo_destroy(void)
{
	if (!demo_pool)
		return -ENOENT;
	smalloc_destroy(demo_pool);
	demo_pool = NULL;
	demo_rules = NULL;
	demo_banner = NULL;
	demo_sealed = false;
	pr_info("destroyed pool \"demo\"\n");
	return 0;
}

#ifndef MODULE
/*
 * The global pool is for built-in code during boot: the demo writes a table
 * there from its initcall, and kernel_init() seals the pool for good before
 * userspace starts.  "global" checks that the table survived the final seal
 * and that it cannot be changed.
 */
#define DEMO_GLOBAL_WORDS	64

static u32 *demo_global;

static u32 demo_global_pattern(int i)
{
	return 0x5ea1ed00 + i;
}

static void __init demo_global_fill(void)
{
	int i;

	demo_global = smalloc_array(smalloc_global, DEMO_GLOBAL_WORDS,
				    sizeof(*demo_global));
	if (!demo_global) {
		pr_err("cannot allocate a table from the global pool\n");
		return;
	}
	for (i = 0; i < DEMO_GLOBAL_WORDS; i++)
		demo_global[i] = demo_global_pattern(i);
	pr_info("wrote a table of %d words in the global pool\n",
		DEMO_GLOBAL_WORDS);
}

/* Say whether the global table still holds what boot wrote. */
static void demo_global_report(const char *when)
{
	int i;

	for (i = 0; i < DEMO_GLOBAL_WORDS; i++)
		if (demo_global[i] != demo_global_pattern(i))
			break;
	if (i == DEMO_GLOBAL_WORDS)
		pr_info("global table %s: all %d words hold the pattern written at boot\n",
			when, DEMO_GLOBAL_WORDS);
	else
		pr_info("global table %s: word %d reads %#x, not %#x\n",
			when, i, demo_global[i], demo_global_pattern(i));
}

static int demo_global_check(void)
{
	if (!demo_global)
		return -ENOENT;
	demo_global_report("before the writes");
	demo_try_writes("the last word of the global table",
			&demo_global[DEMO_GLOBAL_WORDS - 1],
			~demo_global_pattern(DEMO_GLOBAL_WORDS - 1));
	demo_global_report("after the writes");
	return 0;
}
#else
/* Only built-in code can use the global pool. */
static void demo_global_fill(void) { }
static int demo_global_check(void) { return -EOPNOTSUPP; }
#endif

static ssize_t demo_command(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char cmd[16];
	int ret;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	strim(cmd);

	mutex_lock(&demo_lock);
	if (!strcmp(cmd, "create"))
		ret = demo_create();
	else if (!strcmp(cmd, "seal"))
		ret = demo_seal(true);
	else if (!strcmp(cmd, "write"))
		ret = demo_write();
	else if (!strcmp(cmd, "unseal"))
		ret = demo_seal(false);
	else if (!strcmp(cmd, "destroy"))
		ret = demo_destroy();
	else if (!strcmp(cmd, "global"))
		ret = demo_global_check();
	else
		ret = -EINVAL;
	mutex_unlock(&demo_lock);
	return ret ?: count;
}

static const struct file_operations demo_fops = {
	.write = demo_command,
	.llseek = noop_llseek,
};

static int __init smalloc_demo_init(void)
{
	demo_global_fill();
	debugfs_create_file("smalloc_demo", 0200, NULL, NULL, &demo_fops);
	return 0;
}
late_initcall(smalloc_demo_init);
