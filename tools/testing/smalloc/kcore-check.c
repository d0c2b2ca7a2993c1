// SPDX-License-Identifier: GPL-2.0
/*
 * kcore-check: read every smalloc area through /proc/kcore.
 *
 * Takes no arguments.  Reads /proc/vmallocinfo, keeps the areas whose line
 * carries the "smalloc" flag (VM_SMALLOC, see vmalloc_info_show()), finds
 * each area's offset in /proc/kcore from the PT_LOAD program header that
 * holds it (p_offset + start - p_vaddr), preads the whole area (as
 * /proc/vmallocinfo gives it: the guard page included, which reads as
 * zeroes) and prints one line per area:
 *
 *	<start>-<end> <bytes read> <nonzero bytes>
 *
 * Exit status: 0 if every area was read in full; 1 if a read failed or
 * came back short (the area's line is still printed, with what was read);
 * 2, which wins over 1, on a usage or setup error (no /proc/kcore, not
 * ELF64, addresses hidden by kptr_restrict, an area in no PT_LOAD
 * segment); 3 if there is no smalloc area at all.  Run it as root with kptr_restrict set to 1:
 * %pK in /proc/vmallocinfo hashes addresses with 0 and zeroes them with 2.
 * KCORE_CHECK_VMALLOCINFO and KCORE_CHECK_KCORE, if set, replace the two
 * paths, to test the tool on saved files.
 *
 * A read that hangs in the kernel cannot be interrupted from here: run it
 * under a timeout.
 *
 * Build: gcc -static -O2 -Wall -o kcore-check kcore-check.c
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The vmallocinfo flag of VM_SMALLOC areas; -DMARKER=... to test others. */
#ifndef MARKER
#define MARKER "smalloc"
#endif

/* Overridable from the environment, to test the tool on saved files. */
static const char *vmallocinfo_path = "/proc/vmallocinfo";
static const char *kcore_path = "/proc/kcore";

struct area {
	uint64_t start, end;
};

static int read_full(int fd, void *buf, size_t len, off_t off, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = pread(fd, (char *)buf + *done, len - *done,
				  off + (off_t)*done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;	/* short: the caller checks *done */
		*done += (size_t)n;
	}
	return 0;
}

/* Is @tok, a whitespace-separated word of @line, present? */
static int has_word(const char *line, const char *tok)
{
	size_t len = strlen(tok);
	const char *p = line;

	while ((p = strstr(p, tok))) {
		int left = p == line || p[-1] == ' ' || p[-1] == '\t';
		char c = p[len];
		int right = c == '\0' || c == ' ' || c == '\t' || c == '\n';

		if (left && right)
			return 1;
		p += len;
	}
	return 0;
}

static struct area *smalloc_areas(size_t *nr)
{
	FILE *f = fopen(vmallocinfo_path, "r");
	struct area *areas = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;

	*nr = 0;
	if (!f) {
		perror(vmallocinfo_path);
		exit(2);
	}
	while (getline(&line, &linecap, f) > 0) {
		unsigned long long start, end;

		if (!has_word(line, MARKER))
			continue;
		if (sscanf(line, "0x%llx-0x%llx", &start, &end) != 2 ||
		    end <= start) {
			fprintf(stderr, "cannot parse: %s", line);
			exit(2);
		}
		/*
		 * %pK prints zeroes with kptr_restrict=2 and hashes with
		 * kptr_restrict=0: only kptr_restrict=1 (and CAP_SYSLOG), or
		 * no_hash_pointers, gives kernel addresses.
		 */
		if (!(start >> 63)) {
			fprintf(stderr,
				"/proc/vmallocinfo hides addresses: set kptr_restrict to 1\n");
			exit(2);
		}
		if (*nr == cap) {
			cap = cap ? 2 * cap : 16;
			areas = realloc(areas, cap * sizeof(*areas));
			if (!areas) {
				perror("realloc");
				exit(2);
			}
		}
		areas[*nr].start = start;
		areas[*nr].end = end;
		(*nr)++;
	}
	free(line);
	fclose(f);
	return areas;
}

int main(int argc, char **argv)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	struct area *areas;
	size_t nr, i, done;
	int fd, ret = 0;

	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	if (getenv("KCORE_CHECK_VMALLOCINFO"))
		vmallocinfo_path = getenv("KCORE_CHECK_VMALLOCINFO");
	if (getenv("KCORE_CHECK_KCORE"))
		kcore_path = getenv("KCORE_CHECK_KCORE");

	areas = smalloc_areas(&nr);
	if (!nr) {
		fprintf(stderr, "no %s area in /proc/vmallocinfo\n", MARKER);
		return 3;
	}

	fd = open(kcore_path, O_RDONLY);
	if (fd < 0) {
		perror(kcore_path);
		return 2;
	}
	if (read_full(fd, &eh, sizeof(eh), 0, &done) || done != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum) {
		fprintf(stderr, "%s: not a 64-bit ELF core\n", kcore_path);
		return 2;
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph) {
		perror("calloc");
		return 2;
	}
	if (read_full(fd, ph, eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff,
		      &done) || done != eh.e_phnum * sizeof(*ph)) {
		fprintf(stderr, "%s: cannot read program headers\n",
			kcore_path);
		return 2;
	}

	for (i = 0; i < nr; i++) {
		uint64_t start = areas[i].start, end = areas[i].end;
		size_t size = end - start, nonzero = 0, j;
		const Elf64_Phdr *seg = NULL;
		unsigned char *buf;
		int err;

		for (j = 0; j < eh.e_phnum; j++) {
			if (ph[j].p_type == PT_LOAD && start >= ph[j].p_vaddr &&
			    end - ph[j].p_vaddr <= ph[j].p_filesz) {
				seg = &ph[j];
				break;
			}
		}
		if (!seg) {
			fprintf(stderr,
				"0x%016" PRIx64 "-0x%016" PRIx64 ": in no PT_LOAD segment\n",
				start, end);
			ret = 2;
			continue;
		}

		buf = malloc(size);
		if (!buf) {
			perror("malloc");
			return 2;
		}
		err = read_full(fd, buf, size,
				(off_t)(seg->p_offset + (start - seg->p_vaddr)),
				&done);
		for (j = 0; j < done; j++)
			nonzero += buf[j] != 0;
		printf("0x%016" PRIx64 "-0x%016" PRIx64 " %zu %zu\n",
		       start, end, done, nonzero);
		fflush(stdout);
		if (err) {
			fprintf(stderr, "0x%016" PRIx64 ": read: %s\n",
				start, strerror(-err));
			ret = ret ? ret : 1;
		} else if (done != size) {
			fprintf(stderr, "0x%016" PRIx64 ": short read: %zu of %zu\n",
				start, done, size);
			ret = ret ? ret : 1;
		}
		free(buf);
	}

	free(ph);
	free(areas);
	close(fd);
	return ret;
}
