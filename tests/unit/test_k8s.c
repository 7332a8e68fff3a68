// SPDX-License-Identifier: Apache-2.0
/* lib/k8s: kubelet cgroup layouts, runtime annotations, owner guesses, API server answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/fileio.h"
#include "vigil/k8s.h"

#define DATA "tests/data/k8s/"
#define ID64 "9d3c1f5e7a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d"
#define UID  "0b7d6b5e-3f3e-4a7c-9a43-6a1c2f9d8e10"
#define UIDU "0b7d6b5e_3f3e_4a7c_9a43_6a1c2f9d8e10"

static void test_cgroup_layouts(void **state)
{
	struct vigil_k8s_cgroup c;

	/* cgroupfs driver, v2 path */
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods/burstable/pod" UID "/" ID64, &c), 0);
	assert_int_equal(c.driver, VIGIL_K8S_DRIVER_CGROUPFS);
	assert_string_equal(c.qos, "burstable");
	assert_string_equal(c.pod_uid, UID);
	assert_string_equal(c.container_id, ID64);
	/* Guaranteed pods have no QoS level; the pod's own cgroup has no container */
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods/pod" UID, &c), 0);
	assert_string_equal(c.qos, "guaranteed");
	assert_string_equal(c.container_id, "");
	/* a v1 hierarchy with its mount point, CRI-O under cgroupfs */
	assert_int_equal(vigil_k8s_cgroup__parse("/sys/fs/cgroup/memory/kubepods/besteffort/pod" UID
						 "/crio-" ID64,
						 &c),
			 0);
	assert_string_equal(c.qos, "besteffort");
	assert_string_equal(c.runtime, "cri-o");
	/* systemd driver: underscores in the uid, the runtime's scope */
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods.slice/kubepods-burstable.slice/"
						 "kubepods-burstable-pod" UIDU
						 ".slice/cri-containerd-" ID64 ".scope",
						 &c),
			 0);
	assert_int_equal(c.driver, VIGIL_K8S_DRIVER_SYSTEMD);
	assert_string_equal(c.qos, "burstable");
	assert_string_equal(c.pod_uid, UID);
	assert_string_equal(c.container_id, ID64);
	assert_string_equal(c.runtime, "containerd");
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods.slice/kubepods-pod" UIDU
						 ".slice/crio-" ID64 ".scope",
						 &c),
			 0);
	assert_string_equal(c.qos, "guaranteed");
	assert_string_equal(c.runtime, "cri-o");
	/* kind's nested kubelet */
	assert_int_equal(
		vigil_k8s_cgroup__parse(
			"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
			"kubelet-kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64
			".scope",
			&c),
		0);
	assert_string_equal(c.qos, "besteffort");
	assert_string_equal(c.container_id, ID64);
	/* conmon is in the pod but is not a container */
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods.slice/kubepods-pod" UIDU
						 ".slice/crio-conmon-" ID64 ".scope",
						 &c),
			 0);
	assert_string_equal(c.container_id, "");
	/* not pods */
	assert_int_equal(vigil_k8s_cgroup__parse("/libpod_parent/libpod-" ID64, &c), -ENOENT);
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods/burstable/" ID64, &c), -ENOENT);
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods/burstable/podXYZ/" ID64, &c), -ENOENT);
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods.slice/other.slice/x", &c), -ENOENT);
	assert_int_equal(vigil_k8s_cgroup__parse("", &c), -ENOENT);
	/* a container making "kubepods" below its own cgroup is still its own pod */
	assert_int_equal(vigil_k8s_cgroup__parse("/kubepods/pod" UID "/" ID64
						 "/kubepods/pod11111111-2222-3333-4444-"
						 "555555555555/" ID64,
						 &c),
			 0);
	assert_string_equal(c.pod_uid, UID);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void test_bundles(void **state)
{
	struct vigil_k8s_identity id;
	struct vigil_error err = { 0 };
	size_t len;
	char *j;

	j = slurp(DATA "bundle-containerd.json", &len);
	assert_int_equal(vigil_k8s_bundle__parse(j, len, &id, &err), 1);
	assert_string_equal(id.pod, "web-7c5d8bf9f7-x2k4p");
	assert_string_equal(id.namespace_, "shop");
	assert_string_equal(id.pod_uid, UID);
	assert_string_equal(id.container_name, "nginx");
	assert_string_equal(id.image, "docker.io/library/nginx:1.25");
	assert_string_equal(id.runtime, "containerd");
	assert_false(id.sandbox);
	assert_int_equal(strlen(id.sandbox_id), 64);
	free(j);
	j = slurp(DATA "bundle-containerd-sandbox.json", &len);
	assert_int_equal(vigil_k8s_bundle__parse(j, len, &id, &err), 1);
	assert_true(id.sandbox);
	free(j);
	j = slurp(DATA "bundle-crio.json", &len);
	assert_int_equal(vigil_k8s_bundle__parse(j, len, &id, &err), 1);
	assert_string_equal(id.pod, "redis-0");
	assert_string_equal(id.container_name, "redis");
	assert_string_equal(id.image, "docker.io/library/redis:7");
	assert_string_equal(id.runtime, "cri-o");
	assert_false(id.sandbox);
	assert_string_equal(id.hints.statefulset_pod_name, "");
	free(j);
	j = slurp(DATA "bundle-crio-sandbox.json", &len);
	assert_int_equal(vigil_k8s_bundle__parse(j, len, &id, &err), 1);
	assert_true(id.sandbox);
	assert_string_equal(id.hints.statefulset_pod_name, "redis-0");
	assert_string_equal(id.hints.controller_revision_hash, "redis-6b8f9d7c5d");
	free(j);

	/* not a Kubernetes container, hostile values, broken input */
	assert_int_equal(vigil_k8s_bundle__parse("{\"annotations\":{}}", 18, &id, &err), 0);
	assert_int_equal(vigil_k8s_bundle__parse("{}", 2, &id, &err), 0);
	{
		static const char bad[] =
			"{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"../../etc/passwd\","
			"\"io.kubernetes.cri.sandbox-namespace\":\"Shop\","
			"\"io.kubernetes.cri.container-name\":\"a\\nb\","
			"\"io.kubernetes.cri.image-name\":\"x y\"}}";

		assert_int_equal(vigil_k8s_bundle__parse(bad, sizeof(bad) - 1, &id, &err), 0);
		assert_string_equal(id.pod, "");
		assert_string_equal(id.namespace_, "");
		assert_string_equal(id.container_name, "");
		assert_string_equal(id.image, "");
	}
	assert_int_equal(vigil_k8s_bundle__parse("{\"a\":\"\\u0000\"}", 12, &id, &err), -EINVAL);
	assert_int_equal(vigil_k8s_bundle__parse("[1]", 3, &id, &err), -EINVAL);
	assert_int_equal(vigil_k8s_bundle__parse("{\"a\":1,\"a\":2}", 13, &id, &err), -EINVAL);
	assert_int_equal(vigil_k8s_bundle__parse("{", 1, &id, &err), -EINVAL);
	assert_non_null(strstr(err.message, "not JSON"));
	assert_int_equal(vigil_k8s_bundle__parse("{}", VIGIL_K8S_BUNDLE_MAX + 1, &id, &err),
			 -E2BIG);
}

