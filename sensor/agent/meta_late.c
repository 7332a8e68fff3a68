// SPDX-License-Identifier: Apache-2.0
/*
 * A container its engine did not describe in time.
 *
 * Bindings by label or image, the Kubescape user-defined-profile label and the container's
 * name come from the engine (`podman inspect`, bounded to a few seconds: meta.c). On a loaded
 * node the engine can miss that bound; the container would then fall through to learning (or
 * be ignored) as if nothing bound it, and a workload its operator put under a reviewed,
 * enforced profile would instead learn whatever it does now as normal. So the engine is asked
 * again until it answers or META_GIVE_UP_NS has passed; when it answers and a binding names
 * the container, the binding wins over what was learned meanwhile.
 *
 * These questions never block the agent's loop (a slow engine is the reason they exist):
 * each is started, then polled from the rescan, one in flight at a time, each with a longer
 * bound than the first question's.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

#define META_RETRY_NS	   2000000000ULL   /* between two questions about one container */
#define META_GIVE_UP_NS	   300000000000ULL /* then the container stays as it is, said in the log */
#define META_LATE_BOUND_MS 30000L	   /* one question in flight may take this long */

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
			   "unknown): bindings by label or image wait; asked again for %llus",
			   w->name, META_GIVE_UP_NS / 1000000000ULL);
	}
	w->meta_retry_at = now + META_RETRY_NS;
}

bool agent_meta_pending(const struct wl *w)
{
	return w->meta_retry_at || w->meta_q;
}

void agent_meta_forget(struct wl *w)
{
	vigil_meta_query__free(w->meta_q);
	w->meta_q = NULL;
	w->meta_retry_at = 0;
}

void agent_meta_warnings(struct wl *w)
{
	for (char *line = w->meta.warnings, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		agent_logf("%s: %.*s", w->name, (int)(nl - line), line);
	}
	free(w->meta.warnings);
	w->meta.warnings = NULL;
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
	agent_meta_warnings(w);
	if (agent_find_binding(a, w, file, sizeof(file)))
		agent_wl_rebind(a, w, file);
}

/* The question in flight about w: answered, still out, or failed. */
static void poll_question(struct agent *a, struct wl *w, uint64_t now)
{
	int e = vigil_meta_query__poll(w->meta_q, &w->meta);

	if (e == -EAGAIN)
		return;
	vigil_meta_query__free(w->meta_q);
	w->meta_q = NULL;
	if (!e) {
		w->has_meta = true;
		described(a, w);
	} else if (e == -ETIMEDOUT && now < w->meta_give_up) {
		w->meta_retry_at = now + META_RETRY_NS;
	} else {
		agent_logf("%s: its engine never described it (%s): bindings by label or image "
			   "are not applied to it",
			   w->name, strerror(-e));
	}
}

void agent_meta_retry(struct agent *a, uint64_t now)
{
	struct wl *due = NULL;
	bool in_flight = false;

	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->gone) {
			agent_meta_forget(w);
			continue;
		}
		if (w->meta_q)
			poll_question(a, w, now);
		in_flight |= w->meta_q != NULL;
		if (!due && w->meta_retry_at && now >= w->meta_retry_at)
			due = w;
	}
	/* one question in flight at a time: a slow engine is not asked harder */
	if (in_flight || !due)
		return;
	due->meta_retry_at = 0;
	if (vigil_meta_query__start(due->container_id, false, META_LATE_BOUND_MS, &due->meta_q) < 0)
		due->meta_retry_at = now + META_RETRY_NS;
}
