// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts and incident reports into rows. Alerts are unique by node and alert_id; an alert
 * without an incident joins the incident of its node, workload and hour, whose id is derived
 * from those (any cockpit computes the same id, and a re-sent alert lands in the same
 * incident), and every incident that alerts name gets a placeholder row until its report
 * arrives. Nothing here reads back what was stored: writing N alerts costs N rows, whatever N
 * is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_internal.h"
#include "store/store_internal.h"
#include "vigil/event.h"
#include "vigil/store_fleet.h"

/* The workload members that name it, in the order of WL_ID.. (store/ingest_internal.h). */
static const char *const wl_names[WL__MAX] = { "id", "container_id", "cgroup", "name" };

static const char *workload_key(const json_t *alert)
{
	const json_t *wl = json_object_get(alert, "workload");
	const char *v[WL__MAX];

	for (size_t i = 0; i < WL__MAX; i++)
		v[i] = json_string_value(json_object_get(wl, wl_names[i]));
	return store_workload_key(v);
}

const char *store_workload_key(const char *const wl[WL__MAX])
{
	for (size_t i = 0; i < WL__MAX; i++)
		if (wl[i] && wl[i][0])
			return wl[i];
	return "unknown";
}

void store_loose_incident_id(const char *node, const char *workload_key, uint64_t alert_ns,
			     char out[33])
{
	char material[1024];
	int n = snprintf(material, sizeof(material), "vigil-loose\n%s\n%s\n%llu", node ? node : "",
			 workload_key, (unsigned long long)(alert_ns / 3600000000000ull));

	if (n < 0)
		n = 0;
	store_hash32(material, (size_t)n < sizeof(material) ? (size_t)n : sizeof(material) - 1,
		     out);
}

void vigil_store__loose_incident_id(const char *node, const json_t *alert, uint64_t alert_ns,
				    char out[33])
{
	store_loose_incident_id(node, workload_key(alert), alert_ns, out);
}

/*
 * A string column from a JSON value ("" when it is not a string): the alert's own string,
 * shared (jansson strings are not changed in place, and their counts are atomic), not a copy
 * made here and freed with the request: a dozen allocations, copies and frees less per alert.
 */
static void row_str(json_t *row, const char *col, const json_t *v)
{
	json_object_set_new_nocheck(row, col,
				    json_is_string(v) ? json_incref((json_t *)v) : json_string(""));
}

/* An unsigned column, clamped to max as the schema's typed() does. */
static void row_int(json_t *row, const char *col, const json_t *v, uint64_t max)
{
	json_int_t i = json_is_integer(v) ? json_integer_value(v) : 0;

	if (i < 0)
		i = 0;
	if ((uint64_t)i > max)
		i = (json_int_t)max;
	json_object_set_new_nocheck(row, col, json_integer(i));
}

bool store_alert_id_valid(const char *id)
{
	return id && strlen(id) == 32 && store_id_valid(id);
}

static void reject(struct vigil_item_result *r, const char *why)
{
	r->status = -EINVAL;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s as a JSON string at out (room for 6 bytes per byte of s and 2): its length. */
static size_t json_str_at(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[*p >> 4];
			out[o + 5] = hex[*p & 15];
			o += 6;
		} else {
			out[o++] = (char)*p; /* UTF-8 as jansson checked it */
		}
	}
	out[o++] = '"';
	return o;
}

/*
 * The record of an alert that is its text as sent plus, at the end, the node and the derived
 * incident id (NULL: already in it): the same members in the same order as dumping the
 * completed alert gives, without dumping it (a third of the prepare's work). 0 when it does
 * not fit in buf (size) or the text is not an object's.
 */
