// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts and incident reports into rows. Alerts are unique by alert_id; an alert without an
 * incident joins the incident of its node, workload and hour, whose id is derived from those
 * (any cockpit computes the same id, and a re-sent alert lands in the same incident), and
 * every incident that alerts name gets a placeholder row until its report arrives. Nothing
 * here reads back what was stored: writing N alerts costs N rows, whatever N is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "vigil/store_fleet.h"

static const char *workload_key(const json_t *alert)
{
	const json_t *wl = json_object_get(alert, "workload");
	static const char *const keys[] = { "id", "container_id", "cgroup", "name" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(wl, keys[i]));

		if (v && v[0])
			return v;
	}
	return "unknown";
}

void vigil_store__loose_incident_id(const char *node, const json_t *alert, uint64_t alert_ns,
				    char out[33])
{
	char material[1024];
	int n = snprintf(material, sizeof(material), "vigil-loose\n%s\n%s\n%llu", node ? node : "",
			 workload_key(alert), (unsigned long long)(alert_ns / 3600000000000ull));

	if (n < 0)
		n = 0;
	store_hash32(material, (size_t)n < sizeof(material) ? (size_t)n : sizeof(material) - 1,
		     out);
}

static bool alert_id_valid(const char *id)
{
	return id && strlen(id) == 32 && store_id_valid(id);
}

