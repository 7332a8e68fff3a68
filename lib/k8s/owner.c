// SPDX-License-Identifier: Apache-2.0
/*
 * Which controller made a pod, from its labels when we have them and otherwise from the shape
 * of its name (the controllers name their pods predictably):
 *
 *   ReplicaSet   <deployment>-<pod-template-hash>-<5>   hash: 6-10 characters, 5: 5 characters,
 *                                                        both from the alphabet below
 *   Job (CronJob) <cronjob>-<minutes since 1970>-<5>
 *   StatefulSet  <statefulset>-<ordinal>
 *   DaemonSet    <daemonset>-<5>                         (a Job's or a bare ReplicaSet's pods
 *                                                        look the same: docs/KUBERNETES.md)
 *
 * The alphabet is Kubernetes' "safe" one (no vowels, no 0 1 3), used for generated names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/k8s.h"
#include "util/digest.h"

static const char safe_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

bool vigil_k8s_valid_label(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > VIGIL_K8S_LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && !(c == '-' && i > 0 && i + 1 < n))
			return false;
	}
	return true;
}

bool vigil_k8s_valid_subdomain(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > VIGIL_K8S_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		bool inner = i > 0 && i + 1 < n;

		if (!alnum && !((c == '-' || c == '.') && inner))
			return false;
		/* every dot-separated part is a label: no ".-", "-.", ".." */
		if (c == '.' && (s[i - 1] == '.' || s[i - 1] == '-' || s[i + 1] == '-'))
			return false;
	}
	return true;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (!strchr(set, s[i]) || !s[i])
			return false;
	}
	return true;
}

/* Takes name[0, n) as the owner when it is a valid name itself ("a--1" gives "a-": no). */
static bool set_owner(struct vigil_k8s_owner *o, const char *kind, const char *name, size_t n,
		      enum vigil_k8s_source src)
{
	if (n > VIGIL_K8S_NAME_MAX)
		n = VIGIL_K8S_NAME_MAX;
	memcpy(o->name, name, n);
	o->name[n] = '\0';
	if (!vigil_k8s_valid_subdomain(o->name)) {
		o->name[0] = '\0';
		return false;
	}
	vigil_strlcpy(o->kind, kind, sizeof(o->kind));
	o->source = src;
	return true;
}

/* The position of the last '-' in s[0, n), or -1. */
static long last_dash(const char *s, size_t n)
{
	while (n--) {
		if (s[n] == '-')
			return (long)n;
	}
	return -1;
}

static bool from_labels(const char *pod, size_t n, const struct vigil_k8s_hints *h,
			struct vigil_k8s_owner *o)
{
	long d;

	if (h->job_name[0] &&
	    set_owner(o, "Job", h->job_name, strlen(h->job_name), VIGIL_K8S_FROM_LABELS))
		return true;
	if (h->pod_template_hash[0]) {
		/* <deployment>-<hash>-<5>: the ReplicaSet is the name up to the hash */
		size_t hl = strlen(h->pod_template_hash);
		const char *at = strstr(pod, h->pod_template_hash);

		while (at && !(at > pod && at[-1] == '-' && at[hl] == '-'))
			at = strstr(at + 1, h->pod_template_hash);
		if (at &&
		    set_owner(o, "ReplicaSet", pod, (size_t)(at - pod) + hl, VIGIL_K8S_FROM_LABELS))
			return true;
	}
	if (h->controller_revision_hash[0] && h->statefulset_pod_name[0]) {
		d = last_dash(pod, n);
		if (d > 0 && all_in(pod + d + 1, n - (size_t)d - 1, "0123456789") &&
		    set_owner(o, "StatefulSet", pod, (size_t)d, VIGIL_K8S_FROM_LABELS))
			return true;
	}
	if (h->controller_revision_hash[0] && h->pod_template_generation[0]) {
		d = last_dash(pod, n);
		if (d > 0 && set_owner(o, "DaemonSet", pod, (size_t)d, VIGIL_K8S_FROM_LABELS))
			return true;
	}
	return false;
}