size_t store_record_as_sent(const struct vigil_text *text, const char *node, const char *incident,
			    char *buf, size_t size)
{
	size_t end = text->len, body, o;

	while (end && is_ws(text->p[end - 1]))
		end--;
	if (!end || text->p[end - 1] != '}' || text->p[0] != '{')
		return 0;
	body = end - 1; /* up to the closing brace */
	if (body + 32 + (node ? 6 * strlen(node) : 0) + (incident ? 6 * strlen(incident) : 0) >
	    size)
		return 0;
	memcpy(buf, text->p, body);
	o = body;
	while (o > 1 && is_ws(buf[o - 1]))
		o--;
	if (node) {
		o += (size_t)snprintf(buf + o, size - o,
				      "%s\"node\":", buf[o - 1] == '{' ? "" : ",");
		o += json_str_at(buf + o, node);
	}
	if (incident) {
		o += (size_t)snprintf(buf + o, size - o,
				      "%s\"incident_id\":", buf[o - 1] == '{' ? "" : ",");
		o += json_str_at(buf + o, incident);
	}
	buf[o++] = '}';
	buf[o] = '\0';
	return o;
}

/*
 * Completes one alert in place (node, alert_id, time, incident_id) and returns its row, or
 * NULL with r filled. *loose says the incident id was derived here.
 */
static json_t *alert_row(json_t *alert, const struct vigil_ingest *in, const char *incident,
			 const struct vigil_text *text, struct vigil_item_result *r, bool *loose)
{
	const json_t *wl = json_object_get(alert, "workload"), *tv = json_object_get(alert, "time");
	const char *rule = json_string_value(json_object_get(alert, "rule_id"));
	const char *id = json_string_value(json_object_get(alert, "alert_id"));
	const char *node, *sent_node = json_string_value(json_object_get(alert, "node"));
	char derived[33], stamp[48], *record, stack[4096];
	bool had_node = json_object_get(alert, "node"), had_incident, as_sent;
	uint64_t t_ns;
	size_t len;
	json_t *row;

	*loose = false;
	if (!json_is_object(alert) || !rule || !rule[0]) {
		reject(r, "not an alert record (an object with a rule_id)");
		return NULL;
	}
	if (json_object_get(alert, "alert_id") && !store_alert_id_valid(id)) {
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
				    json_string(vigil_format_time_ns(t_ns, stamp, sizeof(stamp))));
	}
	/* the record is the text as sent when nothing but node and incident_id is added */
	had_incident = json_object_get(alert, "incident_id");
	as_sent = text && tv && id && !incident &&
		  (!had_node || !in->node || (sent_node && !strcmp(sent_node, in->node)));
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
		char *sorted = json_dumps(alert, JSON_COMPACT | JSON_SORT_KEYS);

		if (!sorted)
			return NULL;
		store_hash32(sorted, strlen(sorted), derived);
		free(sorted);
		json_object_set_new(alert, "alert_id", json_string(derived));
	}
	/*
	 * A time ahead of the cockpit's clock (a node's clock set forward, by mistake or to keep
	 * its alerts on top of every newest-first list) counts as the arrival; the time as sent
	 * stays in time_given. After the ids are derived, so a re-send is still a duplicate.
	 */
	if (t_ns > in->now_ns + FUTURE_SLACK_NS) {
		as_sent = false;
		json_object_set(alert, "time_given", json_object_get(alert, "time"));
		t_ns = in->now_ns;
		json_object_set_new(alert, "time",
				    json_string(vigil_format_time_ns(t_ns, stamp, sizeof(stamp))));
	}
	/*
	 * The record text into a buffer on the stack: json_dumps grows its own buffer by doubling
	 * to the record's size, and each growth past 1 KiB made malloc consolidate every freed
	 * chunk of the thread (11 % of the cockpit's CPU at fleet rates). A larger record is dumped
	 * the usual way.
	 */
	len = as_sent ? store_record_as_sent(text, had_node ? NULL : in->node,
					     had_incident ? NULL
							  : json_string_value(json_object_get(
								    alert, "incident_id")),
					     stack, sizeof(stack))
		      : 0;
	if (!len)
		len = json_dumpb(alert, stack, sizeof(stack), JSON_COMPACT);
	if (len > sizeof(stack)) {
		record = json_dumps(alert, JSON_COMPACT);
		len = record ? strlen(record) : 0;
	} else {
		record = len ? stack : NULL;
	}
	if (!record)
		return NULL;
	/* the row directly, typed as the schema says (this runs once per alert) */
	row = json_object();
	if (row) {
		const json_t *proc = json_object_get(alert, "process");

		row_str(row, "incident_id", json_object_get(alert, "incident_id"));
		json_object_set_new_nocheck(row, "version", json_integer(0));
		row_str(row, "alert_id", json_object_get(alert, "alert_id"));
		row_str(row, "node", json_object_get(alert, "node"));
		json_object_set_new_nocheck(row, "time_ns", json_integer((json_int_t)t_ns));
		json_object_set_new_nocheck(row, "received_ns",
					    json_integer((json_int_t)in->now_ns));
		row_str(row, "rule_id", json_object_get(alert, "rule_id"));
		row_str(row, "rule_name", json_object_get(alert, "rule_name"));
		row_int(row, "severity", json_object_get(alert, "severity"), UINT8_MAX);
		row_str(row, "message", json_object_get(alert, "message"));
		row_int(row, "pid", json_object_get(proc, "pid"), UINT32_MAX);
		row_str(row, "comm", json_object_get(proc, "comm"));
		row_str(row, "workload_id", json_object_get(wl, "id"));
		row_str(row, "workload_name", json_object_get(wl, "name"));
		row_str(row, "namespace", json_object_get(wl, "namespace"));
		json_object_set_new_nocheck(row, "record", json_stringn_nocheck(record, len));
	}
	if (record != stack)
		free(record);
	return row;
}

