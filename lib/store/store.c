// SPDX-License-Identifier: Apache-2.0
/* The store front end: spec parsing, dispatch to a backend, and the split of alerts and
 * reports into rows (ingest.c does the alerts' rules). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"
#include "util/strutil.h"
#include "vigil/store_fleet.h"

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

/* Every backend, by the prefix of its spec: adding a store is a backend and a line here. */
static const struct {
	const char *name;  /* "sqlite" in "sqlite:PATH" */
	const char *usage; /* for messages */
	int (*open)(struct vigil_store *s, const char *addr, struct vigil_error *err);
} backends[] = {
	{ "sqlite", "sqlite:PATH", store_sqlite_open },
	{ "clickhouse", "clickhouse:URL", store_clickhouse_open },
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

static int open_backend(struct vigil_store *s, const char *spec, struct vigil_error *err)
{
	const char *colon = strchr(spec, ':'), *names[NBACKENDS + 1], *sug;
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	char want[128] = "", kind[32];

	for (size_t i = 0; i < NBACKENDS; i++) {
		if (colon && strlen(backends[i].name) == len &&
		    !strncmp(spec, backends[i].name, len))
			return backends[i].open(s, colon + 1, err);
		names[i] = backends[i].name;
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
			 !i		     ? ""
			 : i + 1 < NBACKENDS ? ", "
					     : " or ",
			 backends[i].usage);
	}
	names[NBACKENDS] = NULL;
	snprintf(kind, sizeof(kind), "%.*s", (int)(len < 31 ? len : 31), spec);
	sug = vigil_suggest(kind, names);
	return vigil_error__set(err, -EINVAL, "", 0, 0, "unknown store \"%s\" (want %s%s%s%s)",
				spec, want, sug ? "; did you mean " : "", sug ? sug : "",
				sug ? ":?" : "");
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
	rc = open_backend(s, spec, err);
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
	if (!s->opts.read_only)
		s->ops->flush(s, NULL);
	s->ops->close(s);
	json_decref(s->wl_cache);
	json_decref(s->owners);
	free(s);
}

const char *vigil_store__backend(const struct vigil_store *s)
{
	return s->ops->name;
}

int vigil_store__put_alert(struct vigil_store *s, const char *incident_id, const json_t *alert)
{
	struct vigil_ingest in = { .now_ns = vigil_realtime_ns() };
	struct vigil_item_result res = { 0 };
	json_t *arr, *copy;
	int rc;

	if (!s || !json_is_object(alert))
		return -EINVAL;
	if (!incident_id)
		incident_id = json_string_value(json_object_get(alert, "incident_id"));
	if (!store_id_valid(incident_id))
		return -EINVAL;
	copy = json_deep_copy(alert);
	arr = json_array();
	if (!copy || !arr || json_array_append_new(arr, copy)) {
		json_decref(arr);
		return -ENOMEM;
	}
	json_object_set_new(copy, "incident_id", json_string(incident_id));
	rc = vigil_store__ingest_alerts(s, &in, arr, &res);
	json_decref(arr);
	return rc ? rc : res.status < 0 ? res.status : 0;
}

int vigil_store__put_report(struct vigil_store *s, const json_t *report)
{
	struct vigil_ingest in = { .now_ns = vigil_realtime_ns() };
	struct vigil_item_result res = { 0 };
	json_t *copy;
	int rc;

	if (!s || !json_is_object(report) ||
	    !store_id_valid(json_string_value(json_object_get(report, "incident_id"))))
		return -EINVAL;
	if (s->opts.read_only)
		return -EROFS;
	copy = json_deep_copy(report);
	if (!copy)
		return -ENOMEM;
	rc = vigil_store__ingest_report(s, &in, copy, &res);
	json_decref(copy);
	return rc ? rc : res.status < 0 ? res.status : 0;
}

int vigil_store__flush(struct vigil_store *s, struct vigil_error *err)
{
	if (!s)
		return -EINVAL;
	if (s->opts.read_only)
		return 0;
	vigil_store__prefetch_alerts(s, NULL, 0);
	return s->ops->flush(s, err);
}

void vigil_store__discard(struct vigil_store *s)
{
	if (!s || s->opts.read_only)
		return;
	vigil_store__prefetch_alerts(s, NULL, 0);
	s->ops->discard(s);
	/* the workload rows it remembers writing may be among what was dropped */
	json_object_clear(s->wl_cache);
}

int vigil_store__list(struct vigil_store *s, size_t limit, json_t **ret, struct vigil_error *err)
{
	struct vigil_query f = { .limit = limit ? limit : 100 };

	if (!s || !ret)
		return -EINVAL;
	return vigil_store__incidents(s, &f, ret, err);
}

const char *store_report_alerts_limit(const struct vigil_store *s)
{
	static __thread char limit[32];

	limit[0] = '\0';
	if (s->opts.max_report_alerts) /* one more than shown: says whether any is left out */
		snprintf(limit, sizeof(limit), " LIMIT %zu", s->opts.max_report_alerts + 1);
	return limit;
}

