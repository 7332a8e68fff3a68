/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns_server PORT [ADDR [COUNT]]: a loopback DNS responder for tests. Binds UDP 127.0.0.1:PORT
 * (0 picks a free port), prints "port N" on the first line, then answers every A question with
 * ADDR (default 127.0.0.1, TTL 5) and prints "query NAME" per question. Exits after COUNT
 * queries (default: never; stop it with a signal).
 */
#include "dns_wire.h"
#include "progs.h"

int main(int argc, char **argv)
{
	uint8_t m[DNS_MAX_MSG + 16];
	struct sockaddr_storage peer;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct in_addr answer;
	char name[DNS_MAX_NAME + 2];
	long count = argc > 3 ? prog_num(argv[3], 1, 1000000, "COUNT") : -1;
	socklen_t plen, slen = sizeof(sin);
	int fd, off;
	ssize_t n;

	prog_name = "dns_server";
	if (argc < 2 || argc > 4)
		prog_usage("PORT [ADDR [COUNT]]");
	if (inet_pton(AF_INET, argc > 2 ? argv[2] : "127.0.0.1", &answer) != 1)
		prog_die("%s: not an IPv4 address", argv[2]);
	sin.sin_port = htons((uint16_t)prog_num(argv[1], 0, 65535, "PORT"));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		prog_die("bind 127.0.0.1:%s: %s", argv[1], strerror(errno));
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);

	while (count != 0) {
		plen = sizeof(peer);
		n = recvfrom(fd, m, DNS_MAX_MSG, 0, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			prog_die("recvfrom: %s", strerror(errno));
		}
		off = dns_get_question(m, (size_t)n, name, sizeof(name));
		if (off < 0 || (m[2] & 0x80))
			continue; /* not a query we understand: ignore, as a resolver would */
		printf("query %s\n", name);
		fflush(stdout);
		m[2] = 0x81; /* QR, RD */
		m[3] = 0x80; /* RA, rcode 0 */
		m[4] = 0, m[5] = 1;
		m[6] = 0, m[7] = 1; /* ANCOUNT */
		memset(m + 8, 0, 4);
		/* Answer: pointer to the question name, A, IN, TTL 5, 4 bytes. */
		const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4 };
		memcpy(m + off, rr, sizeof(rr));
		memcpy(m + off + sizeof(rr), &answer, 4);
		sendto(fd, m, (size_t)off + sizeof(rr) + 4, 0, (struct sockaddr *)&peer, plen);
		if (count > 0)
			count--;
	}
	return 0;
}