/* The row an incident has until its report arrives (version 0: any report outranks it). */
static json_t *placeholder(const json_t *const wl[WL__MAX], const json_t *row, bool loose,
			   uint64_t now_ns)
{
	uint64_t t = (uint64_t)json_integer_value(json_object_get(row, "time_ns"));
	const char *id = json_string_value(json_object_get(row, "incident_id"));
	char summary[160];
	json_t *item, *out;

	if (loose)
		snprintf(summary, sizeof(summary),
			 "alerts of %s in this hour (raised without an incident)",
			 json_string_value(wl[WL_NAME]) ?: "a workload");
	else
		snprintf(summary, sizeof(summary),
			 "alerts of incident %s (its report has not arrived)", id);
	item = json_pack("{s:O?, s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:I, s:I, s:s}", "node",
			 json_object_get(row, "node"), "state", "open", "workload_id", wl[WL_ID],
			 "workload_name", wl[WL_NAME], "cgroup", wl[WL_CGROUP], "container_id",
			 wl[WL_CONTAINER_ID], "host", json_object_get(row, "node"), "opened_ns",
			 (json_int_t)(loose ? t / 3600000000000ull * 3600000000000ull : t),
			 "start_ns", (json_int_t)t, "received_ns", (json_int_t)now_ns, "summary",
			 summary);
	out = item ? store_row_from_item(&store_tables[T_INCIDENTS], item, id, 0) : NULL;
	json_decref(item);
	return out;
}

struct vigil_store_prepared *store_prepared_new(const struct vigil_ingest *in, size_t n)
{
	struct vigil_store_prepared *p = calloc(1, sizeof(*p));

	if (!p || !(p->rows = json_array()) || !(p->placeholders = json_array()) ||
	    !(p->item_of = calloc(n + 1, sizeof(*p->item_of))) || !(p->named = json_object()) ||
	    !(p->loose = json_object()) || !(p->seen = json_object()) ||
	    (in->node && !(p->node = strdup(in->node)))) {
		vigil_store_prepared__free(p);
		return NULL;
	}
	p->cap = n;
	p->now_ns = in->now_ns;
	return p;
}

