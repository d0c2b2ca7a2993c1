// SPDX-License-Identifier: GPL-2.0
/*
 * Tests that sealed smalloc memory cannot be written, through either of its
 * mappings or through a user copy, that hardened usercopy keeps copies
 * within one smalloc object, that the global pool, sealed for good at the
 * end of boot, gives out no more memory, and that write-rare writes the
 * objects of write-rare pools and nothing else.
 */
#include "lkdtm.h"
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/smalloc.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/* A copy size usercopy checks: it skips compile-time constants. */
static size_t lkdtm_size(size_t size)
{
	OPTIMIZER_HIDE_VAR(size);
	return size;
}

/* A pool "lkdtm" holding one zeroed object of @size bytes. */
static struct smalloc_pool *lkdtm_smalloc_object(size_t size, u8 **obj)
{
	struct smalloc_pool *pool = smalloc_create("lkdtm");

	if (!pool) {
		pr_err("FAIL: cannot create a smalloc pool\n");
		return NULL;
	}
	*obj = smalloc_zalloc(pool, size);
	if (!*obj) {
		pr_err("FAIL: cannot allocate from a smalloc pool\n");
		smalloc_destroy(pool);
		return NULL;
	}
	return pool;
}

/*
 * Sealing makes the vmalloc mapping read-only, the pages being out of the
 * direct map already, or fails: an architecture or config that cannot
 * change the direct map refuses to seal, which is reported as it is.
 */
static void lkdtm_smalloc_write_sealed(bool alias)
{
	struct smalloc_pool *pool;
	u64 *ptr;
	u8 *obj;
	int ret;

	pool = lkdtm_smalloc_object(64, &obj);
	if (!pool)
		return;
	ret = smalloc_seal(pool);
	if (ret) {
		pr_err("FAIL: cannot seal the pool (%pe)\n", ERR_PTR(ret));
		smalloc_destroy(pool);
		return;
	}

	ptr = (u64 *)obj;
	if (alias)
		ptr = page_address(vmalloc_to_page(obj)) + offset_in_page(obj);
	pr_info("attempting bad write to sealed smalloc memory through its %s at %p\n",
		alias ? "direct-map alias" : "vmalloc address", ptr);
	/* Read through the vmalloc address: the alias is not even mapped. */
	WRITE_ONCE(*ptr, READ_ONCE(*(u64 *)obj) ^ 0xabcd1234);
	pr_err("FAIL: survived bad write\n");

	/* Only reached on failure: the pool stays, sealed, after an Oops. */
	smalloc_destroy(pool);
}

static void lkdtm_SMALLOC_WRITE_AFTER_SEAL(void)
{
	lkdtm_smalloc_write_sealed(false);
}

static void lkdtm_SMALLOC_WRITE_LINEAR_ALIAS(void)
{
	lkdtm_smalloc_write_sealed(true);
}

static unsigned long lkdtm_user_page(void)
{
	unsigned long user_addr;

	user_addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (user_addr >= TASK_SIZE) {
		pr_warn("Failed to allocate user memory\n");
		return 0;
	}
	return user_addr;
}

/*
 * A good copy, then a bad one: past the end of an object (to user space),
 * or into a sealed object (from user space).
 */
static void do_usercopy_smalloc(bool into_sealed)
{
	struct smalloc_pool *pool;
	unsigned long user_addr;
	void __user *user;
	u8 *obj;

	pool = lkdtm_smalloc_object(64, &obj);
	if (!pool)
		return;
	user_addr = lkdtm_user_page();
	if (!user_addr)
		goto free_pool;
	user = (void __user *)user_addr;

	if (!into_sealed) {
		pr_info("attempting good copy_to_user of a smalloc object\n");
		if (copy_to_user(user, obj, lkdtm_size(64))) {
			pr_warn("copy_to_user failed unexpectedly?!\n");
			goto free_user;
		}

		pr_info("attempting bad copy_to_user past the end of a smalloc object\n");
		if (copy_to_user(user, obj + 32, lkdtm_size(33))) {
			pr_warn("copy_to_user failed, but lacked Oops\n");
			goto free_user;
		}
	} else {
		pr_info("attempting good copy_from_user into an unsealed smalloc object\n");
		if (copy_from_user(obj, user, lkdtm_size(64))) {
			pr_warn("copy_from_user failed unexpectedly?!\n");
			goto free_user;
		}
		if (smalloc_seal(pool)) {
			pr_err("FAIL: cannot seal the pool\n");
			goto free_user;
		}
		pr_info("attempting good copy_to_user of a sealed smalloc object\n");
		if (copy_to_user(user, obj, lkdtm_size(64))) {
			pr_warn("copy_to_user failed unexpectedly?!\n");
			goto free_user;
		}

		pr_info("attempting bad copy_from_user into a sealed smalloc object\n");
		if (copy_from_user(obj, user, lkdtm_size(16))) {
			pr_warn("copy_from_user failed, but lacked Oops\n");
			goto free_user;
		}
	}
	pr_err("FAIL: bad usercopy was not detected\n");
	pr_expected_config_param(CONFIG_HARDENED_USERCOPY, "hardened_usercopy");

free_user:
	vm_munmap(user_addr, PAGE_SIZE);
free_pool:
	smalloc_destroy(pool);
}

