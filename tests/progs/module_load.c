/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module_load [finit [FILE] | init]: attempts to load a kernel module that cannot load:
 * finit_module(2) on FILE (default /dev/null) or init_module(2) on 64 junk bytes. The attempt
 * is what a sensor must see; exits 0 when the kernel refused it (as it always should).
 */
#include <sys/syscall.h>

#include "progs.h"

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "finit";
	long ret;

	prog_name = "module_load";
	if (!strcmp(mode, "finit")) {
		const char *path = argc > 2 ? argv[2] : "/dev/null";
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			prog_die("%s: %s", path, strerror(errno));
		ret = syscall(SYS_finit_module, fd, "", 0);
		close(fd);
	} else if (!strcmp(mode, "init")) {
		static const char junk[64] = "not an ELF module";

		ret = syscall(SYS_init_module, junk, sizeof(junk), "");
	} else {
		prog_usage("[finit [FILE] | init]");
	}
	if (ret == 0)
		prog_die("the kernel accepted a module it should have refused");
	printf("%s_module refused: %s\n", mode, strerror(errno));
	return 0;
}