int store_prepared_add(struct vigil_store_prepared *p, size_t item, json_t *row, bool loose,
		       const json_t *const wl[WL__MAX])
{
	size_t k = json_array_size(p->rows);
	const char *id = json_string_value(json_object_get(row, "incident_id"));

	if (k >= p->cap) {
		size_t cap = 2 * p->cap + 16, *g = realloc(p->item_of, (cap + 1) * sizeof(*g));

		if (!g) {
			json_decref(row);
			return -ENOMEM;
		}
		p->item_of = g;
		p->cap = cap;
	}
	p->item_of[k] = item;
	if (json_array_append_new(p->rows, row) ||
	    json_object_set_new(loose ? p->loose : p->named, id, json_true()))
		return -ENOMEM;
	if (json_object_get(p->seen, id))
		return 0;
	if (json_object_set_new(p->seen, id, json_true()) ||
	    json_array_append_new(p->placeholders, placeholder(wl, row, loose, p->now_ns)))
		return -ENOMEM;
	return 0;
}

void vigil_store_prepared__free(struct vigil_store_prepared *p)
{
	if (!p)
		return;
	json_decref(p->rows);
	json_decref(p->placeholders);
	json_decref(p->named);
	json_decref(p->loose);
	json_decref(p->seen);
	free(p->node);
	free(p->item_of);
	free(p);
}

void vigil_store_prepared__rows(const struct vigil_store_prepared *p, json_t **rows,
				json_t **placeholders)
{
	*rows = p ? p->rows : NULL;
	*placeholders = p ? p->placeholders : NULL;
}

int vigil_store__prepare_alerts(const struct vigil_ingest *in, json_t *alerts,
				struct vigil_item_result *res, struct vigil_store_prepared **ret)
{
	size_t n = json_array_size(alerts), i;
	struct vigil_store_prepared *p = store_prepared_new(in, n);
	json_t *alert;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	json_array_foreach(alerts, i, alert)
	{
		const json_t *wl = json_object_get(alert, "workload"), *wv[WL__MAX];
		json_t *row;
		bool loose = false;

		memset(&res[i], 0, sizeof(res[i]));
		row = alert_row(alert, in, NULL, in->texts ? &in->texts[i] : NULL, &res[i], &loose);
		if (!row) {
			if (!res[i].status)
				rc = -ENOMEM;
			if (rc)
				break;
			continue;
		}
		for (size_t w = 0; w < WL__MAX; w++)
			wv[w] = json_object_get(wl, wl_names[w]);
		if ((rc = store_prepared_add(p, i, row, loose, wv)))
			break;
	}
	if (rc) {
		vigil_store_prepared__free(p);
		return rc;
	}
	*ret = p;
	return 0;
}

/*
 * The owners of the incidents p's rows name. true (res filled, nothing to store) when a row
 * names another node's incident; *taken: the ids derived for this node that another node
 * holds (their placeholders replace what is there); *mine: the ids this node holds already
 * (they need no placeholder).
 */
static int foreign_named(struct vigil_store *s, struct vigil_store_prepared *p,
			 struct vigil_item_result *res, bool *refused, json_t **taken,
			 json_t **mine)
{
	json_t *ids = json_deep_copy(p->named), *owners = NULL, *row;
	const char *k;
	json_t *v;
	size_t i;
	int rc;

	*refused = false;
	*taken = json_object();
	*mine = json_object();
	if (!ids || !*taken || !*mine || json_object_update(ids, p->loose)) {
		json_decref(ids);
		return -ENOMEM;
	}
	rc = vigil_store__incident_nodes(s, ids, &owners);
	json_decref(ids);
	if (rc)
		return rc;
	json_array_foreach(p->rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "incident_id")),
			   *owner = vigil_store__foreign_owner(owners, id, p->node);

		if (!owner || !json_object_get(p->named, id))
			continue;
		res[p->item_of[i]].status = -EACCES;
		snprintf(res[p->item_of[i]].why, sizeof(res[p->item_of[i]].why),
			 "incident %s is node %.64s's: a node writes only its own incidents", id,
			 owner);
		*refused = true;
	}
	json_object_foreach(p->loose, k, v)
	{
		if (vigil_store__foreign_owner(owners, k, p->node))
			json_object_set_new(*taken, k, json_true());
	}
	json_object_foreach(owners, k, v)
	{
		if (!strcmp(json_string_value(v) ?: "", p->node))
			json_object_set_new(*mine, k, json_true());
	}
	json_decref(owners);
	return 0;
}