static void owner(const char *pod, const struct vigil_k8s_hints *h, const char *kind,
		  const char *name, enum vigil_k8s_source src)
{
	struct vigil_k8s_owner o;

	assert_int_equal(vigil_k8s_owner__guess(pod, h, &o), 0);
	assert_string_equal(o.kind, kind);
	assert_string_equal(o.name, name);
	assert_int_equal(o.source, src);
}

static void test_owner(void **state)
{
	struct vigil_k8s_hints h = { 0 };
	struct vigil_k8s_owner o;
	char name[300];

	owner("web-7c5d8bf9f7-x2k4p", NULL, "ReplicaSet", "web-7c5d8bf9f7", VIGIL_K8S_FROM_NAME);
	owner("nginx-deployment-66b6c48dd5-zv4fs", NULL, "ReplicaSet",
	      "nginx-deployment-66b6c48dd5", VIGIL_K8S_FROM_NAME);
	owner("backup-29421360-kq8zt", NULL, "Job", "backup-29421360", VIGIL_K8S_FROM_NAME);
	owner("redis-0", NULL, "StatefulSet", "redis", VIGIL_K8S_FROM_NAME);
	owner("node-exporter-4hx7t", NULL, "DaemonSet", "node-exporter", VIGIL_K8S_FROM_NAME);
	owner("debug", NULL, "Pod", "debug", VIGIL_K8S_FROM_NONE);
	/* vowels and 0/1/3 are never in generated suffixes */
	owner("my-app-abcde", NULL, "Pod", "my-app-abcde", VIGIL_K8S_FROM_NONE);
	/* labels beat the name */
	snprintf(h.job_name, sizeof(h.job_name), "%s", "node-exporter");
	owner("node-exporter-4hx7t", &h, "Job", "node-exporter", VIGIL_K8S_FROM_LABELS);
	memset(&h, 0, sizeof(h));
	snprintf(h.pod_template_hash, sizeof(h.pod_template_hash), "%s", "66b6c48dd5");
	owner("api-66b6c48dd5-zv4fs", &h, "ReplicaSet", "api-66b6c48dd5", VIGIL_K8S_FROM_LABELS);
	memset(&h, 0, sizeof(h));
	snprintf(h.controller_revision_hash, sizeof(h.controller_revision_hash), "%s",
		 "7d9c8b6f54");
	snprintf(h.pod_template_generation, sizeof(h.pod_template_generation), "%s", "3");
	owner("exporter-4hx7t", &h, "DaemonSet", "exporter", VIGIL_K8S_FROM_LABELS);
	assert_int_equal(vigil_k8s_owner__guess("../x", NULL, &o), -EINVAL);
	assert_int_equal(vigil_k8s_owner__guess("", NULL, &o), -EINVAL);

	assert_int_equal(vigil_k8s_owner__guess("web-7c5d8bf9f7-x2k4p", NULL, &o), 0);
	assert_int_equal(vigil_k8s_profile_name(&o, name, sizeof(name)), 0);
	assert_string_equal(name, "replicaset-web-7c5d8bf9f7");
	assert_int_equal(vigil_k8s_profile_name(&o, name, 10), -ENOSPC);
	/* a 253-character owner: cut, with a hash, still a valid name */
	memset(o.name, 'a', 253);
	o.name[253] = '\0';
	assert_int_equal(vigil_k8s_profile_name(&o, name, sizeof(name)), 0);
	assert_int_equal(strlen(name), 253);
	assert_true(vigil_k8s_valid_subdomain(name));

	assert_true(vigil_k8s_valid_label("kube-system"));
	assert_false(vigil_k8s_valid_label("-a"));
	assert_false(vigil_k8s_valid_label("a.b"));
	assert_true(vigil_k8s_valid_subdomain("a.b-c"));
	assert_false(vigil_k8s_valid_subdomain("a..b"));
	assert_false(vigil_k8s_valid_subdomain("a.-b"));
	assert_false(vigil_k8s_valid_subdomain("A"));
}