static void lkdtm_USERCOPY_SMALLOC_OVERRUN(void)
{
	do_usercopy_smalloc(false);
}

static void lkdtm_USERCOPY_SMALLOC_INTO_SEALED(void)
{
	do_usercopy_smalloc(true);
}

/*
 * kernel_init() seals the global pool for good before userspace starts: an
 * allocation from it afterwards is a caller bug, which must warn once and
 * get NULL.  Memory it does give out is left alone: the pool is sealed.
 */
static void lkdtm_SMALLOC_GLOBAL_ALLOC_AFTER_BOOT(void)
{
#ifdef MODULE
	pr_err("XFAIL: only built-in code can use the global pool, and lkdtm is a module\n");
#else
	void *p;

	pr_info("attempting an allocation from the global pool after its final seal\n");
	p = smalloc_alloc(smalloc_global, 16);
	if (p)
		pr_err("FAIL: the global pool gave out memory after its final seal\n");
	else
		pr_info("global pool refused an allocation after the final seal\n");
#endif
}

/*
 * Write-rare changes a sealed object through a mapping only the writing
 * CPU has, for the time of the write: the object stays read-only for plain
 * stores, which must fault.
 */
static void lkdtm_SMALLOC_WR_PLAIN_STORE(void)
{
	struct smalloc_pool *pool = smalloc_create_wr("lkdtm-wr");
	u64 *obj;
	int ret;

	if (!pool) {
		pr_err("XFAIL: no write-rare pools on this architecture\n");
		return;
	}
	obj = smalloc_zalloc(pool, sizeof(*obj));
	ret = obj ? smalloc_seal_final(pool) : -ENOMEM;
	if (!ret)
		ret = smalloc_wr_assign(*obj, 0x1234);
	if (ret || READ_ONCE(*obj) != 0x1234) {
		pr_err("FAIL: write-rare did not write a sealed object (%pe)\n",
		       ERR_PTR(ret));
		smalloc_destroy(pool);
		return;
	}
	pr_info("attempting a plain store to a sealed write-rare object at %p\n",
		obj);
	WRITE_ONCE(*obj, 0xabcd);
	pr_err("FAIL: survived a plain store\n");

	/* Only reached on failure: the pool stays, sealed, after an Oops. */
	smalloc_destroy(pool);
}

/*
 * Write-rare writes the objects of write-rare pools only: aimed at kernel
 * text or rodata, it must warn, refuse and write nothing.
 */
static void lkdtm_SMALLOC_WR_KERNEL_TEXT(void)
{
	u8 *text = (u8 *)smalloc_wr_memcpy;
	const u8 *rodata = (const u8 *)lkdtm_rodata_do_nothing;
	u8 text_was = READ_ONCE(*text), rodata_was = READ_ONCE(*rodata);
	u64 junk = ~0ULL;
	int ret_text, ret_rodata;

	if (!IS_ENABLED(CONFIG_SMALLOC_WRITE_RARE)) {
		pr_err("XFAIL: no write-rare pools on this architecture\n");
		return;
	}
	pr_info("attempting write-rare to kernel text at %p and to rodata at %p\n",
		text, rodata);
	ret_text = smalloc_wr_memcpy(text, &junk, 1);
	ret_rodata = smalloc_wr_memcpy((void *)rodata, &junk, 1);
	if (ret_text != -EINVAL || ret_rodata != -EINVAL ||
	    READ_ONCE(*text) != text_was || READ_ONCE(*rodata) != rodata_was)
		pr_err("FAIL: write-rare to kernel text or rodata: %d, %d\n",
		       ret_text, ret_rodata);
	else
		pr_info("write-rare refused kernel text and rodata\n");
}

