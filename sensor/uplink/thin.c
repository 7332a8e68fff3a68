// SPDX-License-Identifier: Apache-2.0
/*
 * An incident report too large for one request (the uplink's batch_bytes, 4 MiB). A report is
 * bounded by the incident's evidence budget (8 MiB of events in memory, zoom's
 * incident_bytes), but its JSON is larger than that, and an incident that stays open for its
 * whole max_duration (10 min of alerts) also carries every alert. Over the spool's record limit
 * it was lost to the cockpit (the 10-minute outage run of t8100 lost one so); just under it,
 * it took the cockpit longer to store than a request may last, and held up the spool. Instead the cockpit gets the report with fewer events (the
 * first and the last ones: how it started and how it ended), and, only if that is not enough,
 * fewer alerts inside it (each alert also went to the cockpit on its own). What was left out
 * is said in the report ("uplink_omitted"); the node's own evidence store keeps it whole.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/uplink/thin.h"

/* The compact JSON size of each element of arr (0 on ENOMEM: then the guess errs low). */
static size_t *element_sizes(const json_t *arr, size_t n)
{
	size_t *sz = calloc(n ? n : 1, sizeof(*sz));

	if (!sz)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *t = json_dumps(json_array_get(arr, i), JSON_COMPACT);

		sz[i] = t ? strlen(t) + 1 : 0; /* + the comma */
		free(t);
	}
	return sz;
}

/*
 * The first and last k elements of arr, the largest k with which they take at most budget
 * bytes, as a new array (NULL on ENOMEM); *omitted is how many were left out.
 */
static json_t *keep_ends(const json_t *arr, size_t budget, size_t *omitted)
{
	size_t n = json_array_size(arr), *sz = element_sizes(arr, n), lo = 0, hi = n / 2;
	json_t *kept = json_array();

	if (!sz || !kept) {
		free(sz);
		json_decref(kept);
		return NULL;
	}
	/* the largest k in [0, n/2] whose 2k elements fit */
	while (lo < hi) {
		size_t k = (lo + hi + 1) / 2, used = 0;

		for (size_t i = 0; i < k; i++)
			used += sz[i] + sz[n - 1 - i];
		if (used <= budget)
			lo = k;
		else
			hi = k - 1;
	}
	free(sz);
	for (size_t i = 0; i < n; i++)
		if ((i < lo || i >= n - lo) &&
		    json_array_append(kept, json_array_get(arr, i)) < 0) {
			json_decref(kept);
			return NULL;
		}
	*omitted = n - json_array_size(kept);
	return kept;
}

static size_t dumped_len(const json_t *j)
{
	char *t = json_dumps(j, JSON_COMPACT);
	size_t n = t ? strlen(t) : SIZE_MAX;

	free(t);
	return n;
}

/*
 * Shrinks the array at key in r until r fits in limit, if it can. Returns the count of
 * elements left out, or a negative errno.
 */
static long thin_array(json_t *r, const char *key, size_t limit)
{
	json_t *arr = json_object_get(r, key), *kept;
	size_t total, arr_len, rest, omitted = 0;

	if (!json_is_array(arr) || !json_array_size(arr))
		return 0;
	total = dumped_len(r);
	arr_len = dumped_len(arr);
	if (total == SIZE_MAX || arr_len == SIZE_MAX)
		return -ENOMEM;
	if (total <= limit)
		return 0;
	rest = total - arr_len;
	/* what the array may take; a little kept back for the "uplink_omitted" object */
	kept = keep_ends(arr, rest + 512 < limit ? limit - rest - 512 : 0, &omitted);
	if (!kept || json_object_set_new(r, key, kept) < 0)
		return -ENOMEM;
	return (long)omitted;
}

int uplink_thin_report(const json_t *report, size_t limit, char **ret_text, size_t *ret_len)
{
	json_t *r;
	char *text;
	size_t full, events_len;
	long ev, al;

	*ret_text = NULL;
	text = json_dumps(report, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	full = strlen(text);
	if (full <= limit) {
		*ret_text = text;
		*ret_len = full;
		return 0;
	}
	free(text);
	/* a copy of the top level (the arrays are replaced in it, never changed) */
	r = json_copy((json_t *)report);
	if (!r)
		return -ENOMEM;
	ev = thin_array(r, "events", limit);
	al = ev < 0 ? ev : thin_array(r, "alerts", limit);
	if (ev < 0 || al < 0) {
		json_decref(r);
		return -ENOMEM;
	}
	events_len = json_array_size(json_object_get(r, "events"));
	json_object_set_new(r, "uplink_omitted",
			    json_pack("{s:I, s:I, s:I, s:I, s:s}", "events", (json_int_t)ev,
				      "alerts", (json_int_t)al, "events_kept",
				      (json_int_t)events_len, "full_bytes", (json_int_t)full, "why",
				      "too large for one cockpit record: the first and last "
				      "events (and alerts) are kept; the node's evidence store "
				      "has the whole report"));
	text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (!text)
		return -ENOMEM;
	*ret_len = strlen(text);
	if (*ret_len > limit) {
		free(text);
		return -EMSGSIZE;
	}
	*ret_text = text;
	return 1;
}
