// SPDX-License-Identifier: Apache-2.0
/*
 * A new container while its engine is asked who it is.
 *
 * Its name, image and labels (what bindings match, docs/AGENT.md §3) come from `podman
 * inspect`, which can take seconds on a loaded node. The agent's loop does not wait for it:
 * the question is started and polled every loop iteration, and meanwhile the container is
 * "naming": its events are held (copied) in a bounded queue. When the engine answers, the
 * container takes its name and what binds it, and its held events are judged in order as if
 * they had just arrived: a container bound by label to an enforced profile is judged for what
 * it did in its first milliseconds, not learned. When the engine does not answer within
 * engine_timeout (5 s) of the container's discovery, the container goes on without a name
 * (learning under its id, or bound by cgroup or name) and meta_late.c keeps asking. Other
 * workloads' events never wait for an answer.
 *
 * The queue is bounded per container and for the node: what does not fit is dropped, counted
 * (status file, metrics) and reported by the V0002 health alert, never in silence.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

#define NAMING_QUESTIONS    4		/* in flight at once: a slow engine is not asked harder */
#define HELD_MAX_EVENTS	    2048	/* held per container */
#define HELD_MAX_BYTES	    (1u << 20)	/* held per container */
#define HELD_NODE_MAX_BYTES (16u << 20) /* held for all containers being named */

struct held {
	struct held *next;
	size_t size;
	struct vigil_event *ev; /* owns what it points to (vigil_event__dup) */
};

void agent_naming_start(struct agent *a, struct wl *w, bool complete)
{
	w->state = WL_NAMING;
	w->meta_asked = true;
	w->naming_complete = complete;
	w->naming_deadline = agent_mono_ns() + a->c->engine_timeout_ns;
	a->naming.now++;
	/* the question itself starts from agent_naming_poll, within the bound on questions */
}

int agent_naming_hold(struct agent *a, struct wl *w, const struct vigil_event *ev)
{
	struct vigil_event *copy;
	struct held *h;
	size_t size;

	if (w->nheld >= HELD_MAX_EVENTS || w->held_bytes >= HELD_MAX_BYTES)
		goto drop;
	copy = vigil_event__dup(ev, &size);
	h = copy ? malloc(sizeof(*h)) : NULL;
	if (!h || w->held_bytes + size > HELD_MAX_BYTES ||
	    a->naming.held_bytes + size > HELD_NODE_MAX_BYTES) {
		free(copy);
		free(h);
		goto drop;
	}
	h->next = NULL;
	h->size = size;
	h->ev = copy;
	if (w->held_tail)
		w->held_tail->next = h;
	else
		w->held = h;
	w->held_tail = h;
	w->nheld++;
	w->held_bytes += size;
	a->naming.held_bytes += size;
	a->naming.held_total++;
	return 0;
drop:
	if (!w->held_dropped)
		agent_logf(
			"%s: more events than its queue holds (%u events, %u KiB; %u KiB for the "
			"node) while its engine is asked who it is: the rest are dropped, "
			"counted (V0002)",
			w->name, HELD_MAX_EVENTS, HELD_MAX_BYTES >> 10, HELD_NODE_MAX_BYTES >> 10);
	w->held_dropped++;
	a->naming.dropped++;
	return 0;
}

/* Frees w's held events without judging them. */
static void drop_held(struct agent *a, struct wl *w)
{
	while (w->held) {
		struct held *h = w->held;

		w->held = h->next;
		a->naming.held_bytes -= h->size;
		free(h->ev);
		free(h);
	}
	w->held_tail = NULL;
	w->nheld = 0;
	w->held_bytes = 0;
}

/* w's held events, in the order they came, through what w is now. */
static void replay(struct agent *a, struct wl *w)
{
	while (w->held) {
		struct held *h = w->held;

		w->held = h->next;
		if (!w->held)
			w->held_tail = NULL;
		w->nheld--;
		w->held_bytes -= h->size;
		a->naming.held_bytes -= h->size;
		/* the event's workload name is the sensor's: alerts take the agent's (bind) */
		if (agent_judge(a, w, h->ev) == -ENOMEM)
			agent_logf("%s: out of memory judging a held event", w->name);
		a->naming.replayed++;
		free(h->ev);
		free(h);
	}
}