static void reject(struct vigil_item_result *r, const char *why)
{
	r->status = -EINVAL;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/*
 * Completes one alert in place (node, alert_id, time, incident_id) and returns its row, or
 * NULL with r filled. *loose says the incident id was derived here.
 */
static json_t *alert_row(json_t *alert, const struct vigil_ingest *in, const char *incident,
			 struct vigil_item_result *r, bool *loose)
{
	const json_t *wl = json_object_get(alert, "workload"), *tv = json_object_get(alert, "time");
	const char *rule = json_string_value(json_object_get(alert, "rule_id"));
	const char *id = json_string_value(json_object_get(alert, "alert_id"));
	const char *node;
	char derived[33], stamp[48], *record;
	uint64_t t_ns;
	json_t *item, *row;

	*loose = false;
	if (!json_is_object(alert) || !rule || !rule[0]) {
		reject(r, "not an alert record (an object with a rule_id)");
		return NULL;
	}
	if (json_object_get(alert, "alert_id") && !alert_id_valid(id)) {
		reject(r, "alert_id must be 32 lower-case hex digits");
		return NULL;
	}
	if (!id && in->need_alert_id) {
		reject(r, "alert_id missing (32 lower-case hex digits, unique per alert)");
		return NULL;
	}
	if (tv && !(t_ns = store_parse_time(json_string_value(tv)))) {
		reject(r, "time is not an RFC 3339 time (2026-11-22T10:00:00.123456789Z)");
		return NULL;
	}
	if (!tv) {
		t_ns = in->now_ns;
		json_object_set_new(alert, "time",
				    json_string(store_format_time(t_ns, stamp, sizeof(stamp))));
	}
	if (in->node)
		json_object_set_new(alert, "node", json_string(in->node));
	node = json_string_value(json_object_get(alert, "node"));
	if (incident) {
		json_object_set_new(alert, "incident_id", json_string(incident));
	} else if (json_object_get(alert, "incident_id")) {
		incident = json_string_value(json_object_get(alert, "incident_id"));
		if (!store_id_valid(incident)) {
			reject(r, "invalid incident_id (1 to 32 lower-case hex digits)");
			return NULL;
		}
	} else {
		vigil_store__loose_incident_id(node, alert, t_ns, derived);
		json_object_set_new(alert, "incident_id", json_string(derived));
		*loose = true;
	}
	if (!id) { /* the same record always gets the same id, so a re-send is a duplicate */
		char *text = json_dumps(alert, JSON_COMPACT | JSON_SORT_KEYS);

		if (!text)
			return NULL;
		store_hash32(text, strlen(text), derived);
		free(text);
		json_object_set_new(alert, "alert_id", json_string(derived));
	}
	record = json_dumps(alert, JSON_COMPACT);
	if (!record)
		return NULL;
	item = json_pack("{s:O?, s:O?, s:I, s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, "
			 "s:O?, s:s}",
			 "alert_id", json_object_get(alert, "alert_id"), "node",
			 json_object_get(alert, "node"), "time_ns", (json_int_t)t_ns, "received_ns",
			 (json_int_t)in->now_ns, "rule_id", json_object_get(alert, "rule_id"),
			 "rule_name", json_object_get(alert, "rule_name"), "severity",
			 json_object_get(alert, "severity"), "message",
			 json_object_get(alert, "message"), "pid",
			 json_object_get(json_object_get(alert, "process"), "pid"), "comm",
			 json_object_get(json_object_get(alert, "process"), "comm"), "workload_id",
			 json_object_get(wl, "id"), "workload_name", json_object_get(wl, "name"),
			 "namespace", json_object_get(wl, "namespace"), "record", record);
	free(record);
	row = item ? store_row_from_item(&store_tables[T_ALERTS], item,
					 json_string_value(json_object_get(alert, "incident_id")),
					 0)
		   : NULL;
	json_decref(item);
	return row;
}

/* The row an incident has until its report arrives (version 0: any report outranks it). */
static json_t *placeholder(const json_t *alert, const json_t *row, bool loose, uint64_t now_ns)
{
	const json_t *wl = json_object_get(alert, "workload");
	uint64_t t = (uint64_t)json_integer_value(json_object_get(row, "time_ns"));
	const char *id = json_string_value(json_object_get(row, "incident_id"));
	char summary[160];
	json_t *item, *out;

	if (loose)
		snprintf(summary, sizeof(summary),
			 "alerts of %s in this hour (raised without an incident)",
			 json_string_value(json_object_get(wl, "name")) ?: "a workload");
	else
		snprintf(summary, sizeof(summary),
			 "alerts of incident %s (its report has not arrived)", id);
	item = json_pack(
		"{s:O?, s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:I, s:I, s:s}", "node",
		json_object_get(row, "node"), "state", "open", "workload_id",
		json_object_get(wl, "id"), "workload_name", json_object_get(wl, "name"), "cgroup",
		json_object_get(wl, "cgroup"), "container_id", json_object_get(wl, "container_id"),
		"host", json_object_get(row, "node"), "opened_ns",
		(json_int_t)(loose ? t / 3600000000000ull * 3600000000000ull : t), "start_ns",
		(json_int_t)t, "received_ns", (json_int_t)now_ns, "summary", summary);
	out = item ? store_row_from_item(&store_tables[T_INCIDENTS], item, id, 0) : NULL;
	json_decref(item);
	return out;
}

static int put_placeholders(struct vigil_store *s, json_t *alerts, json_t *rows,
			    const size_t *item_of, const bool *loose, const bool *dup,
			    uint64_t now_ns)
{
	json_t *seen = json_object(), *inc = json_array();
	struct put_opts o = { .if_absent = true };
	size_t i;
	json_t *row;
	int rc = 0;

	if (!seen || !inc) {
		json_decref(seen);
		json_decref(inc);
		return -ENOMEM;
	}
	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "incident_id"));

		if (dup[i] || json_object_get(seen, id))
			continue;
		json_object_set_new(seen, id, json_true());
		if (json_array_append_new(inc, placeholder(json_array_get(alerts, item_of[i]), row,
							   loose[i], now_ns))) {
			rc = -ENOMEM;
			break;
		}
	}
	if (!rc && json_array_size(inc))
		rc = s->ops->put_rows(s, T_INCIDENTS, inc, &o);
	json_decref(seen);
	json_decref(inc);
	return rc;
}

