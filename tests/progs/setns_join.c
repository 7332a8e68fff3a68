/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setns_join [NSFILE]: opens a namespace file (default /proc/self/ns/uts, i.e. its own) and
 * calls setns(2) on it. Joining one's own namespace is harmless but still a setns call.
 * setns_join --pidfd PID: joins PID's mount and network namespaces in one call, by a pidfd
 * (pidfd_open + setns(pidfd, CLONE_NEWNS | CLONE_NEWNET)), the spelling with no namespace file.
 */
#include <sched.h>
#include <sys/syscall.h>

#include "progs.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/self/ns/uts";
	int fd, flags = 0;

	prog_name = "setns_join";
	if (argc > 3 || (argc == 3 && strcmp(argv[1], "--pidfd") != 0))
		prog_usage("[NSFILE] | --pidfd PID");
	if (argc == 3) {
		path = argv[2];
		fd = (int)syscall(SYS_pidfd_open, (pid_t)strtol(argv[2], NULL, 10), 0);
		flags = CLONE_NEWNS | CLONE_NEWNET;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		prog_die("%s: %s", path, strerror(errno));
	if (setns(fd, flags) < 0)
		prog_die("setns %s: %s", path, strerror(errno));
	close(fd);
	printf("joined %s\n", path);
	return 0;
}
