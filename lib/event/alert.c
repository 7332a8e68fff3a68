// SPDX-License-Identifier: Apache-2.0
/*
 * The one encoder of alerts: a struct vigil_alert as the JSON object of docs/ALERTS.md. The
 * workload, process and event objects come from the event encoder (encode.c), so an alert
 * shows its event exactly as `vigil trace --json` does.
 */
#include <jansson.h>

#include "vigil/alert.h"

static json_t *profile_json(const struct vigil_profile_ref *p)
{
	if (!p)
		return json_null();
	return json_pack("{s:s,s:s,s:s}", "name", p->name ? p->name : "", "digest",
			 p->digest ? p->digest : "", "signer", p->signer ? p->signer : "");
}

const char *vigil_action__name(enum vigil_action a)
{
	return a == VIGIL_ACTION_KILLED	      ? "killed"
	       : a == VIGIL_ACTION_WOULD_KILL ? "would-kill"
					      : NULL;
}

const char *vigil_action_reason__name(enum vigil_action_reason r)
{
	static const char *const names[] = { "dry-run", "rate-limit", "switch-off", "protected" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "dry-run";
}

/* "action" (and "action_reason" when nothing was done): what enforcement did at the hook. */
static json_t *with_action(json_t *alert, const struct vigil_event *ev)
{
	if (!alert || !ev || ev->action == VIGIL_ACTION_NONE)
		return alert;
	if (json_object_set_new(alert, "action", json_string(vigil_action__name(ev->action))) ||
	    (ev->action == VIGIL_ACTION_WOULD_KILL &&
	     json_object_set_new(alert, "action_reason",
				 json_string(vigil_action_reason__name(ev->action_reason))))) {
		json_decref(alert);
		return NULL;
	}
	return alert;
}

json_t *vigil_alert__health_json(struct vigil_alert *a, const char *message, json_t *event)
{
	json_t *alert;

	if (!event)
		return NULL;
	a->message = message;
	a->event_json = event;
	alert = vigil_alert__json(a);
	a->event_json = NULL;
	json_decref(event);
	return alert;
}

json_t *vigil_alert__json(const struct vigil_alert *a)
{
	const struct vigil_rule *r = a->rule;
	json_t *event;
	char when[48];

	if (a->event)
		event = vigil_event__json(a->event);
	else if (a->profile_file.path)
		event = json_pack("{s:s,s:o,s:s,s:o}", "type", "profile", "path",
				  vigil_json_text(a->profile_file.path), "reason",
				  a->profile_file.reason ? a->profile_file.reason : "", "detail",
				  vigil_json_text(a->profile_file.detail));
	else if (a->event_json)
		event = json_deep_copy(a->event_json);
	else
		event = json_object();
	/* the message and the key quote paths and names (any bytes), and the message may be cut
	 * inside a character: both go through json_text */
	return with_action(json_pack("{s:s,s:s,s:s,s:i,s:o,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:o,s:I}",
				     "time", vigil_format_time_ns(a->time_ns, when, sizeof(when)),
				     "rule_id", r->id, "rule_name", r->name, "severity",
				     r->severity, "message", vigil_json_text(a->message), "mitre",
				     "tactic", r->tactic, "technique", r->technique, "workload",
				     vigil_workload__json(a->workload, &a->info), "process",
				     vigil_process__json(a->proc), "event", event, "profile",
				     profile_json(a->profile), "key", vigil_json_text(a->key),
				     "repeats", (json_int_t)a->repeats),
			   a->event);
}
