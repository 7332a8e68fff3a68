/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write_exec PATH [SRC [ARGS...]]: writes a copy of the ELF SRC (default /bin/true) to the new
 * file PATH, makes it executable, runs it with ARGS (default none) in a child and exits with
 * its status (argv[0] is SRC's basename when ARGS are given). PATH is left in place (the caller's temp dir cleans it up). Inside a busybox
 * container: write_exec /usr/bin/dropped /bin/busybox true.
 */
#include "progs.h"

int main(int argc, char **argv)
{
	const char *src = argc > 2 ? argv[2] : "/bin/true";
	extern char **environ;
	char *def_argv[] = { argv[1], NULL };
	pid_t pid;
	int ret;

	prog_name = "write_exec";
	if (argc < 2)
		prog_usage("PATH [SRC [ARGS...]]");
	/* Written 0644 first, then chmod: "a write that creates an executable". */
	ret = prog_copy_file(src, argv[1], 0644);
	if (ret < 0)
		prog_die("copy %s to %s: %s", src, argv[1], strerror(-ret));
	if (chmod(argv[1], 0755) < 0)
		prog_die("chmod %s: %s", argv[1], strerror(errno));
	pid = fork();
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* argv[0] = basename(SRC), so a multi-call binary (busybox) finds its applet. */
		if (argc > 3 && strrchr(src, '/'))
			argv[2] = strrchr(src, '/') + 1;
		execve(argv[1], argc > 3 ? &argv[2] : def_argv, environ);
		fprintf(stderr, "%s: exec %s: %s\n", prog_name, argv[1], strerror(errno));
		_exit(127);
	}
	ret = prog_wait(pid);
	printf("ran %s: status %d\n", argv[1], ret);
	return ret;
}
