// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's workloads and their states: a new workload is bound to a profile when one
 * exists (detecting, or unprotected when it is not usable), else learns for the learning
 * window and then detects with what it learned; excluded ones are ignored. Events go to the
 * learner or the detector by state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

int agent_emit(json_t *alert, void *ctx)
{
	struct agent *a = ctx;

	a->alerts_raised++;
	vigil_evidence__alert(a->evidence, a->cur, alert);
	vigil_alerts__emit(a->alerts, alert);
	return 0;
}

void agent_wl_as_workload(const struct wl *w, struct vigil_workload *out)
{
	memset(out, 0, sizeof(*out));
	out->cgroup_id = w->cgroup_id;
	out->cgroup_path = w->cgroup;
	out->container_id = w->container_id;
	out->name = w->name;
	out->runtime = "";
}

struct wl *agent_wl_find(struct agent *a, uint64_t cgroup_id)
{
	/* events come in runs from one workload: try the last one first */
	if (a->last && a->last->cgroup_id == cgroup_id)
		return a->last;
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->cgroup_id == cgroup_id)
			return a->last = a->wl[i];
	}
	return NULL;
}

uint64_t agent_total_drops(struct agent *a)
{
	struct vigil_sensor_status st;

	return vigil_sensor__status(a->s, &st) < 0 ? 0 : st.drops;
}

/* meta (may be NULL) is taken over by the new workload. */
struct wl *agent_wl_new(struct agent *a, uint64_t cgroup_id, const char *name, const char *cgroup,
			const char *container_id, int cmd, bool complete,
			struct vigil_container_meta *meta)
{
	struct wl *w;
	char file[PATH_MAX];

	if (a->nwl >= MAX_WORKLOADS)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cgroup_id = cgroup_id;
	w->cmd = cmd;
	vigil_strlcpy(w->name, name && name[0] ? name : cgroup, sizeof(w->name));
	vigil_strlcpy(w->cgroup, cgroup ? cgroup : "", sizeof(w->cgroup));
	vigil_strlcpy(w->container_id, container_id ? container_id : "", sizeof(w->container_id));
	if (meta) {
		w->meta = *meta;
		w->has_meta = true;
	}
	a->wl[a->nwl++] = w;
	if (cmd < 0 && agent_excluded(a, w->cgroup)) {
		w->state = WL_IGNORED;
		return w;
	}
	if (agent_find_binding(a, w, file, sizeof(file))) {
		w->profile = agent_stored_get(a, file);
		agent_wl_bind(a, w);
		agent_logf("%s: %s with %s", w->name,
			   w->state == WL_DETECTING ? "detecting"
						    : "unprotected (profile not usable)",
			   file);
		return w;
	}
	if (!a->c->learn) {
		w->state = WL_IGNORED;
		return w;
	}
	{
		struct vigil_learn_opts lo = { .name = w->name };

		if (w->container_id[0]) {
			lo.workload_kind = "Container";
			lo.workload_name = w->name;
		}
		w->l = vigil_learner__new(&lo);
	}
	if (!w->l) {
		w->state = WL_IGNORED;
		return w;
	}
	w->state = WL_LEARNING;
	w->learn_end = agent_mono_ns() + a->c->learn_ns;
	w->drops0 = agent_total_drops(a);
	w->partial = !complete;
	agent_logf("%s: learning for %llus", w->name,
		   (unsigned long long)(a->c->learn_ns / 1000000000ULL));
	return w;
}

/* Ends learning: writes the profile atomically, loads it back, detects from now on. */
void agent_finish_learning(struct agent *a, struct wl *w)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char file[PATH_MAX], digest[80];
	struct stored *st;
	int e;

	agent_learned_path(a, w, file, sizeof(file));
	if (!agent_stored_find(a, file) && access(file, F_OK) == 0) {
		agent_adopt_profile(a, w, file);
		return;
	}

	e = vigil_learn_kernel_sets(a->s, w->l, w->cgroup_id);
	if (!e)
		e = vigil_learner__finish(w->l, w->partial || agent_total_drops(a) != w->drops0,
					  &p);
	vigil_learner__free(w->l);
	w->l = NULL;
	if (e < 0) {
		agent_logf("%s: learning failed: %s", w->name, strerror(-e));
		w->state = WL_IGNORED;
		return;
	}
	agent_sign_profile(a, p);
	st = agent_stored_find(a, file);
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (st)
			st->file = strdup(file);
		if (!st || !st->file || a->nstored >= MAX_STORED) {
			if (st)
				free(st->file);
			free(st);
			vigil_profile__free(p);
			w->state = WL_IGNORED;
			return;
		}
		a->stored[a->nstored++] = st;
		agent_watch_dir_of(a, file);
	}
	if (vigil_profile_digest(p, digest, sizeof(digest)) < 0)
		digest[0] = '\0';
	/* what the agent writes itself needs no signature to be reloaded: it knows the digest */
	vigil_strlcpy(st->self_digest, digest, sizeof(st->self_digest));
	if (vigil_profile_write_atomic(p, file, &err) < 0) {
		char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

		agent_logf("%s", vigil_error__format(&err, ebuf, sizeof(ebuf)));
	}
	vigil_profile__free(st->good);
	st->good = p;
	vigil_strlcpy(st->digest, digest, sizeof(st->digest));
	st->signer[0] = '\0';
	w->profile = st;
	agent_wl_bind(a, w);
	agent_logf("%s: learned -> %s; detecting", w->name, file);
}

static struct wl *wl_for_event(struct agent *a, const struct vigil_event *ev)
{
	const struct vigil_workload *ew = ev->workload;
	struct wl *w;

	if (!ew)
		return NULL;
	w = agent_wl_find(a, ew->cgroup_id);
	if (w) {
		/* our commands' cgroup paths are known from their first event */
		if (!w->cgroup[0] && ew->cgroup_path)
			vigil_strlcpy(w->cgroup, ew->cgroup_path, sizeof(w->cgroup));
		return w;
	}
	if (a->c->scope == AGENT_SCOPE_CONTAINERS && !(ew->container_id && ew->container_id[0]))
		return NULL;
	return agent_wl_new(a, ew->cgroup_id, ew->name, ew->cgroup_path ? ew->cgroup_path : "",
			    ew->container_id, -1, false, NULL);
}

int agent_on_event(const struct vigil_event *ev, void *ctx)
{
	struct agent *a = ctx;
	struct wl *w = wl_for_event(a, ev);
	int err;

	if (!w)
		return 0;
	switch (w->state) {
	case WL_LEARNING:
		err = vigil_learner__event(w->l, ev);
		return err == -ENOMEM ? err : 0;
	case WL_DETECTING:
		vigil_evidence__event(a->evidence, ev);
		a->cur = ev;
		err = vigil_detector__event(a->d, ev, agent_emit, a);
		a->cur = NULL;
		return err < 0 ? err : 0;
	default:
		return 0;
	}
}

void agent_check_learning(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->state == WL_LEARNING && !w->gone && now >= w->learn_end)
			agent_finish_learning(a, w);
	}
}

const char *agent_state_name(enum wl_state st)
{
	switch (st) {
	case WL_LEARNING:
		return "learning";
	case WL_DETECTING:
		return "detecting";
	case WL_UNPROTECTED:
		return "unprotected";
	default:
		return "ignored";
	}
}
