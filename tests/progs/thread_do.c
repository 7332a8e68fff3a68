/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thread_do [--here] open PATH | connect HOST PORT [MSG]: does one thing from a second thread
 * (not the thread-group leader, whose name and id a sensor may key on), or with --here from
 * the main thread (the plain way, to compare), then exits:
 *   open     open PATH read-only and read a byte; prints "opened N" or "failed ERRNO"
 *   connect  TCP connect to HOST PORT and send MSG (default "x"); prints "sent N"
 * Exit 0 when the thing was done (a failed open counts as done: the attempt is the point).
 */
#include <pthread.h>

#include "progs.h"

#define USAGE "[--here] open PATH | connect HOST PORT [MSG]"

static char **args;
static int nargs;
static int result;

static void *work(void *arg)
{
	(void)arg;
	if (!strcmp(args[1], "open") && nargs == 3) {
		char c;
		int fd = open(args[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			printf("failed %d\n", errno);
			return NULL;
		}
		printf("opened %zd\n", read(fd, &c, 1));
		close(fd);
	} else if (!strcmp(args[1], "connect") && (nargs == 4 || nargs == 5)) {
		struct sockaddr_storage ss;
		socklen_t len = prog_sockaddr(args[2], args[3], &ss);
		const char *msg = nargs == 5 ? args[4] : "x";
		int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&ss, len) < 0) {
			fprintf(stderr, "thread_do: connect %s:%s: %s\n", args[2], args[3],
				strerror(errno));
			result = 1;
			return NULL;
		}
		printf("sent %zd\n", send(s, msg, strlen(msg), MSG_NOSIGNAL));
		close(s);
	} else {
		result = 2;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	prog_name = "thread_do";
	args = argv;
	nargs = argc;
	if (argc > 1 && !strcmp(argv[1], "--here")) {
		args = argv + 1;
		nargs = argc - 1;
		if (nargs < 3)
			prog_usage(USAGE);
		work(NULL);
		if (result == 2)
			prog_usage(USAGE);
		return result;
	}
	if (argc < 3)
		prog_usage(USAGE);
	if (pthread_create(&t, NULL, work, NULL))
		prog_die("pthread_create failed");
	pthread_join(t, NULL);
	if (result == 2)
		prog_usage(USAGE);
	return result;
}
