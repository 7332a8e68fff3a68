/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iouring_send HOW ADDR PORT [ADDR PORT]... | HOW -: sends one UDP datagram to each ADDR PORT
 * (with "-": read from standard input, "ADDR PORT" per line, so that the command line of a
 * run stays the same whatever its peers) through
 * io_uring only, on one socket that is never connected (no connect, sendto or sendmsg syscall):
 *   sendmsg     IORING_OP_SENDMSG with msg_name
 *   send        IORING_OP_SEND with an address (sqe addr2, io_uring_prep_send_set_addr)
 *   send_zc     IORING_OP_SEND_ZC with an address
 *   sendmsg_zc  IORING_OP_SENDMSG_ZC with msg_name
 *   fixed       SENDMSG on the socket registered as fixed file 0 (IOSQE_FIXED_FILE: no
 *               descriptor names it in the request)
 *   async       SENDMSG with IOSQE_ASYNC (runs on an io-wq worker thread), and the address
 *               in user memory overwritten with 127.0.0.9:9 right after submission: the
 *               kernel's copy taken when the request was prepared is what is sent to
 *   fastopen    TCP Fast Open: a new TCP socket per peer, SENDMSG with MSG_FASTOPEN (a
 *               listener must be there; EINPROGRESS counts as sent: the SYN left)
 * Prints "sent N" (requests that completed with the message's length).
 */
#include <liburing.h>

#include "progs.h"
#include "uring_reap.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

#define MAX_PEERS 64

int main(int argc, char **argv)
{
	static char payload[] = "vigil";
	struct sockaddr_storage ss[MAX_PEERS];
	socklen_t len[MAX_PEERS];
	struct io_uring ring;
	char peer[MAX_PEERS][2][64];
	const char *how;
	int n = 0, fd = -1, sent = 0, ret;

	prog_name = "iouring_send";
	if (argc == 3 && !strcmp(argv[2], "-")) {
		while (n < MAX_PEERS && scanf("%63s %63s", peer[n][0], peer[n][1]) == 2) {
			len[n] = prog_sockaddr(peer[n][0], peer[n][1], &ss[n]);
			n++;
		}
	} else if (argc >= 4 && !((argc - 2) % 2) && (argc - 2) / 2 <= MAX_PEERS) {
		for (int i = 2; i + 1 < argc; i += 2, n++) {
			snprintf(peer[n][0], sizeof(peer[n][0]), "%s", argv[i]);
			snprintf(peer[n][1], sizeof(peer[n][1]), "%s", argv[i + 1]);
			len[n] = prog_sockaddr(argv[i], argv[i + 1], &ss[n]);
		}
	}
	if (!n)
		prog_usage("sendmsg|send|send_zc|sendmsg_zc|fixed|async|fastopen ADDR PORT "
			   "[ADDR PORT]... | HOW -");
	how = argv[1];
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	if (strcmp(how, "fastopen")) {
		fd = socket(ss[0].ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			prog_die("socket: %s", strerror(errno));
	}
	if (!strcmp(how, "fixed")) {
		ret = io_uring_register_files(&ring, &fd, 1);
		if (ret < 0)
			prog_die("io_uring_register_files: %s", strerror(-ret));
	}
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct sockaddr_storage addr = ss[i];
		struct iovec iov = { .iov_base = payload, .iov_len = 5 };
		struct msghdr m = {
			.msg_name = &addr, .msg_namelen = len[i], .msg_iov = &iov, .msg_iovlen = 1
		};
		int sfd = fd;

		if (!strcmp(how, "send")) {
			io_uring_prep_send(sqe, fd, payload, 5, 0);
			io_uring_prep_send_set_addr(sqe, (struct sockaddr *)&addr, (__u16)len[i]);
		} else if (!strcmp(how, "send_zc")) {
			io_uring_prep_send_zc(sqe, fd, payload, 5, 0, 0);
			io_uring_prep_send_set_addr(sqe, (struct sockaddr *)&addr, (__u16)len[i]);
		} else if (!strcmp(how, "sendmsg_zc")) {
			io_uring_prep_sendmsg_zc(sqe, fd, &m, 0);
		} else if (!strcmp(how, "fixed")) {
			io_uring_prep_sendmsg(sqe, 0, &m, 0);
			sqe->flags |= IOSQE_FIXED_FILE;
		} else if (!strcmp(how, "fastopen")) {
			sfd = socket(ss[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (sfd < 0)
				prog_die("socket: %s", strerror(errno));
			io_uring_prep_sendmsg(sqe, sfd, &m, MSG_FASTOPEN);
		} else if (!strcmp(how, "sendmsg") || !strcmp(how, "async")) {
			io_uring_prep_sendmsg(sqe, fd, &m, 0);
			if (!strcmp(how, "async"))
				sqe->flags |= IOSQE_ASYNC;
		} else {
			prog_usage("sendmsg|send|send_zc|sendmsg_zc|fixed|async|fastopen ADDR PORT "
				   "[ADDR PORT]...");
		}
		ret = io_uring_submit(&ring);
		if (ret < 0)
			prog_die("io_uring_submit: %s", strerror(-ret));
		if (!strcmp(how, "async"))
			prog_sockaddr("127.0.0.9", "9",
				      &addr); /* too late: the kernel has its copy */
		ret = uring_reap(&ring);
		/* a Fast Open SYN has left when the socket would block for the handshake */
		if (ret == -EINPROGRESS && !strcmp(how, "fastopen"))
			ret = 5;
		if (ret < 0)
			prog_die("%s to %s:%s: %s", how, peer[i][0], peer[i][1], strerror(-ret));
		if (ret == 5)
			sent++;
		if (sfd != fd)
			close(sfd);
	}
	io_uring_queue_exit(&ring);
	if (fd >= 0)
		close(fd);
	printf("sent %d\n", sent);
	return 0;
}
