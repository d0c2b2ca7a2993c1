// SPDX-License-Identifier: GPL-2.0
/*
 * selinux-query: ask the loaded SELinux policy for decisions through
 * selinuxfs, for selinux.sh's differential test.  Built static on the
 * host, run in the busybox initramfs.
 *
 *   selinux-query [-a] [-c] < triples
 *   selinux-query -l <policy> [<cut> [<offset>:<xor>]...]
 *   selinux-query -w <file> <string>
 *
 * Reads lines "scontext tcontext tclass_name"; for each, looks up the
 * class number in /sys/fs/selinux/class/<name>/index, then asks
 * /sys/fs/selinux/access (-a) and /sys/fs/selinux/create (-c): opens the
 * file, writes "scontext tcontext tclass_number", reads the answer back
 * on the same file descriptor.  Prints one line per question:
 *
 *   a <answer>      the access decision: allowed decided auditallow
 *                   auditdeny seqno flags, as the kernel prints them
 *   c <answer>      the context of a new object
 *   a E<errno>      the write or read failed (E22 for EINVAL, ...)
 *
 * and, on stderr, how long the questions took, as "# " lines.
 *
 * -l loads a policy the only way selinuxfs takes one, in one write() to
 * /sys/fs/selinux/load; with <cut>, only its first <cut> bytes, and each
 * <offset>:<xor> flips the bits <xor> of the byte at <offset> first.
 * -w writes <string> to <file> in one write().  Both print "ok <seconds>"
 * or "E<errno> <seconds>", and exit 0 on success, 1 on failure.
 *
 * -f <policy> <n> loads the whole policy with the <n>th allocation of the
 * write() failing (fault injection: /proc/thread-self/fail-nth counts
 * every allocation site the kernel's fault attributes cover, smalloc's
 * and the slab's).  Prints "ok" or "E<errno>", then "injected" or "not
 * injected" (the load made fewer than <n> allocations).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SELINUXFS "/sys/fs/selinux"
#define MAX_CLASSES 1024

static struct {
	char name[64];
	int index;
} classes[MAX_CLASSES];
static int nr_classes;

/* The class number of @name, or -1 (a class the policy does not have). */
static int class_index(const char *name)
{
	char path[256], buf[32];
	int i, fd, n, index = -1;

	for (i = 0; i < nr_classes; i++)
		if (!strcmp(classes[i].name, name))
			return classes[i].index;
	snprintf(path, sizeof(path), SELINUXFS "/class/%s/index", name);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			index = atoi(buf);
		}
		close(fd);
	}
	if (nr_classes < MAX_CLASSES && strlen(name) < sizeof(classes[0].name)) {
		strcpy(classes[nr_classes].name, name);
		classes[nr_classes++].index = index;
	}
	return index;
}

#include "selinux-transaction.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ask selinuxfs @file about @q; print "<tag> <answer>", add the time to *@t. */
static void ask(char tag, const char *file, const char *q, double *t)
{
	char ans[4096];
	double t0 = now();
	int err = transaction(file, q, ans, sizeof(ans));

	*t += now() - t0;
	if (err)
		printf("%c E%d\n", tag, err);
	else
		printf("%c %s\n", tag, ans);
}

static int timed_write(const char *file, const void *data, size_t len)
{
	int fd, err = 0;
	double t = now();

	fd = open(file, O_WRONLY);
	if (fd < 0)
		err = errno;
	else if (write(fd, data, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	t = now() - t;
	if (err)
		printf("E%d %.3f\n", err, t);
	else
		printf("ok %.3f\n", t);
	return err ? 1 : 0;
}

/* The whole of @path, in *@buf. */
static size_t slurp(const char *path, unsigned char **buf)
{
	size_t len = 0, size = 0;
	FILE *f;
	int i;

	*buf = NULL;
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 1 << 20;
			*buf = realloc(*buf, size);
			if (!*buf)
				exit(2);
		}
		i = fread(*buf + len, 1, size - len, f);
		if (i <= 0)
			break;
		len += i;
	}
	fclose(f);
	return len;
}

