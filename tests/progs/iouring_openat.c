/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iouring_openat PATH [async]: opens and reads PATH only through io_uring (IORING_OP_OPENAT,
 * READ, CLOSE), so no open/openat/read syscall touches it. Prints the byte count read. With
 * "async" the open is marked IOSQE_ASYNC: it runs in an io-wq worker thread, not in the
 * submitting task.
 */
#include <liburing.h>

#include "progs.h"

/* Submits the one prepared SQE and returns its result (a negative errno on failure). */
static int run_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	long total = 0;
	int fd, ret;

	prog_name = "iouring_openat";
	if (argc != 2 && !(argc == 3 && !strcmp(argv[2], "async")))
		prog_usage("PATH [async]");
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC, 0);
	if (argc == 3)
		sqe->flags |= IOSQE_ASYNC;
	fd = run_one(&ring);
	if (fd < 0)
		prog_die("%s: IORING_OP_OPENAT: %s", argv[1], strerror(-fd));

	/* Bounded: at most 16 reads of 64 KiB. */
	for (int i = 0; i < 16; i++) {
		io_uring_prep_read(io_uring_get_sqe(&ring), fd, buf, sizeof(buf), (uint64_t)total);
		ret = run_one(&ring);
		if (ret < 0)
			prog_die("%s: IORING_OP_READ: %s", argv[1], strerror(-ret));
		if (ret == 0)
			break;
		total += ret;
	}

	io_uring_prep_close(io_uring_get_sqe(&ring), fd);
	ret = run_one(&ring);
	if (ret < 0)
		prog_die("%s: IORING_OP_CLOSE: %s", argv[1], strerror(-ret));
	io_uring_queue_exit(&ring);
	printf("read %ld bytes from %s\n", total, argv[1]);
	return 0;
}
