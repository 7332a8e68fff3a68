/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red2_map_exec: maps a file's pages executable, as the dynamic loader does for a library
 * (dlopen, LD_PRELOAD), without the loader (the programs are static).
 *   map FILE        open FILE and mmap it PROT_READ|PROT_EXEC
 *   mprotect FILE   mmap it PROT_READ, then mprotect to PROT_READ|PROT_EXEC
 *   drop SRC DST    copy SRC to a new file DST (written by this process), then map DST
 *   memfd SRC       copy SRC into a memfd, then map it through /proc/self/fd/N (fileless)
 * Prints "mapped PATH" once the pages are executable.
 */
#include <stdbool.h>
#include <sys/mman.h>

#include "progs.h"

static void copy(const char *src, int out)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (in < 0)
		prog_die("open %s: %s", src, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			prog_die("write: %s", strerror(errno));
	if (n < 0)
		prog_die("read %s: %s", src, strerror(errno));
	close(in);
}

static void map_exec(const char *path, bool by_mprotect)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st))
		prog_die("open %s: %s", path, strerror(errno));
	p = mmap(NULL, (size_t)st.st_size, by_mprotect ? PROT_READ : PROT_READ | PROT_EXEC,
		 MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		prog_die("mmap %s: %s", path, strerror(errno));
	if (by_mprotect && mprotect(p, (size_t)st.st_size, PROT_READ | PROT_EXEC))
		prog_die("mprotect %s: %s", path, strerror(errno));
	printf("mapped %s\n", path);
	munmap(p, (size_t)st.st_size);
	close(fd);
}

int main(int argc, char **argv)
{
	char path[64];
	int fd;

	prog_name = "red2_map_exec";
	if (argc == 3 && !strcmp(argv[1], "map")) {
		map_exec(argv[2], false);
	} else if (argc == 3 && !strcmp(argv[1], "mprotect")) {
		map_exec(argv[2], true);
	} else if (argc == 4 && !strcmp(argv[1], "drop")) {
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			prog_die("create %s: %s", argv[3], strerror(errno));
		copy(argv[2], fd);
		close(fd);
		map_exec(argv[3], false);
	} else if (argc == 3 && !strcmp(argv[1], "memfd")) {
		fd = memfd_create("lib", MFD_CLOEXEC);
		if (fd < 0)
			prog_die("memfd_create: %s", strerror(errno));
		copy(argv[2], fd);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		map_exec(path, false);
	} else {
		prog_usage("map FILE | mprotect FILE | drop SRC DST | memfd SRC");
	}
	return 0;
}
