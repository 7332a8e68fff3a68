/* SPDX-License-Identifier: Apache-2.0 */
/*
 * link_to sym|hard TARGET LINKPATH: creates LINKPATH as a symbolic or hard link to TARGET
 * (e.g. TARGET=/etc/shadow), replacing an existing LINKPATH. Nothing is read through it.
 */
#include "progs.h"

int main(int argc, char **argv)
{
	int hard;

	prog_name = "link_to";
	if (argc != 4 || (strcmp(argv[1], "sym") && strcmp(argv[1], "hard")))
		prog_usage("sym|hard TARGET LINKPATH");
	hard = !strcmp(argv[1], "hard");
	if (unlink(argv[3]) < 0 && errno != ENOENT)
		prog_die("%s: %s", argv[3], strerror(errno));
	if ((hard ? link(argv[2], argv[3]) : symlink(argv[2], argv[3])) < 0)
		prog_die("%slink %s -> %s: %s", hard ? "" : "sym", argv[3], argv[2],
			 strerror(errno));
	printf("%s link %s -> %s\n", argv[1], argv[3], argv[2]);
	return 0;
}
