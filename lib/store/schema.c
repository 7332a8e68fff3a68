// SPDX-License-Identifier: Apache-2.0
/*
 * The logical evidence schema, described once. Both backends render their DDL from it, and
 * reports are split into rows and reassembled from rows through it, so SQLite and ClickHouse
 * cannot drift apart. Types stay within what ClickHouse 18.16 has (UInt64 nanoseconds,
 * String, Array(String), Enum8, Float64).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include "store/store_internal.h"
#include "util/strutil.h"
#include "util/digest.h"

#define ID_VER                            \
	{ "incident_id", COL_STR, NULL }, \
	{                                 \
		"version", COL_U64, NULL  \
	}

static const struct store_col incidents_cols[] = {
	ID_VER,
	{ "node", COL_STR, NULL },
	{ "state", COL_ENUM, "'open' = 1, 'closed' = 2" },
	{ "workload_id", COL_STR, NULL },
	{ "workload_name", COL_STR, NULL },
	{ "cgroup_id", COL_U64, NULL },
	{ "cgroup", COL_STR, NULL },
	{ "container_id", COL_STR, NULL },
	{ "host", COL_STR, NULL },
	{ "opened_ns", COL_U64, NULL },
	{ "start_ns", COL_U64, NULL },
	{ "end_ns", COL_U64, NULL },
	{ "closed_ns", COL_U64, NULL },
	{ "received_ns", COL_U64, NULL }, /* when it arrived: retention counts from here */
	{ "alert_count", COL_U32, NULL },
	{ "event_count", COL_U32, NULL },
	{ "events_dropped", COL_U32, NULL },
	{ "bytes", COL_U64, NULL },
	{ "rules", COL_ARR, NULL },
	{ "languages", COL_ARR, NULL },
	{ "summary", COL_STR, NULL },
};

static const struct store_col alerts_cols[] = {
	ID_VER,
	{ "alert_id", COL_STR, NULL },
	{ "node", COL_STR, NULL },
	{ "time_ns", COL_U64, NULL },
	{ "received_ns", COL_U64, NULL },
	{ "rule_id", COL_STR, NULL },
	{ "rule_name", COL_STR, NULL },
	{ "severity", COL_U8, NULL },
	{ "message", COL_STR, NULL },
	{ "pid", COL_U32, NULL },
	{ "comm", COL_STR, NULL },
	{ "workload_id", COL_STR, NULL },
	{ "workload_name", COL_STR, NULL },
	{ "namespace", COL_STR, NULL },
	{ "record", COL_STR, NULL }, /* the whole alert record, JSON */
};

static const struct store_col events_cols[] = {
	ID_VER,
	{ "seq", COL_U32, NULL },
	{ "time_ns", COL_U64, NULL },
	{ "kind", COL_STR, NULL },
	{ "pid", COL_U32, NULL },
	{ "comm", COL_STR, NULL },
	{ "via_iouring", COL_U8, NULL },
	{ "detail", COL_STR, NULL },
	{ "bytes", COL_U64, NULL },
};

static const struct store_col processes_cols[] = {
	ID_VER,
	{ "pid", COL_U32, NULL },
	{ "comm", COL_STR, NULL },
	{ "exe", COL_STR, NULL },
	{ "language", COL_STR, NULL },
	{ "language_version", COL_STR, NULL },
	{ "language_evidence", COL_STR, NULL },
	{ "first_ns", COL_U64, NULL },
};

static const struct store_col destinations_cols[] = {
	ID_VER,
	{ "addr", COL_STR, NULL },
	{ "port", COL_U16, NULL },
	{ "transport", COL_STR, NULL },
	{ "dns", COL_STR, NULL },
	{ "protocol", COL_STR, NULL },
	{ "connections", COL_U32, NULL },
	{ "messages", COL_U32, NULL },
	{ "first_ns", COL_U64, NULL },
	{ "last_ns", COL_U64, NULL },
	{ "bytes_out", COL_U64, NULL },
	{ "bytes_in", COL_U64, NULL },
	{ "beacon_score", COL_F64, NULL },
	{ "beacon_ts_score", COL_F64, NULL },
	{ "beacon_ds_score", COL_F64, NULL },
	{ "beacon_band", COL_STR, NULL },
	{ "interval_ns", COL_U64, NULL },
};

