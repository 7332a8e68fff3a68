// SPDX-License-Identifier: Apache-2.0
/*
 * Vigil's alert record in the shapes Kubescape's node-agent uses (docs/ALERTS.md §7), for sinks
 * with `format=kubescape`: existing Alertmanager routes, silences and dashboards written for
 * Kubescape keep working, and log pipelines built on node-agent's stdout JSON keep parsing.
 *
 * - Alertmanager: node-agent's exporter labels (alertname KubescapeRuleViolated, rule_id,
 *   rule_name, severity as a number, pod_name, namespace, container_name, node_name, host,
 *   comm, pid, ...) and annotations (title, summary, message, description, fix).
 * - stdout/file/webhook: node-agent's stdout exporter writes one logrus JSON entry per alert:
 *   BaseRuntimeMetadata, RuntimeProcessDetails, RuntimeK8sDetails, RuleID, CloudMetadata,
 *   processtree_depth, message, level, msg, time.
 *
 * Values Vigil does not have (cluster name, pod labels, hashes of the executable) are left out,
 * as node-agent's `omitempty` leaves out what it does not have.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/out/kubescape.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/strutil.h"

/*
 * Rule names differ between Kubescape's rule library today (kubescape/rulelibrary) and the
 * default rules its Helm chart installs (kubescape/helm-charts default-rules.yaml), which is
 * what a default node-agent sends. Only the ids whose names differ are listed.
 */
static const struct {
	const char *id, *chart;
} chart_names[] = {
	{ "R1000", "Process executed from malicious source" },
	{ "R1003", "Disallowed ssh connection" },
	{ "R1006", "Process tries to escape container" },
	{ "R1011", "ld_preload hooks technique detected" },
	{ "R1015", "Malicious Ptrace Usage" },
};

const char *vigil_kubescape__rule_name(const char *rule_id, const char *name,
				       enum vigil_ks_names names)
{
	if (names != VIGIL_KS_NAMES_CHART || !rule_id)
		return name;
	for (size_t i = 0; i < sizeof(chart_names) / sizeof(chart_names[0]); i++)
		if (!strcmp(chart_names[i].id, rule_id))
			return chart_names[i].chart;
	return name;
}

static const json_t *obj(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : "";
}

