/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red2_exchange A B: swaps two names atomically, renameat2(RENAME_EXCHANGE): A names what B
 * named and the other way round (a sensitive file swapped with an allowed one, an allowed
 * executable swapped with another program). Prints "exchanged".
 */
#include <sys/syscall.h>

#include "progs.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	prog_name = "red2_exchange";
	if (argc != 3)
		prog_usage("A B");
	if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE))
		prog_die("renameat2 %s %s: %s", argv[1], argv[2], strerror(errno));
	printf("exchanged\n");
	return 0;
}
