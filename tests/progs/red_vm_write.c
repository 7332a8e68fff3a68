/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red_vm_write none|write|read: forks a child that waits, then (write) changes a word of the
 * child's memory with process_vm_writev, or (read) reads it with process_vm_readv: code
 * injection and memory theft without ptrace(2). none does the same without touching the
 * child. The child prints the word it holds at the end ("word N"): 7, or 42 after write.
 */
#include <sys/uio.h>
#include <sys/wait.h>

#include "progs.h"

static volatile long word = 7;

int main(int argc, char **argv)
{
	long val = 42, got = 0;
	int go[2], st;
	pid_t pid;
	char c;

	prog_name = "red_vm_write";
	if (argc != 2 ||
	    (strcmp(argv[1], "none") && strcmp(argv[1], "write") && strcmp(argv[1], "read")))
		prog_usage("none|write|read");
	if (pipe(go))
		prog_die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		printf("word %ld\n", word);
		fflush(stdout);
		_exit(0);
	}
	close(go[0]);
	if (strcmp(argv[1], "none")) {
		struct iovec local = { strcmp(argv[1], "write") ? (void *)&got : (void *)&val,
				       sizeof(long) };
		struct iovec remote = { (void *)&word, sizeof(long) };
		ssize_t n = !strcmp(argv[1], "write")
				    ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
				    : process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n != sizeof(long))
			prog_die("process_vm_%sv: %s", argv[1], strerror(errno));
	}
	if (write(go[1], "x", 1) != 1)
		prog_die("write: %s", strerror(errno));
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
