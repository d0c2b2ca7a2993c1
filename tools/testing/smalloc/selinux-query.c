// SPDX-License-Identifier: GPL-2.0
/*
 * selinux-query: ask the loaded SELinux policy for decisions through
 * selinuxfs, for selinux.sh's differential test.  Built static on the
 * host, run in the busybox initramfs.
 *
 *   selinux-query [-a] [-c] < triples
 *   selinux-query [-F <file>] -l <policy> [<cut> [<offset>:<xor>]...]
 *   selinux-query [-F <file>] -w <file> <string>
 *   selinux-query -q < questions
 *   selinux-query -L < paths
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
 * or "E<errno> <seconds>", and exit 0 on success, 1 on failure.  Given
 * first, -F <file> (smalloc's debugfs "pools") makes them wait, after a
 * write that succeeded, until <file> has no more lines than before it,
 * polling every millisecond: what a load or commit leaves to free, the
 * outgoing policy's pools, has been freed.  They then print
 * "ok <seconds> <seconds until freed> <polls>", or "ok <seconds>
 * never-freed" and exit 1 after a minute; a <file> that cannot be read
 * (a kernel without smalloc, which frees within the write) waits for
 * nothing.
 *
 * -q asks each question of its line "<op> <arguments>", of one of the
 * transaction files by op, with the class given by name:
 *
 *   r scontext tcontext class        relabel (type_change rules)
 *   m scontext tcontext class        member (type_member rules)
 *   n scontext tcontext class name   create, with an object name (named
 *                                    type transitions); the name is
 *                                    %-encoded, as selinuxfs decodes it
 *   p scontext tcontext class        create (for processes: type, role
 *                                    and range transitions)
 *   x context                        context: valid?  canonical form
 *   u context user                   user: the contexts of <user> that
 *                                    <context> may reach
 *   v old new class task             validatetrans (write only)
 *
 * and prints "<op> <answer>": the answer as read back, each NUL that
 * separates the contexts of a user answer as a space, "ok" for a
 * validatetrans write that succeeded, or E<errno>.  Anything after " #"
 * on a question line is the host's (what the question was drawn from)
 * and is not sent.
 *
 * -L prints "<path> <security.selinux of path>" (the link itself, for a
 * symbolic link) or "<path> E<errno>" for each path on stdin.
 *
 * -f <policy> <n> loads the whole policy with the <n>th allocation of the
 * write() failing (fault injection: /proc/thread-self/fail-nth counts
 * every allocation site the kernel's fault attributes cover, smalloc's
 * and the slab's).  Prints "ok" or "E<errno>", then "injected" or "not
 * injected" (the load made fewer than <n> allocations), then "same" or
 * "changed": whether the policy in force reads back and answers the
 * questions of /selinux/fault.q (-N's) as the one before the load did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/xattr.h>
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

/*
 * -F <file>: the file whose lines count the pools that a write must free
 * (smalloc's debugfs "pools"), for timed_write().
 */
static const char *freed_file;

/* The number of lines of @path, or -1 if it cannot be read. */
static long count_lines(const char *path)
{
	char buf[4096];
	long lines = 0;
	ssize_t i, n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return n < 0 ? -1 : lines;
}

/*
 * Wait until @freed_file has no more lines than @before, polling every
 * millisecond for up to 60 seconds; the number of polls, or -1 if it
 * never does.
 */
static long wait_freed(long before)
{
	struct timespec ms = { 0, 1000000 };
	long polls = 0;
	double t = now();

	while (count_lines(freed_file) > before) {
		if (now() - t > 60)
			return -1;
		nanosleep(&ms, NULL);
		polls++;
	}
	return polls;
}

