/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes identity of a container from what the node itself shows, without an API server:
 * the kubelet's cgroup layout (both cgroup drivers), the container runtime's annotations in the
 * task's OCI bundle (containerd's CRI plugin, CRI-O), and the pod name's shape (which controller
 * made it). Also the pod list and watch answers of the API server, when one is reachable.
 *
 * Pure parsers: bounded, no I/O, no logging. The input is hostile (a config.json can be big, a
 * pod's annotations are written by whoever may create pods): every string is length-checked
 * and every name that ends up in a file name is validated (DNS-1123). docs/KUBERNETES.md.
 */
#ifndef VIGIL_K8S_H
#define VIGIL_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

#define VIGIL_K8S_NAME_MAX	  253 /* a DNS-1123 subdomain: pod, ReplicaSet, ... */
#define VIGIL_K8S_LABEL_MAX	  63  /* a DNS-1123 label: namespace, container name */
#define VIGIL_K8S_UID_LEN	  36  /* 8-4-4-4-12 */
#define VIGIL_K8S_IMAGE_MAX	  511
#define VIGIL_K8S_BUNDLE_MAX	  (4u << 20) /* config.json larger than this is refused */
#define VIGIL_K8S_VALUE_MAX	  4096	     /* one annotation value */
#define VIGIL_K8S_ANNOTATIONS_MAX 4096	     /* annotations looked at */

/* ---- the kubelet's cgroup layout -------------------------------------------------------- */

enum vigil_k8s_driver {
	VIGIL_K8S_DRIVER_NONE = 0,
	VIGIL_K8S_DRIVER_CGROUPFS, /* /kubepods/<qos>/pod<uid>/<id> */
	VIGIL_K8S_DRIVER_SYSTEMD, /* kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/<rt>-<id>.scope */
};

struct vigil_k8s_cgroup {
	enum vigil_k8s_driver driver;
	char qos[16];			     /* "guaranteed", "burstable", "besteffort" */
	char pod_uid[VIGIL_K8S_UID_LEN + 1]; /* with dashes, lower case */
	char container_id[65];		     /* 64 hex; "" for the pod's own cgroup */
	const char *runtime;		     /* "containerd", "cri-o", "docker", "" */
};

/*
 * Parses a cgroup path (v2 relative path, or a v1 hierarchy's path; a v1 path may carry the
 * controller mount prefix) in either driver's layout. 0 and *ret filled; -ENOENT when the path
 * is not under kubepods or names no pod.
 */
int vigil_k8s_cgroup__parse(const char *path, struct vigil_k8s_cgroup *ret);

/* ---- the runtime's annotations (OCI bundle config.json) --------------------------------- */

/* Pod labels that say which controller made the pod (CRI-O passes the pod's labels; the API
 * server gives them all). "" when absent. */
struct vigil_k8s_hints {
	char pod_template_hash[VIGIL_K8S_LABEL_MAX + 1];	/* ReplicaSet */
	char controller_revision_hash[VIGIL_K8S_LABEL_MAX + 1]; /* StatefulSet, DaemonSet */
	char statefulset_pod_name[VIGIL_K8S_NAME_MAX + 1];
	char pod_template_generation[VIGIL_K8S_LABEL_MAX + 1]; /* DaemonSet */
	char job_name[VIGIL_K8S_LABEL_MAX + 1];		       /* Job */
	char user_defined_profile[VIGIL_K8S_NAME_MAX + 1]; /* kubescape.io/user-defined-profile */
};

struct vigil_k8s_identity {
	char pod[VIGIL_K8S_NAME_MAX + 1];
	char namespace_[VIGIL_K8S_LABEL_MAX + 1];
	char pod_uid[VIGIL_K8S_UID_LEN + 1];
	char container_name[VIGIL_K8S_LABEL_MAX + 1];
	char image[VIGIL_K8S_IMAGE_MAX + 1];
	char sandbox_id[65];
	const char *runtime; /* "containerd", "cri-o", "" (static) */
	bool sandbox;	     /* the pod's sandbox (pause / infra) container, not a workload */
	struct vigil_k8s_hints hints;
};

/*
 * Reads the annotations of an OCI runtime config (config.json, len bytes, untrusted): containerd
 * CRI (io.kubernetes.cri.*) and CRI-O (io.kubernetes.pod.*, io.kubernetes.container.name,
 * io.kubernetes.cri-o.*, whose Labels annotation holds the pod's labels as JSON). Values that
 * are not valid Kubernetes names are not taken. Returns 1 when the config is a Kubernetes
 * container's (pod and namespace known), 0 when it is valid but not one, -EINVAL (err filled)
 * when it is not a JSON object, -E2BIG when over VIGIL_K8S_BUNDLE_MAX.
 */
int vigil_k8s_bundle__parse(const char *json, size_t len, struct vigil_k8s_identity *ret,
			    struct vigil_error *err);

/*
 * The bundle directory runc recorded in its state.json (config.labels "bundle=PATH"): how a
 * container's config.json is found whatever runtime and state directory started it. 0 and the
 * path in buf; -ENOENT when there is none, -EINVAL for a relative path or one with "..",
 * -E2BIG over VIGIL_K8S_BUNDLE_MAX.
 */
int vigil_k8s_runc_state__bundle(const char *json, size_t len, char *buf, size_t size);

/* ---- which workload a pod belongs to ---------------------------------------------------- */

enum vigil_k8s_source {
	VIGIL_K8S_FROM_NONE = 0, /* a bare pod: no controller */
	VIGIL_K8S_FROM_NAME,	 /* guessed from the pod name's shape */
	VIGIL_K8S_FROM_LABELS,	 /* the pod's labels (pod-template-hash, job-name, ...) */
	VIGIL_K8S_FROM_API,	 /* the pod's controller ownerReference */
};

struct vigil_k8s_owner {
	char kind[16]; /* "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Pod" */
	char name[VIGIL_K8S_NAME_MAX + 1];
	enum vigil_k8s_source source;
};

/*
 * The pod's controller from its name and labels (hints may be NULL). Always succeeds for a
 * valid pod name (a pod no rule recognises is its own workload, kind "Pod"); -EINVAL for an
 * invalid one. docs/KUBERNETES.md says how reliable each rule is.
 */
int vigil_k8s_owner__guess(const char *pod, const struct vigil_k8s_hints *hints,
			   struct vigil_k8s_owner *ret);
/* "name-pattern", "labels", "api-server", "none". */
const char *vigil_k8s_source__name(enum vigil_k8s_source s);

/*
 * Kubescape's profile name for a workload: "<kind in lower case>-<name>" ("replicaset-web-
 * 7c5d8bf9f7"), cut to 253 characters with a hash of the whole kept at the end when longer.
 * 0, or -EINVAL for an invalid owner, -ENOSPC when size is too small (>= 254 always fits).
 */
int vigil_k8s_profile_name(const struct vigil_k8s_owner *o, char *buf, size_t size);

/* DNS-1123 label (namespace, container name) / subdomain (pod, controller). */
bool vigil_k8s_valid_label(const char *s);
bool vigil_k8s_valid_subdomain(const char *s);

/* ---- the API server's pod list / watch answers ------------------------------------------ */

#define VIGIL_K8S_LIST_MAX (32u << 20) /* a PodList larger than this is refused */

struct vigil_k8s_pod {
	char name[VIGIL_K8S_NAME_MAX + 1];
	char namespace_[VIGIL_K8S_LABEL_MAX + 1];
	char uid[VIGIL_K8S_UID_LEN + 1];
	struct vigil_k8s_owner
		owner; /* from ownerReferences (controller: true); kind Pod if none */
	struct vigil_k8s_hints hints;
	char *labels; /* "KEY=VALUE\n" lines (bounded), owned; NULL when none */
};

void vigil_k8s_pod__release(struct vigil_k8s_pod *p);

/* Called for each pod of a list (type "" ) or watch event (type ADDED, MODIFIED, DELETED). */
typedef int (*vigil_k8s_pod_fn)(const char *type, const struct vigil_k8s_pod *pod, void *ctx);

/*
 * A PodList (GET /api/v1/pods?fieldSelector=spec.nodeName=NODE): fn for each pod, and the
 * list's resourceVersion into rv (for the watch that follows). At most max_pods pods (more is
 * -E2BIG). 0, or -EINVAL (err filled) for anything that is not a PodList.
 */
int vigil_k8s_podlist__parse(const char *json, size_t len, size_t max_pods, vigil_k8s_pod_fn fn,
			     void *ctx, char *rv, size_t rv_size, struct vigil_error *err);
/*
 * One line of a watch stream ({"type":..., "object": Pod}). fn is called for ADDED, MODIFIED
 * and DELETED; rv gets the object's resourceVersion. Returns 1 for a pod event, 0 for a
 * BOOKMARK, -ESTALE for an ERROR event with code 410 (the watch must list again), -EINVAL for
 * anything else.
 */
int vigil_k8s_watch_line__parse(const char *json, size_t len, vigil_k8s_pod_fn fn, void *ctx,
				char *rv, size_t rv_size, struct vigil_error *err);

#endif