int vigil_k8s_owner__guess(const char *pod, const struct vigil_k8s_hints *hints,
			   struct vigil_k8s_owner *ret)
{
	size_t n = pod ? strlen(pod) : 0;
	long d1, d2;

	memset(ret, 0, sizeof(*ret));
	if (!vigil_k8s_valid_subdomain(pod))
		return -EINVAL;
	if (hints && from_labels(pod, n, hints, ret))
		return 0;
	d1 = last_dash(pod, n);
	if (d1 > 0) {
		const char *suffix = pod + d1 + 1;
		size_t sl = n - (size_t)d1 - 1;

		d2 = last_dash(pod, (size_t)d1);
		if (sl == 5 && all_in(suffix, 5, safe_alphabet) && d2 > 0) {
			const char *mid = pod + d2 + 1;
			size_t ml = (size_t)(d1 - d2 - 1);

			if (ml >= 8 && all_in(mid, ml, "0123456789") &&
			    set_owner(ret, "Job", pod, (size_t)d1, VIGIL_K8S_FROM_NAME))
				return 0;
			if (ml >= 6 && ml <= 10 && all_in(mid, ml, safe_alphabet) &&
			    set_owner(ret, "ReplicaSet", pod, (size_t)d1, VIGIL_K8S_FROM_NAME))
				return 0;
		}
		if (sl >= 1 && sl <= 5 && all_in(suffix, sl, "0123456789") &&
		    set_owner(ret, "StatefulSet", pod, (size_t)d1, VIGIL_K8S_FROM_NAME))
			return 0;
		if (sl == 5 && all_in(suffix, 5, safe_alphabet) &&
		    set_owner(ret, "DaemonSet", pod, (size_t)d1, VIGIL_K8S_FROM_NAME))
			return 0;
	}
	set_owner(ret, "Pod", pod, n, VIGIL_K8S_FROM_NONE);
	return 0;
}

const char *vigil_k8s_source__name(enum vigil_k8s_source s)
{
	switch (s) {
	case VIGIL_K8S_FROM_NAME:
		return "name-pattern";
	case VIGIL_K8S_FROM_LABELS:
		return "labels";
	case VIGIL_K8S_FROM_API:
		return "api-server";
	default:
		return "none";
	}
}

int vigil_k8s_profile_name(const struct vigil_k8s_owner *o, char *buf, size_t size)
{
	char kind[sizeof(o->kind)];
	size_t kl = 0, total;

	if (!o->kind[0] || !vigil_k8s_valid_subdomain(o->name))
		return -EINVAL;
	for (; o->kind[kl] && kl + 1 < sizeof(kind); kl++) {
		char c = o->kind[kl];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return -EINVAL;
		kind[kl] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	kind[kl] = '\0';
	total = kl + 1 + strlen(o->name);
	if (size < (total <= VIGIL_K8S_NAME_MAX ? total : VIGIL_K8S_NAME_MAX) + 1)
		return -ENOSPC;
	if (total <= VIGIL_K8S_NAME_MAX) {
		snprintf(buf, size, "%s-%s", kind, o->name);
		return 0;
	}
	{
		/* too long: keep the start and end with a hash of the whole, still unique */
		unsigned char md[VIGIL_SHA256_LEN];
		char full[VIGIL_K8S_NAME_MAX + 20];
		size_t keep;

		snprintf(full, sizeof(full), "%s-%s", kind, o->name);
		vigil_sha256(full, strlen(full), md);
		keep = VIGIL_K8S_NAME_MAX - 11;
		memcpy(buf, full, keep);
		/* a cut can end on '-' or '.': the hash follows a '-' either way */
		while (keep && (buf[keep - 1] == '-' || buf[keep - 1] == '.'))
			keep--;
		snprintf(buf + keep, size - keep, "-%02x%02x%02x%02x%02x", md[0], md[1], md[2],
			 md[3], md[4]);
	}
	return 0;
}
