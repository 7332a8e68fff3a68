// SPDX-License-Identifier: Apache-2.0
/*
 * In-kernel allow sets for the agent's bound workloads (docs/SENSOR.md, "In-kernel allow
 * sets"): the profile in force's opens and egress peers go into the kernel with the binding,
 * so what the profile allows is decided there and never sent; a rebinding loads them again,
 * an unbinding (or the workload's end) takes them out. A failure only costs speed: the
 * workload's events are then all judged in user space. For a container enforcing R0010, the
 * sensitive files of its own image go in too, by identity, once one of its processes has the
 * container's root (vigil_sensor__kallow_root).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "vigil/kallow.h"

#define KINDS (VIGIL_KALLOW_OPEN | VIGIL_KALLOW_NET)

void agent_wl_unkallow(struct agent *a, struct wl *w)
{
	if (!w->kallow)
		return;
	vigil_sensor__clear_kallow(a->s, w->cgroup_id);
	w->kallow = false;
}

void agent_wl_kallow(struct agent *a, struct wl *w)
{
	const char *container = w->id.k8s && w->id.container_name[0] ? w->id.container_name : NULL;
	int err;

	w->kallow = true;      /* whatever happens below, the old entries are cleared */
	w->root_known = false; /* cleared with them: read again (agent_kallow_roots) */
	w->root_next = 0;
	if (!w->profile || !w->profile->good) {
		agent_wl_unkallow(a, w);
		w->kc_err = -ENOENT;
		return;
	}
	err = vigil_sensor__load_kallow(a->s, w->cgroup_id, w->profile->good, container, KINDS,
					&w->kc);
	if (err == -ENOENT && container) /* as binding: the profile's first container */
		err = vigil_sensor__load_kallow(a->s, w->cgroup_id, w->profile->good, NULL, KINDS,
						&w->kc);
	w->kc_err = err;
	if (err < 0)
		agent_logf("%s: allow sets not loaded in the kernel (%s): every event is judged in "
			   "user space",
			   w->name, strerror(-err));
}

/* Whether name (a comm, or an executable's base name) is a container runtime's. */
static bool runtime_name(const char *name)
{
	static const char *const names[] = { "runc", "crun", "conmon", "containerd-shim", NULL };

	for (size_t i = 0; names[i]; i++)
		if (!strncmp(name, names[i], strlen(names[i])))
			return true;
	/* runc re-executes itself from a sealed copy: /memfd:runc_cloned:/proc/self/exe */
	return strstr(name, "runc_cloned") != NULL;
}

/* A container runtime's own process (runc:[2:INIT] before its pivot_root, crun, conmon, a
 * shim), by its name or its executable's: its root is not the container's. */
static bool runtime_proc(long pid)
{
	char path[64], comm[32] = "", exe[PATH_MAX], *base;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (!(f = fopen(path, "re")))
		return true; /* gone */
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	if (runtime_name(comm))
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	if ((len = readlink(path, exe, sizeof(exe) - 1)) <= 0)
		return false; /* a kernel thread has none; the root decides */
	exe[len] = '\0';
	base = strrchr(exe, '/');
	return runtime_name(base ? base + 1 : exe) || strstr(exe, "runc_cloned");
}

/* Whether pid is its pid namespace's init (the container's first process: NSpid ends in 1),
 * and its start time (clock ticks since boot, field 22 of stat; 0 when unreadable). */
static bool ns_init(long pid, unsigned long long *start)
{
	char path[64], line[512], *p;
	bool init = false;
	FILE *f;

	*start = 0;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "NSpid:", 6)) {
				p = strrchr(line, '\t');
				init = p && strtol(p + 1, NULL, 10) == 1 &&
				       strchr(line + 6, '\t') != p;
				break;
			}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re"))) {
		/* the comm may hold spaces: fields counted after its closing parenthesis */
		if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')))
			sscanf(p + 1,
			       " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			       "%*d %*d %*d %llu",
			       start);
		fclose(f);
	}
	return init;
}

int agent_root_pid(const char *procs, const char *host_root)
{
	char line[32], root[64];
	struct stat me, host, st;
	unsigned long long start, best_start = 0;
	bool has_host;
	FILE *f;
	int pid = 0;

	if (stat("/", &me) || !(f = fopen(procs, "re")))
		return 0;
	has_host = host_root && host_root[0] && !stat(host_root, &host);
	for (int i = 0; i < 64 && fgets(line, sizeof(line), f); i++) {
		char *end;
		long p = strtol(line, &end, 10);
		bool init;

		if (p <= 0 || p > INT_MAX || (*end && *end != '\n'))
			continue;
		snprintf(root, sizeof(root), "/proc/%ld/root/", p);
		if (stat(root, &st) || (st.st_dev == me.st_dev && st.st_ino == me.st_ino) ||
		    (has_host && st.st_dev == host.st_dev && st.st_ino == host.st_ino) ||
		    runtime_proc(p))
			continue;
		init = ns_init(p, &start);
		if (init) {
			pid = (int)p;
			break;
		}
		if (!pid || (start && start < best_start)) {
			pid = (int)p;
			best_start = start;
		}
	}
	fclose(f);
	return pid;
}

/* The process of the workload whose root to read (agent_root_pid), 0 when none yet. */
static int root_pid(const struct agent *a, const struct wl *w)
{
	char path[PATH_MAX + 600];

	if (!w->cgroup[0] || !a->cg_root[0] ||
	    (size_t)snprintf(path, sizeof(path), "%s%s/cgroup.procs", a->cg_root, w->cgroup) >=
		    sizeof(path))
		return 0;
	return agent_root_pid(path, a->c->k8s_host_root);
}

#define ROOT_RETRY_NS 200000000ULL

static void kallow_root(struct agent *a, struct wl *w, uint64_t now)
{
	const char *container = w->id.k8s && w->id.container_name[0] ? w->id.container_name : NULL;
	struct vigil_kallow_root r;
	int pid = root_pid(a, w), err;

	w->root_next = now + ROOT_RETRY_NS;
	if (!pid)
		return;
	err = vigil_sensor__kallow_root(a->s, w->cgroup_id, w->profile->good, container, pid, &r);
	if (err == -ENOENT && container) /* as binding: the profile's first container */
		err = vigil_sensor__kallow_root(a->s, w->cgroup_id, w->profile->good, NULL, pid,
						&r);
	w->root_known = true; /* a failure is not retried in a loop: the next binding is */
	if (err < 0)
		agent_logf("%s: the sensitive files of its own root are not in the kernel (%s): an "
			   "alias of them is detected, not killed",
			   w->name, strerror(-err));
	else
		agent_logf("%s: %u sensitive file(s) of its own root known to the kernel by "
			   "identity%s",
			   w->name, r.loaded,
			   r.left_out
				   ? " (some left out: an alias of those is detected, not killed)"
				   : "");
}

void agent_kallow_roots(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->enforcing && w->kallow && !w->kc_err && !w->root_known && !w->gone &&
		    w->container_id[0] && (w->enforce_rules & VIGIL_ENFORCE_OPENS) && w->profile &&
		    w->profile->good && now >= w->root_next)
			kallow_root(a, w, now);
	}
}