static const struct store_col flows_cols[] = {
	ID_VER,
	{ "time_ns", COL_U64, NULL },
	{ "addr", COL_STR, NULL },
	{ "port", COL_U16, NULL },
	{ "direction", COL_ENUM, "'out' = 1, 'in' = 2" },
	{ "via_iouring", COL_U8, NULL },
	{ "protocol", COL_STR, NULL },
	{ "detail", COL_STR, NULL },
	{ "entropy", COL_F64, NULL },
	{ "bytes", COL_U64, NULL },
	{ "sample_hex", COL_STR, NULL },
	{ "redactions", COL_ARR, NULL },
	{ "tls", COL_U8, NULL }, /* schema 4: plaintext taken at a TLS library call */
};

static const struct store_col files_cols[] = {
	ID_VER,
	{ "time_ns", COL_U64, NULL },
	{ "path", COL_STR, NULL },
	{ "pid", COL_U32, NULL },
	{ "bytes", COL_U64, NULL },
	{ "sample_sha256", COL_STR, NULL },
	{ "sample_len", COL_U32, NULL },
	{ "sent_to", COL_ARR, NULL },
};

/* The fleet: one row per node (its last heartbeat), replaced by each heartbeat. */
static const struct store_col nodes_cols[] = {
	{ "node", COL_STR, NULL },
	{ "version", COL_U64, NULL },
	{ "last_seen_ns", COL_U64, NULL }, /* arrival of the last heartbeat (cockpit clock) */
	{ "time_ns", COL_U64, NULL },	   /* the heartbeat's own time (agent clock) */
	{ "seq", COL_U64, NULL },
	{ "interval_s", COL_U32, NULL },
	{ "agent_version", COL_STR, NULL },
	{ "kernel", COL_STR, NULL },
	{ "uptime_s", COL_U64, NULL },
	{ "boot_id", COL_STR, NULL },
	{ "drops", COL_U64, NULL },
	{ "sink_failures", COL_U64, NULL },
	{ "spool_dropped", COL_U64, NULL },
	{ "workloads", COL_U32, NULL },
	{ "workloads_digest", COL_STR, NULL },
	{ "workloads_version", COL_U64, NULL }, /* the version of the current workload rows */
	{ "heartbeat", COL_STR, NULL },		/* the whole heartbeat, JSON */
};

/* A node's workloads as of a heartbeat; the set in force has the node's workloads_version. */
static const struct store_col workloads_cols[] = {
	{ "node", COL_STR, NULL },
	{ "version", COL_U64, NULL },
	{ "id", COL_STR, NULL },
	{ "name", COL_STR, NULL },
	{ "namespace", COL_STR, NULL },
	{ "pod", COL_STR, NULL },
	{ "pod_uid", COL_STR, NULL },
	{ "container", COL_STR, NULL },
	{ "image", COL_STR, NULL },
	{ "runtime", COL_STR, NULL },
	{ "state", COL_STR, NULL },
	{ "profile_name", COL_STR, NULL },
	{ "profile_digest", COL_STR, NULL },
	{ "profile_signer", COL_STR, NULL },
	{ "profile_completion", COL_STR, NULL },
	{ "alerts_total", COL_U64, NULL },
};

/* Every profile a node learned or has in force (the fleet's SBoBs). */
static const struct store_col profiles_cols[] = {
	{ "node", COL_STR, NULL },	    { "version", COL_U64, NULL },
	{ "workload_name", COL_STR, NULL }, { "namespace", COL_STR, NULL },
	{ "kind", COL_STR, NULL },	    { "name", COL_STR, NULL },
	{ "digest", COL_STR, NULL },	    { "signer", COL_STR, NULL },
	{ "completion", COL_STR, NULL },    { "received_ns", COL_U64, NULL },
	{ "yaml", COL_STR, NULL },
};

/* Node and join tokens, by the sha256 of the token (never the token itself). */
static const struct store_col credentials_cols[] = {
	{ "token_hash", COL_STR, NULL },
	{ "version", COL_U64, NULL },
	{ "kind", COL_STR, NULL }, /* "node" or "join" */
	{ "node", COL_STR, NULL }, /* node tokens: the node it names */
	{ "created_ns", COL_U64, NULL },
	{ "expires_ns", COL_U64, NULL }, /* join tokens; 0 = never */
	{ "uses", COL_U32, NULL },	 /* join tokens: how many enrolments it allows */
	{ "revoked_ns", COL_U64, NULL }, /* 0 = active */
};