/* -f <policy> <n> */
static int failing_load(const char *path, const char *nth)
{
	char left[32] = "";
	unsigned char *buf;
	size_t len = slurp(path, &buf);
	int fd, nfd, err = 0;

	fd = open(SELINUXFS "/load", O_WRONLY);
	nfd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0 || nfd < 0) {
		perror("open");
		return 2;
	}
	if (write(nfd, nth, strlen(nth)) != (ssize_t)strlen(nth)) {
		perror("fail-nth");
		return 2;
	}
	if (write(fd, buf, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	/* 0: the failure was injected; otherwise what was left to count. */
	if (pread(nfd, left, sizeof(left) - 1, 0) <= 0 ||
	    write(nfd, "0", 1) != 1) {
		perror("fail-nth");
		return 2;
	}
	if (err)
		printf("E%d ", err);
	else
		printf("ok ");
	printf("%s\n", atoi(left) == 0 ? "injected" : "not injected");
	return 0;
}

/*
 * -e <n>: the cost of a setenforce.  <n> writes of the value in force to
 * /sys/fs/selinux/enforce (parsed, nothing changes), then <n> writes that
 * change it (0, 1, 0, ...: an odd <n> leaves it changed, so <n> is made
 * even), on one open file.  Prints the two times, in microseconds per
 * write; their difference is what a change costs, and the same-value
 * writes time the syscall on this boot, to compare boots with.
 */
static int enforce_cost(const char *arg)
{
	long n = strtol(arg, NULL, 0) & ~1L, i;
	char cur = '0';
	double t0, t_same, t_change;
	int fd;

	fd = open(SELINUXFS "/enforce", O_RDWR);
	if (fd < 0 || n <= 0 || pread(fd, &cur, 1, 0) != 1) {
		perror("enforce");
		return 2;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		if (pwrite(fd, &cur, 1, 0) != 1) {
			perror("enforce");
			return 1;
		}
	}
	t_same = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++) {
		char v = (i & 1) ? cur : cur ^ 1;

		if (pwrite(fd, &v, 1, 0) != 1) {
			perror("setenforce");
			return 1;
		}
	}
	t_change = now() - t0;
	close(fd);
	printf("ok %ld changes %.1f us, same value %.1f us\n", n,
	       t_change * 1e6 / n, t_same * 1e6 / n);
	return 0;
}

/* -l <policy> [<cut> [<offset>:<xor>]...] */
static int load(int argc, char **argv)
{
	unsigned char *buf = NULL;
	size_t len = 0, size = 0;
	unsigned long off, xor;
	FILE *f;
	int i;

	f = fopen(argv[0], "r");
	if (!f) {
		perror(argv[0]);
		return 2;
	}
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 1 << 20;
			buf = realloc(buf, size);
			if (!buf)
				return 2;
		}
		i = fread(buf + len, 1, size - len, f);
		if (i <= 0)
			break;
		len += i;
	}
	fclose(f);
	if (argc > 1 && strtoul(argv[1], NULL, 0) < len)
		len = strtoul(argv[1], NULL, 0);
	for (i = 2; i < argc; i++) {
		if (sscanf(argv[i], "%lu:%lu", &off, &xor) != 2) {
			fprintf(stderr, "bad flip %s\n", argv[i]);
			return 2;
		}
		if (off < len)
			buf[off] ^= xor;
	}
	return timed_write(SELINUXFS "/load", buf, len);
}

int main(int argc, char **argv)
{
	static char line[4096], q[4200];
	char scon[2048], tcon[2048], cls[64];
	int access = 0, create = 0, i, n = 0;
	double t_access = 0, t_create = 0;

	if (argc > 2 && !strcmp(argv[1], "-l"))
		return load(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "-f"))
		return failing_load(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "-e"))
		return enforce_cost(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "-w"))
		return timed_write(argv[2], argv[3], strlen(argv[3]));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-a"))
			access = 1;
		else if (!strcmp(argv[i], "-c"))
			create = 1;
		else {
			fprintf(stderr, "usage: selinux-query [-a] [-c] < triples | -l <policy> [<cut> [<off>:<xor>]...] | -w <file> <string> | -e <n>\n");
			return 2;
		}
	}
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%2047s %2047s %63s", scon, tcon, cls) != 3)
			continue;
		snprintf(q, sizeof(q), "%s %s %d", scon, tcon, class_index(cls));
		n++;
		if (access)
			ask('a', SELINUXFS "/access", q, &t_access);
		if (create)
			ask('c', SELINUXFS "/create", q, &t_create);
	}
	fprintf(stderr, "# selinux-query: %d triples, access %.3f s, create %.3f s\n",
		n, t_access, t_create);
	return 0;
}
