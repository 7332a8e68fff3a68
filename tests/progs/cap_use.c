/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cap_use CAP: performs one action that the kernel checks against capability CAP:
 *   net_bind_service  bind TCP 127.0.0.1 to a free port below 1024
 *   net_raw           open a raw IPv4 socket (nothing is sent)
 *   sys_admin         sethostname inside a private UTS namespace (unshare needs it too)
 */
#include <sched.h>

#include "progs.h"

static int bind_low_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Bounded scan down from 1023 for a port nobody else holds. */
	for (int port = 1023; port > 900; port--) {
		sin.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(fd);
			return port;
		}
		if (errno != EADDRINUSE)
			prog_die("bind 127.0.0.1:%d: %s", port, strerror(errno));
	}
	prog_die("no free port in 901..1023");
}

int main(int argc, char **argv)
{
	prog_name = "cap_use";
	if (argc != 2)
		prog_usage("net_bind_service|net_raw|sys_admin");
	if (!strcmp(argv[1], "net_bind_service")) {
		printf("bound port %d\n", bind_low_port());
	} else if (!strcmp(argv[1], "net_raw")) {
		int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

		if (fd < 0)
			prog_die("raw socket: %s", strerror(errno));
		close(fd);
		printf("opened a raw socket\n");
	} else if (!strcmp(argv[1], "sys_admin")) {
		if (unshare(CLONE_NEWUTS) < 0)
			prog_die("unshare(uts): %s", strerror(errno));
		if (sethostname("vigil-cap-test", 14) < 0)
			prog_die("sethostname: %s", strerror(errno));
		printf("set hostname in a private uts namespace\n");
	} else {
		prog_usage("net_bind_service|net_raw|sys_admin");
	}
	return 0;
}
