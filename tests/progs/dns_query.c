/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns_query NAME SERVER PORT: sends one DNS A query for NAME over UDP to SERVER:PORT (use our
 * loopback responder, dns_server) and prints the first IPv4 answer. Waits at most 2 s.
 */
#include <poll.h>

#include "dns_wire.h"
#include "progs.h"

int main(int argc, char **argv)
{
	uint8_t q[DNS_MAX_MSG], r[DNS_MAX_MSG];
	struct sockaddr_storage ss;
	struct pollfd pfd;
	char rname[DNS_MAX_NAME + 2];
	uint16_t id = (uint16_t)(getpid() ^ 0x5a5a);
	socklen_t slen;
	int fd, qlen, off;
	ssize_t n;

	prog_name = "dns_query";
	if (argc != 4)
		prog_usage("NAME SERVER PORT");
	slen = prog_sockaddr(argv[2], argv[3], &ss);
	qlen = dns_build_query(q, sizeof(q), id, argv[1]);
	if (qlen < 0)
		prog_die("%s: not a valid DNS name", argv[1]);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (sendto(fd, q, (size_t)qlen, 0, (struct sockaddr *)&ss, slen) != qlen)
		prog_die("sendto %s:%s: %s", argv[2], argv[3], strerror(errno));
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1)
		prog_die("no answer from %s:%s within 2 s", argv[2], argv[3]);
	n = recv(fd, r, sizeof(r), 0);
	if (n < 12)
		prog_die("short answer (%zd bytes)", n);
	if (((r[0] << 8) | r[1]) != id || !(r[2] & 0x80))
		prog_die("answer does not match the query");
	if ((r[3] & 0x0f) != 0)
		prog_die("%s: rcode %d", argv[1], r[3] & 0x0f);
	off = dns_get_question(r, (size_t)n, rname, sizeof(rname));
	if (off < 0 || ((r[6] << 8) | r[7]) < 1)
		prog_die("%s: no answer record", argv[1]);
	/* Answer: name (pointer or labels), type, class, ttl, rdlength, rdata. */
	if (off + 2 > n || (r[off] & 0xc0) != 0xc0)
		prog_die("%s: answer name is not a pointer to the question", argv[1]);
	off += 2;
	if (off + 14 > n || r[off + 1] != 1 || r[off + 9] != 4)
		prog_die("%s: answer is not an A record", argv[1]);
	printf("%s %u.%u.%u.%u\n", argv[1], r[off + 10], r[off + 11], r[off + 12], r[off + 13]);
	close(fd);
	return 0;
}
