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
 * The PID in the path is the proc mount's, the process's is the host's: a read is "another
 * process" only when the path's PID is not the process's own id in the namespace of the
 * mount the path went through. The host's (self under the host's proc) is in the record;
 * a container's process reading its own memory through its own /proc (a JIT, a runtime
 * reading /proc/self/mem, which a container sees as /proc/1/mem) is its id in its own pid
 * namespace, the last of its status's NSpid, read when the open is judged. That id is taken
 * only when the process's /proc is not the host's (the agent's pid namespace): a container
 * given the host's /proc would otherwise name a host process by its own container id. A
 * process gone before its open is judged has only its host id: it raises.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The process's id in its own (innermost) pid namespace, from /proc/HOSTPID/status's NSpid
 * line; 0 when it is not known (gone, no such line). */
static unsigned long own_ns_pid(unsigned long hostpid)
{
	char file[48], line[256];
	unsigned long last = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%lu/status", hostpid);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + 6, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (;;) {
			unsigned long v = strtoul(s, &end, 10);

			if (end == s)
				break;
			last = v;
			s = end;
		}
		break;
	}
	fclose(f);
	return last;
}

/* Is the proc mount at /proc under the process's root a pid namespace's other than the
 * agent's (the host's)? Its "self" names the agent there only if the agent is in it. */
static bool proc_is_own_ns(unsigned long hostpid)
{
	char link[64], to[32], me[32];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%lu/root/proc/self", hostpid);
	n = readlink(link, to, sizeof(to) - 1);
	if (n < 0)
		return errno == ENOENT; /* the agent has no id in that proc's namespace */
	to[n] = '\0';
	snprintf(me, sizeof(me), "%ld", (long)getpid());
	return strcmp(to, me) != 0;
}

/* Is pid (the path's) the process's own? */
static bool own_pid(const struct vigil_process *p, unsigned long pid)
{
	unsigned long ns;

	if (!p)
		return false;
	if (pid == p->pid)
		return true;
	ns = own_ns_pid(p->pid);
	return ns && ns != p->pid && pid == ns && proc_is_own_ns(p->pid);
}

int detect_eval_procmem(struct raise *r, const char *path)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_process *p = ev->proc;
	unsigned long pid = proc_mem_pid(path);
	bool write = vigil_open_flags_write(ev->open.flags);

	if (!pid || (!write && own_pid(p, pid)))
		return 0;
	if (vigil_matcher__syscall(r->b->m, "ptrace"))
		return 0;
	return detect_raise(r, VIGIL_R1015, path, "process memory %s through %s by %s%s",
			    write ? "opened for write" : "read", path, p ? p->comm : "",
			    ev->open.ret < 0 ? " (denied)" : "");
}
