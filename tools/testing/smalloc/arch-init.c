// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the boots of check-arch.sh, on architectures where smalloc
 * cannot seal (i386) or where there is no MMU at all (riscv64 nommu), and
 * of test-arm64.sh's SELinux boots.
 *
 * Built with the kernel's own nolibc, so that it needs no C library for
 * the target: on a kernel without an MMU it runs as a static PIE through
 * the ELF FDPIC loader, which does not relocate it, so this file keeps no
 * pointers in initialised data (string literals are reached PC-relative).
 *
 * It loads /mdp.pol in one write(), prints debugfs' list of smalloc pools,
 * runs SELinux's KUnit suite selinux_policy_seal if KUnit is built in,
 * asks selinuxfs "access" and "create" for each line of /mdp.triples
 * ("scontext tcontext class"), exactly as selinux-query does, and prints
 * the answers for the host to compare with the x86_64 reference.  Output
 * lines start with "arch: ", and each is a record of /dev/kmsg.
 */

#define POLICY_MAX	(1 << 20)
#define KUNIT_SEAL	"/sys/kernel/debug/kunit/selinux_policy_seal"
#define TRIPLES_MAX	(1 << 20)

static char policy[POLICY_MAX];
static char triples[TRIPLES_MAX];
static char buf[4096];

/* Append @s to @to, which has @len bytes already; the new length. */
static long append(char *to, long len, const char *s)
{
	while (*s)
		to[len++] = *s++;
	to[len] = 0;
	return len;
}

/*
 * Where the lines go: /dev/kmsg once main() has it, so that each line is a
 * printk record of its own.  On the console a kernel message (kauditd's
 * report of the load, a warning) then comes before or after a line, never
 * in its middle, and the console needs no lower loglevel: every warning
 * stays in the log the host judges.
 */
static int out = 1;

/* One line, "arch: " @a @b @c @d, in one write(); a longer one is cut. */
static void say4(const char *a, const char *b, const char *c, const char *d)
{
	const char *part[4] = { a, b, c, d };
	char line[1024];
	long len = append(line, 0, "arch: ");
	int i;

	for (i = 0; i < 4; i++)
		while (*part[i] && len < (long)sizeof(line) - 1)
			line[len++] = *part[i]++;
	line[len++] = '\n';
	write(out, line, len);
}

static void say(const char *a, const char *b)
{
	say4(a, b, "", "");
}

/* Each line of @text, after "arch: " @prefix. */
static void say_lines(const char *prefix, char *text)
{
	char *end;

	while ((end = strchr(text, '\n'))) {
		*end = 0;
		say(prefix, text);
		text = end + 1;
	}
}

/* "arch: " @a and the number @n. */
static void say_num(const char *a, long n)
{
	char num[24];

	ltoa_r(n, num);
	say4(a, num, "", "");
}

/* The whole of @path into @to, NUL-terminated; its length, or -errno. */
static long slurp(const char *path, char *to, long size)
{
	long n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, to + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -errno;
	to[len] = 0;
	return len;
}

#include "selinux-transaction.h"


/* The policy's number for class @name, or -1, as selinux-query has it. */
static int class_index(const char *name)
{
	char path[256], num[32];
	long n;

	if (strlen(name) > 128)
		return -1;
	n = append(path, 0, "/sys/fs/selinux/class/");
	n = append(path, n, name);
	append(path, n, "/index");
	if (slurp(path, num, sizeof(num)) <= 0)
		return -1;
	return atoi(num);
}

static void ask(const char *which, const char *file, const char *q)
{
	char ans[512], num[24];
	int err = transaction(file, q, ans, sizeof(ans));

	if (err) {
		ltoa_r(err, num);
		say4("ans ", which, " E", num);
	} else {
		say4("ans ", which, " ", ans);
	}
}

static void answers(void)
{
	char *line = triples, *end, *f[3], q[600];
	int i, n = 0;
	long len;

	while (*line) {
		end = strchr(line, '\n');
		if (end)
			*end = 0;
		for (i = 0; i < 3; i++) {
			while (*line == ' ')
				line++;
			f[i] = line;
			while (*line && *line != ' ')
				line++;
			if (*line)
				*line++ = 0;
		}
		if (*f[2] && strlen(f[0]) < 256 && strlen(f[1]) < 256) {
			len = append(q, 0, f[0]);
			len = append(q, len, " ");
			len = append(q, len, f[1]);
			len = append(q, len, " ");
			itoa_r(class_index(f[2]), q + len);
			ask("a", "/sys/fs/selinux/access", q);
			ask("c", "/sys/fs/selinux/create", q);
			n++;
		}
		if (!end)
			break;
		line = end + 1;
	}
	say_num("triples ", n);
}

int main(void)
{
	long len;
	int fd, kmsg = -1;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("selinuxfs", "/sys/fs/selinux", "selinuxfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	/*
	 * Without the limit on its rate that /dev/kmsg has by default (the
	 * sysctl wants the newline).
	 */
	fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY);
	if (fd >= 0 && write(fd, "on\n", 3) == 3)
		kmsg = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0)
		close(fd);
	if (kmsg >= 0)
		out = kmsg;
	else
		say("no /dev/kmsg", "");
	say("init runs", "");

	len = slurp("/mdp.pol", policy, sizeof(policy));
	fd = open("/sys/fs/selinux/load", O_WRONLY);
	if (len <= 0 || fd < 0 || write(fd, policy, len) != len)
		say_num("load E", errno);
	else
		say("load ok", "");
	if (fd >= 0)
		close(fd);

	if (slurp("/sys/kernel/debug/smalloc/pools", buf, sizeof(buf)) > 0)
		say_lines("pools ", buf);
	else
		say("pools unreadable", "");

	/*
	 * SELinux's KUnit suite selinux_policy_seal, again now that a policy
	 * is loaded (at boot it had none), where KUnit is built in: its KTAP
	 * results, a line each.  The policy is in force: its file's buffer
	 * is free.
	 */
	fd = open(KUNIT_SEAL "/run", O_WRONLY);
	if (fd < 0) {
		say("kunit none", "");
	} else {
		if (write(fd, "1", 1) != 1)
			say_num("kunit run E", errno);
		close(fd);
		if (slurp(KUNIT_SEAL "/results", policy, sizeof(policy)) > 0)
			say_lines("kunit ", policy);
		else
			say("kunit results unreadable", "");
	}

	if (slurp("/mdp.triples", triples, sizeof(triples)) > 0)
		answers();
	say("done", "");
	/* QEMU runs with -no-reboot: a restart ends it. */
	reboot(LINUX_REBOOT_CMD_RESTART);
	return 0;
}
