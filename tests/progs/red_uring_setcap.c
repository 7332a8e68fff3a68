/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red_uring_setcap path|fd FILE: gives FILE the capability CAP_SETUID (permitted and
 * effective: what `setcap cap_setuid+ep FILE` writes) through io_uring only
 * (IORING_OP_SETXATTR by name, IORING_OP_FSETXATTR by descriptor), so no setxattr syscall is
 * made. Prints "setcap FILE: RESULT" (0 or the error's text); exit 1 on an error.
 */
#include <liburing.h>

#include "progs.h"

int main(int argc, char **argv)
{
	/* struct vfs_cap_data, revision 2: magic_etc (revision | effective), then permitted
	 * and inheritable of the two 32-bit halves */
	const uint32_t caps[5] = { 0x02000000u | 1u, 1u << 7 /* CAP_SETUID */, 0, 0, 0 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int byfd, fd = -1, ret;

	prog_name = "red_uring_setcap";
	if (argc != 3 || (strcmp(argv[1], "path") && strcmp(argv[1], "fd")))
		prog_usage("path|fd FILE");
	byfd = !strcmp(argv[1], "fd");
	ret = io_uring_queue_init(2, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	if (byfd) {
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			prog_die("%s: %s", argv[2], strerror(errno));
		io_uring_prep_fsetxattr(io_uring_get_sqe(&ring), fd, "security.capability",
					(const char *)caps, 0, sizeof(caps));
	} else {
		io_uring_prep_setxattr(io_uring_get_sqe(&ring), "security.capability",
				       (const char *)caps, argv[2], 0, sizeof(caps));
	}
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret < 0)
		prog_die("io_uring_submit_and_wait: %s", strerror(-ret));
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0)
		prog_die("io_uring_wait_cqe: %s", strerror(-ret));
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (fd >= 0)
		close(fd);
	printf("setcap %s: %s\n", argv[2], ret < 0 ? strerror(-ret) : "0");
	return ret < 0 ? 1 : 0;
}
