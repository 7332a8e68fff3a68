/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unshare_ns [--clone|--clone3] FLAGS: calls unshare(2) once with FLAGS, a comma-separated
 * list of mnt,uts,ipc,net,pid,cgroup,user,time (e.g. "uts,net"). The new namespaces die with
 * it. --clone and --clone3 make them with a new process instead (clone(2), clone3(2) with
 * those flags; the child exits at once), no unshare call at all.
 */
#include <linux/sched.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "progs.h"

static const struct {
	const char *name;
	int flag;
} ns_flags[] = {
	{ "mnt", CLONE_NEWNS },	   { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID },   { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER }, { "time", 0x00000080 /* CLONE_NEWTIME */ },
};

int main(int argc, char **argv)
{
	char list[256], *save = NULL, *tok;
	int flags = 0;

	const char *how = "unshare";

	prog_name = "unshare_ns";
	if (argc == 3 && (!strcmp(argv[1], "--clone") || !strcmp(argv[1], "--clone3"))) {
		how = argv[1] + 2;
		argv++;
		argc--;
	}
	if (argc != 2)
		prog_usage("[--clone|--clone3] FLAGS (comma-separated: "
			   "mnt,uts,ipc,net,pid,cgroup,user,time)");
	snprintf(list, sizeof(list), "%s", argv[1]);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
			if (!strcmp(tok, ns_flags[i].name))
				break;
		}
		if (i == sizeof(ns_flags) / sizeof(ns_flags[0]))
			prog_die("unknown namespace '%s'", tok);
		flags |= ns_flags[i].flag;
	}
	if (strcmp(how, "unshare")) {
		struct clone_args ca = { .flags = (unsigned)flags, .exit_signal = SIGCHLD };
		long pid = !strcmp(how, "clone")
				   ? syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0)
				   : syscall(SYS_clone3, &ca, sizeof(ca));

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			prog_die("%s(%s): %s", how, argv[1], strerror(errno));
		waitpid((pid_t)pid, NULL, 0);
		printf("%s made %s (flags 0x%x)\n", how, argv[1], (unsigned)flags);
		return 0;
	}
	if (unshare(flags) < 0)
		prog_die("unshare(%s): %s", argv[1], strerror(errno));
	printf("unshared %s (flags 0x%x)\n", argv[1], (unsigned)flags);
	return 0;
}
