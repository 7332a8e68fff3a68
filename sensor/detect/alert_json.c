// SPDX-License-Identifier: Apache-2.0
/*
 * Presentation: an alert as the JSON object of docs/ALERTS.md. Its workload, process and event
 * objects come from the shared encoder (lib/event/), so they read as `vigil trace --json`.
 */
#include "sensor/detect/detect_internal.h"

json_t *detect_alert_json(const struct vigil_rule *r, const struct vigil_workload *w,
			  const struct binding *b, const struct vigil_process *proc, json_t *event,
			  json_t *profile, const char *key, uint64_t time_ns, uint64_t repeats,
			  const char *message)
{
	struct vigil_workload_info info = { 0 };
	char when[48];

	if (b) {
		info.name = b->wl_name;
		info.image = b->wl_image;
		info.pod = b->k8s[K8S_POD];
		info.namespace_ = b->k8s[K8S_NS];
		info.pod_uid = b->k8s[K8S_UID];
		info.container_name = b->k8s[K8S_CNAME];
		info.runtime = b->k8s[K8S_RUNTIME];
		info.workload_kind = b->k8s[K8S_KIND];
		info.workload_name = b->k8s[K8S_WNAME];
	}
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:s,s:I}", "time",
			 vigil_format_time_ns(time_ns, when, sizeof(when)), "rule_id", r->id,
			 "rule_name", r->name, "severity", r->severity, "message", message, "mitre",
			 "tactic", r->tactic, "technique", r->technique, "workload",
			 vigil_workload__json(w, &info), "process", vigil_process__json(proc),
			 "event", event ? event : json_object(), "profile",
			 profile ? profile : json_null(), "key", key ? key : "", "repeats",
			 (json_int_t)repeats);
}
