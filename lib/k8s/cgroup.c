// SPDX-License-Identifier: Apache-2.0
/*
 * The kubelet's cgroup layout, for both cgroup drivers and both cgroup versions:
 *
 *   cgroupfs  /kubepods/<qos>/pod<uid>/<id>                  (Guaranteed pods: no <qos>)
 *   systemd   /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_with_underscores>.slice/
 *             cri-containerd-<id>.scope                      (or crio-<id>.scope, docker-<id>.scope)
 *
 * A v1 hierarchy's path is the same below its controller; a prefix before "kubepods" (a
 * nested kubelet, as kind runs it: /kubelet.slice/kubelet-kubepods.slice/...) is allowed. The
 * path comes from the kernel, but a container can create cgroups below its own: only the
 * components right after the pod's are read, so a nested "kubepods" inside a container does
 * not become another pod.
 */
#include <errno.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/k8s.h"

#define COMP_MAX 256

static const char *const qos_classes[] = { "burstable", "besteffort", "guaranteed" };

static bool is_qos(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(qos_classes) / sizeof(qos_classes[0]); i++) {
		if (strlen(qos_classes[i]) == n && !strncmp(s, qos_classes[i], n))
			return true;
	}
	return false;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A pod uid: a UUID (36, with dashes; systemd writes them as '_') or a static pod's 32-hex
 * hash. Copied with dashes into out. */
static bool take_uid(const char *s, size_t n, char *out)
{
	if (n != 32 && n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] == '_' ? '-' : s[i];
		bool dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? c != '-' : !is_lower_hex(c))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

static const struct {
	const char *prefix;
	const char *runtime;
} id_prefixes[] = {
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "docker-", "docker" },
};

/* The container id of a pod's child cgroup; false for anything else (crio-conmon-...). */
static bool take_container(const char *s, size_t n, struct vigil_k8s_cgroup *ret)
{
	const char *runtime = "";

	if (n > 6 && !strncmp(s + n - 6, ".scope", 6))
		n -= 6;
	for (size_t i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		size_t pl = strlen(id_prefixes[i].prefix);

		if (n > pl && !strncmp(s, id_prefixes[i].prefix, pl)) {
			s += pl;
			n -= pl;
			runtime = id_prefixes[i].runtime;
			break;
		}
	}
	if (n != 64 || !vigil_is_hex(s, 64))
		return false;
	memcpy(ret->container_id, s, 64);
	ret->container_id[64] = '\0';
	ret->runtime = runtime;
	return true;
}

/* Splits path into at most max components (pointers and lengths into path). */
static size_t split(const char *path, const char **comp, size_t *len, size_t max)
{
	size_t n = 0;

	for (const char *p = path; *p && n < max;) {
		const char *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		comp[n] = p;
		len[n++] = (size_t)(end - p);
		p = end;
	}
	return n;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncmp(s, lit, n);
}

/* cgroupfs: comp[0] is "kubepods". */
static int parse_cgroupfs(const char **comp, const size_t *len, size_t n,
			  struct vigil_k8s_cgroup *ret)
{
	size_t i = 1;

	if (i < n && is_qos(comp[i], len[i])) {
		memcpy(ret->qos, comp[i], len[i]); /* is_qos: at most 10 characters */
		ret->qos[len[i]] = '\0';
		i++;
	}
	if (i >= n || len[i] < 4 || strncmp(comp[i], "pod", 3) ||
	    !take_uid(comp[i] + 3, len[i] - 3, ret->pod_uid))
		return -ENOENT;
	if (!ret->qos[0])
		vigil_strlcpy(ret->qos, "guaranteed", sizeof(ret->qos));
	ret->driver = VIGIL_K8S_DRIVER_CGROUPFS;
	if (++i < n)
		take_container(comp[i], len[i], ret);
	return 0;
}

/* systemd: comp[0] is "<P>.slice" with P "kubepods" or "<prefix>-kubepods". */
static int parse_systemd(const char **comp, const size_t *len, size_t n,
			 struct vigil_k8s_cgroup *ret)
{
	size_t plen = len[0] - 6, i = 1; /* without ".slice" */
	const char *p = comp[0];

	/* each nested slice repeats its parent's name: P-<qos>.slice, P[-<qos>]-pod<uid>.slice */
	for (; i < n; i++) {
		const char *s = comp[i];
		size_t l = len[i];

		if (l < plen + 1 + 6 || strncmp(s, p, plen) || s[plen] != '-' ||
		    strncmp(s + l - 6, ".slice", 6))
			return -ENOENT;
		s += plen + 1;
		l -= plen + 1 + 6;
		if (!ret->qos[0] && is_qos(s, l)) {
			memcpy(ret->qos, s, l);
			ret->qos[l] = '\0';
			p = comp[i]; /* the pod's slice repeats this one's name */
			plen += 1 + l;
			continue;
		}
		if (l < 4 || strncmp(s, "pod", 3) || !take_uid(s + 3, l - 3, ret->pod_uid))
			return -ENOENT;
		break;
	}
	if (i >= n)
		return -ENOENT;
	if (!ret->qos[0])
		vigil_strlcpy(ret->qos, "guaranteed", sizeof(ret->qos));
	ret->driver = VIGIL_K8S_DRIVER_SYSTEMD;
	if (++i < n)
		take_container(comp[i], len[i], ret);
	return 0;
}

int vigil_k8s_cgroup__parse(const char *path, struct vigil_k8s_cgroup *ret)
{
	const char *comp[COMP_MAX];
	size_t len[COMP_MAX], n;

	memset(ret, 0, sizeof(*ret));
	ret->runtime = "";
	if (!path)
		return -ENOENT;
	n = split(path, comp, len, COMP_MAX);
	/* the first kubepods component: one inside a container's own cgroups does not count */
	for (size_t i = 0; i < n; i++) {
		int rc = -ENOENT;

		if (eq(comp[i], len[i], "kubepods"))
			rc = parse_cgroupfs(comp + i, len + i, n - i, ret);
		else if (len[i] >= 14 && !strncmp(comp[i] + len[i] - 14, "kubepods.slice", 14) &&
			 (len[i] == 14 || comp[i][len[i] - 15] == '-'))
			rc = parse_systemd(comp + i, len + i, n - i, ret);
		else
			continue;
		if (rc < 0)
			memset(ret, 0, sizeof(*ret));
		ret->runtime = ret->runtime ? ret->runtime : "";
		return rc;
	}
	return -ENOENT;
}
