/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iouring_fdsend HOW FD COUNT: sends COUNT datagrams ("vigil") on descriptor FD, a socket
 * connected before this program started (inherited), through io_uring only and without an
 * address, one request per submission:
 *   send     IORING_OP_SEND
 *   sendmsg  IORING_OP_SENDMSG, no msg_name
 *   send_zc  IORING_OP_SEND_ZC
 *   write    IORING_OP_WRITE
 *   writev   IORING_OP_WRITEV
 * Prints "sent N" (requests that completed with the message's length).
 */
#include <liburing.h>

#include "progs.h"
#include "uring_reap.h"

int main(int argc, char **argv)
{
	static char payload[] = "vigil";
	struct iovec iov = { .iov_base = payload, .iov_len = 5 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct io_uring ring;
	const char *how;
	int fd, count, sent = 0, ret;

	prog_name = "iouring_fdsend";
	if (argc != 4)
		prog_usage("send|sendmsg|send_zc|write|writev FD COUNT");
	how = argv[1];
	fd = (int)prog_num(argv[2], 0, 1 << 20, "FD");
	count = (int)prog_num(argv[3], 1, 64, "COUNT");
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	for (int i = 0; i < count; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		if (!strcmp(how, "send"))
			io_uring_prep_send(sqe, fd, payload, 5, 0);
		else if (!strcmp(how, "sendmsg"))
			io_uring_prep_sendmsg(sqe, fd, &m, 0);
		else if (!strcmp(how, "send_zc"))
			io_uring_prep_send_zc(sqe, fd, payload, 5, 0, 0);
		else if (!strcmp(how, "write"))
			io_uring_prep_write(sqe, fd, payload, 5, 0);
		else if (!strcmp(how, "writev"))
			io_uring_prep_writev(sqe, fd, &iov, 1, 0);
		else
			prog_usage("send|sendmsg|send_zc|write|writev FD COUNT");
		ret = uring_reap(&ring);
		if (ret < 0)
			prog_die("%s on %d: %s", how, fd, strerror(-ret));
		if (ret == 5)
			sent++;
	}
	io_uring_queue_exit(&ring);
	printf("sent %d\n", sent);
	return 0;
}
