/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One selinuxfs transaction (access, create, ...), for selinux-query.c
 * (glibc) and arch-init.c (nolibc): include after the libc's headers.
 */
#ifndef SMALLOC_SELINUX_TRANSACTION_H
#define SMALLOC_SELINUX_TRANSACTION_H

/* Write @q to selinuxfs file @file, read the answer into @ans. */
static int transaction(const char *file, const char *q, char *ans, size_t size)
{
	int fd, n, err = 0;

	fd = open(file, O_RDWR);
	if (fd < 0)
		return errno;
	if (write(fd, q, strlen(q)) < 0) {
		err = errno;
	} else {
		n = read(fd, ans, size - 1);
		if (n < 0)
			err = errno;
		else
			ans[n] = 0;
	}
	close(fd);
	return err;
}

#endif
