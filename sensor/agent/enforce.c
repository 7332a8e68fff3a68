// SPDX-License-Identifier: Apache-2.0
/*
 * Enforcement for the agent's bound workloads (docs/ENFORCEMENT.md): a binding's `enforce:`
 * rules are loaded into the kernel with the profile in force (its exec paths into the allow
 * set), after the rails on the profile; a profile that changes is loaded again, one that can
 * no longer be used takes enforcement with it. The node-wide switch file is checked every
 * loop (at most 50 ms).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "vigil/harden.h"
#include "vigil/kallow.h"

void agent_wl_unenforce(struct agent *a, struct wl *w)
{
	if (!w->enforcing)
		return;
	vigil_sensor__set_enforce(a->s, w->cgroup_id, NULL);
	w->enforcing = false;
}

struct allow {
	struct agent *a;
	uint64_t cgroup_id;
};

static int allow_exec(const char *path, void *arg)
{
	struct allow *al = arg;

	return vigil_sensor__allow_exec(al->a->s, al->cgroup_id, path);
}

void agent_wl_enforce(struct agent *a, struct wl *w)
{
	struct vigil_enforce enf = { .rules = w->enforce_rules, .kill = w->enforce_kill };
	struct allow al = { a, w->cgroup_id };
	const char *container = w->id.k8s && w->id.container_name[0] ? w->id.container_name : NULL;
	char why[256];
	int err;

	/* a reloaded profile: the old allow set goes first */
	agent_wl_unenforce(a, w);
	if (!w->enforce_rules || !w->profile || !w->profile->good)
		return;
	if (vigil_harden__enforceable(w->profile->good, why, sizeof(why)) < 0) {
		agent_logf("%s: not enforcing: %s; alerts only", w->name, why);
		return;
	}
	/* opens, egress, io_uring: compared with the allow sets the binding loaded (kallow.c) */
	if (enf.rules & (VIGIL_ENFORCE_OPENS | VIGIL_ENFORCE_EGRESS | VIGIL_ENFORCE_IOURING)) {
		if (w->kc_err < 0) {
			agent_logf(
				"%s: not enforcing: the allow sets did not load (%s); alerts only",
				w->name, strerror(-w->kc_err));
			return;
		}
		if (vigil_kallow__enforceable(&w->kc, enf.rules, why, sizeof(why)) < 0) {
			agent_logf("%s: not enforcing: %s; alerts only", w->name, why);
			return;
		}
		memcpy(enf.uring_allow, w->kc.uring_allow, sizeof(enf.uring_allow));
	}
	if (enf.rules & (VIGIL_ENFORCE_EXEC | VIGIL_ENFORCE_UPPER)) {
		err = vigil_harden__exec_paths(w->profile->good, container, allow_exec, &al, why,
					       sizeof(why));
		if (err == -ENOENT && container) /* as binding: the profile's first container */
			err = vigil_harden__exec_paths(w->profile->good, NULL, allow_exec, &al, why,
						       sizeof(why));
		if (err < 0) {
			vigil_sensor__set_enforce(a->s, w->cgroup_id, NULL);
			agent_logf("%s: not enforcing: %s; alerts only", w->name,
				   err == -EINVAL || err == -ENOENT ? why : strerror(-err));
			return;
		}
	}
	err = vigil_sensor__set_enforce(a->s, w->cgroup_id, &enf);
	if (err < 0) {
		vigil_sensor__set_enforce(a->s, w->cgroup_id, NULL);
		agent_logf("%s: not enforcing: %s; alerts only", w->name, strerror(-err));
		return;
	}
	w->enforcing = true;
	agent_logf("%s: enforcing (%s)", w->name, enf.kill ? "kill" : "dry-run");
}

void agent_enforce_switch(struct agent *a)
{
	const char *f = a->c->enforce_switch;
	bool off = f && f[0] && access(f, F_OK) == 0;

	if (off == a->enforce_off)
		return;
	a->enforce_off = off;
	vigil_sensor__set_enforce_off(a->s, off);
	agent_logf("enforcement %s by the node-wide switch (%s)", off ? "turned off" : "back on",
		   f);
}
