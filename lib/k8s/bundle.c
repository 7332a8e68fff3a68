// SPDX-License-Identifier: Apache-2.0
/*
 * A container's Kubernetes identity from its OCI runtime config (the task bundle's config.json),
 * where the CRI runtimes write it as annotations:
 *
 *   containerd  io.kubernetes.cri.{container-type, sandbox-name, sandbox-namespace, sandbox-uid,
 *               sandbox-id, container-name, image-name}
 *   CRI-O       io.kubernetes.{pod.name, pod.namespace, pod.uid, container.name},
 *               io.kubernetes.cri-o.{ContainerType, ImageName, SandboxID, Labels}
 *
 * The file is written by the runtime, but the values come from whoever created the pod, and a
 * runtime started by hand (ctr run --annotation) writes anything: sizes are bounded before
 * parsing, every value is length-checked, and names are taken only when Kubernetes would accept
 * them.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "k8s/k8s_internal.h"
#include "util/strutil.h"
#include "vigil/k8s.h"

/* A string annotation no longer than max; NULL otherwise. */
static const char *ann(json_t *anns, const char *key, size_t max)
{
	json_t *v = json_object_get(anns, key);
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (json_string_length(v) > max || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

static void take_label(char *dst, size_t size, const char *s)
{
	if (s && vigil_k8s_valid_label(s))
		vigil_strlcpy(dst, s, size);
}

static void take_subdomain(char *dst, size_t size, const char *s)
{
	if (s && vigil_k8s_valid_subdomain(s))
		vigil_strlcpy(dst, s, size);
}

static void take_uid(char *dst, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n != 32 && n != VIGIL_K8S_UID_LEN)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return;
	}
	memcpy(dst, s, n + 1);
}

static void take_id(char *dst, const char *s)
{
	if (s && strlen(s) == 64 && vigil_is_hex(s, 64))
		memcpy(dst, s, 65);
}

/* An image reference: printable ASCII without spaces (registry/name:tag@digest). */
static void take_image(char *dst, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n >= size)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			return;
	}
	memcpy(dst, s, n + 1);
}

/* Labels that name the pod's controller, from a label map (object of strings). */
static void take_hints(json_t *labels, struct vigil_k8s_hints *h)
{
	if (!json_is_object(labels))
		return;
	take_label(h->pod_template_hash, sizeof(h->pod_template_hash),
		   ann(labels, "pod-template-hash", VIGIL_K8S_LABEL_MAX));
	take_label(h->controller_revision_hash, sizeof(h->controller_revision_hash),
		   ann(labels, "controller-revision-hash", VIGIL_K8S_LABEL_MAX));
	take_subdomain(h->statefulset_pod_name, sizeof(h->statefulset_pod_name),
		       ann(labels, "statefulset.kubernetes.io/pod-name", VIGIL_K8S_NAME_MAX));
	take_label(h->pod_template_generation, sizeof(h->pod_template_generation),
		   ann(labels, "pod-template-generation", VIGIL_K8S_LABEL_MAX));
	take_label(h->job_name, sizeof(h->job_name),
		   ann(labels, "batch.kubernetes.io/job-name", VIGIL_K8S_LABEL_MAX));
	if (!h->job_name[0])
		take_label(h->job_name, sizeof(h->job_name),
			   ann(labels, "job-name", VIGIL_K8S_LABEL_MAX));
	take_subdomain(h->user_defined_profile, sizeof(h->user_defined_profile),
		       ann(labels, "kubescape.io/user-defined-profile", VIGIL_K8S_NAME_MAX));
}

void vigil_k8s__take_hints(json_t *labels, struct vigil_k8s_hints *h)
{
	take_hints(labels, h);
}

static void from_containerd(json_t *a, struct vigil_k8s_identity *id)
{
	const char *type = ann(a, "io.kubernetes.cri.container-type", 32);

	id->runtime = "containerd";
	id->sandbox = type && !strcmp(type, "sandbox");
	take_subdomain(id->pod, sizeof(id->pod),
		       ann(a, "io.kubernetes.cri.sandbox-name", VIGIL_K8S_NAME_MAX));
	take_label(id->namespace_, sizeof(id->namespace_),
		   ann(a, "io.kubernetes.cri.sandbox-namespace", VIGIL_K8S_LABEL_MAX));
	take_uid(id->pod_uid, ann(a, "io.kubernetes.cri.sandbox-uid", VIGIL_K8S_UID_LEN));
	take_label(id->container_name, sizeof(id->container_name),
		   ann(a, "io.kubernetes.cri.container-name", VIGIL_K8S_LABEL_MAX));
	take_image(id->image, sizeof(id->image),
		   ann(a, "io.kubernetes.cri.image-name", VIGIL_K8S_IMAGE_MAX));
	take_id(id->sandbox_id, ann(a, "io.kubernetes.cri.sandbox-id", 64));
}

