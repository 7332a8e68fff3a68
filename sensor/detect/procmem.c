// SPDX-License-Identifier: Apache-2.0
/*
 * R1015 by file: another process's memory opened through /proc/PID/mem (or
 * /proc/PID/task/TID/mem). The kernel asks the permission PTRACE_ATTACH needs and makes no
 * ptrace call: writing there is code injection (T1055.009), as process_vm_writev is, and
 * reading it is memory theft. A write of the process's own memory counts too: it is how code
 * is patched past W^X (the kernel writes through a read-only text mapping). Judged like
 * ptrace: whatever the open entries say, unless the profile lists `ptrace` (a debugger's
 * workload). Attempts count.
 *
 * The PID in the path is the proc mount's (a container's pid namespace), the process's is
 * the host's: a read is "another process" only when the path's PID is not the process's own
 * id in either (self under the host's proc is the common case); a container reading its own
 * memory through its own /proc would raise, which no runtime does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

/* The PID of /proc/PID/mem or /proc/PID/task/TID/mem, or 0 when path is neither. */
static unsigned long proc_mem_pid(const char *path)
{
	const char *s;
	char *end;
	unsigned long pid;

	if (strncmp(path, "/proc/", 6) != 0)
		return 0;
	pid = strtoul(path + 6, &end, 10);
	if (end == path + 6 || !pid)
		return 0;
	s = end;
	if (!strncmp(s, "/task/", 6)) {
		unsigned long tid = strtoul(s + 6, &end, 10);

		if (end == s + 6 || !tid)
			return 0;
		s = end;
	}
	return strcmp(s, "/mem") ? 0 : pid;
}

int detect_eval_procmem(struct raise *r, const char *path)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_process *p = ev->proc;
	unsigned long pid = proc_mem_pid(path);
	bool write = vigil_open_flags_write(ev->open.flags);

	if (!pid || (!write && p && pid == p->pid))
		return 0;
	if (vigil_matcher__syscall(r->b->m, "ptrace"))
		return 0;
	return detect_raise(r, VIGIL_R1015, path, "process memory %s through %s by %s%s",
			    write ? "opened for write" : "read", path, p ? p->comm : "",
			    ev->open.ret < 0 ? " (denied)" : "");
}
