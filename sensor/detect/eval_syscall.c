// SPDX-License-Identifier: Apache-2.0
/*
 * The rules of a syscall's first use (R0003), and of the ones that reach into another process
 * without ptrace (R1015).
 */
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect.h"
#include "vigil/profile.h"

/*
 * Syscalls judged by a dedicated rule on what they do, not by R0003 on their first use:
 * one deviation, one alert.
 */
static const char *const dedicated_syscalls[] = {
	"ptrace",
	"unshare",
	"bpf",
	"init_module",
	"finit_module",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"memfd_create",
	"execveat",
	NULL,
};

int detect_eval_syscall(struct raise *r)
{
	const char *name = r->ev->syscall.name;
	char buf[32];

	/* reading or writing another process's memory without ptrace(2): the kernel asks the
	 * same permission as PTRACE_ATTACH, and it is how code is injected without a ptrace
	 * event, so it is R1015's, as ptrace is (and whether or not the profile lists syscalls) */
	if (name && (!strcmp(name, "process_vm_writev") || !strcmp(name, "process_vm_readv")) &&
	    !vigil_matcher__syscall(r->b->m, name))
		return detect_raise(r, VIGIL_R1015, name, "%s: another process's memory %s by %s",
				    name, name[11] == 'w' ? "written" : "read",
				    r->ev->proc ? r->ev->proc->comm : "");
	/* taking a descriptor out of another process (its open /etc/shadow, a socket it
	 * connected): the same permission, and no open or connect in the taker */
	if (name && !strcmp(name, "pidfd_getfd") && !vigil_matcher__syscall(r->b->m, name))
		return detect_raise(r, VIGIL_R1015, name,
				    "pidfd_getfd: another process's descriptor taken by %s",
				    r->ev->proc ? r->ev->proc->comm : "");
	if (!r->b->has_syscalls)
		return 0;
	if (!name || !name[0]) {
		snprintf(buf, sizeof(buf), "syscall_%d", r->ev->syscall.nr);
		name = buf;
	}
	for (size_t i = 0; dedicated_syscalls[i]; i++) {
		if (!strcmp(name, dedicated_syscalls[i]))
			return 0;
	}
	if (vigil_matcher__syscall(r->b->m, name))
		return 0;
	/* one more harmless syscall from a known binary is not news; from a new program it is */
	if (detect_syscall_needs_context(name) && detect_known_program(r))
		return 0;
	return detect_raise(r, VIGIL_R0003, name, "unexpected syscall: %s", name);
}