int vigil_store__put_prepared(struct vigil_store *s, struct vigil_store_prepared *p,
			      struct vigil_item_result *res)
{
	size_t n = json_array_size(p->rows);
	bool *dup = calloc(n + 1, sizeof(*dup));
	struct put_opts o = { .dup = dup }, absent = { .if_absent = true };
	json_t *taken = NULL, *mine = NULL;
	bool refused = false;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	if (s->opts.read_only)
		rc = -EROFS;
	if (!rc && n && p->node)
		rc = foreign_named(s, p, res, &refused, &taken, &mine);
	if (!rc && refused) { /* the whole call: nothing of it stored */
		for (size_t i = 0; i < n; i++)
			if (!res[p->item_of[i]].status) {
				res[p->item_of[i]].status = -ECANCELED;
				snprintf(res[p->item_of[i]].why, sizeof(res[p->item_of[i]].why),
					 "not stored: another item names another node's incident");
			}
		json_decref(taken);
		json_decref(mine);
		free(dup);
		return 0;
	}
	if (!rc && n)
		rc = s->ops->put_rows(s, T_ALERTS, p->rows, &o);
	for (size_t i = 0; !rc && i < n; i++)
		res[p->item_of[i]].status = dup[i] ? 1 : 0;
	/*
	 * The incidents of the alerts stored now get a placeholder where they have no row yet
	 * (one stored already keeps it); an alert that was a duplicate changes nothing.
	 */
	if (!rc && json_array_size(p->placeholders)) {
		json_t *fresh = json_object(), *want = json_array(), *ph;
		size_t i;

		for (i = 0; fresh && i < n; i++)
			if (!dup[i])
				json_object_set_new(
					fresh,
					json_string_value(json_object_get(
						json_array_get(p->rows, i), "incident_id")),
					json_true());
		json_array_foreach(p->placeholders, i, ph)
		{
			const char *id = json_string_value(json_object_get(ph, "incident_id"));

			/* a stored row of this node's stays: a placeholder would only be one more
			 * row (ClickHouse writes it, to be collapsed behind the stored one) */
			if (!json_object_get(fresh, id) || json_object_get(mine, id))
				continue;
			if (json_object_get(taken, id))
				rc = rc ? rc : store_take_incident(s, ph, p->now_ns);
			else
				json_array_append(want, ph);
		}
		if (!fresh || !want)
			rc = -ENOMEM;
		else if (!rc && json_array_size(want))
			rc = s->ops->put_rows(s, T_INCIDENTS, want, &absent);
		/* the incidents that got alerts arrived now: retention must not pick them first */
		if (!rc && fresh && s->ops->touch)
			rc = s->ops->touch(s, fresh, p->now_ns);
		json_decref(fresh);
		json_decref(want);
	}
	json_decref(taken);
	json_decref(mine);
	free(dup);
	return rc;
}

void vigil_store__prefetch_alerts(struct vigil_store *s, struct vigil_store_prepared *const *p,
				  size_t n)
{
	json_t *ids, *rows;
	bool ok = true;

	if (!s || !s->ops->prefetch)
		return;
	json_decref(s->owners);
	s->owners = NULL;
	s->ops->prefetch(s, T_ALERTS, NULL);
	if (!n || s->opts.read_only)
		return;
	ids = json_object();
	rows = json_array();
	for (size_t i = 0; ok && ids && rows && i < n; i++) {
		if (!p[i])
			continue;
		if (p[i]->node)
			ok = !json_object_update(ids, p[i]->named) &&
			     !json_object_update(ids, p[i]->loose);
		ok = ok && !json_array_extend(rows, p[i]->rows);
	}
	/* what fails here is asked again by each put_prepared */
	if (ok && ids && rows && (!json_object_size(ids) || !store_prefetch_owners(s, ids)))
		s->ops->prefetch(s, T_ALERTS, rows);
	json_decref(ids);
	json_decref(rows);
}