/*
 * An incident's alerts past max_report_alerts are left out of its report and counted: one
 * node could otherwise make an incident of millions of alerts whose page (and the reader that
 * builds it, and the analyst's browser) never finishes.
 */
static int bound_alerts(struct vigil_store *s, const char *id, json_t *children[T__MAX],
			uint64_t *omitted, struct vigil_error *err)
{
	size_t max = s->opts.max_report_alerts;
	struct store_arg arg = ARG_S(id);
	json_t *rows = NULL;
	char sql[160];
	int rc;

	*omitted = 0;
	if (!max || json_array_size(children[T_ALERTS]) <= max)
		return 0;
	while (json_array_size(children[T_ALERTS]) > max)
		json_array_remove(children[T_ALERTS], json_array_size(children[T_ALERTS]) - 1);
	/* ClickHouse counts distinct ids, as its lists do (a duplicate not merged yet) */
	snprintf(sql, sizeof(sql), "SELECT %s AS n FROM alerts WHERE incident_id = ?",
		 s->ops->dialect->count_alerts);
	rc = s->ops->query(s, sql, &arg, 1, &rows, err);
	if (rc)
		return rc;
	{
		json_int_t n = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));

		*omitted = n > (json_int_t)max ? (uint64_t)n - max : 1;
	}
	json_decref(rows);
	return 0;
}

int vigil_store__get(struct vigil_store *s, const char *id, json_t **ret, struct vigil_error *err)
{
	const struct store_dialect *d;
	json_t *inc = NULL, *children[T__MAX] = { 0 };
	uint64_t omitted = 0;
	char sql[512], like[40];
	struct store_arg args[2];
	int rc;

	if (!s || !ret)
		return -EINVAL;
	if (!store_id_valid(id))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"\"%s\" is not an incident id (hex digits)", id ? id : "");
	d = s->ops->dialect;
	/* a prefix: the id sorts between PREFIX and PREFIX + 'g' (hex digits end at 'f') */
	snprintf(like, sizeof(like), "%sg", id);
	args[0] = ARG_S(id);
	args[1] = ARG_S(like);
	snprintf(sql, sizeof(sql),
		 "SELECT * FROM incidents%s WHERE incident_id >= ? AND incident_id < ? LIMIT 2",
		 d->final);
	rc = s->ops->query(s, sql, args, 2, &inc, err);
	if (rc)
		return rc;
	if (json_array_size(inc) != 1) {
		rc = json_array_size(inc) ? -EINVAL : -ENOENT;
		json_decref(inc);
		return vigil_error__set(err, rc, "", 0, 0, "incident %s: %s", id,
					rc == -ENOENT ? "not found" : "prefix is ambiguous");
	}
	{
		json_t *row =
			store_row_normalize(&store_tables[T_INCIDENTS], json_array_get(inc, 0));

		json_array_set_new(inc, 0, row);
	}
	id = json_string_value(json_object_get(json_array_get(inc, 0), "incident_id"));
	args[0] = ARG_S(id);
	args[1] = ARG_S(id);
	/* a backend that reads them all at once (ClickHouse: one round trip, not six) */
	if (s->ops->incident_children)
		rc = s->ops->incident_children(s, id, children, err);
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST && !rc && !s->ops->incident_children; t++) {
		const struct store_table *tab = &store_tables[t];
		json_t *rows = NULL;
		size_t i;
		json_t *row;

		if (t == T_ALERTS)
			snprintf(sql, sizeof(sql),
				 "SELECT * FROM alerts%s WHERE incident_id = ? ORDER BY time_ns, "
				 "alert_id%s",
				 d->final, store_report_alerts_limit(s));
		else /* the children of the newest report of this incident */
			snprintf(sql, sizeof(sql),
				 "SELECT * FROM %s WHERE incident_id = ? AND version = (SELECT "
				 "max(version) FROM %s WHERE incident_id = ?) ORDER BY %s%s",
				 tab->name, tab->name, tab->time_col, t == T_EVENTS ? ", seq" : "");
		rc = s->ops->query(s, sql, args, t == T_ALERTS ? 1 : 2, &rows, err);
		if (rc)
			break;
		children[t] = json_array();
		json_array_foreach(rows, i, row)
		{
			json_array_append_new(children[t], store_row_normalize(tab, row));
		}
		json_decref(rows);
	}
	if (!rc)
		rc = bound_alerts(s, id, children, &omitted, err);
	if (!rc) {
		*ret = store_report_assemble(json_array_get(inc, 0), children);
		if (*ret && omitted)
			json_object_set_new(*ret, "alerts_omitted",
					    json_integer((json_int_t)omitted));
		if (!*ret)
			rc = -ENOMEM;
	}
	for (int t = 0; t < T__MAX; t++)
		json_decref(children[t]);
	json_decref(inc);
	return rc;
}

int vigil_store__stats(const struct vigil_store *s, struct vigil_store_stats *ret)
{
	if (!s || !ret)
		return -EINVAL;
	*ret = s->stats;
	return 0;
}