int vigil_store__ingest_alerts(struct vigil_store *s, const struct vigil_ingest *in, json_t *alerts,
			       struct vigil_item_result *res)
{
	size_t n = json_array_size(alerts), i;
	json_t *rows = json_array(), *alert;
	size_t *item_of = calloc(n + 1, sizeof(*item_of));
	bool *loose = calloc(n + 1, sizeof(*loose)), *dup = calloc(n + 1, sizeof(*dup));
	struct put_opts o = { .dup = dup };
	int rc = 0;

	if (!s || !in || !res)
		rc = -EINVAL;
	else if (s->opts.read_only)
		rc = -EROFS;
	else if (!rows || !item_of || !loose || !dup)
		rc = -ENOMEM;
	json_array_foreach(alerts, i, alert)
	{
		json_t *row;
		size_t k = json_array_size(rows);

		if (rc)
			break;
		memset(&res[i], 0, sizeof(res[i]));
		row = alert_row(alert, in, NULL, &res[i], &loose[k]);
		if (!row) {
			if (!res[i].status)
				rc = -ENOMEM;
			continue;
		}
		item_of[k] = i;
		if (json_array_append_new(rows, row))
			rc = -ENOMEM;
	}
	if (!rc && json_array_size(rows))
		rc = s->ops->put_rows(s, T_ALERTS, rows, &o);
	if (!rc)
		for (i = 0; i < json_array_size(rows); i++)
			res[item_of[i]].status = dup[i] ? 1 : 0;
	if (!rc && json_array_size(rows))
		rc = put_placeholders(s, alerts, rows, item_of, loose, dup, in->now_ns);
	json_decref(rows);
	free(item_of);
	free(loose);
	free(dup);
	return rc;
}

int vigil_store__ingest_report(struct vigil_store *s, const struct vigil_ingest *in, json_t *report,
			       struct vigil_item_result *res)
{
	const char *id = json_string_value(json_object_get(report, "incident_id"));
	uint64_t version = in->now_ns;
	struct put_opts o = { 0 };
	json_t *rows, *item;
	size_t i;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!json_is_object(report)) {
		reject(res, "not an incident report (an object)");
		return 0;
	}
	if (!store_id_valid(id)) {
		reject(res, "missing or invalid incident_id (1 to 32 lower-case hex digits)");
		return 0;
	}
	if (s->opts.read_only)
		return -EROFS;
	if (in->node)
		json_object_set_new(report, "node", json_string(in->node));
	json_object_set_new(report, "received_ns", json_integer((json_int_t)in->now_ns));
	/* a report that does not say when it opened opened when it arrived */
	if (json_integer_value(json_object_get(report, "opened_ns")) <= 0)
		json_object_set_new(report, "opened_ns", json_integer((json_int_t)in->now_ns));
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST && !rc; t++) {
		const struct store_table *tab = &store_tables[t];
		json_t *items = json_object_get(report, tab->report_key);
		struct vigil_ingest ain = *in;

		ain.need_alert_id = false;
		ain.node = json_string_value(json_object_get(report, "node"));
		if (!(rows = json_array()))
			return -ENOMEM;
		json_array_foreach(items, i, item)
		{
			struct vigil_item_result r;
			bool loose;
			json_t *row = t == T_ALERTS ? alert_row(item, &ain, id, &r, &loose)
						    : store_row_from_item(tab, item, id, version);

			if (row && json_array_append_new(rows, row))
				rc = -ENOMEM;
		}
		o.replace_owner = t == T_ALERTS ? NULL : id;
		if (!rc)
			rc = s->ops->put_rows(s, (enum store_table_id)t, rows, &o);
		json_decref(rows);
	}
	if (rc)
		return rc;
	/* the incident row last: a reader that sees it sees its children */
	rows = json_array();
	if (!rows || json_array_append_new(rows, store_incident_row(report, version))) {
		json_decref(rows);
		return -ENOMEM;
	}
	o.replace_owner = NULL;
	rc = s->ops->put_rows(s, T_INCIDENTS, rows, &o);
	json_decref(rows);
	return rc;
}
