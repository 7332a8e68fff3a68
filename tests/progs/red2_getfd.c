/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red2_getfd none|take FILE: the parent opens FILE and waits; the child (take) takes the
 * parent's descriptor with pidfd_open + pidfd_getfd and reads the file through it, with no
 * open of its own ("read N bytes"); none does the same without taking it.
 */
#include <sys/syscall.h>

#include "progs.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int main(int argc, char **argv)
{
	int fd, go[2], st;
	pid_t pid;
	char c, buf[4096];

	prog_name = "red2_getfd";
	if (argc != 3 || (strcmp(argv[1], "none") && strcmp(argv[1], "take")))
		prog_usage("none|take FILE");
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || pipe(go))
		prog_die("open %s: %s", argv[2], strerror(errno));
	pid = fork();
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int pfd, got;
		ssize_t n = 0;

		close(go[0]);
		if (!strcmp(argv[1], "take")) {
			pfd = (int)syscall(SYS_pidfd_open, getppid(), 0);
			if (pfd < 0)
				prog_die("pidfd_open: %s", strerror(errno));
			got = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
			if (got < 0)
				prog_die("pidfd_getfd: %s", strerror(errno));
			n = pread(got, buf, sizeof(buf), 0);
		}
		printf("read %zd bytes\n", n);
		fflush(stdout);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(go[1]);
	if (read(go[0], &c, 1) != 1)
		prog_die("child failed");
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