/* One row per enrolment done with a join token (its uses are counted from here). */
static const struct store_col enrolments_cols[] = {
	{ "join_hash", COL_STR, NULL }, { "version", COL_U64, NULL },	 { "node", COL_STR, NULL },
	{ "time_ns", COL_U64, NULL },	{ "token_hash", COL_STR, NULL },
};

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const char *const incidents_idx[] = { "received_ns", "opened_ns", "node, opened_ns", NULL };
/* (incident, time) covers what an incident list counts (severity, rule), (time, severity)
 * what the counts over time do: no row is read */
static const char *const alerts_idx[] = { "incident_id, time_ns, severity, rule_id",
					  "time_ns, severity", "node, time_ns", NULL };
static const char *const child_idx[] = { "incident_id", NULL };
static const char *const workloads_idx[] = { "node", NULL };
static const char *const profiles_idx[] = { "digest", "received_ns", NULL };
static const char *const enrolments_idx[] = { "join_hash", NULL };

const struct store_table store_tables[T__MAX] = {
	[T_INCIDENTS] = { .name = "incidents",
			  COLS(incidents_cols),
			  .time_col = "opened_ns",
			  .mode = PUT_REPLACE,
			  .key = "incident_id",
			  .ch_order = "incident_id",
			  .ch_shard = "cityHash64(incident_id)",
			  .idx = incidents_idx,
			  .ch_fine_index = true,
			  .ch_no_partition = true },
	[T_ALERTS] = { .name = "alerts",
		       COLS(alerts_cols),
		       .report_key = "alerts",
		       .time_col = "time_ns",
		       .mode = PUT_IGNORE,
		       /* per node: another node's alert with the same id is not a duplicate
			* (a node that learns an id cannot make the real alert one) */
		       .key = "node, alert_id",
		       .ch_order = "incident_id, alert_id",
		       .ch_shard = "cityHash64(alert_id)",
		       .ch_fine_index = true,
		       .idx = alerts_idx },
	[T_EVENTS] = { .name = "events",
		       COLS(events_cols),
		       .report_key = "events",
		       .time_col = "time_ns",
		       .ch_order = "incident_id, seq",
		       .ch_shard = "cityHash64(incident_id)",
		       .idx = child_idx },
	[T_PROCESSES] = { .name = "processes",
			  COLS(processes_cols),
			  .report_key = "processes",
			  .time_col = "first_ns",
			  .ch_order = "incident_id, pid",
			  .ch_shard = "cityHash64(incident_id)",
			  .idx = child_idx },
	[T_DESTINATIONS] = { .name = "destinations",
			     COLS(destinations_cols),
			     .report_key = "destinations",
			     .time_col = "first_ns",
			     .ch_order = "incident_id, addr, port",
			     .ch_shard = "cityHash64(incident_id)",
			     .idx = child_idx },
	[T_FLOWS] = { .name = "flows",
		      COLS(flows_cols),
		      .report_key = "flows",
		      .time_col = "time_ns",
		      .ch_order = "incident_id, time_ns",
		      .ch_shard = "cityHash64(incident_id)",
		      .idx = child_idx },
	[T_FILES] = { .name = "files",
		      COLS(files_cols),
		      .report_key = "files",
		      .time_col = "time_ns",
		      .ch_order = "incident_id, time_ns",
		      .ch_shard = "cityHash64(incident_id)",
		      .idx = child_idx },
	[T_NODES] = { .name = "nodes",
		      COLS(nodes_cols),
		      .time_col = "last_seen_ns",
		      .mode = PUT_REPLACE,
		      .key = "node",
		      .ch_order = "node",
		      .ch_shard = "cityHash64(node)",
		      .ch_no_partition = true },
	[T_WORKLOADS] = { .name = "workloads",
			  COLS(workloads_cols),
			  .time_col = "version",
			  .ch_order = "node, version, id",
			  .ch_shard = "cityHash64(node)",
			  .idx = workloads_idx,
			  .ch_no_partition = true },
	[T_PROFILES] = { .name = "profiles",
			 COLS(profiles_cols),
			 .time_col = "received_ns",
			 .mode = PUT_IGNORE,
			 .key = "node, workload_name, namespace, kind, digest",
			 .ch_order = "node, workload_name, namespace, kind, digest",
			 .ch_shard = "cityHash64(node)",
			 .idx = profiles_idx,
			 .ch_no_partition = true },
	[T_CREDENTIALS] = { .name = "credentials",
			    COLS(credentials_cols),
			    .time_col = "created_ns",
			    .mode = PUT_REPLACE,
			    .key = "token_hash",
			    .ch_order = "token_hash",
			    .ch_shard = "cityHash64(token_hash)",
			    .ch_no_partition = true },
	[T_ENROLMENTS] = { .name = "enrolments",
			   COLS(enrolments_cols),
			   .time_col = "time_ns",
			   .ch_order = "join_hash, time_ns",
			   .ch_shard = "cityHash64(join_hash)",
			   .idx = enrolments_idx,
			   .ch_no_partition = true },
};