struct seen {
	int n;
	char names[16][320];
	char kinds[16][16];
	char types[16][16];
	char labels[512];
};

static int on_pod(const char *type, const struct vigil_k8s_pod *p, void *ctx)
{
	struct seen *s = ctx;

	if (s->n >= 16)
		return -E2BIG;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s/%s", p->namespace_, p->owner.name);
	snprintf(s->kinds[s->n], 16, "%s", p->owner.kind);
	snprintf(s->types[s->n], 16, "%s", type);
	if (p->hints.user_defined_profile[0] && p->labels)
		snprintf(s->labels, sizeof(s->labels), "%s", p->labels);
	s->n++;
	return 0;
}

static void test_podlist(void **state)
{
	struct vigil_error err = { 0 };
	struct seen s = { 0 };
	char rv[32];
	size_t len;
	char *j = slurp(DATA "podlist-node-a.json", &len);

	assert_int_equal(vigil_k8s_podlist__parse(j, len, 100, on_pod, &s, rv, sizeof(rv), &err),
			 0);
	assert_string_equal(rv, "48213");
	assert_int_equal(s.n, 6);
	assert_string_equal(s.names[0], "shop/web-7c5d8bf9f7");
	assert_string_equal(s.kinds[0], "ReplicaSet");
	assert_string_equal(s.names[1], "shop/web-7c5d8bf9f7");
	assert_string_equal(s.kinds[2], "StatefulSet");
	assert_string_equal(s.kinds[3], "DaemonSet");
	assert_string_equal(s.kinds[4], "Job");
	assert_string_equal(s.kinds[5], "Pod");
	assert_string_equal(s.names[5], "default/debug");
	assert_non_null(strstr(s.labels, "kubescape.io/user-defined-profile=debug-shell\n"));
	/* bounded: more pods than allowed is refused, not cut */
	assert_int_equal(vigil_k8s_podlist__parse(j, len, 5, on_pod, &s, rv, sizeof(rv), &err),
			 -E2BIG);
	free(j);
	assert_int_equal(vigil_k8s_podlist__parse("{\"kind\":\"Status\"}", 17, 10, on_pod, &s, rv,
						  sizeof(rv), &err),
			 -EINVAL);
	assert_non_null(strstr(err.message, "not a PodList"));
}

static void test_watch(void **state)
{
	struct vigil_error err = { 0 };
	struct seen s = { 0 };
	char rv[32] = "", *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rcs[8], nrc = 0;
	FILE *f = fopen(DATA "watch-node-a.jsonl", "r");

	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0 && nrc < 8)
		rcs[nrc++] = vigil_k8s_watch_line__parse(line, (size_t)n, on_pod, &s, rv,
							 sizeof(rv), &err);
	free(line);
	fclose(f);
	assert_int_equal(nrc, 5);
	assert_int_equal(rcs[0], 1);
	assert_int_equal(rcs[1], 1);
	assert_int_equal(rcs[2], 0); /* bookmark */
	assert_int_equal(rcs[3], 1);
	assert_int_equal(rcs[4], -ESTALE);
	assert_non_null(strstr(err.message, "too old resource version"));
	assert_string_equal(rv, "48320");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.types[0], "ADDED");
	assert_string_equal(s.types[1], "MODIFIED");
	assert_string_equal(s.types[2], "DELETED");
	assert_string_equal(s.names[2], "ops/backup-29421360");
	assert_int_equal(vigil_k8s_watch_line__parse("{\"type\":\"X\",\"object\":{}}", 25, on_pod,
						     &s, rv, sizeof(rv), &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_layouts), cmocka_unit_test(test_bundles),
		cmocka_unit_test(test_owner),	       cmocka_unit_test(test_podlist),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
