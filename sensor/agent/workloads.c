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
#include "sensor/agent/apiserver.h"
#include "sensor/agent/rule_params.h"
#include "sensor/sensor_internal.h"
#include "util/strutil.h"

void agent_wl_as_workload(const struct wl *w, struct vigil_workload *out)
{
	memset(out, 0, sizeof(*out));
	out->cgroup_id = w->cgroup_id;
	out->cgroup_path = w->cgroup;
	out->container_id = w->container_id;
	out->name = w->name;
	out->runtime = w->id.runtime;
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

/* A pod's container: its identity from the node; the sandbox is never a workload. */
static void resolve_identity(struct agent *a, struct wl *w)
{
	if (!w->container_id[0] ||
	    agent_identity__resolve(a->c->k8s_host_root, a->c->k8s_containerd_state, w->cgroup,
				    w->container_id, a->c->k8s_workload_profiles, &w->id) != 1)
		return;
	agent_identity__display_name(&w->id, w->name, sizeof(w->name));
	{
		/* the API server's word on the pod's controller beats the guess from its name */
		struct vigil_k8s_owner o;
		struct vigil_k8s_hints h;

		if (agent_api__pod(a->api, w->id.namespace_, w->id.pod, w->id.pod_uid, &o, &h)) {
			if (h.user_defined_profile[0])
				w->id.hints = h;
			agent_identity__set_owner(&w->id, &o, a->c->k8s_workload_profiles);
		}
	}
	if (!w->id.sandbox)
		agent_logf("%s: pod %s/%s (uid %s), container %s, image %s, %s %s (%s), profile %s",
			   w->name, w->id.namespace_, w->id.pod, w->id.pod_uid,
			   w->id.container_name, w->id.image, w->id.owner.kind, w->id.owner.name,
			   vigil_k8s_source__name(w->id.owner.source), w->id.profile_stem);
}

/*
 * Replicas of one workload learn into one learner: a replica whose profile another live
 * replica is learning joins it (the first one's window, the union of what all of them do).
 */
static struct wl *learning_lead(struct agent *a, struct wl *w)
{
	char mine[PATH_MAX], theirs[PATH_MAX];

	if (!w->id.k8s)
		return NULL;
	agent_learned_path(a, w, mine, sizeof(mine));
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *o = a->wl[i];

		if (o == w || o->gone || o->state != WL_LEARNING || !o->l || !o->id.k8s)
			continue;
		agent_learned_path(a, o, theirs, sizeof(theirs));
		if (strcmp(mine, theirs))
			continue;
		/*
		 * Replicas run one pod template, so one image. A pod that only looks like a
		 * replica (a bare pod named web-7c5d8bf9f7-abcde next to a Deployment's, when the
		 * controller is guessed from the name) with another image would poison the
		 * workload's profile: it learns on its own, as its own pod.
		 */
		if (strcmp(o->id.image, w->id.image) && w->id.owner.source != VIGIL_K8S_FROM_API) {
			struct vigil_k8s_owner self = { .kind = "Pod",
							.source = VIGIL_K8S_FROM_NONE };

			vigil_strlcpy(self.name, w->id.pod, sizeof(self.name));
			agent_logf("%s: image %s differs from %s's (%s): not a replica of %s %s, "
				   "learned as its own pod",
				   w->name, w->id.image, o->name, o->id.image, w->id.owner.kind,
				   w->id.owner.name);
			agent_identity__set_owner(&w->id, &self, true);
			return NULL;
		}
		return o;
	}
	return NULL;
}

static void start_learning(struct agent *a, struct wl *w, bool complete)
{
	struct vigil_learn_opts lo = { .name = w->name, .per_exe = a->c->learn_per_exe };
	struct wl *lead = learning_lead(a, w);
	char doc[2 * VIGIL_K8S_NAME_MAX];

	w->partial = !complete;
	if (lead) {
		w->lead = lead;
		w->state = WL_LEARNING;
		w->learn_end = lead->learn_end;
		/* the union is complete when any replica was watched from its start */
		lead->partial = lead->partial && w->partial;
		agent_logf("%s: learning with %s (one profile for the workload)", w->name,
			   lead->name);
		return;
	}
	if (w->id.k8s) {
		/*
		 * One ContainerProfile per container of the workload: Kubescape's name of the
		 * workload and the container's, so a pod's containers never share an object name
		 * (the workload's own name when that would be too long for Kubernetes).
		 */
		if (snprintf(doc, sizeof(doc), "%s-%s", w->id.profile_name, w->id.container_name) >
		    VIGIL_K8S_NAME_MAX)
			snprintf(doc, sizeof(doc), "%s", w->id.profile_name);
		lo.name = doc;
		lo.container = w->id.container_name;
		lo.namespace_ = w->id.namespace_;
		lo.workload_kind = w->id.owner.kind;
		lo.workload_name = w->id.owner.name;
	} else if (w->container_id[0]) {
		lo.workload_kind = "Container";
		lo.workload_name = w->name;
	}
	w->l = vigil_learner__new(&lo);
	if (!w->l) {
		w->state = WL_IGNORED;
		return;
	}
	w->state = WL_LEARNING;
	w->learn_start = agent_mono_ns();
	w->learn_end = w->learn_start + a->c->learn_ns;
	w->drops0 = agent_total_drops(a);
	agent_logf("%s: learning for %llus", w->name,
		   (unsigned long long)(a->c->learn_ns / 1000000000ULL));
	agent_resume_learning(a, w);
}

