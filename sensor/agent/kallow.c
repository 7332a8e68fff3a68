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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* A process of the workload whose root is not the agent's (the container's, once runc has
 * pivoted into it); 0 when none has it yet. */
static int root_pid(const struct agent *a, const struct wl *w)
{
	char path[PATH_MAX + 600], line[32], root[64];
	struct stat me, st;
	FILE *f;
	int pid = 0;

	if (!w->cgroup[0] || !a->cg_root[0] || stat("/", &me) ||
	    (size_t)snprintf(path, sizeof(path), "%s%s/cgroup.procs", a->cg_root, w->cgroup) >=
		    sizeof(path) ||
	    !(f = fopen(path, "re")))
		return 0;
	for (int i = 0; !pid && i < 16 && fgets(line, sizeof(line), f); i++) {
		char *end;
		long p = strtol(line, &end, 10);

		if (p <= 0 || p > INT_MAX || (*end && *end != '\n'))
			continue;
		snprintf(root, sizeof(root), "/proc/%ld/root/", p);
		if (!stat(root, &st) && (st.st_dev != me.st_dev || st.st_ino != me.st_ino))
			pid = (int)p;
	}
	fclose(f);
	return pid;
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
		    w->container_id[0] && (w->enforce_rules & VIGIL_ENFORCE_SENSITIVE) &&
		    w->profile && w->profile->good && now >= w->root_next)
			kallow_root(a, w, now);
	}
}
