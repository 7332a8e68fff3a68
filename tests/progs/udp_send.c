/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udp_send HOW ADDR PORT [ADDR PORT]...: sends one message to each ADDR PORT without connect(),
 * the ways egress leaves a workload with no connect event:
 *   sendto    one UDP socket, sendto() per peer
 *   sendmsg   one UDP socket, sendmsg() with msg_name per peer
 *   sendmmsg  one UDP socket, one sendmmsg() call with a message per peer
 *   connected connect() to the first peer, then send() with no address (the connect event's),
 *             then sendto() each further peer on that connected socket (the kernel sends a
 *             datagram where its address says, not to the connected peer)
 *   fastopen  TCP Fast Open: sendto(MSG_FASTOPEN) to each peer (a listener must be there)
 * Prints "sent N".
 */
#include <netinet/tcp.h>

#include "progs.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

#define MAX_PEERS 64

int main(int argc, char **argv)
{
	struct sockaddr_storage ss[MAX_PEERS];
	socklen_t len[MAX_PEERS];
	struct mmsghdr mm[MAX_PEERS];
	struct iovec iov = { .iov_base = "vigil", .iov_len = 5 };
	const char *how;
	int n = 0, fd, sent = 0;

	prog_name = "udp_send";
	if (argc < 4 || (argc - 2) % 2 || (argc - 2) / 2 > MAX_PEERS)
		prog_usage("sendto|sendmsg|sendmmsg|connected|fastopen ADDR PORT [ADDR PORT]...");
	how = argv[1];
	for (int i = 2; i + 1 < argc; i += 2, n++)
		len[n] = prog_sockaddr(argv[i], argv[i + 1], &ss[n]);
	if (!strcmp(how, "fastopen")) {
		for (int i = 0; i < n; i++) {
			fd = socket(ss[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				prog_die("socket: %s", strerror(errno));
			if (sendto(fd, "vigil", 5, MSG_FASTOPEN, (struct sockaddr *)&ss[i],
				   len[i]) < 0)
				prog_die("sendto(MSG_FASTOPEN): %s", strerror(errno));
			close(fd);
			sent++;
		}
		printf("sent %d\n", sent);
		return 0;
	}
	fd = socket(ss[0].ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (!strcmp(how, "sendto")) {
		for (int i = 0; i < n; i++, sent++)
			if (sendto(fd, "vigil", 5, 0, (struct sockaddr *)&ss[i], len[i]) != 5)
				prog_die("sendto: %s", strerror(errno));
	} else if (!strcmp(how, "sendmsg")) {
		for (int i = 0; i < n; i++, sent++) {
			struct msghdr m = { .msg_name = &ss[i],
					    .msg_namelen = len[i],
					    .msg_iov = &iov,
					    .msg_iovlen = 1 };

			if (sendmsg(fd, &m, 0) != 5)
				prog_die("sendmsg: %s", strerror(errno));
		}
	} else if (!strcmp(how, "sendmmsg")) {
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < n; i++) {
			mm[i].msg_hdr.msg_name = &ss[i];
			mm[i].msg_hdr.msg_namelen = len[i];
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(fd, mm, (unsigned)n, 0);
		if (sent != n)
			prog_die("sendmmsg: %d of %d sent: %s", sent, n, strerror(errno));
	} else if (!strcmp(how, "connected")) {
		if (connect(fd, (struct sockaddr *)&ss[0], len[0]))
			prog_die("connect: %s", strerror(errno));
		if (send(fd, "vigil", 5, 0) != 5)
			prog_die("send: %s", strerror(errno));
		for (sent = 1; sent < n; sent++) {
			/* the connected peer's "port unreachable" is reported by the next call,
			 * once: that call sent nothing, the retry does */
			ssize_t r =
				sendto(fd, "vigil", 5, 0, (struct sockaddr *)&ss[sent], len[sent]);

			if (r < 0 && errno == ECONNREFUSED)
				r = sendto(fd, "vigil", 5, 0, (struct sockaddr *)&ss[sent],
					   len[sent]);
			if (r != 5)
				prog_die("sendto: %s", strerror(errno));
		}
	} else {
		prog_usage("sendto|sendmsg|sendmmsg|connected|fastopen ADDR PORT [ADDR PORT]...");
	}
	close(fd);
	printf("sent %d\n", sent);
	return 0;
}
