// SPDX-License-Identifier: Apache-2.0
/*
 * A container its engine did not describe in time.
 *
 * Bindings by label or image, the Kubescape user-defined-profile label and the container's
 * name come from the engine (`podman inspect`, bounded to a few seconds: meta.c). On a loaded
 * node the engine can miss that bound; the container would then fall through to learning (or
 * be ignored) as if nothing bound it, and a workload its operator put under a reviewed,
 * enforced profile would instead learn whatever it does now as normal. So the engine is asked
 * again from the rescan, one container per rescan (each question blocks the agent's loop for
 * up to its bound), until it answers or META_GIVE_UP_NS has passed; when it answers and a
 * binding names the container, the binding wins over what was learned meanwhile.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

#define META_RETRY_NS	2000000000ULL	/* between two questions about one container */
#define META_GIVE_UP_NS 300000000000ULL /* then the container stays as it is, said in the log */

void agent_meta_late(struct agent *a, struct wl *w, int err)
{
	uint64_t now = agent_mono_ns();

	(void)a;
	/* only a timeout is worth asking again: an engine that says "no such container" (or
	 * is not installed) will say it again */
	if (err != -ETIMEDOUT || w->gone)
		return;
	if (!w->meta_give_up) {
		w->meta_give_up = now + META_GIVE_UP_NS;
		agent_logf("%s: its engine did not describe it in time (name, image, labels "
			   "unknown): bindings by label or image wait; asked again every %llus "
			   "for %llus",
			   w->name, META_RETRY_NS / 1000000000ULL, META_GIVE_UP_NS / 1000000000ULL);
	}
	w->meta_retry_at = now + META_RETRY_NS;
}

/* The engine answered: the container's name, then what binds it now. */
static void described(struct agent *a, struct wl *w)
{
	char file[PATH_MAX];

	/* a name taken from the id (agent_new_container) gives way to the engine's */
	if (w->meta.name[0] && !strncmp(w->name, w->container_id, strlen(w->name))) {
		if (w->state == WL_LEARNING)
			agent_drop_checkpoint(a, w); /* its file is named after the workload */
		agent_logf("%s: described by its engine late: %s", w->name, w->meta.name);
		vigil_strlcpy(w->name, w->meta.name, sizeof(w->name));
	}
	if (agent_find_binding(a, w, file, sizeof(file)))
		agent_wl_rebind(a, w, file);
}

void agent_meta_retry(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];
		int e;

		if (!w->meta_retry_at || now < w->meta_retry_at)
			continue;
		w->meta_retry_at = 0;
		if (w->gone)
			continue;
		e = vigil_container_meta__get(w->container_id, &w->meta);
		if (!e) {
			w->has_meta = true;
			described(a, w);
		} else if (e == -ETIMEDOUT && agent_mono_ns() < w->meta_give_up) {
			w->meta_retry_at = agent_mono_ns() + META_RETRY_NS;
		} else {
			agent_logf("%s: its engine never described it (%s): bindings by label or "
				   "image are not applied to it",
				   w->name, strerror(-e));
		}
		return; /* one question per rescan: each can block the loop for its bound */
	}
}
