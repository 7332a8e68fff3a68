/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfd_exec [SRC [ARGS...]]: copies SRC (default /bin/true) into a memfd named "vigil-memfd"
 * and fexecve()s it with ARGS: a fileless execution. Exits with the program's status.
 */
#include <sys/mman.h>

#include "progs.h"

int main(int argc, char **argv)
{
	static char buf[65536];
	const char *src = argc > 1 ? argv[1] : "/bin/true";
	char *def_argv[] = { "true", NULL };
	char **args = argc > 2 ? &argv[2] : def_argv;
	extern char **environ;
	int in, mfd;
	ssize_t n;

	prog_name = "memfd_exec";
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		prog_die("%s: %s", src, strerror(errno));
	/* No MFD_CLOEXEC: harmless for ELF and keeps interpreters working. */
	mfd = memfd_create("vigil-memfd", 0);
	if (mfd < 0)
		prog_die("memfd_create: %s", strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(mfd, buf, (size_t)n) != n)
			prog_die("write memfd: %s", strerror(errno));
	}
	if (n < 0)
		prog_die("%s: %s", src, strerror(errno));
	close(in);
	fexecve(mfd, args, environ);
	prog_die("fexecve: %s", strerror(errno));
}
