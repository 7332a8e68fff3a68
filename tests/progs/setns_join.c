/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setns_join [NSFILE]: opens a namespace file (default /proc/self/ns/uts, i.e. its own) and
 * calls setns(2) on it. Joining one's own namespace is harmless but still a setns call.
 */
#include <sched.h>

#include "progs.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/self/ns/uts";
	int fd;

	prog_name = "setns_join";
	if (argc > 2)
		prog_usage("[NSFILE]");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		prog_die("%s: %s", path, strerror(errno));
	if (setns(fd, 0) < 0)
		prog_die("setns %s: %s", path, strerror(errno));
	close(fd);
	printf("joined %s\n", path);
	return 0;
}
