// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts prepared from the body's text, without a jansson tree (issue 10: the cockpit's CPU
 * per alert). Each alert's row is filled from its members as store/alert_text.c reads them,
 * and its record is its text as sent with node and the derived incident_id appended, as
 * ingest.c does for such an alert. It takes only the plain case: a JSON array of alerts that
 * each have a valid alert_id and time (not ahead of the clock), a rule_id, no other node and
 * no invalid incident_id, whose records fit on the stack. Anything else, anywhere in the
 * body, declines the whole body, and the caller parses it with jansson as before, so every
 * error and every rejected item is answered as it always was.
 */
#include <errno.h>
#include <string.h>

#include "store/alert_text.h"
#include "store/ingest_internal.h"
#include "store/store_internal.h"

#define RECORD_MAX 4096 /* as ingest.c's alert_row: a larger record is dumped there */

#define DECLINE 1

/*
 * The loose incident ids derived in this body (a sha256 each, 3.5 k instructions): a node's
 * batch names few workloads and hours, so most alerts find theirs here.
 */
#define LOOSE_CACHE 8
struct loose_cache {
	struct {
		char key[128];
		uint64_t hour;
		char id[33];
	} e[LOOSE_CACHE];
	size_t n, next;
};

static void loose_id(struct loose_cache *c, const char *node, const char *key, uint64_t t_ns,
		     char out[33])
{
	uint64_t hour = t_ns / 3600000000000ull;
	size_t len = strlen(key), i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].hour == hour && !strcmp(c->e[i].key, key)) {
			memcpy(out, c->e[i].id, 33);
			return;
		}
	store_loose_incident_id(node, key, t_ns, out);
	if (len >= sizeof(c->e[0].key))
		return;
	i = c->n < LOOSE_CACHE ? c->n++ : c->next++ % LOOSE_CACHE;
	memcpy(c->e[i].key, key, len + 1);
	c->e[i].hour = hour;
	memcpy(c->e[i].id, out, 33);
}

static bool str_or_absent(const struct alert_member *m)
{
	return m->kind == AV_ABSENT || m->kind == AV_STRING;
}

static json_t *col_str(const struct alert_member *m)
{
	return m->kind == AV_STRING ? json_stringn_nocheck(m->s, m->len) : json_string("");
}

/* As ingest.c's row_int: an integer clamped to [0, max], else 0. */
static json_t *col_int(const struct alert_member *m, uint64_t max)
{
	int64_t i = m->kind == AV_INTEGER ? m->i : 0;

	if (i < 0)
		i = 0;
	if ((uint64_t)i > max)
		i = (int64_t)max;
	return json_integer((json_int_t)i);
}

/* One alert's row and placeholder into p; DECLINE when it is not the plain case. */
static int one(const struct vigil_ingest *in, const char *body, const struct alert_text *a,
	       struct vigil_store_prepared *p, size_t item, struct loose_cache *cache)
{
	const struct alert_member *f = a->f;
	const struct vigil_text text = { .p = body + a->start, .len = a->end - a->start };
	const char *wl[WL__MAX] = { NULL };
	static const int wl_field[WL__MAX] = { AF_WL_ID, AF_WL_CONTAINER_ID, AF_WL_CGROUP,
					       AF_WL_NAME };
	json_t *wv[WL__MAX] = { NULL }, *row;
	char derived[33], record[RECORD_MAX];
	const char *incident;
	uint64_t t_ns;
	size_t len;
	int rc;

