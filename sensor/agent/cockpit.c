// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's side of the fleet (docs/AGENT.md §11): opens the uplink, hands it every alert
 * (agent_deliver), every incident report (the evidence module's report callback), every
 * profile learned or put in force, and the node's state as a heartbeat. The uplink
 * (sensor/uplink/) does the spooling and the HTTP in its own thread; nothing here waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/agent_state.h"
#include "sensor/sensor_internal.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "vigil/uplink.h"

static void on_report(void *ctx, const json_t *report, bool closed)
{
	struct agent *a = ctx;

	vigil_uplink__report(a->uplink, report);
}

int agent_cockpit_open(struct agent *a, struct vigil_error *err)
{
	const struct agent_cockpit *k = &a->c->cockpit;
	struct vigil_uplink_opts o = {
		.url = k->url,
		.token_file = k->token_file,
		.join_token_file = k->join_token_file,
		.node_token_file = k->node_token_file,
		.ca_file = k->ca_file,
		/* the node's name as Kubernetes knows it ($VIGIL_NODE_NAME), else the host name */
		.node_name = k->node_name ? k->node_name : a->c->k8s_node_name,
		.spool_dir = k->spool_dir,
		.spool_max_bytes = k->spool_max_bytes,
		.heartbeat_ns = k->heartbeat_ns,
	};
	struct vigil_uplink_stats st;
	int e;

	if (!k->url)
		return 0;
	e = vigil_uplink__open(&o, &a->uplink, err);
	if (e < 0)
		return e;
	vigil_evidence__set_report_cb(a->evidence, on_report, a);
	vigil_uplink__stats(a->uplink, &st);
	agent_logf("cockpit %s: %s%s", k->url,
		   st.have_token	? "node token ready"
		   : k->join_token_file ? "will enrol with the join token"
					: "no token",
		   st.spool_items ? ", records from an earlier run in the spool" : "");
	if (st.spool_torn)
		agent_logf("cockpit spool %s: %llu damaged region(s) skipped (%llu bytes)",
			   k->spool_dir, (unsigned long long)st.spool_torn,
			   (unsigned long long)st.spool_torn_bytes);
	a->next_heartbeat = 0;
	return 0;
}

void agent_cockpit_close(struct agent *a)
{
	if (!a->uplink)
		return;
	/* what is not delivered in time stays in the spool for the next start */
	vigil_uplink__free(a->uplink, 5000000000ULL);
	a->uplink = NULL;
}

/* ---- the heartbeat ------------------------------------------------------------------- */

/* "sched_process_exec      attached (tp_btf)" lines, as the sensor describes its hooks. */
static json_t *hooks_json(struct agent *a)
{
	char buf[4096], *line, *save = NULL;
	json_t *arr = json_array();

	if (!arr || vigil_sensor__describe_hooks(a->s, buf, sizeof(buf)) < 0)
		return arr;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *state = line + strcspn(line, " ");
		const char *flavour = "";

		if (*state)
			*state++ = '\0';
		state += strspn(state, " ");
		/* "fallback: raw_tp (tp_btf did not load)" names both: the fallback is in use */
		if (strstr(state, "raw_tp"))
			flavour = "raw_tp";
		else if (strstr(state, "tp_btf"))
			flavour = "tp_btf";
		json_array_append_new(arr,
				      json_pack("{s:s, s:b, s:s, s:s}", "name", line, "attached",
						vigil_str_has_prefix(state, "attached") ||
							vigil_str_has_prefix(state, "fallback"),
						"flavour", flavour, "state", state));
	}
	return arr;
}

/* drops by cause only: the cockpit adds them up for the node's health */
static json_t *sensor_part(struct agent *a)
{
	struct vigil_sensor_status st;

	if (vigil_sensor__status(a->s, &st) < 0)
		return json_object();
	return json_pack("{s:I, s:I, s:{s:I, s:I, s:I}, s:i, s:i}", "events", (json_int_t)st.events,
			 "dedup_hits", (json_int_t)st.dedup_hits, "drops", "ringbuf",
			 (json_int_t)st.drops_ringbuf, "ratelimit", (json_int_t)st.drops_ratelimit,
			 "table", (json_int_t)st.drops_table, "hooks_attached",
			 (int)st.hooks_attached, "hooks_failed", (int)st.hooks_failed);
}

static json_t *sinks_part(struct agent *a)
{
	struct vigil_sink_stats s[32];
	size_t n = vigil_alerts__stats(a->alerts, s, 32);
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n && i < 32; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", s[i].spec,
						     "sent", (json_int_t)s[i].sent, "failed",
						     (json_int_t)s[i].failures, "queued",
						     (json_int_t)s[i].queued, "dropped",
						     (json_int_t)s[i].dropped));
	return arr;
}

/*
 * A pod identity field: the agent's Kubernetes identity of the workload when it has one,
 * else the container's label (the meta returns a static buffer: copied at once), else "".
 */
static json_t *pod_field(const struct wl *w, const char *k8s, const char *key)
{
	const char *v = w->id.k8s     ? k8s
			: w->has_meta ? vigil_container_meta__label(&w->meta, key)
				      : NULL;

	return json_string(v ? v : "");
}