#if IS_BUILTIN(CONFIG_LKDTM) && IS_ENABLED(CONFIG_SECURITY_SELINUX)
/*
 * SELinux keeps enforcing, initialized, the policy capabilities and the
 * pointer to the policy in force in the one object of its write-rare pool
 * "selinux:state", sealed for good at boot.  The first object of that
 * pool, or XFAIL where there is none: without write-rare, SELinux keeps
 * its state in plain memory and says so at boot.
 */
static bool lkdtm_selinux_state(struct smalloc_object *obj)
{
	int ret = smalloc_test_first_object("selinux:state", obj);

	if (ret) {
		pr_err("XFAIL: no SELinux state in a write-rare pool (%pe)\n",
		       ERR_PTR(ret));
		return false;
	}
	if (!obj->sealed) {
		pr_err("FAIL: SELinux's write-rare state is not sealed\n");
		return false;
	}
	return true;
}
#endif

/*
 * Whether SELinux enforces: a store to it must fault, and leave it as it
 * was.  SELinux keeps it in the first byte of its state.
 */
static void lkdtm_SELINUX_ENFORCING_WRITE(void)
{
#if IS_BUILTIN(CONFIG_LKDTM) && IS_ENABLED(CONFIG_SECURITY_SELINUX_DEVELOP)
	struct smalloc_object obj;
	u8 *enforcing, was;

	if (!lkdtm_selinux_state(&obj))
		return;
	enforcing = obj.start;
	was = READ_ONCE(*enforcing);
	pr_info("attempting bad write to SELinux's enforcing state at %p\n",
		enforcing);
	WRITE_ONCE(*enforcing, !was);
	/* Left flipped: the harness reads enforce back after the tests. */
	pr_err("FAIL: survived bad write\n");
#else
	pr_err("XFAIL: needs LKDTM built in and SELinux with a switchable enforcing state\n");
#endif
}

/*
 * The pointer to the policy in force: a store to it must fault.  It is the
 * word of SELinux's state that points at the first object of a policy's
 * pool (the policy of a load, or of a boolean generation), so that no
 * layout is needed here.  The store puts back the pointer that is there.
 */
static void lkdtm_SELINUX_POLICY_POINTER_WRITE(void)
{
#if IS_BUILTIN(CONFIG_LKDTM) && IS_ENABLED(CONFIG_SECURITY_SELINUX)
	struct smalloc_object obj, policy;
	void **slot = NULL, **w;
	const char *name;

	if (!lkdtm_selinux_state(&obj))
		return;
	for (w = PTR_ALIGN(obj.start, sizeof(*w));
	     (void *)(w + 1) <= obj.start + obj.size && !slot; w++) {
		if (!smalloc_find_object(READ_ONCE(*w), &policy) ||
		    policy.start != READ_ONCE(*w))
			continue;
		name = smalloc_pool_name(policy.pool);
		if (!strcmp(name, "selinux:policy") ||
		    !strcmp(name, "selinux:booleans"))
			slot = w;
	}
	if (!slot) {
		pr_err("FAIL: no pointer to a policy in SELinux's state: is a policy loaded?\n");
		return;
	}
	pr_info("attempting bad write to SELinux's policy pointer at %p\n",
		slot);
	WRITE_ONCE(*slot, READ_ONCE(*slot));
	pr_err("FAIL: survived bad write\n");
#else
	pr_err("XFAIL: needs LKDTM and SELinux built in\n");
#endif
}

static struct crashtype crashtypes[] = {
	CRASHTYPE(SMALLOC_WRITE_AFTER_SEAL),
	CRASHTYPE(SMALLOC_WRITE_LINEAR_ALIAS),
	CRASHTYPE(SMALLOC_GLOBAL_ALLOC_AFTER_BOOT),
	CRASHTYPE(SMALLOC_WR_PLAIN_STORE),
	CRASHTYPE(SMALLOC_WR_KERNEL_TEXT),
	CRASHTYPE(SELINUX_ENFORCING_WRITE),
	CRASHTYPE(SELINUX_POLICY_POINTER_WRITE),
	CRASHTYPE(USERCOPY_SMALLOC_OVERRUN),
	CRASHTYPE(USERCOPY_SMALLOC_INTO_SEALED),
};

struct crashtype_category smalloc_crashtypes = {
	.crashtypes = crashtypes,
	.len	    = ARRAY_SIZE(crashtypes),
};
