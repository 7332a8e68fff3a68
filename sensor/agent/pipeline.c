// SPDX-License-Identifier: Apache-2.0
/*
 * The alert pipeline: the one place an alert raised becomes JSON and goes out, for the agent
 * and `vigil watch` alike. The detector hands the alert up with its event, so nothing has to
 * remember "the event being evaluated".
 */
#include <errno.h>
#include <jansson.h>

#include "util/randid.h"
#include "vigil/agent.h"
#include "vigil/alert.h"

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

int vigil_alert_pipe__emit(const struct vigil_alert *a, void *ctx)
{
	struct vigil_alert_pipe *p = ctx;
	json_t *j = vigil_alert__json(a);
	char id[VIGIL_RANDOM_ID_LEN + 1];

	if (!j)
		j = bare_alert(a);
	if (!j)
		return -ENOMEM;
	p->raised++;
	/* one id everywhere: the incident report keeps a copy, and the cockpit matches the two */
	if (!json_is_string(json_object_get(j, "alert_id"))) {
		vigil_random_id(id);
		json_object_set_new(j, "alert_id", json_string(id));
	}
	vigil_evidence__alert(p->evidence, a->event, j);
	vigil_alerts__emit(p->sinks, j);
	if (p->tap)
		p->tap(a, j, p->tap_ctx);
	json_decref(j);
	return 0;
}
