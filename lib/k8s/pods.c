// SPDX-License-Identifier: Apache-2.0
/*
 * The API server's answers about pods (core/v1): a PodList from GET /api/v1/pods and the lines
 * of a watch stream (?watch=1: one JSON object per line, {"type": ADDED | MODIFIED | DELETED |
 * BOOKMARK | ERROR, "object": ...}). Only what identifies a pod's workload is kept: name,
 * namespace, uid, the controller ownerReference, and the labels (bounded).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s_internal.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "vigil/k8s.h"

#define LABELS_MAX_BYTES 8192
#define OWNERS_MAX	 64

void vigil_k8s_pod__release(struct vigil_k8s_pod *p)
{
	free(p->labels);
	p->labels = NULL;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)
		       ? json_string_value(v)
		       : NULL;
}

static void copy_rv(json_t *meta, char *rv, size_t size)
{
	const char *s = str(meta, "resourceVersion");

	/* an opaque token, sent back in a URL: digits in practice; anything else is not kept */
	if (rv && s && strlen(s) < size && strspn(s, "0123456789") == strlen(s))
		vigil_strlcpy(rv, s, size);
}

static void take_owner(json_t *refs, struct vigil_k8s_pod *p)
{
	size_t i;
	json_t *r;

	if (!json_is_array(refs) || json_array_size(refs) > OWNERS_MAX)
		return;
	json_array_foreach(refs, i, r)
	{
		const char *kind = str(r, "kind"), *name = str(r, "name");

		if (!json_is_true(json_object_get(r, "controller")) || !kind || !name ||
		    strlen(kind) >= sizeof(p->owner.kind) || !vigil_k8s_valid_subdomain(name))
			continue;
		vigil_strlcpy(p->owner.kind, kind, sizeof(p->owner.kind));
		vigil_strlcpy(p->owner.name, name, sizeof(p->owner.name));
		p->owner.source = VIGIL_K8S_FROM_API;
		return;
	}
}

static int take_labels(json_t *labels, struct vigil_k8s_pod *p)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *k;
	json_t *v;

	if (!json_is_object(labels))
		return 0;
	vigil_k8s__take_hints(labels, &p->hints);
	json_object_foreach(labels, k, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;

		/* newlines would split a line; such a label is not a Kubernetes label anyway */
		if (!s || strchr(k, '\n') || strchr(s, '\n'))
			continue;
		if (b.len + strlen(k) + strlen(s) + 2 > LABELS_MAX_BYTES)
			break;
		if (vigil_buf__append(&b, k, strlen(k)) || vigil_buf__append(&b, "=", 1) ||
		    vigil_buf__append(&b, s, strlen(s)) || vigil_buf__append(&b, "\n", 1)) {
			vigil_buf__release(&b);
			return -ENOMEM;
		}
	}
	p->labels = b.data;
	return 0;
}

/* One Pod object into p (labels owned by p). -EINVAL when it lacks a valid name/namespace. */
static int take_pod(json_t *obj, struct vigil_k8s_pod *p)
{
	json_t *meta = json_object_get(obj, "metadata");
	const char *name = str(meta, "name"), *ns = str(meta, "namespace"), *uid = str(meta, "uid");

	memset(p, 0, sizeof(*p));
	if (!json_is_object(meta) || !vigil_k8s_valid_subdomain(name) || !vigil_k8s_valid_label(ns))
		return -EINVAL;
	vigil_strlcpy(p->name, name, sizeof(p->name));
	vigil_strlcpy(p->namespace_, ns, sizeof(p->namespace_));
	if (uid && strlen(uid) <= VIGIL_K8S_UID_LEN &&
	    strspn(uid, "0123456789abcdef-") == strlen(uid))
		vigil_strlcpy(p->uid, uid, sizeof(p->uid));
	take_owner(json_object_get(meta, "ownerReferences"), p);
	if (!p->owner.kind[0]) {
		vigil_strlcpy(p->owner.kind, "Pod", sizeof(p->owner.kind));
		vigil_strlcpy(p->owner.name, p->name, sizeof(p->owner.name));
		p->owner.source = VIGIL_K8S_FROM_API;
	}
	return take_labels(json_object_get(meta, "labels"), p);
}