static int timed_write(const char *file, const void *data, size_t len)
{
	long before = freed_file ? count_lines(freed_file) : -1, polls = 0;
	int fd, err = 0;
	double t = now(), t_freed;

	fd = open(file, O_WRONLY);
	if (fd < 0)
		err = errno;
	else if (write(fd, data, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	t_freed = t;
	t = now() - t;
	if (err) {
		printf("E%d %.3f\n", err, t);
		return 1;
	}
	if (before < 0) {
		printf("ok %.3f\n", t);
		return 0;
	}
	polls = wait_freed(before);
	t_freed = now() - t_freed;
	if (polls < 0) {
		printf("ok %.3f never-freed\n", t);
		return 1;
	}
	printf("ok %.3f %.3f %ld\n", t, t_freed, polls);
	return 0;
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

/*
 * One transaction, as transaction() does, but the answer's length
 * returned: a user answer has NULs inside.  Returns the length or
 * -errno.
 */
static int transaction_len(const char *file, const char *q, size_t qlen,
			   char *ans, size_t size, int read_back)
{
	int fd, n = 0;

	fd = open(file, read_back ? O_RDWR : O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, q, qlen) < 0)
		n = -errno;
	else if (read_back) {
		n = read(fd, ans, size - 1);
		if (n < 0)
			n = -errno;
	}
	close(fd);
	return n;
}

static const struct {
	char op;
	const char *file;
	int nr_con;	/* contexts before the class, or -1: no class */
} ops[] = {
	{ 'r', SELINUXFS "/relabel", 2 },
	{ 'm', SELINUXFS "/member", 2 },
	{ 'n', SELINUXFS "/create", 2 },
	{ 'p', SELINUXFS "/create", 2 },
	{ 'x', SELINUXFS "/context", -1 },
	{ 'u', SELINUXFS "/user", -1 },
	{ 'v', SELINUXFS "/validatetrans", 2 },
	{ 'a', SELINUXFS "/access", 2 },
	{ 'c', SELINUXFS "/create", 2 },
};
#define NR_OPS ((int)(sizeof(ops) / sizeof(ops[0])))
#define OP_CONTEXT 4	/* ops[4]: 'x' */

/*
 * Parse question @line (changed): its op's index, and in @q what goes to
 * the op's file, with the class as the policy's number (a class given as
 * a number is kept).  -1 for a line that is no question.
 */
static int parse_question(char *line, char *q, size_t size)
{
	char *arg[6], *save, *hash;
	int i, k, nargs = 0;

	line[strcspn(line, "\n")] = 0;
	hash = strstr(line, " #");
	if (hash)
		*hash = 0;
	for (arg[0] = strtok_r(line, " ", &save); arg[nargs] && nargs < 5;
	     arg[++nargs] = strtok_r(NULL, " ", &save))
		;
	if (nargs < 2 || strlen(arg[0]) != 1)
		return -1;
	for (k = 0; k < NR_OPS; k++)
		if (ops[k].op == arg[0][0])
			break;
	if (k == NR_OPS)
		return -1;
	q[0] = 0;
	for (i = 1; i < nargs; i++) {
		size_t l = strlen(q);

		if (i - 1 == ops[k].nr_con && strspn(arg[i], "0123456789") != strlen(arg[i]))
			snprintf(q + l, size - l, "%s%d", i > 1 ? " " : "",
				 class_index(arg[i]));
		else
			snprintf(q + l, size - l, "%s%s", i > 1 ? " " : "", arg[i]);
	}
	return k;
}

/*
 * Ask question @q of op @k; the answer in @ans, as -q prints it after the
 * op: the answer read back, each NUL inside as a space; "ok" for a
 * validatetrans write that succeeded; E<errno>.  An access answer
 * without its seqno (the 5th field), which every load and commit
 * changes.
 */
/* The seqno of the last access answer (the policy's that computed it). */
static unsigned long answer_seqno;

static void answer(int k, const char *q, char *ans, size_t size)
{
	char a[6][32];
	int i, n;

	n = transaction_len(ops[k].file, q, strlen(q), ans, size, ops[k].op != 'v');
	if (n < 0) {
		snprintf(ans, size, "E%d", -n);
		return;
	}
	if (ops[k].op == 'v') {
		snprintf(ans, size, "ok");
		return;
	}
	/* Drop the last NULs; the others separate a user answer's parts. */
	while (n > 0 && !ans[n - 1])
		n--;
	for (i = 0; i < n; i++)
		if (!ans[i])
			ans[i] = ' ';
	ans[n] = 0;
	if (ops[k].op == 'a' &&
	    sscanf(ans, "%31s %31s %31s %31s %31s %31s", a[0], a[1], a[2], a[3],
		   a[4], a[5]) == 6) {
		answer_seqno = strtoul(a[4], NULL, 10);
		snprintf(ans, size, "%s %s %s %s %s", a[0], a[1], a[2], a[3], a[5]);
	}
}

/* -q: the questions on stdin, by op. */
static int questions(void)
{
	static char line[8192], q[8192], ans[8192];
	int k, count = 0;
	double t = 0, t0;

	while (fgets(line, sizeof(line), stdin)) {
		k = parse_question(line, q, sizeof(q));
		if (k < 0)
			continue;
		t0 = now();
		answer(k, q, ans, sizeof(ans));
		t += now() - t0;
		count++;
		printf("%c %s\n", ops[k].op, ans);
	}
	fprintf(stderr, "# selinux-query: %d questions, %.3f s\n", count, t);
	return 0;
}

/*
 * -R <readers> <boolean> <policy>...: readers during reloads.  Reads up
 * to RACE_QUESTIONS questions of -q's kinds (access, create, context...)
 * from stdin, their classes resolved once, under the policy in force.
 * Then, alone: loads each <policy> in turn and asks every question, and
 * also with <boolean> flipped where the policy has it: the answers each
 * question may get (race_collect()).  Then <readers> child processes, each pinned to its
 * CPU (0, 1, ...), ask the questions in a loop while this one reloads
 * the policies but the last in turn, and the last one every tenth time,
 * RACE_RELOADS times, and commits a flip of <boolean> RACE_COMMITS times,
 * three times after each load of a policy that has it.
 * The answers are kept per state: a policy with <boolean> at one value
 * or the other.  Each reload or commit moves SELinux's policy seqno on by
 * one; this one records which state each seqno is.  A reader reads the
 * seqno from the status page (/sys/fs/selinux/status) before and after
 * each question: the policy that answered it was in force in between, or
 * is the next one (the status page is updated after the policy is
 * switched).  An access answer carries its policy's seqno: it must be
 * that state's answer.  Any other must be the answer of a state from the
 * seqno before to the one after the one read after.  A check that needs
 * a state not yet recorded waits until the end.  Prints
 *   race loads <n> failed <m>
 *   race commits <n> failed <m>
 *   race reader <cpu> asked <n> bad <m> pinned|moved
 *   race bad <cpu> <question> | <answer> states <a>-<b> [(waited)]   (the first three of each)
 *   race reader <cpu> access answers <n>, one state each; others <n>, <w> states a window; waited <n>
 * and exits 0, or 2 if it could not run.
 */
#define RACE_QUESTIONS 512
#define RACE_SETS 16
#define RACE_RELOADS 100
#define RACE_COMMITS 100
#define RACE_STATES 16		/* per policy, the boolean's two values */
#define RACE_SEQS 1024
#define RACE_WAITS 4096		/* the first wait list; it grows */

struct race_q {
	int op;
	char q[1024];
	char ans[RACE_SETS][512];
	int nr;
	unsigned int mask[RACE_STATES];	/* bit j: state s gives ans[j] */
	unsigned int comp[RACE_STATES];	/* of those, as the kernel computed it */
};

/* The state the answers collected now are of (race_add()). */
static int race_state;

/* ans's index in r's answers, or -1. */
static int race_find(struct race_q *r, const char *ans)
{
	int i;

	for (i = 0; i < r->nr; i++)
		if (!strcmp(r->ans[i], ans))
			return i;
	return -1;
}

static int race_full;

/* ans is an answer of state @state: its index, or -1 (the sets are full). */
static int race_mark(struct race_q *r, const char *ans, int state)
{
	int j = race_find(r, ans);

	if (j < 0) {
		if (r->nr == RACE_SETS) {
			race_full = 1;
			return -1;
		}
		j = r->nr++;
		strcpy(r->ans[j], ans);
	}
	r->mask[state] |= 1u << j;
	return j;
}

static void race_add(struct race_q *r, int op, const char *q)
{
	char ans[8192];
	int j;

	answer(op, q, ans, sizeof(ans));
	ans[511] = 0;
	j = race_mark(r, ans, race_state);
	if (j >= 0)
		r->comp[race_state] |= 1u << j;
}

/* Is @con a context the policy in force knows?  (context: no EINVAL) */
static int race_valid(const char *con)
{
	char ans[8192];

	answer(OP_CONTEXT, con, ans, sizeof(ans));
	return strcmp(ans, "E22") != 0;
}

/* The unlabeled initial context of the policy in force, in @u. */
static void race_unlabeled(char *u, size_t size)
{
	int fd = open(SELINUXFS "/initial_contexts/unlabeled", O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, u, size - 1) : -1;

	if (fd >= 0)
		close(fd);
	u[len > 0 ? len : 0] = 0;
}

/*
 * The answers the policy in force gives to each question.  And what it
 * gives when the question's contexts became SIDs under an older policy
 * that knew them and it does not: it treats such a SID as unlabeled
 * (sidtab_search() of an unmapped entry), so the answers with each such
 * context replaced by its unlabeled context are its answers too, for
 * those contexts only (one it knows it converts, and never treats as
 * unlabeled).
 */
static void race_collect(struct race_q *rq, int n)
{
	char u[1024], v[3200], a[1024], b[1024], rest[1024];
	int i, bad_a, bad_b;

	race_unlabeled(u, sizeof(u));
	for (i = 0; i < n; i++) {
		race_add(&rq[i], rq[i].op, rq[i].q);
		if (!u[0] || ops[rq[i].op].nr_con != 2 ||
		    sscanf(rq[i].q, "%1023s %1023s %1023[^\n]", a, b, rest) != 3)
			continue;
		bad_a = !race_valid(a);
		bad_b = !race_valid(b);
		if (bad_a) {
			snprintf(v, sizeof(v), "%s %s %s", u, b, rest);
			race_add(&rq[i], rq[i].op, v);
		}
		if (bad_b) {
			snprintf(v, sizeof(v), "%s %s %s", a, u, rest);
			race_add(&rq[i], rq[i].op, v);
		}
		if (bad_a && bad_b) {
			snprintf(v, sizeof(v), "%s %s %s", u, u, rest);
			race_add(&rq[i], rq[i].op, v);
		}
	}
}

/*
 * A context answer (create, context) is a SID made under one policy and
 * turned back into a context under whichever is in force then: one that
 * does not know the context gives its unlabeled context instead.  For
 * each context in a question's set that the policy in force does not
 * know, its unlabeled context joins the set.
 */
static void race_unmapped(struct race_q *rq, int n, int policy)
{
	char u[1024];
	int i, k, nr;

	race_unlabeled(u, sizeof(u));
	for (i = 0; i < n; i++) {
		char op = ops[rq[i].op].op;

		if (op != 'c' && op != 'p' && op != 'n' && op != 'x')
			continue;
		nr = rq[i].nr;
		for (k = 0; k < nr; k++) {
			if (rq[i].ans[k][0] == 'E' || race_valid(rq[i].ans[k]))
				continue;
			/* The policy's, whatever its boolean's value. */
			if (race_mark(&rq[i], u, 2 * policy) >= 0)
				race_mark(&rq[i], u, 2 * policy + 1);
			break;
		}
	}
}

/*
 * The initial SIDs' contexts of each policy (race_initial()).  A context
 * that is one of them resolves to that initial SID, which a reload does
 * not convert: the next policy gives it its own context for that SID,
 * not the unlabeled one.  The race leaves out the questions that name
 * one, and those whose answer, as a policy computed it, is one of that
 * policy's, rather than model it.
 */
#define RACE_INITIAL 256
static char race_init[RACE_INITIAL][256];
static int race_init_pol[RACE_INITIAL], race_ninit;

static void race_initial(int policy)
{
	DIR *d = opendir(SELINUXFS "/initial_contexts");
	struct dirent *e;
	char path[512], con[256];
	int fd, i, len;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SELINUXFS "/initial_contexts/%s", e->d_name);
		fd = open(path, O_RDONLY);
		len = fd >= 0 ? read(fd, con, sizeof(con) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			continue;
		con[len] = 0;
		con[strcspn(con, "\n")] = 0;
		for (i = 0; i < race_ninit; i++)
			if (race_init_pol[i] == policy && !strcmp(race_init[i], con))
				break;
		if (i == race_ninit && race_ninit < RACE_INITIAL) {
			race_init_pol[race_ninit] = policy;
			strcpy(race_init[race_ninit++], con);
		}
	}
	if (d)
		closedir(d);
}

/* Does @str have a word that is an initial SID's context of @policy (-1: any)? */
static int race_names_initial(const char *str, int policy)
{
	char copy[1024], *w, *save;
	int i;

	snprintf(copy, sizeof(copy), "%s", str);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (i = 0; i < race_ninit; i++)
			if ((policy < 0 || race_init_pol[i] == policy) &&
			    !strcmp(w, race_init[i]))
				return 1;
	return 0;
}

/* <boolean>'s value in force: 0 or 1 (0 if the policy has none). */
static int race_bool(const char *name)
{
	char path[256], v[16] = "";
	int fd;

	snprintf(path, sizeof(path), SELINUXFS "/booleans/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, v, sizeof(v) - 1) <= 0)
		v[0] = 0;
	close(fd);
	return v[0] == '1';
}

/* SELinux's status page: its policy seqno, read as the kernel writes it. */
struct race_status {
	unsigned int version, sequence, enforcing, policyload, deny_unknown;
};
static volatile struct race_status *race_status;

static unsigned long race_seqno(void)
{
	unsigned int seq, load;

	do {
		__sync_synchronize();
		seq = race_status->sequence;
		__sync_synchronize();
		load = race_status->policyload;
		__sync_synchronize();
	} while ((seq & 1) || seq != race_status->sequence);
	return load;
}

/*
 * Is answer @j of @r a state's of seqnos @lo to @hi (relative to the
 * race's first)?  1 yes, 0 no, -1 not known yet: a state it needs is
 * not recorded, and the writer is not done.
 */
static int race_judge(struct race_q *r, int j, long lo, long hi,
		      volatile int *seq_state, volatile int *stop)
{
	int done = *stop, unknown = 0;
	long s;

	__sync_synchronize();
	for (s = lo; s <= hi; s++) {
		int st = s >= 0 && s < RACE_SEQS ? seq_state[s] : -1;

		if (st < 0) {
			unknown = 1;
			continue;
		}
		if (j >= 0 && (r->mask[st] >> j) & 1)
			return 1;
	}
	if (unknown && !done)
		return -1;
	/* Past the last operation there is no state: the others said no. */
	return 0;
}

static int set_pending_flip(const char *name);

/* Flip <boolean> and commit: 0, 1 if it failed, -1 if there is none. */
static int race_flip(const char *name)
{
	int err = set_pending_flip(name), fd, ok;

	if (err == ENOENT)
		return -1;
	if (err)
		return 1;
	fd = open(SELINUXFS "/commit_pending_bools", O_WRONLY);
	ok = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		close(fd);
	return !ok;
}

static int race_load(const char *path)
{
	unsigned char *buf;
	size_t len = slurp(path, &buf);
	int fd, ok;

	fd = open(SELINUXFS "/load", O_WRONLY);
	ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	free(buf);
	return !ok;
}

static int race(int argc, char **argv)
{
	static char line[8192];
	int readers = atoi(argv[0]), nr_pol = argc - 2, n = 0, i, j, k;
	int loads = 0, bad_loads = 0, commits = 0, bad_commits = 0, rc;
	const char *boolean = argv[1];
	struct race_q *rq;
	volatile int *stop, *seq_state;
	unsigned long base;
	int fds[64][2], cur, sfd, has_bool[RACE_STATES / 2] = { 0 };
	pid_t pid[64];

	rq = calloc(RACE_QUESTIONS, sizeof(*rq));
	stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	seq_state = mmap(NULL, RACE_SEQS * sizeof(int), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sfd = open(SELINUXFS "/status", O_RDONLY);
	race_status = sfd < 0 ? MAP_FAILED :
		mmap(NULL, 4096, PROT_READ, MAP_SHARED, sfd, 0);
	if (!rq || stop == MAP_FAILED || seq_state == MAP_FAILED ||
	    race_status == MAP_FAILED || readers < 1 || readers > 64 ||
	    nr_pol < 1 || 2 * nr_pol > RACE_STATES)
		return 2;
	for (i = 0; i < RACE_SEQS; i++)
		seq_state[i] = -1;
	while (n < RACE_QUESTIONS && fgets(line, sizeof(line), stdin)) {
		k = parse_question(line, rq[n].q, sizeof(rq[n].q));
		if (k >= 0)
			rq[n++].op = k;
	}
	/* Every answer a question may get in each state, alone. */
	for (i = 0; i < nr_pol; i++) {
		if (race_load(argv[2 + i])) {
			fprintf(stderr, "race: %s does not load\n", argv[2 + i]);
			return 2;
		}
		race_initial(i);
		race_state = 2 * i + race_bool(boolean);
		race_collect(rq, n);
		if (race_flip(boolean) == 0) {
			/* How many answers the boolean changes, alone. */
			int changed = 0;

			has_bool[i] = 1;
			race_state = 2 * i + race_bool(boolean);
			race_collect(rq, n);
			for (k = 0; k < n; k++)
				changed += rq[k].mask[2 * i] != rq[k].mask[2 * i + 1];
			printf("race boolean %s changes %d questions' answers\n", boolean, changed);
			race_flip(boolean);
		}
	}
	for (i = 0; i < nr_pol; i++) {
		if (race_load(argv[2 + i]))
			return 2;
		race_unmapped(rq, n, i);
	}
	if (race_full)
		printf("race sets full: answers were left out\n");
	/*
	 * Leave out the questions that name an initial SID's context, or
	 * whose answer, as a policy computed it, is one of its own.
	 */
	for (i = k = 0; i < n; i++) {
		int drop = race_names_initial(rq[i].q, -1), st;

		for (st = 0; st < 2 * nr_pol && !drop; st++)
			for (j = 0; j < rq[i].nr && !drop; j++)
				drop = (rq[i].comp[st] >> j & 1) &&
				       race_names_initial(rq[i].ans[j], st / 2);
		if (!drop && k != i)
			rq[k] = rq[i];
		k += !drop;
	}
	printf("race questions %d of %d: %d name or get one of %d initial contexts\n",
	       k, n, n - k, race_ninit);
	n = k;
	for (i = j = 0; i < n; i++)
		for (k = 0; k < nr_pol; k++)
			if (has_bool[k] && rq[i].mask[2 * k] != rq[i].mask[2 * k + 1]) {
				j++;
				break;
			}
	printf("race boolean %s changes %d of them\n", boolean, j);
	/* The last policy is in force: the race's first state. */
	cur = nr_pol - 1;
	base = race_seqno();
	seq_state[0] = 2 * cur + race_bool(boolean);
	for (j = 0; j < readers; j++) {
		if (pipe(fds[j]))
			return 2;
		pid[j] = fork();
		if (pid[j] < 0)
			return 2;
		if (!pid[j]) {
			char ans[8192], out[4096] = "";
			unsigned long asked = 0, bad = 0, access = 0, other = 0, width = 0;
			unsigned long nwait = 0;
			struct race_wait { int q, j; long lo, hi; } *wait = NULL;
			unsigned long wait_cap = 0;
			int moved = 0, len = 0, w, verdict;
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(j, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				moved = 1;
			close(fds[j][0]);
			while (!*stop) {
				for (i = 0; i < n && !*stop; i++) {
					long lo, hi;
					int a_j;

					lo = (long)(race_seqno() - base);
					answer_seqno = 0;
					answer(rq[i].op, rq[i].q, ans, sizeof(ans));
					hi = (long)(race_seqno() - base) + 1;
					ans[511] = 0;
					asked++;
					if (sched_getcpu() != j)
						moved = 1;
					a_j = race_find(&rq[i], ans);
					if (ops[rq[i].op].op == 'a' && answer_seqno) {
						long at = (long)(answer_seqno - base);

						/* Its own policy's answer, one in force then. */
						if (at < lo || at > hi)
							a_j = -1;
						lo = hi = at;
						access++;
					} else {
						other++;
						width += hi - lo + 1;
					}
					verdict = race_judge(&rq[i], a_j, lo, hi, seq_state, stop);
					if (verdict < 0 && nwait == wait_cap) {
						struct race_wait *more;

						wait_cap = wait_cap ? 2 * wait_cap : RACE_WAITS;
						more = realloc(wait, wait_cap * sizeof(*wait));
						if (!more)
							_exit(2);
						wait = more;
					}
					if (verdict < 0) {
						wait[nwait].q = i;
						wait[nwait].j = a_j;
						wait[nwait].lo = lo;
						wait[nwait++].hi = hi;
						continue;
					}
					if (verdict > 0)
						continue;
					if (bad++ < 3 && len < (int)sizeof(out) - 1) {
						len += snprintf(out + len, sizeof(out) - len,
								"race bad %d %c %s | %s states %ld-%ld\n", j,
								ops[rq[i].op].op, rq[i].q, ans, lo, hi);
						if (len > (int)sizeof(out) - 1)
							len = sizeof(out) - 1;
					}
				}
			}
			/* What needed a state not recorded then: all are now. */
			for (w = 0; w < (int)nwait; w++) {
				if (race_judge(&rq[wait[w].q], wait[w].j, wait[w].lo, wait[w].hi,
					       seq_state, stop) > 0)
					continue;
				if (bad++ < 3 && len < (int)sizeof(out) - 1) {
					len += snprintf(out + len, sizeof(out) - len,
							"race bad %d %c %s | %s states %ld-%ld (waited)\n", j,
							ops[rq[wait[w].q].op].op, rq[wait[w].q].q,
							wait[w].j >= 0 ? rq[wait[w].q].ans[wait[w].j] : "?",
							wait[w].lo, wait[w].hi);
					if (len > (int)sizeof(out) - 1)
						len = sizeof(out) - 1;
				}
			}
			dprintf(fds[j][1], "race reader %d asked %lu bad %lu %s\n"
				"race reader %d access answers %lu, one state each; others %lu, %.2f states a window; waited %lu\n%s",
				j, asked, bad, moved ? "moved" : "pinned", j, access, other,
				other ? (double)width / other : 0.0, nwait, out);
			_exit(0);
		}
		close(fds[j][1]);
	}
	/*
	 * The reloads, from the first policy on; commits where they can.
	 * After each, the state its seqno is.
	 */
	for (i = 0; i < RACE_RELOADS; i++) {
		int x = i % 10 == 9 ? nr_pol - 1 : i % (nr_pol > 1 ? nr_pol - 1 : 1);
		long at;

		loads++;
		rc = race_load(argv[2 + x]);
		bad_loads += rc;
		if (!rc)
			cur = x;
		at = (long)(race_seqno() - base);
		if (at >= 0 && at < RACE_SEQS)
			seq_state[at] = 2 * cur + race_bool(boolean);
		for (j = 0; j < 3 && commits < RACE_COMMITS; j++) {
			rc = race_flip(boolean);
			if (rc < 0)
				break;
			commits++;
			bad_commits += rc;
			at = (long)(race_seqno() - base);
			if (at >= 0 && at < RACE_SEQS)
				seq_state[at] = 2 * cur + race_bool(boolean);
		}
	}
	__sync_synchronize();
	*stop = 1;
	printf("race loads %d failed %d\n", loads, bad_loads);
	printf("race commits %d failed %d\n", commits, bad_commits);
	printf("race seqnos %lu\n", race_seqno() - base);
	fflush(stdout);
	for (j = 0; j < readers; j++) {
		char buf[4096];
		ssize_t r;

		while ((r = read(fds[j][0], buf, sizeof(buf))) > 0)
			fwrite(buf, 1, r, stdout);
		waitpid(pid[j], NULL, 0);
	}
	return 0;
}

/*
 * -N load <old> <new> <first> <stride> <tail> <window>
 * -N commit <boolean> <first> <stride> <tail> <window>
 *
 * Fault injection at every point of a load of policy <new> over <old>
 * (both whole), or of a commit of <boolean> flipped (under the policy in
 * force): first the number of points (the allocations that the task's
 * fail-nth counts: slab, page and smalloc, as the fault attributes'
 * filters let through), then each of the first <first>, every <stride>th
 * after, each of the last <tail>, and with a <window>, each within
 * <window> points of the seal (found by bisection), with that one failing
 * (with <first> at least the count, every point, and on past the count
 * until a point is not reached); then, for a load with a <window> of
 * which no point failed the seal, tries at the seal until one does;
 * with FAULT_SLICE=<k>/<m> in the environment, only the points n of those
 * with n % m == k, of the strided ones n / stride % m == k (one of m boots
 * that share the points).
 * After each, the policy read back from /sys/fs/selinux/policy, and its
 * answers to the questions of /selinux/fault.q, must be the new one's if
 * the write succeeded and the old one's if it failed; then the old one is
 * put back, with no failure.  The kernel's messages meanwhile are read
 * from /dev/kmsg: those of fault injection (which attribute failed),
 * SELinux's and audit's are expected, and so is all that follows an
 * allocation failure report (warn_alloc), and the guest's timekeeping and
 * entropy notices; any other is counted.  Prints
 *
 *   fault <what> questions <q> dropped <d>  (creates of invalid contexts)
 *   fault <what> points <n>
 *   fault <what> points again <n>        (every point: counted at the end)
 *   fault <what> slice <k>/<m>           (with FAULT_SLICE)
 *   fault <what> reached <c>             (an attempt made only <c> allocations)
 *   fault <what> end <n>                 (every point: <n> was not reached)
 *   fault <what> answers differ|same     (the old and the new policy's)
 *   fault <what> seal near <n>
 *   fault <what> <n> ok|E<errno> injected|not <old|new|wrong> <attrs> seal=0|1 other=<count>
 *   fault <what> seal try <t> at <n>     (a try at the seal, at point <n>)
 *   fault <what>-seal <t> ...            (its line, as above)
 *   fault <what> seal failed at <n> in try <t> | seal not failed in <t> tries
 *   fault <what> other <message>         (the first three, each after the
 *                                         line of the attempt that saw it)
 *
 * where <attrs> are the fault attributes that failed ("-" if none: their
 * "times" say, which a failure with __GFP_NOWARN takes too) and seal=1
 * says SELinux reported that it could not seal.
 */
static unsigned char *fault_old, *fault_new, *rb_old, *rb_new;
static size_t fault_old_len, fault_new_len, rb_old_len, rb_new_len;
static int kmsg_fd = -1, other_shown;
/* The "other" lines of the last kmsg_since(), printed after its line. */
static char other_lines[3 * 1100];

static size_t read_policy(unsigned char **buf)
{
	return slurp(SELINUXFS "/policy", buf);
}

/* The kernel's messages since the last call: seal, attrs, others. */
static int kmsg_since(const char *what, char *attrs, size_t size, int *seal)
{
	static char rec[8192];
	int other = 0, after_report = 0;
	ssize_t n;
	char *msg, *nl, *name;

	attrs[0] = 0;
	*seal = 0;
	other_lines[0] = 0;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (strstr(msg, "allocation failure") || strstr(msg, "vmalloc error"))
			after_report = 1;
		/*
		 * fail_dump() prints "FAULT_INJECTION: forcing a failure.\n
		 * name <attr>, interval ...": one record, its newline escaped.
		 */
		name = strstr(msg, "name ");
		if (name && strstr(name, ", interval")) {
			size_t l = strcspn(name + 5, ",");
			char one[64];

			snprintf(one, sizeof(one), "%.*s", (int)l, name + 5);
			if (!strstr(attrs, one))
				snprintf(attrs + strlen(attrs), size - strlen(attrs), "%s%s",
					 attrs[0] ? "," : "", one);
			if (!strncmp(msg, "FAULT_INJECTION: ", 17) || msg == name)
				continue;
		}
		if (strstr(msg, "unable to seal"))
			*seal |= 1;
		if (strstr(msg, "Converting"))
			*seal |= 2;
		/* An allocation failure report ends at what no report prints. */
		if (!strncmp(msg, "WARNING", 7) || !strncmp(msg, "BUG", 3) ||
		    !strncmp(msg, "Oops", 4) || !strncmp(msg, "=====", 5))
			after_report = 0;
		/*
		 * The guest's own timekeeping and entropy notices, which a
		 * host that preempts a TCG guest makes at any time (the
		 * clocksource watchdog finding the TSC unstable, the RNG
		 * ready): no allocation failure makes them.
		 */
		if (!strncmp(msg, "clocksource: ", 13) || !strncmp(msg, "tsc: ", 5) ||
		    !strncmp(msg, "sched_clock: ", 13) ||
		    !strcmp(msg, "random: crng init done"))
			continue;
		if (after_report || !strncmp(msg, "FAULT_INJECTION: ", 17) ||
		    !strncmp(msg, "SELinux: ", 9) || !strncmp(msg, "audit: ", 7) ||
		    strstr(msg, "callbacks suppressed") ||
		    !strncmp(msg, "SLUB: Unable to allocate", 24) ||
		    !strncmp(msg, "kmemleak: Cannot allocate", 25) ||
		    !strncmp(msg, "  cache: ", 9) || !strncmp(msg, "  node ", 7))
			continue;
		other++;
		/* Not printed here: a result line may be half written. */
		if (other_shown++ < 3)
			snprintf(other_lines + strlen(other_lines),
				 sizeof(other_lines) - strlen(other_lines),
				 "fault %s other %.1000s\n", what, msg);
	}
	if (!attrs[0])
		snprintf(attrs, size, "-");
	return other;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, buf, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Flip <boolean>'s pending value; 0 or errno. */
static int set_pending_flip(const char *name)
{
	char path[256], v[16] = "";
	int fd, n;

	snprintf(path, sizeof(path), SELINUXFS "/booleans/%s", name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return errno;
	n = read(fd, v, sizeof(v) - 1);
	if (n <= 0 || pwrite(fd, v[0] == '1' ? "0" : "1", 1, 0) != 1)
		n = -1;
	close(fd);
	return n < 0 ? EIO : 0;
}

/*
 * One attempt, with the @nth point failing (0: none).  Returns the
 * write's error, and in *@left what fail-nth had left (0: injected).
 */
static int fault_attempt(int commit, const char *arg, unsigned long nth,
			 unsigned long *left)
{
	char buf[32];
	int nfd, err;

	if (commit && set_pending_flip(arg))
		return -1;
	nfd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nfd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%lu", nth);
	if (nth && write(nfd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		close(nfd);
		return -1;
	}
	if (commit)
		err = write_file(SELINUXFS "/commit_pending_bools", "1", 1);
	else
		err = write_file(SELINUXFS "/load", fault_new, fault_new_len);
	memset(buf, 0, sizeof(buf));
	if (pread(nfd, buf, sizeof(buf) - 1, 0) <= 0 || write(nfd, "0", 1) != 1) {
		close(nfd);
		return -1;
	}
	close(nfd);
	*left = strtoul(buf, NULL, 0);
	return err;
}

/* Put the old policy (or boolean value) back, with no failure. */
static int fault_restore(int commit, const char *arg)
{
	if (commit)
		return set_pending_flip(arg) ||
		       write_file(SELINUXFS "/commit_pending_bools", "1", 1);
	return write_file(SELINUXFS "/load", fault_old, fault_old_len);
}

static unsigned long long fnv(const void *p, size_t len, unsigned long long h);
static size_t read_file_all(const char *path, unsigned char **buf, int *err);

/*
 * The questions of /selinux/fault.q (-q's kinds), if there is such a
 * file: after each attempt, the policy in force must answer them as the
 * old or the new one does, not only read back as it.
 */
static char fault_q[RACE_QUESTIONS][1024];
static int fault_op[RACE_QUESTIONS], fault_nq;

static void fault_questions(void)
{
	char line[8192];
	FILE *f = fopen("/selinux/fault.q", "r");

	while (f && fault_nq < RACE_QUESTIONS && fgets(line, sizeof(line), f)) {
		int k = parse_question(line, fault_q[fault_nq], sizeof(fault_q[0]));

		if (k >= 0)
			fault_op[fault_nq++] = k;
	}
	if (f)
		fclose(f);
}

static unsigned long long fault_hash(void)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	char ans[8192];
	int k;

	for (k = 0; k < fault_nq; k++) {
		answer(fault_op[k], fault_q[k], ans, sizeof(ans));
		h = fnv(ans, strlen(ans) + 1, h);
	}
	return h;
}

/*
 * Drop the create questions that the policy in force answers with a
 * context it holds invalid; how many.  In permissive mode such a context
 * gets a SID as it is.  The next load of a policy turns it into a string
 * (an invalid context kept for later), which a lookup of the context no
 * longer finds: the question adds a SID each time it is asked after a
 * load, the pristine kernel's SELinux as ours.  The SID table's conversion
 * then makes more allocations at each load, and the load's points would
 * grow with the attempts (they outran an every-point run).
 */
static int fault_drop_invalid(void)
{
	char ans[8192], valid[8192];
	int k, kept = 0, dropped = 0;

	for (k = 0; k < fault_nq; k++) {
		if (ops[fault_op[k]].op == 'c') {
			answer(fault_op[k], fault_q[k], ans, sizeof(ans));
			if (ans[0] != 'E') {
				answer(OP_CONTEXT, ans, valid, sizeof(valid));
				if (valid[0] == 'E') {
					dropped++;
					continue;
				}
			}
		}
		if (kept != k) {
			memcpy(fault_q[kept], fault_q[k], sizeof(fault_q[0]));
			fault_op[kept] = fault_op[k];
		}
		kept++;
	}
	fault_nq = kept;
	return dropped;
}

/*
 * The fault attributes: how many more failures each may inject ("times",
 * which selinux-init.sh sets high; each failure, whatever its flags,
 * takes one), to say which one failed at a point.
 */
static const char *const fault_attr[] = { "failslab", "fail_page_alloc", "fail_smalloc" };
#define NR_FAULT_ATTRS 3

static void fault_times(long t[NR_FAULT_ATTRS])
{
	char path[128], buf[32];
	int i, fd, n;

	for (i = 0; i < NR_FAULT_ATTRS; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/times", fault_attr[i]);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		t[i] = n > 0 ? atol(buf) : -1;
	}
}

/* The attributes whose times went down from @before, in @attrs. */
static void fault_failed(const long before[NR_FAULT_ATTRS], char *attrs, size_t size)
{
	long after[NR_FAULT_ATTRS];
	int i;

	fault_times(after);
	attrs[0] = 0;
	for (i = 0; i < NR_FAULT_ATTRS; i++)
		if (after[i] < before[i])
			snprintf(attrs + strlen(attrs), size - strlen(attrs), "%s%s",
				 attrs[0] ? "," : "", fault_attr[i]);
	if (!attrs[0])
		snprintf(attrs, size, "-");
}

/* Say why -N could not run, with errno; exit status 2. */
static int cannot(const char *what, const char *why)
{
	printf("fault %s cannot: %s: %s\n", what, why, strerror(errno));
	return 2;
}

static unsigned long long h_old, h_new;
/* Tries at a seal, at most (0.3 s each for mdp and commits, 1 to 3 s for ref). */
#define SEAL_TRIES 200

/*
 * Fail point @n of an attempt, print its line "fault <label> <k> ..." (<k>
 * is @n, or a try's number) and put the old policy back if the new one is
 * in force.  Returns -1 (said why) if that could not be done, else the
 * seal bits of kmsg_since(), with the write's error in *@err and what
 * fail-nth had left in *@left.
 */
static int fault_try(const char *what, const char *label, int commit,
		     const char *arg, unsigned long n, unsigned long k,
		     int *err, unsigned long *left)
{
	char attrs[256], failed[128];
	long times[NR_FAULT_ATTRS];
	unsigned char *now_buf;
	unsigned long long h;
	size_t now_len;
	int state, seal, other;

	fault_times(times);
	*err = fault_attempt(commit, arg, n, left);
	if (*err < 0)
		return cannot(what, "an attempt"), -1;
	fault_failed(times, failed, sizeof(failed));
	now_len = read_policy(&now_buf);
	h = fault_hash();
	if (now_len == rb_new_len && !memcmp(now_buf, rb_new, now_len) && h == h_new)
		state = 1;
	else if (now_len == rb_old_len && !memcmp(now_buf, rb_old, now_len) && h == h_old)
		state = 0;
	else
		state = 2;
	free(now_buf);
	printf("fault %s %lu %s%.0d %s %s", label, k, *err ? "E" : "ok",
	       *err, *left ? "not" : "injected",
	       state == 2 ? "wrong" : (state ? "new" : "old"));
	if (state == 1 && fault_restore(commit, arg))
		return cannot(what, "putting the old policy back"), -1;
	other = kmsg_since(what, attrs, sizeof(attrs), &seal);
	printf(" %s seal=%d other=%d\n%s", failed, seal & 1, other, other_lines);
	fflush(stdout);
	return seal;
}

static int faults(int argc, char **argv)
{
	int commit = !strcmp(argv[0], "commit"), a = commit ? 2 : 3;
	unsigned long first, stride, tail, window, seal_at = 0, total, n, left;
	unsigned long sealed_at = 0, refused_at = 0;
	const unsigned long big = 1000000000UL;
	char what[64], label[80], attrs[256];
	int err, seal;
	unsigned long slice_k = 0, slice_m = 1;
	const char *slice = getenv("FAULT_SLICE");
	int dropped;

	if (argc != a + 4)
		return cannot(argv[0], "arguments");
	if (slice && (sscanf(slice, "%lu/%lu", &slice_k, &slice_m) != 2 ||
		      !slice_m || slice_k >= slice_m))
		return cannot(argv[0], "FAULT_SLICE");
	first = strtoul(argv[a], NULL, 0);
	stride = strtoul(argv[a + 1], NULL, 0);
	tail = strtoul(argv[a + 2], NULL, 0);
	window = strtoul(argv[a + 3], NULL, 0);
	fault_questions();
	snprintf(what, sizeof(what), "%s", commit ? "commit" : argv[2]);
	{
		char *sl = strrchr(what, '/'), *dot;

		if (sl)
			memmove(what, sl + 1, strlen(sl));
		dot = strchr(what, '.');
		if (dot)
			*dot = 0;
	}
	/*
	 * The questions that would make the load's points grow, dropped
	 * under the new and the old policy; then the old and the new
	 * policy, and what each reads back as and answers.
	 */
	if (!commit) {
		fault_old_len = slurp(argv[1], &fault_old);
		fault_new_len = slurp(argv[2], &fault_new);
	}
	if (fault_attempt(commit, argv[1], 0, &left))
		return cannot(what, commit ? "commit of a flipped boolean" :
			      "load of the new policy");
	dropped = fault_drop_invalid();
	if (fault_restore(commit, argv[1]))
		return cannot(what, "putting the old policy back");
	dropped += fault_drop_invalid();
	printf("fault %s questions %d dropped %d\n", what, fault_nq, dropped);
	if (fault_attempt(commit, argv[1], 0, &left))
		return cannot(what, commit ? "commit of a flipped boolean" :
			      "load of the new policy");
	rb_new_len = read_policy(&rb_new);
	h_new = fault_hash();
	if (fault_restore(commit, argv[1]))
		return cannot(what, "putting the old policy back");
	rb_old_len = read_policy(&rb_old);
	h_old = fault_hash();
	printf("fault %s answers %s\n", what, h_old != h_new ? "differ" : "same");
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0)
		return cannot(what, "/dev/kmsg");
	lseek(kmsg_fd, 0, SEEK_END);
	/* How many points: nothing fails among the first 10^9. */
	err = fault_attempt(commit, argv[1], big, &left);
	if (err < 0 || err || left == 0 || fault_restore(commit, argv[1]))
		return cannot(what, "counting the points");
	total = big - left;
	printf("fault %s points %lu\n", what, total);
	if (slice)
		printf("fault %s slice %lu/%lu\n", what, slice_k, slice_m);
	kmsg_since(what, attrs, sizeof(attrs), &seal);
	fputs(other_lines, stdout);
	other_shown = 0;
	/*
	 * The seal of a load comes right before the SID table's conversion,
	 * which SELinux announces ("Converting ...").  Find by bisection the
	 * first point whose failure fails the load once that was announced,
	 * or is a failed seal; a point whose failure the load absorbs (it
	 * completes) says nothing: the next ones are tried instead.  Then
	 * every point within <window> of it.
	 */
	if (window) {
		unsigned long lo = 1, hi = total, probe;

		while (lo < hi) {
			unsigned long mid = lo + (hi - lo) / 2;
			int after = -1;

			for (probe = mid; probe < hi && probe < mid + 20 && after < 0; probe++) {
				err = fault_attempt(commit, argv[1], probe, &left);
				if (err < 0)
					return cannot(what, "an attempt");
				if (!err && fault_restore(commit, argv[1]))
					return cannot(what, "putting the old policy back");
				kmsg_since(what, attrs, sizeof(attrs), &seal);
				fputs(other_lines, stdout);
				if (seal & 1)
					after = 1;
				else if (err)
					after = !!(seal & 2);
			}
			/* probe - 1 decided it, or was the last absorbed. */
			if (after > 0)
				hi = probe - 1;
			else
				lo = probe;
		}
		seal_at = lo;
		printf("fault %s seal near %lu\n", what, seal_at);
	}
	other_shown = 0;
	/*
	 * Every point (<first> at least the count): the count was one
	 * attempt's, and another may make more allocations (a slab that
	 * needs a new page, say).  Go on past it until an attempt is no
	 * longer failed, and say where ("end").
	 */
	for (n = 1; n <= total || (first >= total && n <= 2 * total); n++) {
		int every = n <= first || n + tail > total ||
			    (window && n + window >= seal_at && n <= seal_at + window);
		int strided = stride && n % stride == 0;

		/*
		 * A boot's share: every m-th point, and of the strided ones
		 * every m-th of them (a stride that m divides would give them
		 * all to one boot).
		 */
		if (!(every || strided) ||
		    (every ? n : n / stride) % slice_m != slice_k)
			continue;
		seal = fault_try(what, what, commit, argv[1], n, n, &err, &left);
		if (seal < 0)
			return 2;
		if ((seal & 1) && err && !left)
			sealed_at = n;
		if (err && !left)
			refused_at = n;
		/* Not reached: this attempt made n - left allocations. */
		if (left)
			printf("fault %s reached %lu\n", what, n - left);
		if (left && n > total) {
			printf("fault %s end %lu\n", what, n);
			break;
		}
	}
	/*
	 * The seal itself.  Where it falls moves by some tens of points from
	 * one attempt to the next (a slab that needs a page in one, not in
	 * the next), so the points around it need not have failed it.  Until
	 * a load's have, try at it: a step further after a failure that
	 * refused the load before the SID table's conversion was announced,
	 * or that the load absorbed; after one past the conversion (or past
	 * the load's end), a step back of 1 to 16 points, drawn from a fixed
	 * sequence.  The steps forward climb to the conversion through the
	 * few points before it (the seal's, the conversion's first
	 * allocations), and the random steps back keep a fixed distance
	 * between them from making a cycle that skips the seal.  Each try
	 * prints "fault <what> seal try <t> at <n>", then its line as
	 * "fault <what>-seal <t> ...": a slice k of m numbers its tries
	 * k + 1, k + 1 + m, ..., so that no two boots' tries share a number.
	 *
	 * A commit's seal comes after the last allocation from its pool, and
	 * nothing after the seal can refuse the commit: the tries start past
	 * the last point that refused it, climb over refusals and step back
	 * 1 to 4 points from a failure the commit absorbed, down to a floor
	 * 16 points below the start, which each absorbed failure at the floor
	 * lowers by 4 (the last refusal may have been an attempt's with more
	 * points than most).  Under debugging options the seal moves by a few
	 * points between attempts, and the points tried once each can all
	 * miss it.  A try that fails the seal ends the tries, whether the
	 * commit was refused or not: the host judges its line.
	 */
	if ((commit || window) && !sealed_at && (!commit || refused_at)) {
		unsigned long t, tn = 0, p = commit ? refused_at + 1 : seal_at;
		unsigned long floor = p > 16 ? p - 16 : 1;
		unsigned int rng = 2463534242U;

		snprintf(label, sizeof(label), "%s-seal", what);
		for (t = 1; t <= SEAL_TRIES && !sealed_at; t++) {
			tn = (t - 1) * slice_m + slice_k + 1;
			printf("fault %s seal try %lu at %lu\n", what, tn, p);
			seal = fault_try(what, label, commit, argv[1], p, tn, &err, &left);
			if (seal < 0)
				return 2;
			if ((seal & 1) && !left) {
				/* Failed, refused or not: the host judges. */
				sealed_at = p;
			} else if (commit) {
				rng ^= rng << 13;
				rng ^= rng >> 17;
				rng ^= rng << 5;
				if (err && !left)
					p++;
				else if (p > floor + 4)
					p -= 1 + rng % 4;
				else
					p = floor = floor > 4 ? floor - 4 : 1;
			} else if (!left && (!err || !(seal & 2))) {
				p++;
			} else {
				rng ^= rng << 13;
				rng ^= rng >> 17;
				rng ^= rng << 5;
				p -= p > 16 ? 1 + rng % 16 : 0;
			}
		}
		if (sealed_at)
			printf("fault %s seal failed at %lu in try %lu\n", what, sealed_at, tn);
		else
			printf("fault %s seal not failed in %lu tries\n", what, t - 1);
	}
	/*
	 * Every point: count again.  That the count held, the host checks:
	 * the points tried are those of the load at the end too.
	 */
	if (first >= total) {
		err = fault_attempt(commit, argv[1], big, &left);
		if (err || left == 0 || fault_restore(commit, argv[1]))
			return cannot(what, "counting the points again");
		printf("fault %s points again %lu\n", what, big - left);
		kmsg_since(what, attrs, sizeof(attrs), &seal);
		fputs(other_lines, stdout);
	}
	return 0;
}

/*
 * -M <questions> <home> <name>=<policy>... < mutants
 *
 * Mutated policies (selinux-mutants.py): each line "<id> <name> <kind>
 * <op>..." is policy <name> with the ops applied in order (x<off>:<xor>,
 * w<off>:<hex>, s<a>:<b>:<c>:<d>, d<a>:<b>, c<a>:<b>: see there), loaded
 * in one write().  If it loads, the questions of file <questions> (of -q's
 * kinds, their classes numbered as policy <home> numbers them) are asked
 * and the policy is read back; then <home> is loaded again.  Prints, per
 * mutant, straight to the console (a line of its own before each load,
 * so that a kernel that dies says on which):
 *   selinux: mutant <id> try
 *   selinux: mutant <id> E<errno> | ok <answers> <policy>|E<errno>
 *   selinux: mutant <id> home E<errno>     (<home> did not load again)
 * with FNV-1a hashes of the answers and of the policy read back; and the
 * same lines, without "selinux: ", to /tmp/mutants.out.
 */
static unsigned long long fnv(const void *p, size_t len, unsigned long long h)
{
	const unsigned char *b = p;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static int mutants(int argc, char **argv)
{
	static char line[65536], ans[8192];
	unsigned char *base[16], *buf, *home, *rb;
	size_t base_len[16], len, size, home_len, rb_len;
	char *name[16], *save, *tok;
	static char qs[RACE_QUESTIONS][1024];
	FILE *out;
	int nq = 0, qop[RACE_QUESTIONS], nr = argc - 2, i, k, err;
	FILE *f;

	if (nr < 1 || nr > 16)
		return 2;
	/* The verdicts again, for the end of the boot: a console may drop. */
	out = fopen("/tmp/mutants.out", "a");
	home_len = slurp(argv[1], &home);
	if (write_file(SELINUXFS "/load", home, home_len))
		return 2;
	f = fopen(argv[0], "r");
	if (!f)
		return 2;
	while (nq < RACE_QUESTIONS && fgets(line, sizeof(line), f)) {
		k = parse_question(line, qs[nq], sizeof(qs[nq]));
		if (k >= 0)
			qop[nq++] = k;
	}
	fclose(f);
	for (i = 0; i < nr; i++) {
		name[i] = argv[2 + i];
		tok = strchr(name[i], '=');
		if (!tok)
			return 2;
		*tok = 0;
		base_len[i] = slurp(tok + 1, &base[i]);
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *id = strtok_r(line, " \n", &save), *pol = strtok_r(NULL, " \n", &save);
		unsigned long a, b, c, d;
		unsigned long long h = 0xcbf29ce484222325ULL;

		if (!id || !pol || !strtok_r(NULL, " \n", &save))	/* the kind */
			continue;
		for (i = 0; i < nr && strcmp(name[i], pol); i++)
			;
		if (i == nr)
			return 2;
		size = base_len[i] * 2 + 4096;
		buf = malloc(size);
		if (!buf)
			return 2;
		memcpy(buf, base[i], base_len[i]);
		len = base_len[i];
		while ((tok = strtok_r(NULL, " \n", &save))) {
			char *hex;

			if (tok[0] == 'x' && sscanf(tok + 1, "%lu:%lu", &a, &b) == 2 && a < len) {
				buf[a] ^= b;
			} else if (tok[0] == 'w' && sscanf(tok + 1, "%lu:", &a) == 1 &&
				   (hex = strchr(tok, ':'))) {
				for (hex++; hex[0] && hex[1] && a < len; hex += 2, a++) {
					unsigned int v;

					sscanf(hex, "%2x", &v);
					buf[a] = v;
				}
			} else if (tok[0] == 's' &&
				   sscanf(tok + 1, "%lu:%lu:%lu:%lu", &a, &b, &c, &d) == 4 &&
				   a <= b && b <= c && c <= d && d <= len) {
				unsigned char *t = malloc(d - a);

				if (!t)
					return 2;
				memcpy(t, buf + c, d - c);
				memcpy(t + (d - c), buf + b, c - b);
				memcpy(t + (d - c) + (c - b), buf + a, b - a);
				memcpy(buf + a, t, d - a);
				free(t);
			} else if (tok[0] == 'd' && sscanf(tok + 1, "%lu:%lu", &a, &b) == 2 &&
				   a <= b && b <= len) {
				memmove(buf + a, buf + b, len - b);
				len -= b - a;
			} else if (tok[0] == 'c' && sscanf(tok + 1, "%lu:%lu", &a, &b) == 2 &&
				   a <= b && b <= len && len + (b - a) <= size) {
				memmove(buf + b + (b - a), buf + b, len - b);
				memcpy(buf + b, buf + a, b - a);
				len += b - a;
			} else {
				fprintf(stderr, "mutant %s: bad op %s\n", id, tok);
				return 2;
			}
		}
		/* A line of its own first: what a kernel that dies died on. */
		printf("selinux: mutant %s try\n", id);
		fflush(stdout);
		err = write_file(SELINUXFS "/load", buf, len);
		free(buf);
		if (err) {
			printf("selinux: mutant %s E%d\n", id, err);
			fflush(stdout);
			if (out)
				fprintf(out, "mutant %s E%d\n", id, err);
			continue;
		}
		for (k = 0; k < nq; k++) {
			answer(qop[k], qs[k], ans, sizeof(ans));
			h = fnv(ans, strlen(ans) + 1, h);
		}
		rb = NULL;
		rb_len = read_file_all(SELINUXFS "/policy", &rb, &err);
		if (err)
			snprintf(ans, sizeof(ans), "mutant %s ok %016llx E%d", id, h, err);
		else
			snprintf(ans, sizeof(ans), "mutant %s ok %016llx %016llx", id, h,
				 fnv(rb, rb_len, 0xcbf29ce484222325ULL));
		free(rb);
		printf("selinux: %s\n", ans);
		if (out)
			fprintf(out, "%s\n", ans);
		err = write_file(SELINUXFS "/load", home, home_len);
		if (err) {
			printf("selinux: mutant %s home E%d\n", id, err);
			if (out)
				fprintf(out, "mutant %s home E%d\n", id, err);
		}
		fflush(stdout);
		if (out)
			fflush(out);
	}
	return 0;
}

/* -L: the label of each path on stdin. */
static int labels(void)
{
	static char path[4096], con[4096];
	ssize_t n;

	while (fgets(path, sizeof(path), stdin)) {
		path[strcspn(path, "\n")] = 0;
		n = lgetxattr(path, "security.selinux", con, sizeof(con) - 1);
		if (n < 0) {
			printf("%s E%d\n", path, errno);
			continue;
		}
		while (n > 0 && !con[n - 1])
			n--;
		con[n] = 0;
		printf("%s %s\n", path, con);
	}
	return 0;
}

/* The whole of @path, in *@buf, or 0 and the errno in *@err. */
static size_t read_file_all(const char *path, unsigned char **buf, int *err)
{
	size_t len = 0, size = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	*err = 0;
	*buf = NULL;
	if (fd < 0) {
		*err = errno;
		return 0;
	}
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 1 << 20;
			*buf = realloc(*buf, size);
			if (!*buf)
				exit(2);
		}
		n = read(fd, *buf + len, size - len);
		if (n < 0)
			*err = errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	return len;
}

/* -f <policy> <n> */
static int failing_load(const char *path, const char *nth)
{
	char left[32] = "";
	unsigned char *buf, *before, *after;
	size_t len = slurp(path, &buf), before_len, after_len;
	unsigned long long h_before, h_after;
	int fd, nfd, err = 0;

	fault_questions();
	before_len = read_policy(&before);
	h_before = fault_hash();

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
	close(fd);
	after_len = read_policy(&after);
	h_after = fault_hash();
	if (err)
		printf("E%d ", err);
	else
		printf("ok ");
	printf("%s %s\n", atoi(left) == 0 ? "injected" : "not injected",
	       before_len == after_len && !memcmp(before, after, after_len) &&
	       h_before == h_after ? "same" : "changed");
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

	if (argc > 3 && !strcmp(argv[1], "-F")) {
		freed_file = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "-l"))
		return load(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "-f"))
		return failing_load(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "-e"))
		return enforce_cost(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "-q"))
		return questions();
	if (argc == 2 && !strcmp(argv[1], "-L"))
		return labels();
	if (argc > 4 && !strcmp(argv[1], "-R"))
		return race(argc - 2, argv + 2);
	if (argc > 5 && !strcmp(argv[1], "-N"))
		return faults(argc - 2, argv + 2);
	if (argc > 4 && !strcmp(argv[1], "-M"))
		return mutants(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "-w"))
		return timed_write(argv[2], argv[3], strlen(argv[3]));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-a"))
			access = 1;
		else if (!strcmp(argv[i], "-c"))
			create = 1;
		else {
			fprintf(stderr, "usage: selinux-query [-a] [-c] < triples | [-F <file>] -l <policy> [<cut> [<off>:<xor>]...] | [-F <file>] -w <file> <string> | -e <n> | -f <policy> <n> | -q | -L | -R ... | -N ... | -M ... (see the source)\n");
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
