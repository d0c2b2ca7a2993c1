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

/* Try to set the last rule's "allowed" through @addr; say what happened. */
static void demo_try_write(void *addr, const char *how)
{
	u32 one = 1;
	long ret = copy_to_kernel_nofault(addr, &one, sizeof(one));

	if (ret)
		pr_info("write to rule %d through its %s: refused (%pe), rule still says allowed=%u\n",
			DEMO_RULES - 1, how, ERR_PTR(ret),
			demo_rules[DEMO_RULES - 1].allowed);
	else
		pr_info("write to rule %d through its %s: done, rule now says allowed=%u\n",
			DEMO_RULES - 1, how,
			demo_rules[DEMO_RULES - 1].allowed);
}

static int demo_write(void)
{
	u32 *field;

	if (!demo_pool)
		return -ENOENT;
	field = &demo_rules[DEMO_RULES - 1].allowed;
	demo_try_write(field, "vmalloc address");
	demo_try_write(page_address(vmalloc_to_page(field)) +
		       offset_in_page(field), "direct-map alias");
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
	debugfs_create_file("smalloc_demo", 0200, NULL, NULL, &demo_fops);
	return 0;
}
late_initcall(smalloc_demo_init);
