// SPDX-License-Identifier: Apache-2.0
/*
 * An alert too large to be one: cut to size, never refused. An agent's alert is a few KiB (a
 * message of at most 1 KiB, arguments of about 4 KiB: docs/ALERTS.md); a node that posts
 * alerts of megabytes (a compromised one, within its byte rate) would otherwise make every
 * list that shows them hundreds of megabytes: the alert list answered 503 for every analyst
 * and the cockpit grew by a gigabyte building it. Refusing such an alert would lose it (its
 * rule, time and workload are evidence too), so it is kept with its long strings cut and,
 * if that is not enough, with its own fields only; "record_cut" says how large it was.
 */
#include <string.h>

#include "cockpit/cockpit_internal.h"

#define CUT_STRING 4096 /* bytes kept of a longer string */
#define CUT_DEPTH  16	/* containers nested deeper are replaced by a note */
#define CUT_NOTE   "…(cut by the cockpit)"

static size_t dumped_size(const json_t *j)
{
	return json_dumpb(j, NULL, 0, JSON_COMPACT);
}

/* Keeps at most CUT_STRING bytes of s, on a UTF-8 character boundary. */
static json_t *cut_string(const json_t *s)
{
	const char *v = json_string_value(s);
	size_t n = CUT_STRING;
	char buf[CUT_STRING + sizeof(CUT_NOTE)];

	while (n && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, v, n);
	memcpy(buf + n, CUT_NOTE, sizeof(CUT_NOTE));
	return json_stringn(buf, n + sizeof(CUT_NOTE) - 1);
}

/* A copy of j with long strings cut and deep containers replaced (NULL: out of memory). */
static json_t *cut_copy(const json_t *j, int depth)
{
	json_t *out, *v;
	const char *k;
	size_t i;

	if (json_is_string(j))
		return json_string_length(j) > CUT_STRING ? cut_string(j) : json_copy((json_t *)j);
	if (!json_is_object(j) && !json_is_array(j))
		return json_copy((json_t *)j);
	if (depth >= CUT_DEPTH)
		return json_string("(nested too deep: cut by the cockpit)");
	out = json_is_object(j) ? json_object() : json_array();
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
		{
			if (json_object_set_new_nocheck(out, k, cut_copy(v, depth + 1)))
				goto fail;
		}
	} else {
		json_array_foreach(j, i, v)
		{
			if (json_array_append_new(out, cut_copy(v, depth + 1)))
				goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* The fields every alert has (docs/ALERTS.md), cut: what is kept when the rest is too large. */
static json_t *own_fields(const json_t *alert)
{
	static const char *const keep[] = { "alert_id", "incident_id", "rule_id", "rule_name",
					    "severity", "time",	       "node",	  "message" };
	static const char *const wl_keep[] = { "id", "name", "namespace", "pod" };
	json_t *out = json_object(), *wl = json_object_get(alert, "workload");

	for (size_t i = 0; out && i < sizeof(keep) / sizeof(keep[0]); i++) {
		const json_t *v = json_object_get(alert, keep[i]);

		if (v && (json_is_string(v) || json_is_number(v)))
			json_object_set_new(out, keep[i], cut_copy(v, 0));
	}
	if (out && json_is_object(wl)) {
		json_t *w = json_object();

		for (size_t i = 0; w && i < sizeof(wl_keep) / sizeof(wl_keep[0]); i++)
			if (json_is_string(json_object_get(wl, wl_keep[i])))
				json_object_set_new(w, wl_keep[i],
						    cut_copy(json_object_get(wl, wl_keep[i]), 0));
		json_object_set_new(out, "workload", w);
	}
	return out;
}

bool cockpit_alert_cut(json_t *alert, size_t bytes)
{
	json_t *cut;

	if (!json_is_object(alert))
		return false;
	if (!bytes)
		bytes = dumped_size(alert);
	if (bytes <= COCKPIT_MAX_ALERT_BYTES)
		return false;
	cut = cut_copy(alert, 0);
	if (cut && dumped_size(cut) > COCKPIT_MAX_ALERT_BYTES - 64) {
		json_decref(cut);
		cut = own_fields(alert);
	}
	if (!cut)
		return false; /* out of memory: the store's own bounds still hold */
	json_object_set_new(cut, "record_cut", json_integer((json_int_t)bytes));
	json_object_clear(alert);
	json_object_update(alert, cut);
	json_decref(cut);
	return true;
}
