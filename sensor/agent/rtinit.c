// SPDX-License-Identifier: Apache-2.0
/* Telling the runtime's init work in a container from the workload's own (rtinit.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/sensor_abi.h"
#include "sensor/agent/rtinit.h"

static bool is_native(const struct agent_rtinit *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->native[i] == pid)
			return true;
	}
	return false;
}

/* A process of the workload that exited: its slot is free (the table holds the living). */
static void drop_native(struct agent_rtinit *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->native[i] == pid) {
			r->native[i] = r->native[--r->n];
			return;
		}
	}
}

static void add_native(struct agent_rtinit *r, uint32_t pid)
{
	if (is_native(r, pid))
		return;
	if (r->n >= AGENT_RTINIT_PIDS) {
		r->off = true; /* a reused slot could hide a renamed process: check everything */
		return;
	}
	r->native[r->n++] = pid;
}

/*
 * runc as it shows in a container's cgroup: "exe" (exec'd as /proc/self/exe), "runc" (its
 * re-exec of a copy of itself, /run/runc/<id>/runc.XXXXXX or a memfd), then its init stages
 * "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]"; crun. The kernel's list (one for the
 * sensor and the agent).
 */
static bool runtime_comm(const char *comm)
{
	return vg_runtime_comm(comm);
}

/* An exec by a runtime process that starts the runtime again (not the entrypoint). */
static bool runtime_reexec(const struct vigil_event *ev)
{
	const char *path = ev->exec.path ? ev->exec.path : "";

	return runtime_comm(ev->proc->comm) &&
	       (!path[0] || !strncmp(path, "/run/runc/", 10) || !strncmp(path, "memfd:runc", 10) ||
		!strcmp(path, "/usr/sbin/runc") || !strcmp(path, "/usr/bin/runc"));
}

bool agent_rtinit__skip(struct agent_rtinit *r, const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	bool native;

	if (r->off || !p)
		return false;
	native = is_native(r, p->pid);
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		if (!native && runtime_reexec(ev)) {
			r->skipped++;
			return true;
		}
		/* the entrypoint (or an exec'd command): the workload's first instruction */
		add_native(r, p->pid);
		return false;
	case VIGIL_EV_FORK:
		/* runc's init stages fork inside the cgroup: their children are the runtime's too */
		if (native)
			add_native(r, ev->fork.child_pid);
		else if (runtime_comm(p->comm)) {
			r->skipped++;
			return true;
		}
		return false;
	case VIGIL_EV_EXIT:
		/* a busy workload's short-lived children must not fill the table: with it off,
		 * every exec into the container (runc's Go init) would be judged as the
		 * workload's (R0003, R0004 beside R2000) */
		if (native) {
			drop_native(r, p->pid);
			return false;
		}
		break;
	default:
		break;
	}
	if (native || !runtime_comm(p->comm))
		return false;
	r->skipped++;
	return true;
}

/* /proc/PID/comm into comm (16 bytes); false when the process is gone */
static bool read_comm(const char *proc, unsigned int pid, char comm[16])
{
	char file[64];
	FILE *f;
	bool ok;

	snprintf(file, sizeof(file), "%s/%u/comm", proc, pid);
	f = fopen(file, "re");
	if (!f)
		return false;
	memset(comm, 0, 16);
	ok = fgets(comm, 16, f) != NULL;
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return ok;
}

int agent_rtinit__seed(struct agent_rtinit *r, const char *procs, const char *proc)
{
	FILE *f = fopen(procs, "re");
	unsigned int pid;
	char comm[16];
	int n = 0;

	r->n = 0;
	if (!f) {
		r->off = true;
		return -errno;
	}
	r->off = false;
	while (fscanf(f, "%u", &pid) == 1) {
		/* gone since: its exit is on its way, and a pid not in the table is only skipped
		 * when it is the runtime's */
		if (!read_comm(proc, pid, comm) || runtime_comm(comm))
			continue;
		add_native(r, pid);
		n++;
	}
	fclose(f);
	return r->off ? -ENOSPC : n;
}