	if (f[AF_RULE_ID].kind != AV_STRING || !f[AF_RULE_ID].len ||
	    f[AF_ALERT_ID].kind != AV_STRING || !store_alert_id_valid(f[AF_ALERT_ID].s) ||
	    f[AF_TIME].kind != AV_STRING || !(t_ns = store_parse_time(f[AF_TIME].s)) ||
	    t_ns > in->now_ns + FUTURE_SLACK_NS ||
	    (f[AF_NODE].kind != AV_ABSENT &&
	     (f[AF_NODE].kind != AV_STRING || strcmp(f[AF_NODE].s, in->node))) ||
	    (f[AF_INCIDENT_ID].kind != AV_ABSENT &&
	     (f[AF_INCIDENT_ID].kind != AV_STRING || !store_id_valid(f[AF_INCIDENT_ID].s))))
		return DECLINE;
	for (size_t w = 0; w < WL__MAX; w++) {
		if (!str_or_absent(&f[wl_field[w]]))
			return DECLINE; /* the placeholder would carry the value as it is */
		wl[w] = f[wl_field[w]].kind == AV_STRING ? f[wl_field[w]].s : NULL;
	}
	if (f[AF_INCIDENT_ID].kind == AV_STRING) {
		incident = f[AF_INCIDENT_ID].s;
	} else {
		loose_id(cache, in->node, store_workload_key(wl), t_ns, derived);
		incident = derived;
	}
	len = store_record_as_sent(&text, f[AF_NODE].kind == AV_ABSENT ? in->node : NULL,
				   f[AF_INCIDENT_ID].kind == AV_ABSENT ? incident : NULL, record,
				   sizeof(record));
	if (!len)
		return DECLINE;
	/* the columns in the schema's order, as alert_row makes them */
	row = json_object();
	if (!row)
		return -ENOMEM;
	json_object_set_new_nocheck(row, "incident_id", json_string_nocheck(incident));
	json_object_set_new_nocheck(row, "version", json_integer(0));
	json_object_set_new_nocheck(row, "alert_id", col_str(&f[AF_ALERT_ID]));
	json_object_set_new_nocheck(row, "node", json_string_nocheck(in->node));
	json_object_set_new_nocheck(row, "time_ns", json_integer((json_int_t)t_ns));
	json_object_set_new_nocheck(row, "received_ns", json_integer((json_int_t)in->now_ns));
	json_object_set_new_nocheck(row, "rule_id", col_str(&f[AF_RULE_ID]));
	json_object_set_new_nocheck(row, "rule_name", col_str(&f[AF_RULE_NAME]));
	json_object_set_new_nocheck(row, "severity", col_int(&f[AF_SEVERITY], UINT8_MAX));
	json_object_set_new_nocheck(row, "message", col_str(&f[AF_MESSAGE]));
	json_object_set_new_nocheck(row, "pid", col_int(&f[AF_PID], UINT32_MAX));
	json_object_set_new_nocheck(row, "comm", col_str(&f[AF_COMM]));
	json_object_set_new_nocheck(row, "workload_id", col_str(&f[AF_WL_ID]));
	json_object_set_new_nocheck(row, "workload_name", col_str(&f[AF_WL_NAME]));
	json_object_set_new_nocheck(row, "namespace", col_str(&f[AF_WL_NAMESPACE]));
	json_object_set_new_nocheck(row, "record", json_stringn_nocheck(record, len));
	if (json_object_size(row) != store_tables[T_ALERTS].ncols) {
		json_decref(row);
		return -ENOMEM;
	}
	/* the workload's values only for an incident new in this body (its placeholder) */
	rc = 0;
	if (!json_object_get(p->seen, incident))
		for (size_t w = 0; w < WL__MAX; w++)
			if (wl[w] && !(wv[w] = json_string_nocheck(wl[w])))
				rc = -ENOMEM;
	if (rc)
		json_decref(row);
	else
		rc = store_prepared_add(p, item, row, f[AF_INCIDENT_ID].kind == AV_ABSENT,
					(const json_t *const *)wv);
	for (size_t w = 0; w < WL__MAX; w++)
		json_decref(wv[w]);
	return rc;
}

int vigil_store__prepare_alerts_text(const struct vigil_ingest *in, const char *body, size_t len,
				     size_t max, struct vigil_store_prepared **ret, size_t *nitems)
{
	struct vigil_store_prepared *p;
	struct alert_text a;
	struct loose_cache cache = { .n = 0 };
	char scratch[RECORD_MAX];
	size_t at = 0, n = 0;
	int rc = 0;

	*ret = NULL;
	*nitems = 0;
	if (!in || !in->node || !body)
		return DECLINE;
	while (at < len &&
	       (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' || body[at] == '\r'))
		at++;
	if (at >= len || body[at] != '[')
		return DECLINE;
	at++;
	/* room for as many rows as an alert of 400 bytes would make */
	p = store_prepared_new(in, len / 400 + 16 < max ? len / 400 + 16 : max);
	if (!p)
		return -ENOMEM;
	for (;;) {
		if (n == max ||
		    !store_alert_text_read(body, len, &at, &a, scratch, sizeof(scratch))) {
			rc = DECLINE;
			break;
		}
		rc = one(in, body, &a, p, n++, &cache);
		if (rc)
			break;
		while (at < len && (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' ||
				    body[at] == '\r'))
			at++;
		if (at < len && body[at] == ',') {
			at++;
			continue;
		}
		if (at < len && body[at] == ']') {
			at++;
			break;
		}
		rc = DECLINE;
		break;
	}
	while (!rc && at < len &&
	       (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' || body[at] == '\r'))
		at++;
	if (!rc && at != len)
		rc = DECLINE;
	if (rc) {
		vigil_store_prepared__free(p);
		return rc;
	}
	*ret = p;
	*nitems = n;
	return 0;
}
