// SPDX-License-Identifier: Apache-2.0
/*
 * Alert record -> Alertmanager v2 alert (docs/ALERTS.md §5). Labels identify the alert (two
 * alerts with equal labels are one alert to Alertmanager), so they hold the rule and the
 * workload but not per-event details, which go to annotations.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sensor/out/kubescape.h"
#include "sensor/out/sink.h"
#include "util/buf.h"

static const char *str_at(const json_t *o, const char *obj, const char *key)
{
	const json_t *v =
		obj ? json_object_get(json_object_get(o, obj), key) : json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Longest label / annotation value sent: Alertmanager keeps them all in memory. */
#define LABEL_MAX      1024
#define ANNOTATION_MAX 8192

static void set_value(json_t *obj, const char *key, const char *value, size_t max)
{
	size_t len;

	/* Alertmanager treats an empty label as absent: leave it out. */
	if (!value || !*value)
		return;
	len = strnlen(value, max + 1);
	if (len > max) {
		len = max;
		/* Cut on a UTF-8 character boundary, or jansson refuses the string. */
		while (len && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
	}
	json_object_set_new(obj, key, json_stringn(value, len));
}

static void set_label(json_t *labels, const char *key, const char *value)
{
	set_value(labels, key, value, LABEL_MAX);
}

static void set_annotation(json_t *ann, const char *key, const char *value)
{
	set_value(ann, key, value, ANNOTATION_MAX);
}

static const char *severity_name(json_int_t sev)
{
	if (sev >= 9)
		return "critical";
	if (sev >= 7)
		return "high";
	if (sev >= 4)
		return "medium";
	return "low";
}

static void rfc3339(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long long)(ns % 1000000000ull));
}

/* YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z, the form Vigil writes; anything else is not forwarded. */
static bool is_rfc3339_utc(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i, frac = 0;

	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != pat[i])
			return false;
	if (t[i] == '.')
		for (i++; isdigit((unsigned char)t[i]); i++)
			frac++;
	return (t[19] != '.' || (frac >= 1 && frac <= 9)) && t[i] == 'Z' && !t[i + 1];
}

/*
 * startsAt is when it happened. A malformed time, or one at or after endsAt (a node clock ahead
 * of ours), falls back to now: Alertmanager would reject the whole batch. Same-width UTC stamps
 * compare as strings.
 */
static void set_times(json_t *am, const char *time_s, uint64_t resolve_ns, uint64_t now_real_ns)
{
	char ends[64], starts[64];

	rfc3339(now_real_ns + resolve_ns, ends, sizeof(ends));
	if (is_rfc3339_utc(time_s) && strncmp(time_s, ends, 19) < 0)
		snprintf(starts, sizeof(starts), "%s", time_s);
	else
		rfc3339(now_real_ns, starts, sizeof(starts));
	json_object_set_new(am, "startsAt", json_string(starts));
	json_object_set_new(am, "endsAt", json_string(ends));
}

json_t *vigil_alertmanager__alert(const json_t *alert, uint64_t resolve_ns, uint64_t now_real_ns)
{
	json_t *am = json_object(), *labels = json_object(), *ann = json_object();
	json_t *sev = json_object_get(alert, "severity");
	json_int_t severity = json_is_integer(sev) ? json_integer_value(sev) : 0;
	const char *rule_id = str_at(alert, NULL, "rule_id");
	const char *rule_name = str_at(alert, NULL, "rule_name");
	const char *wl = str_at(alert, "workload", "name");
	const char *time_s = str_at(alert, NULL, "time");
	const json_t *args = json_object_get(json_object_get(alert, "process"), "args");
	const json_t *event = json_object_get(alert, "event");
	struct vigil_buf b = VIGIL_BUF_INIT;
	char num[32];
	size_t i;

	if (!am || !labels || !ann) {
		json_decref(am);
		json_decref(labels);
		json_decref(ann);
		return NULL;
	}
	set_label(labels, "alertname", rule_id[0] == 'V' ? "VigilHealth" : "VigilRuleViolated");
	set_label(labels, "rule_id", rule_id);
	set_label(labels, "rule_name", rule_name);
	set_label(labels, "severity", severity_name(severity));
	snprintf(num, sizeof(num), "%lld", (long long)severity);
	set_label(labels, "severity_score", num);
	set_label(labels, "node", str_at(alert, NULL, "node"));
	set_label(labels, "workload_id", str_at(alert, "workload", "id"));
	set_label(labels, "workload", wl);
	set_label(labels, "container_id", str_at(alert, "workload", "container_id"));
	set_label(labels, "container_name", str_at(alert, "workload", "container_name"));
	set_label(labels, "pod", str_at(alert, "workload", "pod"));
	set_label(labels, "namespace", str_at(alert, "workload", "namespace"));
	set_label(labels, "image", str_at(alert, "workload", "image"));
	set_label(labels, "comm", str_at(alert, "process", "comm"));

	vigil_buf__printf(&b, "%s %s", rule_id, rule_name);
	if (*wl)
		vigil_buf__printf(&b, " in %s", wl);
	if (*str_at(alert, NULL, "node"))
		vigil_buf__printf(&b, " on %s", str_at(alert, NULL, "node"));
	set_annotation(ann, "summary", b.data);
	vigil_buf__reset(&b);
	set_annotation(ann, "description", str_at(alert, NULL, "message"));
	set_annotation(ann, "alert_id", str_at(alert, NULL, "alert_id"));
	set_annotation(ann, "time", time_s);
	set_annotation(ann, "exe", str_at(alert, "process", "exe"));
	if (json_is_array(args)) {
		for (i = 0; i < json_array_size(args) && b.len < 4096; i++)
			if (json_is_string(json_array_get(args, i)))
				vigil_buf__printf(&b, "%s%s", i ? " " : "",
						  json_string_value(json_array_get(args, i)));
		set_annotation(ann, "args", b.data);
	}
	if (json_is_integer(json_object_get(json_object_get(alert, "process"), "pid"))) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(
				 json_object_get(json_object_get(alert, "process"), "pid")));
		set_annotation(ann, "pid", num);
	}
	if (*str_at(alert, "mitre", "tactic")) {
		vigil_buf__reset(&b);
		vigil_buf__printf(&b, "%s/%s", str_at(alert, "mitre", "tactic"),
				  str_at(alert, "mitre", "technique"));
		set_annotation(ann, "mitre", b.data);
	}
	set_annotation(ann, "incident_id", str_at(alert, NULL, "incident_id"));
	if (json_is_object(event)) {
		char *ev = json_dumps(event, JSON_COMPACT);

		set_annotation(ann, "event", ev);
		free(ev);
	}
	vigil_buf__release(&b);

	json_object_set_new(am, "labels", labels);
	json_object_set_new(am, "annotations", ann);
	set_times(am, time_s, resolve_ns, now_real_ns);
	return am;
}

json_t *vigil_alertmanager__alert_as(const json_t *alert, enum vigil_sink_format format, int names,
				     uint64_t resolve_ns, uint64_t now_real_ns)
{
	json_t *am;

	if (format != VIGIL_SINK_FORMAT_KUBESCAPE)
		return vigil_alertmanager__alert(alert, resolve_ns, now_real_ns);
	am = vigil_kubescape__alertmanager(alert, (enum vigil_ks_names)names);
	if (am)
		set_times(am, str_at(alert, NULL, "time"), resolve_ns, now_real_ns);
	return am;
}
