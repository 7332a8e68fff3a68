/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector's parts, private to sensor/detect/:
 *   detect.c      the engine: bindings (compiled profile per workload), cooldowns, raising
 *   eval.c        the rules by event kind: which event leaves the profile, and as which rule
 *   alert_json.c  presentation: an alert and its event as the JSON of docs/ALERTS.md
 *   rules.c       the catalogue (ids, names, severities, MITRE)
 */
#ifndef VIGIL_DETECT_INTERNAL_H
#define VIGIL_DETECT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/lru.h"
#include "vigil/detect.h"

#define BIND_BUCKETS 1024
#define COOL_BUCKETS 4096
#define KEY_MAX	     1024

struct binding {
	struct binding *next;
	uint64_t cgroup_id;
	struct vigil_matcher *m;
	char *name, *digest, *signer;
	char *wl_name, *wl_image; /* from the caller (container engine), NULL when unknown */
	/* pod, namespace, pod_uid, container_name, runtime, workload_kind, workload_name */
	char *k8s[7];
	bool has_syscalls;
};

enum {
	K8S_POD,
	K8S_NS,
	K8S_UID,
	K8S_CNAME,
	K8S_RUNTIME,
	K8S_KIND,
	K8S_WNAME,
	K8S_N
};

struct cool {
	struct cool *hnext; /* hash chain */
	struct vigil_lru_node lru;
	uint64_t cgroup_id;
	uint64_t hash;
	int rule;
	uint64_t last_sent_ns;
	uint64_t suppressed; /* repeats since last_sent */
	char key[];
};

struct vigil_detector {
	uint64_t cooldown_ns;
	size_t max_keys;
	bool *disabled; /* by rule index */
	size_t nrules;
	const struct vigil_rule *rules;
	char **k8s_api; /* "ADDR:PORT" */
	size_t nk8s;
	struct binding *bind[BIND_BUCKETS];
	struct cool *cool[COOL_BUCKETS];
	struct vigil_lru lru; /* cooldown keys, head = most recently used */
	size_t ncool;
	struct vigil_detect_stats stats;
	struct vigil_exe_digests *digests; /* executables' content, by inode identity */
	struct vigil_path_alias *alias;	   /* sensitive files under other names */
};

/* One alert being raised. */
struct raise {
	struct vigil_detector *d;
	const struct binding *b;
	const struct vigil_event *ev;
	const struct vigil_workload *w;
	vigil_alert_fn emit;
	void *ctx;
};

/* detect.c: raises rule id for the event in r unless disabled, allowed by the profile's
 * rulePolicies, or cooling down. Returns 1 when raised, 0 when not, or emit's < 0. */
int detect_raise(struct raise *r, const char *id, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* eval.c: evaluates r->ev against r->b (bound); returns as detect_raise. */
int detect_eval(struct raise *r);

/* alert_json.c */
/* The alert object (docs/ALERTS.md); takes over event and profile (either may be NULL). */
json_t *detect_alert_json(const struct vigil_rule *r, const struct vigil_workload *w,
			  const struct binding *b, const struct vigil_process *proc, json_t *event,
			  json_t *profile, const char *key, uint64_t time_ns, uint64_t repeats,
			  const char *message);

#endif
