// SPDX-License-Identifier: Apache-2.0
/* What the kernel keeps per workload as bitmaps (syscalls, io_uring opcodes), as names. */
#include <errno.h>

#include "vigil/agent.h"
#include "vigil/learn.h"

int vigil_learn_kernel_sets(struct vigil_sensor *s, struct vigil_learner *l, uint64_t cgroup_id)
{
	uint64_t sys[VIGIL_SYSCALL_BITS / 64], ops[4];
	int err;

	err = vigil_sensor__syscalls(s, cgroup_id, sys, VIGIL_SYSCALL_BITS);
	for (int nr = 0; !err && nr < VIGIL_SYSCALL_BITS; nr++) {
		const char *name;

		if (!(sys[nr / 64] & (1ULL << (nr % 64))))
			continue;
		name = vigil_syscall_name(nr);
		if (name)
			err = vigil_learner__add_syscall(l, name);
	}
	if (err < 0 && err != -ENOENT)
		return err;
	err = vigil_sensor__iouring_ops(s, cgroup_id, ops);
	for (int op = 0; !err && op < 256; op++) {
		const char *name;

		if (!(ops[op / 64] & (1ULL << (op % 64))))
			continue;
		name = vigil_iouring_op_name(op);
		if (name)
			err = vigil_learner__add_iouring(l, name);
	}
	return err == -ENOENT ? 0 : err;
}