bool store_id_valid(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')) || n >= 32)
			return false;
	return n > 0;
}

static uint64_t as_u64(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) < 0 ? 0 : (uint64_t)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);

		/* converting a double beyond the range is undefined: clamp like the integers */
		return !(d > 0) ? 0 : d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)d;
	}
	if (json_is_true(v))
		return 1;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		/* strtoull wraps "-5" around to a huge number: negatives are 0 as above */
		s += strspn(s, " \t\n\v\f\r");
		return *s == '-' ? 0 : strtoull(s, NULL, 10);
	}
	return 0;
}

/*
 * An enum column's value: one of its names, else the first. A value outside the list (a report
 * without "state", or one a node made up) was kept by SQLite but failed ClickHouse's whole
 * insert, and with it every write of the group: 503 to every node, and the sender retried the
 * same report for ever.
 */
static json_t *enum_value(const struct store_col *c, const json_t *v)
{
	const char *s = json_string_value(v), *first = c->enum_values + 1;
	size_t n = s ? strlen(s) : 0;

	for (const char *p = c->enum_values; s && n && !strchr(s, '\'') && (p = strchr(p, '\''));) {
		size_t len = strcspn(p + 1, "'");

		if (len == n && !strncmp(p + 1, s, n))
			return json_string(s);
		p += len + 2;
		p = strchr(p, ',');
		if (!p)
			break;
	}
	return json_stringn(first, strcspn(first, "'"));
}

/* A typed value for column c from v (any JSON, possibly NULL). */
static json_t *typed(const struct store_col *c, const json_t *v)
{
	uint64_t u, max;

	switch (c->type) {
	case COL_STR:
		return json_string(json_is_string(v) ? json_string_value(v) : "");
	case COL_ENUM:
		return enum_value(c, v);
	case COL_F64:
		return json_real(json_is_number(v)   ? json_number_value(v)
				 : json_is_string(v) ? strtod(json_string_value(v), NULL)
						     : 0.0);
	case COL_ARR: {
		json_t *a = json_array();
		size_t i;
		json_t *e;

		if (!a)
			return NULL;
		if (json_is_string(v)) /* SQLite keeps arrays as JSON text */
			v = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
		else
			json_incref((json_t *)v);
		json_array_foreach(v, i, e)
		{
			if (json_is_string(e))
				json_array_append(a, e);
		}
		json_decref((json_t *)v);
		return a;
	}
	default:
		break;
	}
	u = as_u64(v);
	max = c->type == COL_U32   ? UINT32_MAX
	      : c->type == COL_U16 ? UINT16_MAX
	      : c->type == COL_U8  ? UINT8_MAX
				   : UINT64_MAX;
	if (u > max)
		u = max;
	/* jansson integers are signed: nanosecond times fit until 2262. */
	return json_integer((json_int_t)(u > INT64_MAX ? INT64_MAX : u));
}

json_t *store_row_from_item(const struct store_table *t, const json_t *item, const char *owner,
			    uint64_t version)
{
	json_t *row = json_object();

	if (!row)
		return NULL;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct store_col *c = &t->cols[i];
		const json_t *v = json_object_get(item, c->name);
		json_t *tv;

		if (i == 0)
			tv = json_string(owner);
		else if (i == 1)
			tv = json_integer((json_int_t)version);
		else
			tv = typed(c, v);
		if (!tv || json_object_set_new(row, c->name, tv)) {
			json_decref(row);
			return NULL;
		}
	}
	return row;
}

