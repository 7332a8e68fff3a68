/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iouring_connect HOST PORT [MSG]: creates a TCP socket, connects to HOST:PORT (numeric IPv4 or
 * IPv6) and sends MSG (default "hello\n") only through io_uring (IORING_OP_SOCKET, CONNECT,
 * SEND, CLOSE): no socket/connect/sendto syscall is made.
 */
#include <liburing.h>

#include "progs.h"

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
	struct sockaddr_storage ss;
	const char *msg = argc > 3 ? argv[3] : "hello\n";
	struct io_uring ring;
	socklen_t len;
	int fd, ret;

	prog_name = "iouring_connect";
	if (argc < 3 || argc > 4)
		prog_usage("HOST PORT [MSG]");
	len = prog_sockaddr(argv[1], argv[2], &ss);
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));

	io_uring_prep_socket(io_uring_get_sqe(&ring), ss.ss_family, SOCK_STREAM, 0, 0);
	fd = run_one(&ring);
	if (fd < 0)
		prog_die("IORING_OP_SOCKET: %s", strerror(-fd));

	io_uring_prep_connect(io_uring_get_sqe(&ring), fd, (struct sockaddr *)&ss, len);
	ret = run_one(&ring);
	if (ret < 0)
		prog_die("%s:%s: IORING_OP_CONNECT: %s", argv[1], argv[2], strerror(-ret));

	io_uring_prep_send(io_uring_get_sqe(&ring), fd, msg, strlen(msg), MSG_NOSIGNAL);
	ret = run_one(&ring);
	if (ret < 0)
		prog_die("IORING_OP_SEND: %s", strerror(-ret));

	io_uring_prep_close(io_uring_get_sqe(&ring), fd);
	run_one(&ring);
	io_uring_queue_exit(&ring);
	printf("sent %d bytes to %s:%s\n", ret, argv[1], argv[2]);
	return 0;
}
