// SPDX-License-Identifier: Apache-2.0
/*
 * The evidence store splits an incident report (JSON from an agent, possibly remote through
 * the cockpit) into rows of seven SQLite tables and reassembles it. The first byte picks the
 * incident id: odd keeps the report's own "incident_id" (so id validation is fuzzed), even
 * sets one of eight fixed 32-digit ids; the rest is the JSON report. Checks: a report is
 * refused exactly when its id is not 1 to 32 lower-case hex digits; an accepted report reads
 * back under its id with one row per item of each child list (alerts accumulate: they are
 * kept across reports, unique by alert_id, so only their presence is checked).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store_tmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	return n >= 1 && n <= 32 && strspn(id, "0123456789abcdef") == n;
}

static bool has_alert_record(const json_t *alerts)
{
	size_t i;
	const json_t *a;

	json_array_foreach(alerts, i, a)
	{
		const char *rule = json_string_value(json_object_get(a, "rule_id"));

		if (rule && rule[0])
			return true;
	}
	return false;
}

static void check_readback(struct vigil_store *s, const char *id, const json_t *report)
{
	static const char *const lists[] = { "events", "processes", "destinations", "flows",
					     "files" };
	json_t *got = NULL;
	const json_t *alerts = json_object_get(report, "alerts");

	if (vigil_store__get(s, id, &got, NULL))
		abort();
	if (!json_is_object(got) ||
	    strcmp(json_string_value(json_object_get(got, "incident_id")) ?: "", id))
		abort();
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const json_t *in = json_object_get(report, lists[i]);

		if (json_array_size(json_object_get(got, lists[i])) != json_array_size(in))
			abort();
	}
	/* alerts are never replaced (they also arrive one by one): at least one is there, if the
	 * report held an alert record at all (an object with a rule_id; other items are left out) */
	if (has_alert_record(alerts) && !json_array_size(json_object_get(got, "alerts")))
		abort();
	json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[33];
	struct vigil_store *s;
	json_t *report;
	const char *rid;
	int rc;

	if (size < 1 || size > 256 * 1024)
		return 0;
	report = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(report)) {
		json_decref(report);
		return 0;
	}
	s = store_tmp_get();
	if (!(data[0] & 1)) {
		snprintf(id, sizeof(id), "%031x%x", 0xf022u, data[0] >> 5);
		json_object_set_new(report, "incident_id", json_string(id));
	}
	rid = json_string_value(json_object_get(report, "incident_id"));
	rc = vigil_store__put_report(s, report);
	if ((rc == -EINVAL) != !id_ok(rid) || (rc && rc != -EINVAL))
		abort();
	if (rc == 0 && vigil_store__flush(s, NULL))
		abort();
	if (rc == 0 && !(data[0] & 1))
		check_readback(s, rid, report);
	json_decref(report);
	return 0;
}
