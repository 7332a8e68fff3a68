/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pid_reuse [CMD_A [ARGS] -- CMD_B [ARGS]]: runs CMD_A (default /bin/true) as a child with
 * pid P, reaps it, then starts CMD_B (default /bin/echo reused) with the very same pid P
 * through clone3(set_tid) (root, kernel >= 5.5). Prints "pid P" and exits with CMD_B's status.
 * A sensor must not attribute CMD_B's events to CMD_A.
 */
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "progs.h"

extern char **environ;

static pid_t spawn(char **argv, pid_t want)
{
	struct clone_args ca;
	pid_t tid = want;
	long pid;

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	if (want) {
		ca.set_tid = (uint64_t)(uintptr_t)&tid;
		ca.set_tid_size = 1;
	}
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(argv[0], argv, environ);
		fprintf(stderr, "%s: exec %s: %s\n", prog_name, argv[0], strerror(errno));
		_exit(127);
	}
	return (pid_t)pid;
}

int main(int argc, char **argv)
{
	char *def_a[] = { "/bin/true", NULL };
	char *def_b[] = { "/bin/echo", "reused", NULL };
	char **a = def_a, **b = def_b;
	pid_t p1, p2 = -EEXIST;
	int st;

	prog_name = "pid_reuse";
	if (argc > 1) {
		int sep = 0;

		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--"))
				sep = i;
		}
		if (sep < 2 || sep == argc - 1)
			prog_usage("[CMD_A [ARGS] -- CMD_B [ARGS]]");
		argv[sep] = NULL;
		a = &argv[1];
		b = &argv[sep + 1];
	}
	p1 = spawn(a, 0);
	if (p1 < 0)
		prog_die("clone3: %s", strerror(-p1));
	st = prog_wait(p1);
	if (st != 0)
		prog_die("%s exited with status %d", a[0], st);
	printf("pid %d\n", (int)p1);
	fflush(stdout);
	/* The pid is free again once reaped; another process may grab it first: retry briefly. */
	for (int i = 0; i < 50; i++) {
		p2 = spawn(b, p1);
		if (p2 != -EEXIST)
			break;
		usleep(1000);
	}
	if (p2 < 0)
		prog_die("clone3(set_tid=%d): %s", (int)p1, strerror(-p2));
	return prog_wait(p2);
}
