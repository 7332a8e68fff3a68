/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devshm_exec [DIR [SRC]]: copies SRC (default /bin/true) to DIR (default /dev/shm) as
 * vigil-shm-PID, runs it in a child, then removes it. Exits with the child's status.
 */
#include "progs.h"

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/dev/shm";
	const char *src = argc > 2 ? argv[2] : "/bin/true";
	char path[PATH_MAX];
	pid_t pid;
	int ret;

	prog_name = "devshm_exec";
	snprintf(path, sizeof(path), "%s/vigil-shm-%d", dir, (int)getpid());
	ret = prog_copy_file(src, path, 0755);
	if (ret < 0)
		prog_die("copy %s to %s: %s", src, path, strerror(-ret));
	pid = fork();
	if (pid < 0) {
		unlink(path);
		prog_die("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		execl(path, "true", (char *)NULL);
		fprintf(stderr, "%s: exec %s: %s\n", prog_name, path, strerror(errno));
		_exit(127);
	}
	ret = prog_wait(pid);
	unlink(path);
	printf("ran %s: status %d\n", path, ret);
	return ret;
}