static void from_crio(json_t *a, struct vigil_k8s_identity *id)
{
	const char *type = ann(a, "io.kubernetes.cri-o.ContainerType", 32);
	const char *labels = ann(a, "io.kubernetes.cri-o.Labels", VIGIL_K8S_VALUE_MAX);
	const char *cname = ann(a, "io.kubernetes.container.name", VIGIL_K8S_LABEL_MAX);

	id->runtime = "cri-o";
	/* the infra container is "POD" */
	id->sandbox = (type && !strcmp(type, "sandbox")) || (cname && !strcmp(cname, "POD"));
	take_subdomain(id->pod, sizeof(id->pod),
		       ann(a, "io.kubernetes.pod.name", VIGIL_K8S_NAME_MAX));
	take_label(id->namespace_, sizeof(id->namespace_),
		   ann(a, "io.kubernetes.pod.namespace", VIGIL_K8S_LABEL_MAX));
	take_uid(id->pod_uid, ann(a, "io.kubernetes.pod.uid", VIGIL_K8S_UID_LEN));
	take_label(id->container_name, sizeof(id->container_name), cname);
	take_image(id->image, sizeof(id->image),
		   ann(a, "io.kubernetes.cri-o.ImageName", VIGIL_K8S_IMAGE_MAX));
	take_id(id->sandbox_id, ann(a, "io.kubernetes.cri-o.SandboxID", 64));
	if (labels) {
		json_t *l = json_loads(labels, JSON_REJECT_DUPLICATES, NULL);

		take_hints(l, &id->hints);
		json_decref(l);
	}
}

int vigil_k8s_bundle__parse(const char *json, size_t len, struct vigil_k8s_identity *ret,
			    struct vigil_error *err)
{
	json_error_t je;
	json_t *root, *a;
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	ret->runtime = "";
	if (len > VIGIL_K8S_BUNDLE_MAX)
		return vigil_error__set(err, -E2BIG, "", 0, 0,
					"OCI config of %zu bytes is over the %u byte limit", len,
					VIGIL_K8S_BUNDLE_MAX);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vigil_error__set(err, -EINVAL, "", je.line, je.column,
					"OCI config is not JSON: %s", je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return vigil_error__set(err, -EINVAL, "", 0, 0, "OCI config is not a JSON object");
	}
	a = json_object_get(root, "annotations");
	if (json_is_object(a) && json_object_size(a) <= VIGIL_K8S_ANNOTATIONS_MAX) {
		if (json_object_get(a, "io.kubernetes.cri.sandbox-name") ||
		    json_object_get(a, "io.kubernetes.cri.container-type"))
			from_containerd(a, ret);
		else if (json_object_get(a, "io.kubernetes.pod.name") ||
			 json_object_get(a, "io.kubernetes.cri-o.ContainerType"))
			from_crio(a, ret);
		rc = ret->pod[0] && ret->namespace_[0] ? 1 : 0;
	}
	json_decref(root);
	return rc;
}

int vigil_k8s_runc_state__bundle(const char *json, size_t len, char *buf, size_t size)
{
	json_t *root, *labels, *l;
	int rc = -ENOENT;
	size_t i;

	if (len > VIGIL_K8S_BUNDLE_MAX)
		return -E2BIG;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -EINVAL;
	}
	labels = json_object_get(json_object_get(root, "config"), "labels");
	json_array_foreach(labels, i, l)
	{
		const char *s = json_is_string(l) ? json_string_value(l) : NULL;
		size_t n;

		if (!s || strncmp(s, "bundle=", 7))
			continue;
		s += 7;
		n = strlen(s);
		/* an absolute path that cannot climb out of where it says */
		if (s[0] != '/' || n >= size || n != json_string_length(l) - 7 ||
		    strstr(s, "/../") || (n >= 3 && !strcmp(s + n - 3, "/..")))
			rc = -EINVAL;
		else {
			memcpy(buf, s, n + 1);
			rc = 0;
		}
		break;
	}
	json_decref(root);
	return rc;
}