int vigil_store__ingest_alerts(struct vigil_store *s, const struct vigil_ingest *in, json_t *alerts,
			       struct vigil_item_result *res)
{
	struct vigil_store_prepared *p = NULL;
	int rc;

	if (!s || !in || !res)
		return -EINVAL;
	if (s->opts.read_only)
		return -EROFS;
	rc = vigil_store__prepare_alerts(in, alerts, res, &p);
	if (!rc)
		rc = vigil_store__put_prepared(s, p, res);
	vigil_store_prepared__free(p);
	return rc;
}

/*
 * An alert inside an incident report is evidence the report already stands for: one with a
 * time or alert_id that does not parse is kept, not dropped with the report acknowledged. The
 * unusable value moves to "<field>_given" and the alert takes the report's opening time (the
 * id is then derived from the content, as for an alert sent without one). What is not an alert
 * record at all (no rule_id) is still left out.
 */
static void keep_report_alert(json_t *alert, uint64_t opened_ns, uint64_t now_ns)
{
	const json_t *tv = json_object_get(alert, "time"),
		     *idv = json_object_get(alert, "alert_id");
	char stamp[48];

	if (!json_is_object(alert))
		return;
	if (idv && !store_alert_id_valid(json_string_value(idv))) {
		json_object_set(alert, "alert_id_given", (json_t *)idv);
		json_object_del(alert, "alert_id");
	}
	if (tv && !store_parse_time(json_string_value(tv))) {
		json_object_set(alert, "time_given", (json_t *)tv);
		json_object_set_new(
			alert, "time",
			json_string(vigil_format_time_ns(opened_ns, stamp, sizeof(stamp))));
	}
}

int vigil_store__ingest_report(struct vigil_store *s, const struct vigil_ingest *in, json_t *report,
			       struct vigil_item_result *res)
{
	const char *id = json_string_value(json_object_get(report, "incident_id"));
	uint64_t version = in->now_ns;
	struct put_opts o = { 0 };
	json_int_t opened;
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
	if (in->node) {
		json_t *ids = json_pack("{s:b}", id, 1), *owners = NULL;
		const char *owner;

		rc = ids ? vigil_store__incident_nodes(s, ids, &owners) : -ENOMEM;
		json_decref(ids);
		if (rc)
			return rc;
		owner = vigil_store__foreign_owner(owners, id, in->node);
		if (owner) {
			res->status = -EACCES;
			snprintf(
				res->why, sizeof(res->why),
				"incident %s is node %.64s's: a node writes only its own incidents",
				id, owner);
		}
		json_decref(owners);
		if (owner)
			return 0;
		json_object_set_new(report, "node", json_string(in->node));
	}
	json_object_set_new(report, "received_ns", json_integer((json_int_t)in->now_ns));
	/* a report that does not say when it opened opened when it arrived; one that says it
	 * opened in the future too (the time as sent kept in opened_ns_given) */
	opened = json_integer_value(json_object_get(report, "opened_ns"));
	if (opened > 0 && (uint64_t)opened > in->now_ns + FUTURE_SLACK_NS)
		json_object_set(report, "opened_ns_given", json_object_get(report, "opened_ns"));
	if (opened <= 0 || (uint64_t)opened > in->now_ns + FUTURE_SLACK_NS)
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
			json_t *row;

			if (t == T_ALERTS)
				keep_report_alert(item,
						  (uint64_t)json_integer_value(
							  json_object_get(report, "opened_ns")),
						  in->now_ns);
			row = t == T_ALERTS ? alert_row(item, &ain, id, NULL, &r, &loose)
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
