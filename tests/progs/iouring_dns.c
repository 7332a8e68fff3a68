/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iouring_dns HOW SERVER PORT NAME...: sends one DNS A query per NAME to SERVER:PORT through
 * io_uring only (no send, sendto, sendmsg or write syscall carries a question):
 *   udp-send     UDP, never connected: IORING_OP_SEND with the address (sqe addr2)
 *   udp-sendmsg  UDP, never connected: IORING_OP_SENDMSG with msg_name
 *   udp-conn     UDP connected with connect(2), then IORING_OP_SEND without an address
 *   udp-zc       UDP, never connected: IORING_OP_SEND_ZC with the address
 *   tcp-send     TCP (connect(2)), IORING_OP_SEND: length and message in one buffer
 *   tcp-sendmsg  TCP, IORING_OP_SENDMSG: the length and the message as two iovecs
 *   tcp-write    TCP, IORING_OP_WRITE: length and message in one buffer
 *   tcp-writev   TCP, IORING_OP_WRITEV: the length and the message as two iovecs
 * Does not wait for answers. Prints "sent N" (requests that completed with their length).
 */
#include <liburing.h>
#include <sys/uio.h>

#include "dns_wire.h"
#include "progs.h"
#include "uring_reap.h"

#define USAGE                                                                             \
	"udp-send|udp-sendmsg|udp-conn|udp-zc|tcp-send|tcp-sendmsg|tcp-write|tcp-writev " \
	"SERVER PORT NAME..."

int main(int argc, char **argv)
{
	uint8_t q[DNS_MAX_MSG + 2];
	struct sockaddr_storage ss;
	struct io_uring ring;
	const char *how;
	bool tcp;
	socklen_t slen;
	int fd, ret, sent = 0;

	prog_name = "iouring_dns";
	if (argc < 5)
		prog_usage(USAGE);
	how = argv[1];
	tcp = !strncmp(how, "tcp-", 4);
	slen = prog_sockaddr(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if ((tcp || !strcmp(how, "udp-conn")) && connect(fd, (struct sockaddr *)&ss, slen))
		prog_die("connect %s:%s: %s", argv[2], argv[3], strerror(errno));
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0)
		prog_die("io_uring_queue_init: %s", strerror(-ret));
	for (int i = 4; i < argc; i++) {
		/* UDP: the message alone; TCP: after its two-byte length */
		uint8_t *msg = tcp ? q + 2 : q;
		int len = dns_build_query(msg, DNS_MAX_MSG, (uint16_t)(0x5000 + i), argv[i]);
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct iovec v[2] = { { q, 2 }, { q + 2, (size_t)len } };
		struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };
		struct iovec u = { q, (size_t)len };
		struct msghdr mu = {
			.msg_name = &ss, .msg_namelen = slen, .msg_iov = &u, .msg_iovlen = 1
		};
		size_t total;

		if (len < 0)
			prog_die("%s: not a valid DNS name", argv[i]);
		q[0] = (uint8_t)(len >> 8), q[1] = (uint8_t)len;
		total = (size_t)len + (tcp ? 2 : 0);
		if (!strcmp(how, "udp-send")) {
			io_uring_prep_send(sqe, fd, q, total, 0);
			io_uring_prep_send_set_addr(sqe, (struct sockaddr *)&ss, (__u16)slen);
		} else if (!strcmp(how, "udp-zc")) {
			io_uring_prep_send_zc(sqe, fd, q, total, 0, 0);
			io_uring_prep_send_set_addr(sqe, (struct sockaddr *)&ss, (__u16)slen);
		} else if (!strcmp(how, "udp-sendmsg")) {
			io_uring_prep_sendmsg(sqe, fd, &mu, 0);
		} else if (!strcmp(how, "udp-conn") || !strcmp(how, "tcp-send")) {
			io_uring_prep_send(sqe, fd, q, total, 0);
		} else if (!strcmp(how, "tcp-sendmsg")) {
			io_uring_prep_sendmsg(sqe, fd, &m, 0);
		} else if (!strcmp(how, "tcp-write")) {
			io_uring_prep_write(sqe, fd, q, (unsigned)total, 0);
		} else if (!strcmp(how, "tcp-writev")) {
			io_uring_prep_writev(sqe, fd, v, 2, 0);
		} else {
			prog_usage(USAGE);
		}
		ret = uring_reap(&ring);
		if (ret < 0)
			prog_die("%s %s: %s", how, argv[i], strerror(-ret));
		if ((size_t)ret == total)
			sent++;
	}
	io_uring_queue_exit(&ring);
	close(fd);
	printf("sent %d\n", sent);
	return 0;
}
