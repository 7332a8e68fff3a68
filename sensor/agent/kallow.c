// SPDX-License-Identifier: Apache-2.0
/*
 * In-kernel allow sets for the agent's bound workloads (docs/SENSOR.md, "In-kernel allow
 * sets"): the profile in force's opens and egress peers go into the kernel with the binding,
 * so what the profile allows is decided there and never sent; a rebinding loads them again,
 * an unbinding (or the workload's end) takes them out. A failure only costs speed: the
 * workload's events are then all judged in user space.
 */
#include <errno.h>
#include <string.h>

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

	w->kallow = true; /* whatever happens below, the old entries are cleared */
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
