// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test that KASAN reports a read out of a pool object, as it reports
 * one out of a kmalloc() object: past the object's last byte, in the gap
 * alignment leaves before the next object, and in a node's free space.
 * Unlike smalloc_kunit.c, this file is built with KASAN's instrumentation,
 * as a pool's users are, and the reads are plain loads.
 *
 * Each report taints the kernel, which turns lockdep off, and KASAN only
 * reports more than once per boot with kasan_multi_shot: the suite runs
 * in a boot of its own (tools/testing/smalloc/check-kasan.sh), whose log
 * may hold the reports between the lines this test prints around them,
 * and nothing else.  The reads run in a work item: KASAN fails the KUnit
 * test whose task it reports on, unless KASAN's own suite runs.  The
 * test sees the reports on the console, as KASAN's own tests do.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/smalloc.h>
#include <linux/sprintf.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <trace/events/printk.h>

/* What the console said about one read. */
static struct {
	char at[32];		/* "at addr " and the address read */
	int reports;		/* lines starting a KASAN report */
	int out_of_bounds;	/* of them, reports of an out-of-bounds access */
	bool at_seen;		/* a line named the address read */
} seen;

static void probe_console(void *ignore, const char *buf, size_t len)
{
	if (strnstr(buf, "BUG: KASAN: ", len)) {
		WRITE_ONCE(seen.reports, seen.reports + 1);
		if (strnstr(buf, "out-of-bounds", len))
			WRITE_ONCE(seen.out_of_bounds,
				   seen.out_of_bounds + 1);
	} else if (strnstr(buf, seen.at, len)) {
		WRITE_ONCE(seen.at_seen, true);
	}
}

struct oob_read {
	struct work_struct work;
	const u8 *p;
};

static void oob_read_fn(struct work_struct *work)
{
	const u8 *p = container_of(work, struct oob_read, work)->p;

	OPTIMIZER_HIDE_VAR(p);
	(void)READ_ONCE(*p);
}

/* Read @p from a work item, and expect @reports reports that name it. */
static void expect_reports(struct kunit *test, const u8 *p, int reports,
			   const char *what)
{
	struct oob_read r = { .p = p };

	memset(&seen, 0, sizeof(seen));
	snprintf(seen.at, sizeof(seen.at), "at addr %px", p);
	pr_info("smalloc_kasan: %d KASAN report(s) expected: %s\n",
		reports, what);
	INIT_WORK_ONSTACK(&r.work, oob_read_fn);
	schedule_work(&r.work);
	flush_work(&r.work);
	destroy_work_on_stack(&r.work);
	pr_info("smalloc_kasan: end of expected KASAN report(s)\n");

	KUNIT_EXPECT_EQ_MSG(test, reports, READ_ONCE(seen.reports),
			    "reports of a read %s", what);
	KUNIT_EXPECT_EQ_MSG(test, reports, READ_ONCE(seen.out_of_bounds),
			    "out-of-bounds reports of a read %s", what);
	KUNIT_EXPECT_EQ_MSG(test, !!reports, READ_ONCE(seen.at_seen),
			    "a report names the address read %s", what);
}

KUNIT_DEFINE_ACTION_WRAPPER(destroy_action, smalloc_destroy,
			    struct smalloc_pool *);

static void smalloc_kasan_oob_read(struct kunit *test)
{
	struct smalloc_pool *pool;
	u8 *a, *b;

	pool = smalloc_create_aligned("smalloc_kasan", 32);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, destroy_action,
							   pool));
	a = smalloc_alloc(pool, 20);
	b = smalloc_alloc(pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_PTR_EQ(test, a + 32, b);

	expect_reports(test, a + 19, 0, "of an object's last byte");
	expect_reports(test, a + 20, 1, "just past an object");
	expect_reports(test, a + 24, 1, "in the gap before the next object");
	expect_reports(test, b + 64, 1, "in a node's free space");
	KUNIT_ASSERT_EQ(test, 0, smalloc_seal(pool));
	expect_reports(test, b + 63, 0, "of a sealed object's last byte");
	expect_reports(test, b + 64, 1, "past a sealed object");
}

static int smalloc_kasan_suite_init(struct kunit_suite *suite)
{
	return register_trace_console(probe_console, NULL);
}

static void smalloc_kasan_suite_exit(struct kunit_suite *suite)
{
	unregister_trace_console(probe_console, NULL);
	tracepoint_synchronize_unregister();
}

static struct kunit_case smalloc_kasan_cases[] = {
	KUNIT_CASE(smalloc_kasan_oob_read),
	{}
};

static struct kunit_suite smalloc_kasan_suite = {
	.name = "smalloc_kasan",
	.suite_init = smalloc_kasan_suite_init,
	.suite_exit = smalloc_kasan_suite_exit,
	.test_cases = smalloc_kasan_cases,
};

kunit_test_suite(smalloc_kasan_suite);

MODULE_DESCRIPTION("KUnit test that KASAN sees reads out of smalloc objects");
MODULE_LICENSE("GPL");
