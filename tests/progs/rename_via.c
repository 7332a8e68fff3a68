/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rename_via HOW DIR OLD NEW: renames OLD to NEW, OLD spelled relative to DIR in each way a
 * program can spell it, so no spelling escapes the rename rule (R0010):
 *   cwd     chdir(DIR), then renameat(AT_FDCWD, OLD, AT_FDCWD, NEW)
 *   dirfd   renameat(open(DIR), OLD, AT_FDCWD, NEW)
 *   dirfd2  renameat2(open(DIR), OLD, open(DIR), NEW, 0): both names relative to descriptors
 *   abs     rename(DIR/OLD, NEW)
 *   uring   io_uring IORING_OP_RENAMEAT with open(DIR) and OLD (no rename syscall)
 * NEW is used as given (absolute, or relative to the working directory; relative to DIR for
 * dirfd2). Prints "renamed OLD -> NEW: RESULT" (0 or an errno string).
 */
#include <liburing.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "progs.h"
#include "uring_reap.h"

static int by_uring(int dfd, const char *old, const char *new)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(2, &ring, 0);

	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	io_uring_prep_renameat(io_uring_get_sqe(&ring), dfd, old, AT_FDCWD, new, 0);
	ret = uring_reap(&ring);
	io_uring_queue_exit(&ring);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *how, *dir, *old, *new;
	char path[4096];
	int dfd, ret;

	prog_name = "rename_via";
	if (argc != 5)
		prog_usage("cwd|dirfd|dirfd2|abs|uring DIR OLD NEW");
	how = argv[1], dir = argv[2], old = argv[3], new = argv[4];
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		prog_die("open %s: %s", dir, strerror(errno));
	if (!strcmp(how, "cwd")) {
		if (chdir(dir))
			prog_die("chdir %s: %s", dir, strerror(errno));
		ret = renameat(AT_FDCWD, old, AT_FDCWD, new);
	} else if (!strcmp(how, "dirfd")) {
		ret = renameat(dfd, old, AT_FDCWD, new);
	} else if (!strcmp(how, "dirfd2")) {
		ret = (int)syscall(SYS_renameat2, dfd, old, dfd, new, 0);
	} else if (!strcmp(how, "abs")) {
		snprintf(path, sizeof(path), "%s/%s", dir, old);
		ret = rename(path, new);
	} else if (!strcmp(how, "uring")) {
		ret = by_uring(dfd, old, new);
	} else {
		prog_usage("cwd|dirfd|dirfd2|abs|uring DIR OLD NEW");
	}
	printf("renamed %s -> %s: %s\n", old, new, ret ? strerror(errno) : "0");
	return ret ? 1 : 0;
}
