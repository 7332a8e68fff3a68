/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_echo PORT [COUNT [ADDR]]: a loopback TCP peer for tests. Listens on ADDR:PORT (default
 * 127.0.0.1; any 127.x.y.z works, for a second "egress address"; PORT 0 picks a free port), prints "port N", then for each connection echoes what it receives until the
 * peer closes and prints "conn N bytes B". Exits after COUNT connections (0 or none: never).
 */
#include <signal.h>

#include "progs.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	long count = argc > 2 ? prog_num(argv[2], 0, 1000000, "COUNT") : 0;
	socklen_t slen = sizeof(sin);
	char buf[4096];
	int lfd, one = 1;
	long conns = 0;

	prog_name = "tcp_echo";
	if (argc < 2 || argc > 4)
		prog_usage("PORT [COUNT [ADDR]]");
	signal(SIGPIPE, SIG_IGN);
	sin.sin_port = htons((uint16_t)prog_num(argv[1], 0, 65535, "PORT"));
	if (inet_pton(AF_INET, argc > 3 ? argv[3] : "127.0.0.1", &sin.sin_addr) != 1)
		prog_die("%s: not an IPv4 address", argv[3]);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		prog_die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 16) < 0)
		prog_die("listen %s:%s: %s", argc > 3 ? argv[3] : "127.0.0.1", argv[1],
			 strerror(errno));
	getsockname(lfd, (struct sockaddr *)&sin, &slen);
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);

	while (count == 0 || conns < count) {
		long bytes = 0;
		ssize_t n;
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			prog_die("accept: %s", strerror(errno));
		}
		/* A stuck client cannot hold the peer forever. */
		struct timeval tv = { .tv_sec = 5 };
		setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while ((n = read(cfd, buf, sizeof(buf))) > 0) {
			bytes += n;
			if (write(cfd, buf, (size_t)n) != n)
				break;
		}
		close(cfd);
		printf("conn %ld bytes %ld\n", ++conns, bytes);
		fflush(stdout);
	}
	return 0;
}