json_t *store_incident_row(const json_t *report, uint64_t version)
{
	const json_t *wl = json_object_get(report, "workload");
	json_t *flat = json_deep_copy(report), *row;

	if (!flat)
		return NULL;
	/* the workload object is flattened into workload_* columns */
	json_object_set(flat, "workload_id", json_object_get(wl, "id"));
	json_object_set(flat, "workload_name", json_object_get(wl, "name"));
	json_object_set(flat, "cgroup_id", json_object_get(wl, "cgroup_id"));
	json_object_set(flat, "cgroup", json_object_get(wl, "cgroup"));
	json_object_set(flat, "container_id", json_object_get(wl, "container_id"));
	row = store_row_from_item(&store_tables[T_INCIDENTS], flat,
				  json_string_value(json_object_get(report, "incident_id")),
				  version);
	json_decref(flat);
	return row;
}

json_t *store_row_normalize(const struct store_table *t, const json_t *row)
{
	json_t *out = json_object();

	if (!out)
		return NULL;
	for (size_t i = 0; i < t->ncols; i++) {
		json_t *tv = typed(&t->cols[i], json_object_get(row, t->cols[i].name));

		if (!tv || json_object_set_new(out, t->cols[i].name, tv)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *store_list_entry(const json_t *r)
{
	return json_pack(
		"{s:O?, s:O?, s:O?, s:{s:O?, s:O?, s:O?}, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
		"incident_id", json_object_get(r, "incident_id"), "node",
		json_object_get(r, "node"), "state", json_object_get(r, "state"), "workload", "id",
		json_object_get(r, "workload_id"), "name", json_object_get(r, "workload_name"),
		"cgroup", json_object_get(r, "cgroup"), "opened_ns",
		json_object_get(r, "opened_ns"), "start_ns", json_object_get(r, "start_ns"),
		"end_ns", json_object_get(r, "end_ns"), "received_ns",
		json_object_get(r, "received_ns"), "alert_count", json_object_get(r, "alert_count"),
		"rules", json_object_get(r, "rules"), "summary", json_object_get(r, "summary"));
}

json_t *store_report_assemble(const json_t *inc, json_t *const children[T__MAX])
{
	json_t *r = json_deep_copy(inc), *wl;

	if (!r)
		return NULL;
	wl = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "id", json_object_get(inc, "workload_id"),
		       "name", json_object_get(inc, "workload_name"), "cgroup_id",
		       json_object_get(inc, "cgroup_id"), "cgroup", json_object_get(inc, "cgroup"),
		       "container_id", json_object_get(inc, "container_id"));
	json_object_set_new(r, "workload", wl);
	json_object_del(r, "workload_id");
	json_object_del(r, "workload_name");
	json_object_del(r, "cgroup_id");
	json_object_del(r, "cgroup");
	json_object_del(r, "container_id");
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST; t++) {
		const struct store_table *tab = &store_tables[t];
		json_t *arr = json_array();
		size_t i;
		json_t *row;

		json_array_foreach(children[t], i, row)
		{
			json_t *item;

			if (t == T_ALERTS) {
				/* the alert record as it was raised */
				item = json_loads(json_string_value(json_object_get(row, "record")),
						  0, NULL);
				if (!item) {
					item = json_deep_copy(row);
					json_object_del(item, "record");
				}
			} else {
				item = json_deep_copy(row);
			}
			json_object_del(item, "incident_id");
			json_object_del(item, "version");
			json_array_append_new(arr, item);
		}
		json_object_set_new(r, tab->report_key, arr);
	}
	return r;
}

uint64_t store_parse_time(const char *t)
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
	/* past what nanoseconds hold (2262): the latest time there is, not one wrapped around
	 * into the past (a year like 2610 became 2035, filed where no list looks) */
	if ((uint64_t)secs >= (uint64_t)INT64_MAX / 1000000000ull)
		return (uint64_t)INT64_MAX;
	return (uint64_t)secs * 1000000000ull + ns;
}

void store_hash32(const void *data, size_t len, char out[33])
{
	unsigned char md[VIGIL_SHA256_LEN];

	vigil_sha256(data, len, md);
	vigil_hex(md, 16, out);
}
