// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's health: V0001 when a sink dropped alerts, V0002 when the sensor dropped events,
 * V0003 when the cockpit uplink lost records, V0004 when the cockpit's certificate was refused
 * (docs/ALERTS.md), the path every alert takes out
 * of the agent (agent_deliver), and the status file (`vigil status --agent` reads it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/fileio.h"
#include "util/randid.h"
#include "vigil/uplink.h"

static void stamp_id(json_t *alert)
{
	char id[VIGIL_RANDOM_ID_LEN + 1];

	if (json_is_string(json_object_get(alert, "alert_id")))
		return;
	vigil_random_id(id);
	json_object_set_new(alert, "alert_id", json_string(id));
}

static void count_rule(struct agent *a, const char *rule)
{
	size_t i;

	if (!rule)
		return;
	for (i = 0; i < a->nrules; i++) {
		if (!strcmp(a->rules[i].rule, rule)) {
			a->rules[i].n++;
			return;
		}
	}
	if (a->nrules < AGENT_MAX_RULES) {
		snprintf(a->rules[a->nrules].rule, sizeof(a->rules[a->nrules].rule), "%s", rule);
		a->rules[a->nrules++].n = 1;
	}
}

void agent_on_alert(const struct vigil_alert *al, json_t *j, void *ctx)
{
	struct agent *a = ctx;
	struct wl *w;

	if (al->workload && (w = agent_wl_find(a, al->workload->cgroup_id)))
		w->alerts++;
	count_rule(a, json_string_value(json_object_get(j, "rule_id")));
	if (a->uplink)
		vigil_uplink__alert(a->uplink, j);
}

void agent_deliver(struct agent *a, json_t *alert)
{
	/* one id for the alert everywhere: every sink and the cockpit */
	stamp_id(alert);
	count_rule(a, json_string_value(json_object_get(alert, "rule_id")));
	vigil_alerts__emit(a->alerts, alert);
	if (a->uplink)
		vigil_uplink__alert(a->uplink, alert);
}

/* V0002: the sensor lost events since the last check, or the agent could not hold all the
 * events of a container being named (naming.c) (docs/ALERTS.md). */
static json_t *sensor_drop_alert(const struct vigil_sensor_status *now,
				 const struct vigil_sensor_status *was, uint64_t held_now,
				 uint64_t held_was)
{
	uint64_t rb = now->drops_ringbuf - was->drops_ringbuf;
	uint64_t rl = now->drops_ratelimit - was->drops_ratelimit;
	uint64_t tb = now->drops_table - was->drops_table;
	uint64_t hd = held_now - held_was;
	struct vigil_alert a = { .rule = vigil_rule(VIGIL_V0002), .time_ns = vigil_realtime_ns() };
	char msg[512];
	json_t *event;

	snprintf(msg, sizeof(msg),
		 "the sensor dropped %llu event(s) since the last check (ring buffer %llu, rate "
		 "limit %llu, tables %llu, held for a container being named %llu): detection and "
		 "learning may have missed behaviour",
		 (unsigned long long)(rb + rl + tb + hd), (unsigned long long)rb,
		 (unsigned long long)rl, (unsigned long long)tb, (unsigned long long)hd);
	event = json_pack("{s:s, s:{s:I, s:I, s:I, s:I}, s:I, s:{s:I, s:I, s:I, s:I}}", "type",
			  "health", "drops", "ringbuf", (json_int_t)rb, "ratelimit", (json_int_t)rl,
			  "table", (json_int_t)tb, "held", (json_int_t)hd, "dropped",
			  (json_int_t)(rb + rl + tb + hd), "totals", "ringbuf",
			  (json_int_t)now->drops_ringbuf, "ratelimit",
			  (json_int_t)now->drops_ratelimit, "table", (json_int_t)now->drops_table,
			  "held", (json_int_t)held_now);
	return vigil_alert__health_json(&a, msg, event);
}

/*
 * Health, every health_interval: V0001 when a sink dropped alerts, V0002 when the sensor
 * dropped events. Both go to every sink (a working one usually carries the news of a broken one).
 */
void agent_health_check(struct agent *a)
{
	struct vigil_sensor_status st;
	json_t *alert = NULL;

	if (vigil_alerts__health_alert(a->alerts, &alert) > 0 && alert) {
		agent_logf("%s", json_string_value(json_object_get(alert, "message")));
		a->health_alerts++;
		agent_deliver(a, alert);
		json_decref(alert);
	}
	alert = NULL;
	if (a->uplink && vigil_uplink__health_alert(a->uplink, &alert) > 0 && alert) {
		agent_logf("%s", json_string_value(json_object_get(alert, "message")));
		a->health_alerts++;
		agent_deliver(a, alert);
		json_decref(alert);
	}
	alert = NULL;
	if (a->uplink && vigil_uplink__trust_alert(a->uplink, &alert) > 0 && alert) {
		agent_logf("%s", json_string_value(json_object_get(alert, "message")));
		a->health_alerts++;
		agent_deliver(a, alert);
		json_decref(alert);
	}
	if (vigil_sensor__status(a->s, &st) < 0)
		return;
	if (st.drops == a->drops_seen.drops && a->naming.dropped == a->naming.dropped_seen)
		return;
	alert = sensor_drop_alert(&st, &a->drops_seen, a->naming.dropped, a->naming.dropped_seen);
	a->drops_seen = st;
	a->naming.dropped_seen = a->naming.dropped;
	if (!alert)
		return;
	agent_logf("%s", json_string_value(json_object_get(alert, "message")));
	a->health_alerts++;
	agent_deliver(a, alert);
	json_decref(alert);
}

static json_t *sink_json(const struct vigil_sink_stats *s)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:s}", "spec", s->spec,
			 "sent", (json_int_t)s->sent, "queued", (json_int_t)s->queued, "retries",
			 (json_int_t)s->retries, "failures", (json_int_t)s->failures, "dropped",
			 (json_int_t)s->dropped, "dropped_by", "queue_full",
			 (json_int_t)s->dropped_full, "rejected", (json_int_t)s->dropped_rejected,
			 "retries_exhausted", (json_int_t)s->dropped_retries, "last_error",
			 s->last_error);
}

