/* SPDX-License-Identifier: Apache-2.0 */
/*
 * raw_socket KIND [ADDR]: creates one socket of a kind that reaches the wire below TCP and UDP
 * (V1001), and with ADDR sends one ICMP echo request there:
 *   packet    AF_PACKET, SOCK_RAW (any frame: a sniffer, hand-made Ethernet)
 *   raw       AF_INET, SOCK_RAW, IPPROTO_ICMP (hand-made ICMP: a tunnel)
 *   raw6      AF_INET6, SOCK_RAW, IPPROTO_ICMPV6
 *   icmp      AF_INET, SOCK_DGRAM, IPPROTO_ICMP (a "ping" socket; may be refused by
 *             net.ipv4.ping_group_range, then "refused" is printed and the exit is 0)
 *   udp       AF_INET, SOCK_DGRAM, 0 (an ordinary socket: no event)
 * KIND with the prefix "uring:" (uring:raw, uring:packet, ...) makes the socket with
 * IORING_OP_SOCKET instead of socket(): no socket syscall is made.
 * With NAME as a third argument, the process first calls itself NAME (prctl PR_SET_NAME).
 * Prints "socket KIND fd".
 */
#include <linux/if_ether.h>
#include <netinet/ip_icmp.h>
#include <sys/prctl.h>
#include <liburing.h>

#include "progs.h"

int main(int argc, char **argv)
{
	const char *kind;
	int fam, type, proto, fd;
	bool uring = false;

	prog_name = "raw_socket";
	if (argc < 2 || argc > 4)
		prog_usage("packet|raw|raw6|icmp|udp [ADDR|-] [NAME]");
	kind = argv[1];
	if (!strncmp(kind, "uring:", 6)) {
		uring = true;
		kind += 6;
	}
	if (argc > 3 && prctl(PR_SET_NAME, argv[3], 0, 0, 0))
		prog_die("prctl: %s", strerror(errno));
	if (!strcmp(kind, "packet"))
		fam = AF_PACKET, type = SOCK_RAW, proto = htons(ETH_P_ALL);
	else if (!strcmp(kind, "raw"))
		fam = AF_INET, type = SOCK_RAW, proto = IPPROTO_ICMP;
	else if (!strcmp(kind, "raw6"))
		fam = AF_INET6, type = SOCK_RAW, proto = IPPROTO_ICMPV6;
	else if (!strcmp(kind, "icmp"))
		fam = AF_INET, type = SOCK_DGRAM, proto = IPPROTO_ICMP;
	else if (!strcmp(kind, "udp"))
		fam = AF_INET, type = SOCK_DGRAM, proto = 0;
	else
		prog_die("unknown kind '%s'", kind);
	if (uring) {
		struct io_uring ring;
		struct io_uring_cqe *cqe;
		int ret = io_uring_queue_init(2, &ring, 0);

		if (ret < 0)
			prog_die("io_uring_queue_init: %s", strerror(-ret));
		io_uring_prep_socket(io_uring_get_sqe(&ring), fam, type | SOCK_CLOEXEC, proto, 0);
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 || (ret = io_uring_wait_cqe(&ring, &cqe)) < 0)
			prog_die("io_uring: %s", strerror(-ret));
		fd = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		io_uring_queue_exit(&ring);
		if (fd < 0) {
			errno = -fd;
			fd = -1;
		}
	} else {
		fd = socket(fam, type | SOCK_CLOEXEC, proto);
	}
	if (fd < 0 && !strcmp(kind, "icmp") && (errno == EACCES || errno == EPERM)) {
		printf("refused\n");
		return 0;
	}
	if (fd < 0)
		prog_die("socket(%s): %s", kind, strerror(errno));
	if (argc > 2 && strcmp(argv[2], "-") && fam == AF_INET) {
		struct icmphdr h = { .type = ICMP_ECHO, .un.echo.id = htons(0x5647) };
		struct sockaddr_in sin = { .sin_family = AF_INET };

		if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
			prog_die("bad address '%s'", argv[2]);
		h.checksum = htons((uint16_t) ~(ICMP_ECHO << 8 | 0x5647));
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			prog_die("sendto: %s", strerror(errno));
	}
	printf("socket %s %d\n", kind, fd);
	return 0;
}
