/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Detection: the rule engine. A struct vigil_detector holds, per workload (cgroup id), the
 * compiled profile it is bound to, and turns sensor events that leave the profile into alerts
 * (struct vigil_alert, vigil/alert.h: the rule from the catalogue in vigil/rules.h and the
 * event that raised it). docs/DETECTION.md says what triggers each rule.
 *
 * Pure logic: no sensor, no sinks, no JSON. The caller feeds events and receives alerts
 * through a callback (an alert pipeline: sinks, evidence). Not thread-safe: one thread feeds
 * events.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/alert.h"
#include "vigil/event.h"
#include "vigil/rules.h"

struct json_t;
struct vigil_profile;
struct vigil_detector;

#define VIGIL_DETECT_DEFAULT_COOLDOWN_NS (3600ULL * 1000000000ULL)

struct vigil_detect_opts {
	/* A repeat of (workload, rule, key) within this window is counted, not raised.
	 * 0 = default (1 h). Use no_cooldown to raise every repeat. */
	uint64_t cooldown_ns;
	bool no_cooldown;
	size_t max_keys; /* cooldown table bound (oldest evicted), 0 = 65 536 */
	/* Rules turned on that Kubescape ships off (VIGIL_RULE_OFF: R0002, R0011, ...),
	 * NULL-terminated ids; "all" turns every rule on. Copied. */
	const char *const *enabled;
	/* Rules turned off, NULL-terminated ids (applied after `enabled`). Copied. */
	const char *const *disabled;
	/* Kubernetes API server endpoints for R0007 as "ADDR:PORT" ("*:6443" = any address).
	 * NULL = defaults ("*:6443", "10.96.0.1:443"). Copied. */
	const char *const *k8s_api;
	/* R1004: whether an executable the profile does not list is on a volume mounted into
	 * its workload, and which (its mount point into mnt). NULL = the process's mount table
	 * in /proc (vigil_exec_mount); tests give their own. */
	bool (*exec_mount)(const struct vigil_event *ev, char *mnt, size_t size);
};

/*
 * The kernel de-duplication that agrees with these options' cooldown (for struct
 * vigil_sensor_opts dedup and dedup_ttl_ns): a repeat stays a repeat in the kernel for the
 * cooldown after it was sent, so one after it reaches the detector and alerts again; with no
 * cooldown no stream is de-duplicated (every repeat reaches the detector). NULL = defaults.
 */
void vigil_detect_opts__dedup(const struct vigil_detect_opts *opts, bool *dedup, uint64_t *ttl_ns);

/* NULL opts = defaults. Returns NULL and sets errno on failure. */
struct vigil_detector *vigil_detector__new(const struct vigil_detect_opts *opts);
/* Accepts NULL. */
void vigil_detector__free(struct vigil_detector *d);

/*
 * Binds workload cgroup_id to profile p (its container entry `container`, NULL = the first).
 * Replaces an earlier binding of that workload (cooldown state is kept). p is not kept: the
 * detector compiles what it needs, p may be freed after.
 */
int vigil_detector__bind(struct vigil_detector *d, uint64_t cgroup_id,
			 const struct vigil_profile *p, const char *container,
			 const struct vigil_profile_ref *ref);
/*
 * What the caller knows about a bound workload beyond the sensor (the container engine's name
 * and image): used in its alerts' "workload" object. NULL leaves a field as the sensor has it.
 * Copied. -ENOENT when not bound.
 */
int vigil_detector__set_workload_info(struct vigil_detector *d, uint64_t cgroup_id,
				      const char *name, const char *image);
/* A workload's Kubernetes identity (docs/KUBERNETES.md), for its alerts. NULL = "". */
struct vigil_workload_k8s {
	const char *pod, *namespace_, *pod_uid, *container_name, *runtime;
	const char *workload_kind, *workload_name; /* the pod's controller ("ReplicaSet", ...) */
};
/*
 * Sets the pod identity shown in a bound workload's alerts (workload.pod, namespace, pod_uid,
 * container_name, runtime, workload_kind, workload_name). Copied. -ENOENT when not bound.
 */
int vigil_detector__set_k8s_info(struct vigil_detector *d, uint64_t cgroup_id,
				 const struct vigil_workload_k8s *k);
/* Forgets a workload (its profile and cooldown keys). -ENOENT when not bound. */
int vigil_detector__unbind(struct vigil_detector *d, uint64_t cgroup_id);
bool vigil_detector__bound(const struct vigil_detector *d, uint64_t cgroup_id);

/*
 * Receives each alert raised. The alert and what it points to are the detector's (and the
 * event's) and valid during the call only. A non-zero return stops evaluation and is returned.
 */
typedef int (*vigil_alert_fn)(const struct vigil_alert *alert, void *ctx);

/*
 * Evaluates one event against its workload's profile. Events of workloads that are not bound
 * are ignored. Returns the number of alerts raised (0 or more) or what emit returned (< 0).
 */
int vigil_detector__event(struct vigil_detector *d, const struct vigil_event *ev,
			  vigil_alert_fn emit, void *ctx);

/*
 * Raises rule outside the event flow: R1016 for a profile that failed verification, with
 * key = the profile file, reason = "unsigned", "tampered" or "untrusted" and message a
 * sentence (event type "profile"). w may be NULL (no workload yet), ref may be NULL (profile
 * null). Cooldown (on key + reason) and disabled rules apply. Returns 1 when raised, 0 when
 * suppressed, or emit's negative value.
 */
int vigil_detector__raise(struct vigil_detector *d, enum vigil_rule_id rule,
			  const struct vigil_workload *w, const char *key, const char *reason,
			  const char *message, const struct vigil_profile_ref *ref,
			  vigil_alert_fn emit, void *ctx);

/*
 * The kernel allow-bitmap for R0003: bit nr set when the bound profile lists the syscall that
 * name_of(nr) names. Bitmap has nbits bits (zeroed first). -ENOENT when the workload is not
 * bound, -ENODATA when its profile lists no syscalls (R0003 then does not apply).
 */
int vigil_detector__syscall_bitmap(const struct vigil_detector *d, uint64_t cgroup_id,
				   const char *(*name_of)(int nr), uint64_t *bitmap, size_t nbits);

struct vigil_detect_stats {
	uint64_t events;     /* evaluated (bound workloads) */
	uint64_t alerts;     /* raised */
	uint64_t suppressed; /* repeats counted within a cooldown */
	uint64_t evicted;    /* cooldown keys evicted at the bound */
	size_t workloads;    /* bound now */
};
void vigil_detector__stats(const struct vigil_detector *d, struct vigil_detect_stats *ret);

/*
 * sha256 of the canonical form of every document of p (in order), as "sha256:HEX" into buf
 * (at least 72 bytes). Returns 0 or a negative errno.
 */
int vigil_profile_digest(const struct vigil_profile *p, char *buf, size_t size);

#endif