static json_t *sensor_json(struct agent *a)
{
	struct vigil_sensor_status st;

	if (vigil_sensor__status(a->s, &st) < 0)
		return json_object();
	return json_pack("{s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I}}", "events",
			 (json_int_t)st.events, "dedup_hits", (json_int_t)st.dedup_hits, "drops",
			 "total", (json_int_t)st.drops, "ringbuf", (json_int_t)st.drops_ringbuf,
			 "ratelimit", (json_int_t)st.drops_ratelimit, "table",
			 (json_int_t)st.drops_table, "processes", "count", (json_int_t)st.processes,
			 "max", (json_int_t)st.max_processes, "workloads", "count",
			 (json_int_t)st.workloads, "max", (json_int_t)st.max_workloads);
}

/* One workload in the status file; a pod's container also has its pod identity. */
static json_t *workload_json(const struct wl *w)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "name", w->name, "cgroup", w->cgroup,
			      "container_id", w->container_id, "state", agent_state_name(w->state),
			      "profile", w->profile ? w->profile->file : "", "partial", w->partial);

	if (o && w->id.k8s)
		json_object_set_new(o, "kubernetes",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "pod",
					      w->id.pod, "namespace", w->id.namespace_, "pod_uid",
					      w->id.pod_uid, "container_name", w->id.container_name,
					      "image", w->id.image, "runtime", w->id.runtime,
					      "workload_kind", w->id.owner.kind, "workload_name",
					      w->id.owner.name, "owner_from",
					      vigil_k8s_source__name(w->id.owner.source),
					      "profile_name", w->id.profile_name));
	return o;
}

/* status_file: what the agent is doing, as one JSON object, replaced atomically. */
void agent_write_status(struct agent *a)
{
	struct vigil_sink_stats sinks[32];
	struct vigil_detect_stats st;
	size_t nsinks;
	json_t *o, *wls, *sa, *ev;
	char *text, when[64];

	if (!a->c->status_file || !a->c->status_file[0])
		return;
	vigil_detector__stats(a->d, &st);
	wls = json_array();
	for (size_t i = 0; wls && i < a->nwl; i++) {
		const struct wl *w = a->wl[i];

		if (w->gone)
			continue;
		json_array_append_new(wls, workload_json(w));
	}
	sa = json_array();
	nsinks = vigil_alerts__stats(a->alerts, sinks, 32);
	for (size_t i = 0; sa && i < nsinks && i < 32; i++)
		json_array_append_new(sa, sink_json(&sinks[i]));
	ev = a->evidence ? vigil_evidence__stats_json(a->evidence) : json_null();
	vigil_format_time_ns(vigil_realtime_ns(), when, sizeof(when));
	o = json_pack("{s:i, s:s, s:I, s:s, s:I, s:o, s:{s:I,s:I,s:I,s:I,s:I}, s:o, s:o, s:o}",
		      "pid", (int)getpid(), "time", when, "started", (json_int_t)a->started,
		      "config", a->c->path[0] ? a->c->path : "built-in defaults", "health_alerts",
		      (json_int_t)a->health_alerts, "workloads", wls ? wls : json_array(),
		      "detection", "events", (json_int_t)st.events, "alerts", (json_int_t)st.alerts,
		      "suppressed", (json_int_t)st.suppressed, "evicted", (json_int_t)st.evicted,
		      "raised", (json_int_t)a->pipe.raised, "sinks", sa ? sa : json_array(),
		      "sensor", sensor_json(a), "evidence", ev ? ev : json_null());
	if (o) {
		json_object_set_new(o, "cockpit", agent_cockpit_status(a));
		/* containers being named and their held events (naming.c) */
		json_object_set_new(o, "naming", agent_naming_status(a));
		/* profiles held in memory: those of the workloads in the table, no others */
		json_object_set_new(o, "profiles",
				    json_pack("{s:I, s:I}", "loaded", (json_int_t)a->nstored, "max",
					      (json_int_t)MAX_STORED));
	}
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (text)
		vigil_write_file_atomic(a->c->status_file, text, strlen(text), 0644, NULL);
	free(text);
	json_decref(o);
}
