/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns_tcp HOW SERVER PORT NAME...: connects over TCP to SERVER:PORT and sends one DNS A query
 * per NAME as DNS over TCP does (RFC 1035 4.2.2: each message after its two-byte length),
 * written in the way HOW says:
 *   writev     one writev per query: the length and the message as two buffers (glibc)
 *   write      one write per query, length and message in one buffer
 *   sendmsg    one sendmsg per query, two buffers (musl)
 *   send       one send per query, one buffer (dnspython)
 *   split      every byte of every query in its own write (a client that wants to be missed)
 *   pipelined  all the queries in one write
 *   big        one write per query padded with an EDNS-like tail past 600 bytes, so that
 *              only its start is copied by the sensor
 * NAME "-" reads the names from standard input, one per line (a run's command line then stays
 * the same whatever it asks). Does not wait for answers (any TCP listener will do, e.g.
 * tcp_echo). Prints "sent N".
 */
#include <sys/uio.h>

#include "dns_wire.h"
#include "progs.h"

#define BIG_PAD 700

static void put_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			prog_die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

int main(int argc, char **argv)
{
	static uint8_t all[64 * (DNS_MAX_MSG + 2)];
	uint8_t q[DNS_MAX_MSG + BIG_PAD + 2];
	struct sockaddr_storage ss;
	const char *how;
	size_t at = 0;
	socklen_t slen;
	int fd, sent = 0;

	prog_name = "dns_tcp";
	if (argc < 5 || argc > 64 + 4)
		prog_usage("writev|write|sendmsg|send|split|pipelined|big SERVER PORT NAME...");
	how = argv[1];
	if (argc == 5 && !strcmp(argv[4], "-")) {
		static char names[64][DNS_MAX_NAME + 2];
		static char *nargv[64 + 4];

		argc = 4;
		nargv[1] = argv[1];
		nargv[2] = argv[2];
		nargv[3] = argv[3];
		while (argc < 64 + 4 && fgets(names[argc - 4], sizeof(names[0]), stdin)) {
			names[argc - 4][strcspn(names[argc - 4], "\n")] = '\0';
			nargv[argc] = names[argc - 4];
			argc++;
		}
		argv = nargv;
	}
	slen = prog_sockaddr(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, slen))
		prog_die("connect %s:%s: %s", argv[2], argv[3], strerror(errno));
	for (int i = 4; i < argc; i++, sent++) {
		int len = dns_build_query(q + 2, DNS_MAX_MSG, (uint16_t)(0x4000 + i), argv[i]);
		struct iovec v[2] = { { q, 2 }, { q + 2, 0 } };
		struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };

		if (len < 0)
			prog_die("%s: not a valid DNS name", argv[i]);
		if (!strcmp(how, "big")) {
			memset(q + 2 + len, 0,
			       BIG_PAD); /* bytes after the question: still the message */
			len += BIG_PAD;
		}
		q[0] = (uint8_t)(len >> 8);
		q[1] = (uint8_t)len;
		v[1].iov_len = (size_t)len;
		if (!strcmp(how, "writev")) {
			if (writev(fd, v, 2) != len + 2)
				prog_die("writev: %s", strerror(errno));
		} else if (!strcmp(how, "write") || !strcmp(how, "big")) {
			put_all(fd, q, (size_t)len + 2);
		} else if (!strcmp(how, "sendmsg")) {
			if (sendmsg(fd, &m, MSG_NOSIGNAL) != len + 2)
				prog_die("sendmsg: %s", strerror(errno));
		} else if (!strcmp(how, "send")) {
			if (send(fd, q, (size_t)len + 2, MSG_NOSIGNAL) != len + 2)
				prog_die("send: %s", strerror(errno));
		} else if (!strcmp(how, "split")) {
			for (int b = 0; b < len + 2; b++)
				put_all(fd, q + b, 1);
		} else if (!strcmp(how, "pipelined")) {
			memcpy(all + at, q, (size_t)len + 2);
			at += (size_t)len + 2;
		} else {
			prog_usage(
				"writev|write|sendmsg|send|split|pipelined|big SERVER PORT NAME...");
		}
	}
	if (at)
		put_all(fd, all, at);
	close(fd);
	printf("sent %d\n", sent);
	return 0;
}