static json_t *load(const char *json, size_t len, struct vigil_error *err)
{
	json_error_t je;
	json_t *root;

	if (len > VIGIL_K8S_LIST_MAX) {
		vigil_error__set(err, -E2BIG, "", 0, 0, "answer of %zu bytes is over the %u limit",
				 len, VIGIL_K8S_LIST_MAX);
		return NULL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		vigil_error__set(err, -EINVAL, "", je.line, je.column, "not JSON: %s", je.text);
	else if (!json_is_object(root)) {
		vigil_error__set(err, -EINVAL, "", 0, 0, "not a JSON object");
		json_decref(root);
		root = NULL;
	}
	return root;
}

int vigil_k8s_podlist__parse(const char *json, size_t len, size_t max_pods, vigil_k8s_pod_fn fn,
			     void *ctx, char *rv, size_t rv_size, struct vigil_error *err)
{
	json_t *root = load(json, len, err), *items, *it;
	const char *kind;
	int rc = 0;
	size_t i;

	if (!root)
		return err && err->code ? err->code : -EINVAL;
	kind = str(root, "kind");
	items = json_object_get(root, "items");
	if (!kind || strcmp(kind, "PodList") || !(json_is_array(items) || json_is_null(items))) {
		vigil_error__set(err, -EINVAL, "", 0, 0, "not a PodList (kind %.40s)",
				 kind ? kind : "missing");
		json_decref(root);
		return -EINVAL;
	}
	if (json_array_size(items) > max_pods) {
		json_decref(root);
		return vigil_error__set(err, -E2BIG, "", 0, 0,
					"%zu pods, more than the %zu allowed",
					json_array_size(items), max_pods);
	}
	if (rv && rv_size)
		rv[0] = '\0';
	copy_rv(json_object_get(root, "metadata"), rv, rv_size);
	json_array_foreach(items, i, it)
	{
		struct vigil_k8s_pod p;

		if (take_pod(it, &p) == 0)
			rc = fn ? fn("", &p, ctx) : 0;
		vigil_k8s_pod__release(&p);
		if (rc)
			break;
	}
	json_decref(root);
	return rc < 0 ? rc : 0;
}

int vigil_k8s_watch_line__parse(const char *json, size_t len, vigil_k8s_pod_fn fn, void *ctx,
				char *rv, size_t rv_size, struct vigil_error *err)
{
	json_t *root = load(json, len, err), *obj;
	const char *type;
	struct vigil_k8s_pod p;
	int rc;

	if (!root)
		return err && err->code ? err->code : -EINVAL;
	type = str(root, "type");
	obj = json_object_get(root, "object");
	if (!type || !json_is_object(obj)) {
		json_decref(root);
		return vigil_error__set(err, -EINVAL, "", 0, 0, "not a watch event");
	}
	if (!strcmp(type, "ERROR")) {
		json_t *code = json_object_get(obj, "code");
		const char *msg = str(obj, "message");

		rc = json_is_integer(code) && json_integer_value(code) == 410 ? -ESTALE : -EINVAL;
		vigil_error__set(err, rc, "", 0, 0, "watch error: %.200s", msg ? msg : "(none)");
		json_decref(root);
		return rc;
	}
	if (!strcmp(type, "BOOKMARK")) {
		copy_rv(json_object_get(obj, "metadata"), rv, rv_size);
		json_decref(root);
		return 0;
	}
	if (strcmp(type, "ADDED") && strcmp(type, "MODIFIED") && strcmp(type, "DELETED")) {
		json_decref(root);
		return vigil_error__set(err, -EINVAL, "", 0, 0, "unknown watch event type");
	}
	if (take_pod(obj, &p) < 0) {
		vigil_k8s_pod__release(&p);
		json_decref(root);
		return vigil_error__set(err, -EINVAL, "", 0, 0, "watch event without a valid pod");
	}
	copy_rv(json_object_get(obj, "metadata"), rv, rv_size);
	rc = fn ? fn(type, &p, ctx) : 0;
	vigil_k8s_pod__release(&p);
	json_decref(root);
	return rc < 0 ? rc : 1;
}