static json_int_t num(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Sets key to a string unless it is empty (node-agent's fields are omitempty). */
static void put_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static void put_int(json_t *o, const char *key, json_int_t v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

/* argv joined by spaces: node-agent's cmdline. */
static char *cmdline(const json_t *proc)
{
	const json_t *args = json_object_get(proc, "args");
	struct vigil_buf b = VIGIL_BUF_INIT;
	size_t i;

	for (i = 0; json_is_array(args) && i < json_array_size(args) && b.len < 4096; i++)
		if (json_is_string(json_array_get(args, i)))
			vigil_buf__printf(&b, "%s%s", i ? " " : "",
					  json_string_value(json_array_get(args, i)));
	return b.data ? vigil_buf__steal(&b, NULL) : strdup("");
}

static json_t *process_tree(const json_t *proc)
{
	json_t *p = json_object();
	char *cl = cmdline(proc);
	const char *exe = str(proc, "exe");

	if (!p || !cl) {
		json_decref(p);
		free(cl);
		return NULL;
	}
	put_int(p, "pid", num(proc, "pid"));
	put_str(p, "cmdline", cl);
	put_str(p, "comm", str(proc, "comm"));
	put_int(p, "ppid", num(proc, "ppid"));
	/* uid and gid are pointers in node-agent: present, 0 included, when known */
	if (json_is_integer(json_object_get(proc, "uid")))
		json_object_set_new(p, "uid", json_integer(num(proc, "uid")));
	if (json_is_integer(json_object_get(proc, "gid")))
		json_object_set_new(p, "gid", json_integer(num(proc, "gid")));
	put_str(p, "cwd", str(proc, "cwd"));
	put_str(p, "path", exe);
	free(cl);
	return p;
}

static json_t *k8s_details(const json_t *alert)
{
	const json_t *w = obj(alert, "workload");
	json_t *k = json_object();

	if (!k)
		return NULL;
	put_str(k, "containerName", str(w, "container_name"));
	put_str(k, "image", str(w, "image"));
	put_str(k, "namespace", str(w, "namespace"));
	put_str(k, "nodeName", str(alert, "node"));
	put_str(k, "containerID", str(w, "container_id"));
	put_str(k, "podName", str(w, "pod"));
	put_str(k, "podNamespace", str(w, "namespace"));
	put_str(k, "podUID", str(w, "pod_uid"));
	put_str(k, "workloadName", str(w, "workload_name"));
	put_str(k, "workloadNamespace", *str(w, "workload_name") ? str(w, "namespace") : "");
	put_str(k, "workloadKind", str(w, "workload_kind"));
	return k;
}

/* What node-agent's rule adapters put into BaseRuntimeMetadata.identifiers, from the event. */
static json_t *identifiers(const json_t *alert)
{
	const json_t *ev = obj(alert, "event"), *proc = obj(alert, "process");
	const char *type = str(ev, "type");
	json_t *id = json_object(), *p = json_object();
	char *cl = cmdline(proc);

	if (!id || !p || !cl) {
		json_decref(id);
		json_decref(p);
		free(cl);
		return NULL;
	}
	put_str(p, "name", str(proc, "comm"));
	put_str(p, "commandLine", cl);
	free(cl);
	json_object_set_new(id, "process", p);
	if (!strcmp(type, "open") || !strcmp(type, "symlink") || !strcmp(type, "link")) {
		const char *path = str(ev, "path"), *slash = strrchr(path, '/');
		json_t *f = json_object();

		if (f && slash) {
			json_object_set_new(f, "name", json_string(slash + 1));
			json_object_set_new(
				f, "directory",
				json_stringn(path, slash == path ? 1 : (size_t)(slash - path)));
		}
		if (f)
			json_object_set_new(id, "file", f);
	} else if (!strcmp(type, "dns")) {
		json_t *d = json_object();

		put_str(d, "domain", str(ev, "domain"));
		json_object_set_new(id, "dns", d);
	} else if (!strcmp(type, "connect") || !strcmp(type, "accept") || !strcmp(type, "send")) {
		json_t *n = json_object();

		put_str(n, "dstIP", str(ev, "addr"));
		put_int(n, "dstPort", num(ev, "port"));
		put_str(n, "protocol", str(ev, "proto"));
		json_object_set_new(id, "network", n);
	}
	return id;
}

/* node-agent's uniqueID is the MD5 of its rule's uniqueId expression; Vigil's key is its own. */
static void unique_id(const json_t *alert, char out[33])
{
	unsigned char md[VIGIL_MD5_LEN];
	struct vigil_buf b = VIGIL_BUF_INIT;

	vigil_buf__printf(&b, "%s_%s", str(obj(alert, "process"), "comm"), str(alert, "key"));
	vigil_md5(b.data ? b.data : "", b.len, md);
	vigil_buf__release(&b);
	vigil_hex(md, sizeof(md), out);
}

json_t *vigil_kubescape__runtime_alert(const json_t *alert, enum vigil_ks_names names)
{
	const char *rule_id = str(alert, "rule_id"), *message = str(alert, "message");
	const char *name = vigil_kubescape__rule_name(rule_id, str(alert, "rule_name"), names);
	const json_t *proc = obj(alert, "process"), *profile = obj(alert, "profile");
	json_t *o = json_object(), *base = json_object(), *args = json_object();
	json_t *tree = process_tree(proc ? proc : json_object_get(alert, "process"));
	json_t *rpd = json_object(), *k8s = k8s_details(alert), *ids = identifiers(alert);
	char uid[33];

	if (!o || !base || !args || !tree || !rpd || !k8s || !ids) {
		json_decref(o);
		json_decref(base);
		json_decref(args);
		json_decref(tree);
		json_decref(rpd);
		json_decref(k8s);
		json_decref(ids);
		return NULL;
	}
	put_str(base, "alertName", name);
	put_str(args, "message", message);
	json_object_set_new(base, "arguments", args);
	put_int(base, "infectedPID", num(proc, "pid"));
	put_int(base, "severity", num(alert, "severity"));
	json_object_set_new(base, "timestamp", json_string(str(alert, "time")));
	unique_id(alert, uid);
	put_str(base, "uniqueID", uid);
	if (profile) {
		/* a profile in force is a completed one in node-agent's terms */
		json_t *pm = json_pack("{s:s, s:s, s:s, s:b, s:i}", "status", "completed",
				       "completion", "complete", "name", str(profile, "name"),
				       "failOnProfile", 1, "type", 0);

		if (pm)
			json_object_set_new(base, "profileMetadata", pm);
	}
	json_object_set_new(base, "identifiers", ids);

	json_object_set_new(rpd, "processTree", tree);
	put_str(rpd, "containerID", str(obj(alert, "workload"), "container_id"));

	json_object_set_new(o, "BaseRuntimeMetadata", base);
	json_object_set_new(o, "CloudMetadata", json_null());
	json_object_set_new(o, "RuleID", json_string(rule_id));
	json_object_set_new(o, "RuntimeK8sDetails", k8s);
	json_object_set_new(o, "RuntimeProcessDetails", rpd);
	json_object_set_new(o, "level", json_string("error"));
	json_object_set_new(o, "message", json_string(message));
	json_object_set_new(o, "msg", json_string(name));
	json_object_set_new(o, "processtree_depth", json_string(num(proc, "pid") ? "1" : "0"));
	json_object_set_new(o, "time", json_string(str(alert, "time")));
	return o;
}

#define LABEL_MAX      1024
#define ANNOTATION_MAX 8192

static void set_value(json_t *o, const char *key, const char *value, size_t max)
{
	size_t len;

	if (!value || !*value)
		return;	     /* Alertmanager treats an empty label as absent */
	len = strlen(value); /* a NUL-terminated JSON string */
	if (len > max) {
		len = max;
		while (len && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
	}
	json_object_set_new(o, key, json_stringn(value, len));
}

static void label_int(json_t *labels, const char *key, const json_t *o, const char *field)
{
	char buf[32];

	if (!json_is_integer(json_object_get(o, field)))
		return;
	snprintf(buf, sizeof(buf), "%lld", (long long)num(o, field));
	set_value(labels, key, buf, LABEL_MAX);
}

json_t *vigil_kubescape__alertmanager(const json_t *alert, enum vigil_ks_names names)
{
	const char *rule_id = str(alert, "rule_id");
	const char *name = vigil_kubescape__rule_name(rule_id, str(alert, "rule_name"), names);
	const json_t *w = obj(alert, "workload"), *proc = obj(alert, "process");
	json_t *am = json_object(), *labels = json_object(), *ann = json_object();
	struct vigil_buf b = VIGIL_BUF_INIT;
	char sev[16];

	if (!am || !labels || !ann) {
		json_decref(am);
		json_decref(labels);
		json_decref(ann);
		return NULL;
	}
	set_value(labels, "alertname", rule_id[0] == 'V' ? "VigilHealth" : "KubescapeRuleViolated",
		  LABEL_MAX);
	set_value(labels, "rule_name", name, LABEL_MAX);
	set_value(labels, "rule_id", rule_id, LABEL_MAX);
	set_value(labels, "container_id", str(w, "container_id"), LABEL_MAX);
	set_value(labels, "container_name", str(w, "container_name"), LABEL_MAX);
	set_value(labels, "namespace", str(w, "namespace"), LABEL_MAX);
	set_value(labels, "pod_name", str(w, "pod"), LABEL_MAX);
	set_value(labels, "pod_uid", str(w, "pod_uid"), LABEL_MAX);
	set_value(labels, "host", str(alert, "node"), LABEL_MAX);
	set_value(labels, "node_name", str(alert, "node"), LABEL_MAX);
	snprintf(sev, sizeof(sev), "%lld", (long long)num(alert, "severity"));
	set_value(labels, "severity", sev, LABEL_MAX);
	label_int(labels, "pid", proc, "pid");
	label_int(labels, "ppid", proc, "ppid");
	set_value(labels, "comm", str(proc, "comm"), LABEL_MAX);
	label_int(labels, "uid", proc, "uid");
	label_int(labels, "gid", proc, "gid");
	set_value(labels, "fail_on_profile", obj(alert, "profile") ? "true" : "false", LABEL_MAX);
	set_value(labels, "profile_status", obj(alert, "profile") ? "completed" : "", LABEL_MAX);
	set_value(labels, "processtree_depth", num(proc, "pid") ? "1" : "0", LABEL_MAX);

	/* node-agent's summary sentence, with its quoting */
	vigil_buf__printf(&b, "Rule '%s' in '%s' namespace '%s' failed", name, str(w, "pod"),
			  str(w, "namespace"));
	set_value(ann, "title", b.data, ANNOTATION_MAX);
	set_value(ann, "summary", b.data, ANNOTATION_MAX);
	vigil_buf__release(&b);
	set_value(ann, "message", str(alert, "message"), ANNOTATION_MAX);
	set_value(ann, "description", str(alert, "message"), ANNOTATION_MAX);
	set_value(ann, "alert_id", str(alert, "alert_id"), ANNOTATION_MAX);
	json_object_set_new(am, "labels", labels);
	json_object_set_new(am, "annotations", ann);
	return am;
}
