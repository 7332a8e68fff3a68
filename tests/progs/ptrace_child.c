/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptrace_child [traceme|attach]: forks a child and traces it. traceme (default): the child
 * calls PTRACE_TRACEME and stops itself; attach: the parent PTRACE_ATTACHes to a sleeping
 * child. The parent then lets the child go and reaps it.
 */
#include <signal.h>
#include <sys/ptrace.h>

#include "progs.h"

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "traceme";
	int attach, st;
	pid_t pid;

	prog_name = "ptrace_child";
	if (!strcmp(mode, "traceme"))
		attach = 0;
	else if (!strcmp(mode, "attach"))
		attach = 1;
	else
		prog_usage("[traceme|attach]");

	pid = fork();
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (!attach) {
			if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
				_exit(1);
			raise(SIGSTOP);
			_exit(0);
		}
		/* Bounded: the parent attaches within this time or the child just exits. */
		for (int i = 0; i < 50; i++)
			usleep(20000);
		_exit(0);
	}
	if (attach && ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		kill(pid, SIGKILL);
		prog_wait(pid);
		prog_die("PTRACE_ATTACH %d: %s", (int)pid, strerror(errno));
	}
	if (waitpid(pid, &st, 0) < 0)
		prog_die("waitpid: %s", strerror(errno));
	if (!WIFSTOPPED(st))
		prog_die("child %d did not stop under ptrace", (int)pid);
	if (ptrace(attach ? PTRACE_DETACH : PTRACE_CONT, pid, NULL, NULL) < 0)
		prog_die("ptrace resume: %s", strerror(errno));
	if (attach)
		kill(pid, SIGTERM);
	st = prog_wait(pid);
	printf("traced child %d (%s), status %d\n", (int)pid, mode, st);
	return 0;
}