static json_t *profile_ref(const struct wl *w)
{
	const struct stored *st = w->profile;
	const char *name = "", *completion = "";

	if (!st || !st->good || w->state != WL_DETECTING)
		return json_pack("{s:s, s:s, s:s, s:s}", "name", "", "digest", "", "signer", "",
				 "completion", "");
	if (vigil_profile__doc_count(st->good)) {
		name = vigil_profile__doc_name(st->good, 0);
		completion = vigil_profile__annotation(st->good, 0, "kubescape.io/completion");
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name ? name : "", "digest",
			 st->digest, "signer", st->signer, "completion",
			 completion ? completion : "", "file", st->file);
}

static json_t *workload_json(const struct wl *w)
{
	char id[24], cid[VIGIL_CONTAINER_ID_LEN + 1];
	const char *runtime = "", *image = w->has_meta ? w->meta.image : "";

	snprintf(id, sizeof(id), "%llu", (unsigned long long)w->cgroup_id);
	if (w->container_id[0] &&
	    vigil_cgroup__container_id(w->cgroup, cid, sizeof(cid), &runtime) < 0)
		runtime = "";
	if (w->id.k8s && w->id.runtime[0])
		runtime = w->id.runtime;
	if (w->id.k8s && w->id.image[0])
		image = w->id.image;
	/* an ignored workload is not protected either; it says why */
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:I}",
			 "id", id, "name", w->name, "namespace",
			 pod_field(w, w->id.namespace_, "io.kubernetes.pod.namespace"), "pod",
			 pod_field(w, w->id.pod, "io.kubernetes.pod.name"), "pod_uid",
			 pod_field(w, w->id.pod_uid, "io.kubernetes.pod.uid"), "container",
			 pod_field(w, w->id.container_name, "io.kubernetes.container.name"),
			 "container_id", w->container_id, "cgroup", w->cgroup, "image", image,
			 "runtime", runtime, "state",
			 w->state == WL_IGNORED ? "unprotected" : agent_state_name(w->state),
			 "ignored", w->state == WL_IGNORED, "profile", profile_ref(w),
			 "alerts_total", (json_int_t)w->alerts);
}

static json_t *heartbeat_state(struct agent *a)
{
	json_t *wls = json_array();

	for (size_t i = 0; wls && i < a->nwl; i++) {
		if (!a->wl[i]->gone)
			json_array_append_new(wls, workload_json(a->wl[i]));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:I}", "hooks", hooks_json(a), "sensor",
			 sensor_part(a), "sinks", sinks_part(a), "workloads",
			 wls ? wls : json_array(), "alerts_total", (json_int_t)a->pipe.raised);
}

/* One line when the cockpit is reached, lost, or refuses the credential; not one per retry. */
static void log_transitions(struct agent *a)
{
	struct vigil_uplink_stats st;
	int now;

	vigil_uplink__stats(a->uplink, &st);
	now = st.connected ? 1 : (st.last_status == 401 || st.last_status == 403) ? -2 : -1;
	if (!st.requests || now == a->cockpit_state)
		return;
	if (now == 1)
		agent_logf("cockpit %s: connected", a->c->cockpit.url);
	else if (now == -2)
		agent_logf("cockpit %s: refused this node's credential (%s); records are kept in "
			   "the spool",
			   a->c->cockpit.url, st.last_error);
	else
		agent_logf("cockpit %s: not reachable (%s); spooling to %s", a->c->cockpit.url,
			   st.last_error, a->c->cockpit.spool_dir);
	a->cockpit_state = now;
}

void agent_cockpit_tick(struct agent *a, uint64_t now)
{
	json_t *state;

	if (!a->uplink)
		return;
	log_transitions(a);
	if (now < a->next_heartbeat)
		return;
	a->next_heartbeat = now + a->c->cockpit.heartbeat_ns;
	state = heartbeat_state(a);
	if (state)
		vigil_uplink__heartbeat(a->uplink, state);
	json_decref(state);
}

/* ---- profiles ------------------------------------------------------------------------ */

void agent_cockpit_profile(struct agent *a, struct wl *w, const char *kind)
{
	const struct stored *st = w->profile;
	struct vigil_buf yaml = VIGIL_BUF_INIT;
	bool in_force = !strcmp(kind, "in_force");
	const char *name = "", *completion = "";
	json_t *rec, *ns;

	if (!a->uplink || !st || !st->good || !st->digest[0] ||
	    (in_force && !strcmp(w->sent_digest, st->digest)))
		return;
	if (vigil_profile__emit_yaml(st->good, &yaml) < 0) {
		vigil_buf__release(&yaml);
		return;
	}
	if (vigil_profile__doc_count(st->good)) {
		name = vigil_profile__doc_name(st->good, 0);
		completion = vigil_profile__annotation(st->good, 0, "kubescape.io/completion");
	}
	ns = pod_field(w, w->id.namespace_, "io.kubernetes.pod.namespace");
	rec = json_pack("{s:{s:s, s:o}, s:s, s:s, s:s, s:s, s:s, s:s}", "workload", "name", w->name,
			"namespace", ns, "kind", kind, "name", name ? name : "", "digest",
			st->digest, "signer", st->signer, "completion",
			completion ? completion : "", "yaml", yaml.data ? yaml.data : "");
	vigil_buf__release(&yaml);
	if (rec && vigil_uplink__profile(a->uplink, rec) == 0 && in_force)
		vigil_strlcpy(w->sent_digest, st->digest, sizeof(w->sent_digest));
	json_decref(rec);
}

json_t *agent_cockpit_status(struct agent *a)
{
	return a->uplink ? vigil_uplink__stats_json(a->uplink) : json_null();
}
