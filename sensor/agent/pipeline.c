// SPDX-License-Identifier: Apache-2.0
/*
 * The alert pipeline: the one place an alert raised becomes JSON and goes out, for the agent
 * and `vigil watch` alike. The detector hands the alert up with its event, so nothing has to
 * remember "the event being evaluated".
 */
#include <errno.h>
#include <jansson.h>

#include "sensor/agent/agent_state.h"
#include "util/randid.h"
#include "vigil/agent.h"
#include "vigil/alert.h"
#include "vigil/burst.h"

/*
 * An alert whose full encoding failed (out of memory, or text no encoder foresaw) still goes
 * out with what is certain: the rule, the time and the workload's cgroup. A detection that
 * cannot be shown must not vanish, and must not stop the sensor either.
 */
static json_t *bare_alert(const struct vigil_alert *a)
{
	char when[48];

	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:{s:I},s:b}", "time",
			 vigil_format_time_ns(a->time_ns, when, sizeof(when)), "rule_id",
			 a->rule->id, "rule_name", a->rule->name, "severity", a->rule->severity,
			 "message", "(this alert's details could not be encoded)", "workload",
			 "cgroup_id", (json_int_t)(a->workload ? a->workload->cgroup_id : 0),
			 "encoding_failed", 1);
}

/* Evidence, sinks, tap: where every alert goes, j with its alert_id. */
static void send(struct vigil_alert_pipe *p, const struct vigil_alert *a,
		 const struct vigil_event *ev, json_t *j)
{
	p->raised++;
	vigil_evidence__alert(p->evidence, ev, j);
	vigil_alerts__emit(p->sinks, j);
	if (p->tap)
		p->tap(a, j, p->tap_ctx);
}

/* A burst's summary (vigil/burst.h): an alert of its own, with its own id, in the incident of
 * its workload as the alerts it stands for would have been. */
static int send_summary(const struct vigil_alert *sa, json_t *j, void *ctx)
{
	struct vigil_alert_pipe *p = ctx;
	struct vigil_event ev = { .time_ns = sa->time_ns, .workload = sa->workload };
	char id[VIGIL_RANDOM_ID_LEN + 1];

	vigil_random_id(id);
	if (json_object_set_new(j, "alert_id", json_string(id)))
		return -ENOMEM;
	send(p, sa, sa->workload ? &ev : NULL, j);
	return 0;
}

int vigil_alert_pipe__emit(const struct vigil_alert *a, void *ctx)
{
	struct vigil_alert_pipe *p = ctx;
	json_t *j;
	char id[VIGIL_RANDOM_ID_LEN + 1];
	int folded;

	folded = vigil_bursts__alert(p->bursts, a, send_summary, p);
	if (folded == -ENOMEM)
		return folded;
	if (folded > 0)
		return 0;
	/* one id everywhere: the incident report keeps a copy, and the cockpit matches the two;
	 * made only for an alert that goes out (getrandom per folded alert is waste) */
	vigil_random_id(id);
	j = vigil_alert__json(a);
	if (!j)
		j = bare_alert(a);
	if (!j)
		return -ENOMEM;
	if (!json_is_string(json_object_get(j, "alert_id")))
		json_object_set_new(j, "alert_id", json_string(id));
	vigil_bursts__annotate(p->bursts, j); /* its burst's id; a DNS tunnel, named */
	send(p, a, a->event, j);
	json_decref(j);
	return 0;
}

int vigil_alert_pipe__tick(struct vigil_alert_pipe *p)
{
	return vigil_bursts__tick(p->bursts, vigil_realtime_ns(), send_summary, p);
}

int vigil_alert_pipe__flush(struct vigil_alert_pipe *p)
{
	return vigil_bursts__flush(p->bursts, send_summary, p);
}
