/* SPDX-License-Identifier: Apache-2.0 */
/*
 * renamed NAME prctl|procfs open PATH | unshare | symlink TARGET LINK: renames itself to NAME
 * (the kernel's comm, what `ps` shows) with prctl(PR_SET_NAME) or by writing /proc/self/comm,
 * checks that the name took, then opens PATH and reads a byte, unshares its UTS namespace, or
 * makes LINK a symlink to TARGET. What any process can do to look like another: an exemption
 * by name must not follow it.
 */
#include <sched.h>
#include <sys/prctl.h>

#include "progs.h"

#define USAGE "NAME prctl|procfs open PATH | unshare | symlink TARGET LINK"

static void set_name(const char *how, const char *name)
{
	char got[32] = "";
	int fd;

	if (!strcmp(how, "prctl")) {
		if (prctl(PR_SET_NAME, name, 0, 0, 0))
			prog_die("prctl: %s", strerror(errno));
	} else if (!strcmp(how, "procfs")) {
		fd = open("/proc/self/comm", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, name, strlen(name)) < 0)
			prog_die("/proc/self/comm: %s", strerror(errno));
		close(fd);
	} else {
		prog_usage(USAGE);
	}
	if (prctl(PR_GET_NAME, got, 0, 0, 0) || strncmp(got, name, 15))
		prog_die("name is '%s', not '%s'", got, name);
}

int main(int argc, char **argv)
{
	char c;
	int fd;

	prog_name = "renamed";
	if (argc < 4)
		prog_usage(USAGE);
	set_name(argv[2], argv[1]);
	if (!strcmp(argv[3], "open") && argc == 5) {
		fd = open(argv[4], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			prog_die("%s: %s", argv[4], strerror(errno));
		if (read(fd, &c, 1) < 0)
			prog_die("read %s: %s", argv[4], strerror(errno));
		close(fd);
	} else if (!strcmp(argv[3], "unshare") && argc == 4) {
		if (unshare(CLONE_NEWUTS))
			prog_die("unshare: %s", strerror(errno));
	} else if (!strcmp(argv[3], "symlink") && argc == 6) {
		if (symlink(argv[4], argv[5]))
			prog_die("symlink %s: %s", argv[5], strerror(errno));
	} else {
		prog_usage(USAGE);
	}
	printf("done as %s\n", argv[1]);
	return 0;
}
