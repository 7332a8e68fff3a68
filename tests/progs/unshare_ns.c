/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unshare_ns FLAGS: calls unshare(2) once with FLAGS, a comma-separated list of
 * mnt,uts,ipc,net,pid,cgroup,user,time (e.g. "uts,net"). The new namespaces die with it.
 */
#include <sched.h>

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

	prog_name = "unshare_ns";
	if (argc != 2)
		prog_usage("FLAGS (comma-separated: mnt,uts,ipc,net,pid,cgroup,user,time)");
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
	if (unshare(flags) < 0)
		prog_die("unshare(%s): %s", argv[1], strerror(errno));
	printf("unshared %s (flags 0x%x)\n", argv[1], (unsigned)flags);
	return 0;
}