/* The question is over (err 0: answered into w->meta): w becomes what it is, then judges
 * what it did meanwhile. */
static void named(struct agent *a, struct wl *w, int err)
{
	vigil_meta_query__free(w->name_q);
	w->name_q = NULL;
	a->naming.now--;
	if (!err) {
		w->has_meta = true;
		a->naming.answered++;
		/* a name taken from the id gives way to the engine's (a pod's stays its pod's) */
		if (w->meta.name[0] && !strncmp(w->name, w->container_id, strlen(w->name)))
			vigil_strlcpy(w->name, w->meta.name, sizeof(w->name));
		agent_meta_warnings(w);
	} else {
		vigil_container_meta__release(&w->meta);
		memset(&w->meta, 0, sizeof(w->meta));
		if (err == -ETIMEDOUT)
			a->naming.timeouts++;
		agent_meta_late(a, w, err);
	}
	agent_wl_settle(a, w, w->naming_complete);
	replay(a, w);
}

/* Polls w's question; starts it when a slot is free. true while w is still being named. */
static bool poll_one(struct agent *a, struct wl *w, uint64_t now, size_t *in_flight)
{
	int e;

	if (!w->name_q) {
		if (now >= w->naming_deadline) {
			named(a, w, -ETIMEDOUT);
			return false;
		}
		if (*in_flight >= NAMING_QUESTIONS)
			return true;
		e = vigil_meta_query__start(w->container_id, false,
					    (long)((w->naming_deadline - now) / 1000000ULL),
					    &w->name_q);
		if (e < 0) {
			named(a, w, e);
			return false;
		}
		w->name_docker = false;
	}
	e = vigil_meta_query__poll(w->name_q, &w->meta);
	if (e == -EAGAIN) {
		(*in_flight)++;
		return true;
	}
	/* no podman, or it does not know the container: docker's turn (not after a timeout:
	 * the same slow node would only be asked harder) */
	if (e && e != -ETIMEDOUT && !w->name_docker && now < w->naming_deadline) {
		vigil_meta_query__free(w->name_q);
		w->name_q = NULL;
		if (!vigil_meta_query__start(w->container_id, true,
					     (long)((w->naming_deadline - now) / 1000000ULL),
					     &w->name_q)) {
			w->name_docker = true;
			(*in_flight)++;
			return true;
		}
	}
	named(a, w, e);
	return false;
}

void agent_naming_poll(struct agent *a)
{
	size_t in_flight = 0;
	uint64_t now;

	if (!a->naming.now)
		return;
	now = agent_mono_ns();
	/* the questions in flight first, so a slot one frees goes to the next in line */
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->state == WL_NAMING && w->name_q)
			poll_one(a, w, now, &in_flight);
	}
	for (size_t i = 0; i < a->nwl && a->naming.now; i++) {
		struct wl *w = a->wl[i];

		if (w->state == WL_NAMING && !w->name_q)
			poll_one(a, w, now, &in_flight);
	}
}

void agent_naming_forget(struct agent *a, struct wl *w)
{
	drop_held(a, w);
	if (w->state == WL_NAMING) {
		vigil_meta_query__free(w->name_q);
		w->name_q = NULL;
		a->naming.now--;
		w->state = WL_IGNORED;
	}
}

json_t *agent_naming_status(const struct agent *a)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}}", "containers",
			 (json_int_t)a->naming.now, "held_bytes", (json_int_t)a->naming.held_bytes,
			 "held", (json_int_t)a->naming.held_total, "replayed",
			 (json_int_t)a->naming.replayed, "dropped", (json_int_t)a->naming.dropped,
			 "answered", (json_int_t)a->naming.answered, "timeouts",
			 (json_int_t)a->naming.timeouts, "bounds", "events_per_container",
			 (json_int_t)HELD_MAX_EVENTS, "bytes_per_container",
			 (json_int_t)HELD_MAX_BYTES, "bytes_per_node",
			 (json_int_t)HELD_NODE_MAX_BYTES);
}
