// SPDX-License-Identifier: Apache-2.0
/* Telling the runtime's init work in a container from the workload's own (rtinit.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

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
 * The runtime's binary, as an exec's path or /proc/PID/exe shows it: runc installed
 * (Debian: /usr/sbin/runc), its re-exec of a copy of itself (runc 1.1: a memfd
 * "runc_cloned:/proc/self/exe", which /proc/PID/exe shows as "/memfd:... (deleted)"; or a file
 * under /run/runc/), crun. Unlike a comm, a process cannot choose it without exec'ing it.
 */
static bool runtime_path(const char *path)
{
	static const char *const exact[] = { "/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun",
					     "/usr/sbin/crun" };

	if (!strncmp(path, "/run/runc/", 10) || !strncmp(path, "memfd:runc", 10) ||
	    !strncmp(path, "/memfd:runc", 11))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		if (!strcmp(path, exact[i]))
			return true;
	}
	return false;
}

/* An exec by a runtime process that starts the runtime again (not the entrypoint). runc as
 * it shows in a container's cgroup (vg_runtime_comm): "exe" (exec'd as /proc/self/exe), "runc"
 * (its re-exec of a copy of itself), then its init stages "runc:[0:PARENT]", "runc:[1:CHILD]",
 * "runc:[2:INIT]"; crun. */
static bool runtime_reexec(const struct vigil_event *ev)
{
	const char *path = ev->exec.path ? ev->exec.path : "";

	return vg_runtime_comm(ev->proc->comm) && (!path[0] || runtime_path(path));
}

bool agent_rtinit__skip(struct agent_rtinit *r, const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	bool native;

	if (r->off || !p)
		return false;
	native = is_native(r, p->pid);
	/* the child of a process of the workload is the workload's, whatever it calls itself:
	 * its FORK may never have come (forks are de-duplicated in the kernel), and runc's init
	 * has its parent outside the container (runc, or the runtime's shim) */
	if (!native && is_native(r, p->ppid)) {
		add_native(r, p->pid);
		native = true;
	}
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
		else if (vg_runtime_comm(p->comm)) {
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
	if (native || !vg_runtime_comm(p->comm))
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

/* Does /proc/PID/exe (file) run the node's runc or crun binary itself: runc 1.1 re-executes
 * a read-only bind mount of its binary that it detaches at once (/proc/PID/exe then reads "/"),
 * the same file as the node's: seen under proc's pid 1 (the node's root from a container with
 * the host's pids), or under the agent's own root (the agent on the node; pid 1's root may be
 * out of its reach). */
static bool runtime_inode(const char *proc, const char *file)
{
	static const char *const bins[] = { "/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun",
					    "/usr/sbin/crun" };
	char root[PATH_MAX], bin[PATH_MAX + 32];
	struct stat st, b;

	if (stat(file, &st))
		return false;
	snprintf(root, sizeof(root), "%s/1/root", proc);
	for (size_t i = 0; i < 2 * sizeof(bins) / sizeof(bins[0]); i++) {
		snprintf(bin, sizeof(bin), "%s%s", i % 2 ? "" : root, bins[i / 2]);
		if (!stat(bin, &b) && b.st_dev == st.st_dev && b.st_ino == st.st_ino)
			return true;
	}
	return false;
}

/* Is pid the runtime's: it calls itself so (a comm anyone can set with prctl) and it runs the
 * runtime's binary (which it cannot choose without exec'ing it). */
static bool seed_runtime(const char *proc, unsigned int pid, const char *comm)
{
	char file[PATH_MAX], exe[PATH_MAX];
	ssize_t n;

	if (!vg_runtime_comm(comm))
		return false;
	snprintf(file, sizeof(file), "%s/%u/exe", proc, pid);
	n = readlink(file, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false; /* gone since (its exit is on its way), or no binary: the workload's */
	exe[n] = '\0';
	return runtime_path(exe) || runtime_inode(proc, file);
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
	/* a full table turns the filter off: nothing more to read */
	while (!r->off && fscanf(f, "%u", &pid) == 1) {
		/* gone since: its exit is on its way, and a pid not in the table is only skipped
		 * when it is the runtime's */
		if (!read_comm(proc, pid, comm) || seed_runtime(proc, pid, comm))
			continue;
		add_native(r, pid);
		n++;
	}
	fclose(f);
	return r->off ? -ENOSPC : n;
}