/* A container met after its start: who is in its cgroup now (rtinit.h). */
static void rtinit_seed(struct agent *a, struct wl *w)
{
	char procs[PATH_MAX + 64];
	int n;

	snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", vigil_sensor__cgroup2_root(a->s),
		 w->cgroup);
	n = agent_rtinit__seed(&w->rtinit, procs, "/proc");
	if (n < 0)
		agent_logf("%s: runtime start-up filter off (%s: %s)", w->name, procs,
			   strerror(-n));
}

/* meta (may be NULL) is taken over by the new workload; meta_err says how the engine was
 * asked: 0 answered (meta), 1 not asked, < 0 asked without an answer (-ETIMEDOUT: asked again). */
struct wl *agent_wl_new(struct agent *a, uint64_t cgroup_id, const char *name, const char *cgroup,
			const char *container_id, int cmd, bool complete,
			struct vigil_container_meta *meta, int meta_err)
{
	struct wl *w;

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
	w->meta_asked = meta_err <= 0;
	a->wl[a->nwl++] = w;
	if (meta_err < 0)
		agent_meta_late(a, w, meta_err);
	/* seen from its first instruction the runtime's start-up can be told apart; met later,
	 * the processes in its cgroup now are the workload's (runc's excepted) */
	if (!complete && container_id && container_id[0])
		rtinit_seed(a, w);
	if (cmd < 0 && agent_excluded(a, w->cgroup)) {
		w->state = WL_IGNORED;
		return w;
	}
	if (cmd < 0)
		resolve_identity(a, w);
	if (w->id.sandbox) {
		w->state = WL_IGNORED;
		return w;
	}
	/* a container: its engine says who it is (name, image, labels) before anything binds
	 * it, and the loop does not wait for the answer (naming.c) */
	if (w->container_id[0] && !w->meta_asked) {
		agent_naming_start(a, w, complete);
		return w;
	}
	agent_wl_settle(a, w, complete);
	return w;
}

void agent_wl_settle(struct agent *a, struct wl *w, bool complete)
{
	char file[PATH_MAX];

	if (agent_find_binding(a, w, file, sizeof(file))) {
		w->profile = agent_stored_get(a, file);
		agent_wl_bind(a, w);
		agent_logf("%s: %s with %s", w->name,
			   w->state == WL_DETECTING ? "detecting"
						    : "unprotected (profile not usable)",
			   file);
		return;
	}
	if (!a->c->learn) {
		w->state = WL_IGNORED;
		return;
	}
	start_learning(a, w, complete);
}

/* The replicas that learned with lead take what binds it now: its profile, its binding's
 * enforcement and parameters. */
static void followers_bind(struct agent *a, struct wl *lead)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *f = a->wl[i];

		if (f->lead != lead)
			continue;
		f->lead = NULL;
		f->enforce_rules = lead->enforce_rules;
		f->enforce_kill = lead->enforce_kill;
		f->rule_params = lead->rule_params;
		f->profile = lead->profile;
		if (f->profile)
			agent_wl_bind(a, f);
		else
			f->state = lead->state;
	}
}

/*
 * A binding found after the workload started (its engine described it late, meta_late.c):
 * the bound profile wins over what was learned meanwhile, for it and the replicas that
 * learned with it.
 */
void agent_wl_rebind(struct agent *a, struct wl *w, const char *file)
{
	struct stored *st = agent_stored_get(a, file);

	if (w->state == WL_DETECTING && w->profile == st && !w->enforce_rules && !w->enforcing)
		return;
	if (w->state == WL_LEARNING && w->l) {
		agent_drop_checkpoint(a, w);
		vigil_learner__free(w->l);
		w->l = NULL;
	}
	w->lead = NULL;
	w->profile = st;
	agent_wl_bind(a, w);
	agent_logf("%s: %s with %s (bound after its engine described it)", w->name,
		   w->state == WL_DETECTING ? "detecting" : "unprotected (profile not usable)",
		   file);
	followers_bind(a, w);
}

/* The replicas that learned into w's learner: their kernel sets, then their profile. */
static void followers_add_sets(struct agent *a, struct wl *lead)
{
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->lead == lead)
			vigil_learn_kernel_sets(a->s, lead->l, a->wl[i]->cgroup_id);
	}
}

