/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red_uring_link sym|hard TARGET LINKPATH: creates LINKPATH as a symbolic or hard link to
 * TARGET through io_uring only (IORING_OP_SYMLINKAT, IORING_OP_LINKAT), so no symlink or link
 * syscall is made; LINKPATH relative to the working directory. An existing LINKPATH is
 * removed first. Prints "sym|hard link LINKPATH -> TARGET: RESULT" (0 or an errno name).
 */
#include <liburing.h>

#include "progs.h"

int main(int argc, char **argv)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int hard, ret;

	prog_name = "red_uring_link";
	if (argc != 4 || (strcmp(argv[1], "sym") && strcmp(argv[1], "hard")))
		prog_usage("sym|hard TARGET LINKPATH");
	hard = !strcmp(argv[1], "hard");
	if (unlink(argv[3]) < 0 && errno != ENOENT)
		prog_die("%s: %s", argv[3], strerror(errno));
	ret = io_uring_queue_init(2, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	if (hard)
		io_uring_prep_linkat(io_uring_get_sqe(&ring), AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				     0);
	else
		io_uring_prep_symlinkat(io_uring_get_sqe(&ring), argv[2], AT_FDCWD, argv[3]);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret < 0)
		prog_die("io_uring_submit_and_wait: %s", strerror(-ret));
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0)
		prog_die("io_uring_wait_cqe: %s", strerror(-ret));
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	printf("%s link %s -> %s: %s\n", argv[1], argv[3], argv[2], ret < 0 ? strerror(-ret) : "0");
	return ret < 0 ? 1 : 0;
}
