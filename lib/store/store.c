// SPDX-License-Identifier: Apache-2.0
/* The store front end: spec parsing, report splitting, dispatch to a backend. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"
#include "util/strutil.h"

void vigil_store_opts__init(struct vigil_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_bytes = 1ull << 30;
	o->max_age_ns = 30ull * 86400 * 1000000000ull;
	o->spool_max_bytes = 256ull << 20;
	o->retries = 3;
	o->retry_base_ns = 100000000ull;
	o->retry_cap_ns = 30000000000ull;
	o->http_timeout_ns = 10000000000ull;
	o->batch_rows = 10000;
	o->create_schema = true;
}

int vigil_store__open(const char *spec, const struct vigil_store_opts *opts,
		      struct vigil_store **ret, struct vigil_error *err)
{
	struct vigil_store *s;
	int rc;

	if (!spec || !ret)
		return vigil_error__set(err, -EINVAL, "", 0, 0, "no store given");
	s = calloc(1, sizeof(*s));
	if (!s)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	if (opts)
		s->opts = *opts;
	else
		vigil_store_opts__init(&s->opts);
	if (!s->opts.batch_rows)
		s->opts.batch_rows = 10000;
	if (vigil_str_has_prefix(spec, "sqlite:")) {
		rc = store_sqlite_open(s, spec + 7, err);
	} else if (vigil_str_has_prefix(spec, "clickhouse:")) {
		rc = store_clickhouse_open(s, spec + 11, err);
	} else {
		static const char *const kinds[] = { "sqlite", "clickhouse", NULL };
		char kind[32];
		const char *colon = strchr(spec, ':');
		const char *sug;

		snprintf(kind, sizeof(kind), "%.*s", colon ? (int)(colon - spec) : 31, spec);
		sug = vigil_suggest(kind, kinds);
		rc = vigil_error__set(
			err, -EINVAL, "", 0, 0,
			"unknown store \"%s\" (want sqlite:PATH or clickhouse:URL%s%s%s)", spec,
			sug ? "; did you mean " : "", sug ? sug : "", sug ? ":?" : "");
	}
	if (rc) {
		free(s);
		return rc;
	}
	*ret = s;
	return 0;
}

void vigil_store__free(struct vigil_store *s)
{
	if (!s)
		return;
	s->ops->flush(s, NULL);
	s->ops->close(s);
	free(s);
}

const char *vigil_store__backend(const struct vigil_store *s)
{
	return s->ops->name;
}

/* "2026-11-22T10:00:00.123456789Z" -> ns; 0 when unreadable. */
static uint64_t parse_time(const char *t)
{
	struct tm tm = { 0 };
	const char *p;
	uint64_t ns = 0, scale = 100000000ull;
	time_t secs;

	if (!t)
		return 0;
	p = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (uint64_t)(*p - '0') * scale;
	secs = timegm(&tm);
	if (secs < 0)
		return 0;
	return (uint64_t)secs * 1000000000ull + ns;
}

/* The alerts-table item for an alert record. */
static json_t *alert_item(const json_t *alert)
{
	const json_t *proc = json_object_get(alert, "process");
	const json_t *tns = json_object_get(alert, "time_ns");
	char *record = json_dumps(alert, JSON_COMPACT);
	json_t *item;

	if (!record)
		return NULL;
	item = json_pack(
		"{s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:s}", "time_ns",
		(json_int_t)(json_is_integer(tns) ? (uint64_t)json_integer_value(tns)
						  : parse_time(json_string_value(
							    json_object_get(alert, "time")))),
		"rule_id", json_object_get(alert, "rule_id"), "rule_name",
		json_object_get(alert, "rule_name"), "severity", json_object_get(alert, "severity"),
		"message", json_object_get(alert, "message"), "pid", json_object_get(proc, "pid"),
		"comm", json_object_get(proc, "comm"), "record", record);
	free(record);
	return item;
}

int vigil_store__put_alert(struct vigil_store *s, const char *incident_id, const json_t *alert)
{
	json_t *item, *rows;
	int rc;

	if (!s || !alert)
		return -EINVAL;
	if (!incident_id)
		incident_id = json_string_value(json_object_get(alert, "incident_id"));
	if (!store_id_valid(incident_id))
		return -EINVAL;
	item = alert_item(alert);
	rows = json_array();
	if (!item || !rows) {
		json_decref(item);
		json_decref(rows);
		return -ENOMEM;
	}
	json_array_append_new(rows,
			      store_row_from_item(&store_tables[T_ALERTS], item, incident_id, 0));
	json_decref(item);
	rc = s->ops->put_rows(s, T_ALERTS, rows, NULL, 0);
	json_decref(rows);
	return rc;
}

int vigil_store__put_report(struct vigil_store *s, const json_t *report)
{
	const char *id = json_string_value(json_object_get(report, "incident_id"));
	uint64_t version = store_now_ns();
	json_t *rows;
	int rc;

	if (!s || !store_id_valid(id))
		return -EINVAL;
	for (int t = T_ALERTS; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];
		const json_t *items = json_object_get(report, tab->report_key);
		size_t i;
		json_t *item;

		rows = json_array();
		if (!rows)
			return -ENOMEM;
		json_array_foreach(items, i, item)
		{
			json_t *it = t == T_ALERTS ? alert_item(item) : json_incref(item);
			/* alerts keep version 0: they are unique by (time, rule), not replaced */
			json_t *row =
				it ? store_row_from_item(tab, it, id, t == T_ALERTS ? 0 : version)
				   : NULL;

			json_decref(it);
			if (!row || json_array_append_new(rows, row)) {
				json_decref(rows);
				return -ENOMEM;
			}
		}
		rc = s->ops->put_rows(s, (enum store_table_id)t, rows, t == T_ALERTS ? NULL : id,
				      version);
		json_decref(rows);
		if (rc)
			return rc;
	}
	/* The incident row last: a reader that sees it sees its children. */
	rows = json_array();
	if (!rows || json_array_append_new(rows, store_incident_row(report, version))) {
		json_decref(rows);
		return -ENOMEM;
	}
	rc = s->ops->put_rows(s, T_INCIDENTS, rows, NULL, version);
	json_decref(rows);
	return rc;
}

int vigil_store__flush(struct vigil_store *s, struct vigil_error *err)
{
	if (!s)
		return -EINVAL;
	return s->ops->flush(s, err);
}

int vigil_store__list(struct vigil_store *s, size_t limit, json_t **ret, struct vigil_error *err)
{
	if (!s || !ret)
		return -EINVAL;
	return s->ops->list(s, limit ? limit : 100, ret, err);
}

int vigil_store__get(struct vigil_store *s, const char *id, json_t **ret, struct vigil_error *err)
{
	if (!s || !ret)
		return -EINVAL;
	if (!store_id_valid(id))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"\"%s\" is not an incident id (hex digits)", id ? id : "");
	return s->ops->get(s, id, ret, err);
}

int vigil_store__stats(const struct vigil_store *s, struct vigil_store_stats *ret)
{
	if (!s || !ret)
		return -EINVAL;
	*ret = s->stats;
	return 0;
}