/* Ends learning: writes the profile atomically, loads it back, detects from now on. */
void agent_finish_learning(struct agent *a, struct wl *w)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char file[PATH_MAX], digest[80];
	struct stored *st;
	int e;

	if (w->lead) {
		/* a replica leaving before the window closes: what the kernel saw joins the rest */
		vigil_learn_kernel_sets(a->s, w->lead->l, w->cgroup_id);
		w->lead = NULL;
		w->state = WL_IGNORED;
		return;
	}
	agent_learned_path(a, w, file, sizeof(file));
	if (!agent_stored_find(a, file) && access(file, F_OK) == 0) {
		agent_drop_checkpoint(a, w);
		agent_adopt_profile(a, w, file);
		followers_bind(a, w);
		return;
	}

	followers_add_sets(a, w);
	e = vigil_learn_kernel_sets(a->s, w->l, w->cgroup_id);
	if (!e)
		e = vigil_learner__finish(w->l, w->partial || agent_total_drops(a) != w->drops0,
					  &p);
	/* names with a `*` or `⋯` of the workload's own (sensor/learn/wild.c): said, not learned */
	if (!e && vigil_learner__left_out(w->l))
		agent_logf("%s: %zu entries left out of the profile: their names carry a profile "
			   "wildcard character ('*' or '⋯'), which would allow other names",
			   w->name, vigil_learner__left_out(w->l));
	vigil_learner__free(w->l);
	w->l = NULL;
	if (e < 0) {
		agent_logf("%s: learning failed: %s", w->name, strerror(-e));
		w->state = WL_IGNORED;
		followers_bind(a, w);
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
			followers_bind(a, w);
			return;
		}
		a->stored[a->nstored++] = st;
		agent_watch_dir_of(a, file);
	}
	if (vigil_profile_digest(p, digest, sizeof(digest)) < 0)
		digest[0] = '\0';
	/* what the agent writes itself needs no signature to be reloaded: it knows the digest */
	vigil_strlcpy(st->self_digest, digest, sizeof(st->self_digest));
	if (agent_write_profile(a, p, file, &err) < 0) {
		char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

		agent_logf("%s", vigil_error__format(&err, ebuf, sizeof(ebuf)));
	} else {
		/* only once the profile is on disk: a crash before keeps the checkpoint */
		agent_drop_checkpoint(a, w);
	}
	vigil_profile__free(st->good);
	st->good = p;
	vigil_strlcpy(st->digest, digest, sizeof(st->digest));
	st->signer[0] = '\0';
	w->profile = st;
	agent_cockpit_profile(a, w, "learned");
	agent_wl_bind(a, w);
	agent_logf("%s: learned -> %s; detecting", w->name, file);
	followers_bind(a, w);
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
	/*
	 * A container met through its events below a watched parent was made after the agent
	 * looked (containers there before were found by the first scan): seen from its start.
	 */
	if (ew->container_id && ew->container_id[0] && ew->cgroup_path &&
	    agent_under_parent(a, ew->cgroup_path))
		return agent_new_container(a, ew->cgroup_id, ew->cgroup_path, ew->container_id,
					   true);
	return agent_wl_new(a, ew->cgroup_id, ew->name, ew->cgroup_path ? ew->cgroup_path : "",
			    ew->container_id, -1, false, NULL, 1);
}

/* An alert the workload's binding leaves out by its rule's parameters goes nowhere. */
struct emit_ctx {
	struct agent *a;
	const struct wl *w;
};

static int emit(const struct vigil_alert *alert, void *ctx)
{
	struct emit_ctx *c = ctx;

	if (agent_rule_params__skip(c->w->rule_params, alert))
		return 0;
	return vigil_alert_pipe__emit(alert, &c->a->pipe);
}

int agent_on_event(const struct vigil_event *ev, void *ctx)
{
	struct agent *a = ctx;
	struct wl *w = wl_for_event(a, ev);

	if (!w || (w->container_id[0] && agent_rtinit__skip(&w->rtinit, ev)))
		return 0;
	return agent_judge(a, w, ev);
}

int agent_judge(struct agent *a, struct wl *w, const struct vigil_event *ev)
{
	int err;

	switch (w->state) {
	case WL_NAMING:
		return agent_naming_hold(a, w, ev);
	case WL_LEARNING:
		err = vigil_learner__event(w->lead ? w->lead->l : w->l, ev);
		return err == -ENOMEM ? err : 0;
	case WL_DETECTING: {
		struct emit_ctx c = { a, w };

		vigil_evidence__event(a->evidence, ev);
		err = vigil_detector__event(a->d, ev,
					    w->rule_params ? emit : vigil_alert_pipe__emit,
					    w->rule_params ? (void *)&c : &a->pipe);
		return err < 0 ? err : 0;
	}
	default:
		return 0;
	}
}

void agent_check_learning(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		/* a replica learning with another ends with it; one its engine has not described
		 * yet waits for the answer (meta_late.c): its profile is named after it, and a
		 * binding may still claim it */
		if (w->state == WL_LEARNING && !w->gone && !w->lead && now >= w->learn_end &&
		    !agent_meta_pending(w))
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
	case WL_NAMING:
		return "naming";
	default:
		return "ignored";
	}
}
