// SPDX-License-Identifier: Apache-2.0
/* Builder (set-union adds), merge, collapse (thresholds, ⋯/⋯ -> *) and diff output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/model.h"
#include "util/buf.h"
#include "vigil/profile.h"

static struct vigil_profile *load_text(const char *text)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[1024];

	if (vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err))
		fail_msg("load: %s", vigil_error__format(&err, msg, sizeof(msg)));
	return p;
}

static char *emit(const struct vigil_profile *p)
{
	struct vigil_buf b = VIGIL_BUF_INIT;

	assert_int_equal(vigil_profile__emit_yaml(p, &b), 0);
	return vigil_buf__steal(&b, NULL);
}

static void test_builder(void **state)
{
	struct vigil_profile *p = vigil_profile__new(VIGIL_KIND_APPLICATION_PROFILE, "web", "shop");
	const char *args[] = { "curl", "-s", "https://example.com" };
	const char *flags[] = { "O_RDONLY", "O_CLOEXEC" };
	const char *flags2[] = { "O_CLOEXEC", "O_RDONLY" };
	struct vigil_profile *q;
	char *y;
	int c;

	assert_non_null(p);
	c = vigil_profile__container(p, 0, "app", false);
	assert_int_equal(c, -ENOENT);
	c = vigil_profile__container(p, 0, "app", true);
	assert_int_equal(c, 0);
	assert_int_equal(vigil_profile__container(p, 0, "app", true), 0);
	assert_int_equal(vigil_profile__add_exec(p, 0, c, "/usr/bin/curl", args, 3), 0);
	assert_int_equal(vigil_profile__add_exec(p, 0, c, "/usr/bin/curl", args, 3), 0);
	assert_int_equal(vigil_profile__add_exec(p, 0, c, "/usr/bin/curl", args, 2), 0);
	assert_int_equal(vigil_profile__add_open(p, 0, c, "/etc/hosts", flags, 2), 0);
	assert_int_equal(vigil_profile__add_open(p, 0, c, "/etc/hosts", flags2, 2), 0);
	assert_int_equal(vigil_profile__add_open(p, 0, c, "/etc/ssl/certs/ca.pem", flags, 1), 0);
	assert_int_equal(vigil_profile__add_syscall(p, 0, c, "openat"), 0);
	assert_int_equal(vigil_profile__add_syscall(p, 0, c, "connect"), 0);
	assert_int_equal(vigil_profile__add_syscall(p, 0, c, "openat"), 0);
	assert_int_equal(vigil_profile__add_capability(p, 0, c, "CAP_NET_RAW"), 0);
	assert_int_equal(vigil_profile__add_iouring(p, 0, c, "READ"), 0);
	assert_int_equal(vigil_profile__add_endpoint(p, 0, c, ":443/api", "POST", "outbound"), 0);
	assert_int_equal(vigil_profile__add_endpoint(p, 0, c, ":443/api", "GET", "outbound"), 0);
	/* an ApplicationProfile holds no neighbors (NetworkNeighborhood does) */
	assert_int_equal(
		vigil_profile__add_neighbor(p, 0, c, true, "93.184.216.34", NULL, 443, "TCP"),
		-EINVAL);
	assert_int_equal(vigil_profile__add_exec(p, 0, 7, "/x", NULL, 0), -EINVAL);
	/* what would not load back is refused: a "⋯" inside a name, relative paths, bad flags */
	{
		const char *bad_args[] = { "x", "a⋯" };
		const char *bad_flags[] = { "O_RDONY" };

		assert_int_equal(vigil_profile__add_open(p, 0, c, "/tmp/a⋯b", flags, 1), -EINVAL);
		assert_int_equal(vigil_profile__add_open(p, 0, c, "tmp/x", flags, 1), -EINVAL);
		assert_int_equal(vigil_profile__add_open(p, 0, c, "/tmp/\xff\xfe", flags, 1),
				 -EINVAL);
		assert_int_equal(vigil_profile__add_open(p, 0, c, "/tmp/\xc0\xaf", flags, 1),
				 -EINVAL);
		assert_int_equal(vigil_profile__add_open(p, 0, c, "/tmp/caf\xc3\xa9", flags, 1), 0);
		assert_int_equal(vigil_profile__add_open(p, 0, c, "/tmp/x", bad_flags, 1), -EINVAL);
		assert_int_equal(vigil_profile__add_exec(p, 0, c, "/bin/x", bad_args, 2), -EINVAL);
		assert_int_equal(vigil_profile__add_syscall(p, 0, c, "Open At"), -EINVAL);
		assert_int_equal(vigil_profile__add_capability(p, 0, c, "CAP_FOO"), -EINVAL);
		assert_int_equal(vigil_profile__add_endpoint(p, 0, c, "443/x", NULL, NULL),
				 -EINVAL);
	}
	assert_int_equal(vigil_profile__add_open(p, 0, c, NULL, NULL, 0), -EINVAL);
	/* 2 execs, 3 opens, 2 syscalls, 1 cap, 1 iouring, 1 endpoint */
	assert_int_equal(vigil_profile__entry_count(p), 10);
	y = emit(p);
	assert_non_null(strstr(y,
			       "  - name: app\n    capabilities:\n    - CAP_NET_RAW\n    execs:\n"
			       "    - path: /usr/bin/curl\n      args:\n      - curl\n      - -s\n"
			       "    - path: /usr/bin/curl\n      args:\n      - curl\n      - -s\n"
			       "      - https://example.com\n"));
	assert_non_null(strstr(y, "    endpoints:\n    - endpoint: :443/api\n      methods:\n"
				  "      - GET\n      - POST\n      direction: outbound\n"));
	/* what the builder writes loads back as the same profile */
	q = load_text(y);
	assert_true(prof_equal(p, q));
	free(y);
	vigil_profile__free(q);
	vigil_profile__free(p);

	/* neighbors: one per address/name, ports united */
	p = vigil_profile__new(VIGIL_KIND_CONTAINER_PROFILE, "cp", NULL);
	c = vigil_profile__container(p, 0, "any", true);
	assert_int_equal(c, 0);
	assert_int_equal(vigil_profile__add_exec(p, 0, c, "/usr/bin/curl", args, 3), 0);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, true, "93.184.216.34", "example.com.",
						     443, "TCP"),
			 0);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, true, "93.184.216.34", "example.com.",
						     443, "TCP"),
			 0);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, true, "93.184.216.34", "example.com.",
						     53, "UDP"),
			 0);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, false, "10.0.0.1", NULL, 0, NULL), 0);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, true, NULL, "bad name.", 0, NULL),
			 -EINVAL);
	assert_int_equal(vigil_profile__add_neighbor(p, 0, c, true, "10.0.0.999", NULL, 0, NULL),
			 -EINVAL);
	/* exec 1, egress neighbor 1 + ip + dns + 2 ports, ingress neighbor 1 + ip */
	assert_int_equal(vigil_profile__entry_count(p), 8);
	y = emit(p);
	assert_non_null(strstr(y, "  egress:\n  - identifier: "));
	assert_non_null(strstr(y, "    type: external\n    dnsNames:\n    - example.com.\n"
				  "    ports:\n    - name: TCP-443\n      protocol: TCP\n"
				  "      port: 443\n    - name: UDP-53\n      protocol: UDP\n"
				  "      port: 53\n    ipAddresses:\n    - 93.184.216.34\n"));
	q = load_text(y);
	assert_true(prof_equal(p, q));
	free(y);
	vigil_profile__free(q);
	vigil_profile__free(p);
}

static const char web_v1[] =
	"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
	"kind: ApplicationProfile\n"
	"metadata:\n  name: web\n  annotations:\n    signature.kubescape.io/signature: AAAA\n"
	"    kubescape.io/managed-by: User\n"
	"spec:\n  containers:\n  - name: app\n"
	"    execs:\n    - path: /bin/sh\n      args: [sh, -c, '⋯']\n"
	"    opens:\n    - path: /etc/x\n      flags: [O_RDONLY]\n"
	"    syscalls: [read]\n";

static const char web_v2[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			     "kind: ApplicationProfile\n"
			     "metadata:\n  name: web\n"
			     "spec:\n  containers:\n  - name: app\n"
			     "    execs:\n    - path: /bin/sh\n      args: [sh, -c, '⋯']\n"
			     "    - path: /usr/bin/curl\n      args: [curl, '⋯⋯']\n"
			     "    syscalls: [read, connect]\n"
			     "  - name: sidecar\n    syscalls: [write]\n";

static const char cp_quiet[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			       "kind: ContainerProfile\nmetadata: {name: db}\n"
			       "spec:\n  egress: null\n  ingress: []\n";
static const char cp_talks[] =
	"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
	"kind: ContainerProfile\nmetadata: {name: db}\n"
	"spec:\n  egress:\n  - type: external\n    dnsNames: [example.com.]\n"
	"    ports: [{name: TCP-443, protocol: TCP, port: 443}]\n";

static void test_merge(void **state)
{
	struct vigil_profile *a = load_text(web_v1), *b = load_text(web_v2),
			     *same = load_text(web_v1);
	const struct prof_container *c;

	/* merging a subset keeps a valid signature */
	assert_int_equal(vigil_profile__merge(a, same), 0);
	assert_string_equal(vigil_profile__annotation(a, 0, "signature.kubescape.io/signature"),
			    "AAAA");
	assert_int_equal(vigil_profile__merge(a, b), 0);
	/* the signed content changed: its signature is gone, other annotations stay */
	assert_null(vigil_profile__annotation(a, 0, "signature.kubescape.io/signature"));
	assert_string_equal(vigil_profile__annotation(a, 0, "kubescape.io/managed-by"), "User");
	assert_int_equal(a->docs[0].containers.n, 2);
	c = &a->docs[0].containers.v[0];
	assert_string_equal(c->name, "app");
	assert_int_equal(c->execs.n, 2);
	assert_int_equal(c->opens.n, 1);
	assert_int_equal(c->syscalls.n, 2);
	assert_string_equal(c->syscalls.v[0], "connect");
	assert_string_equal(a->docs[0].containers.v[1].name, "sidecar");
	/* union is idempotent */
	{
		char *y1 = emit(a), *y2;

		assert_int_equal(vigil_profile__merge(a, b), 0);
		y2 = emit(a);
		assert_string_equal(y1, y2);
		free(y1);
		free(y2);
	}
	vigil_profile__free(a);
	vigil_profile__free(b);
	vigil_profile__free(same);

	/* a file with selectors merged with itself, twice: nothing changes */
	{
		struct vigil_profile *x = NULL, *y = NULL;
		struct vigil_error err;
		char *e1, *e2;

		assert_int_equal(vigil_profile__load_file("tests/data/profiles/batch-curl.yaml",
							  NULL, &x, &err),
				 0);
		assert_int_equal(vigil_profile__load_file("tests/data/profiles/batch-curl.yaml",
							  NULL, &y, &err),
				 0);
		e1 = emit(x);
		assert_int_equal(vigil_profile__merge(x, y), 0);
		assert_int_equal(vigil_profile__merge(x, y), 0);
		e2 = emit(x);
		assert_string_equal(e1, e2);
		assert_int_equal(vigil_profile__diff(x, y, NULL), 0);
		free(e1);
		free(e2);
		vigil_profile__free(x);
		vigil_profile__free(y);
	}

	/* entries that differ only in headers or selectors stay apart, and merge idempotently */
	{
		static const char two[] =
			"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			"kind: ContainerProfile\nmetadata: {name: x}\nspec:\n"
			"  endpoints:\n  - {endpoint: ':80/', headers: {Host: [a]}}\n"
			"  - {endpoint: ':80/', headers: {Hgst: [a]}}\n"
			"  egress:\n  - {type: internal, podSelector: {matchLabels: {app: a}}}\n"
			"  - {type: internal, podSelector: {matchLabels: {app: b}}}\n";
		struct vigil_profile *x = load_text(two), *y = load_text(two);

		assert_int_equal(x->docs[0].cp.endpoints.n, 2);
		assert_int_equal(x->docs[0].cp.egress.n, 2);
		assert_int_equal(vigil_profile__merge(x, y), 0);
		assert_int_equal(x->docs[0].cp.endpoints.n, 2);
		assert_int_equal(x->docs[0].cp.egress.n, 2);
		assert_int_equal(vigil_profile__diff(x, y, NULL), 0);
		vigil_profile__free(x);
		vigil_profile__free(y);
	}

	/* "initiates nothing" united with a neighbor is that neighbor; [] stays [] */
	a = load_text(cp_quiet);
	b = load_text(cp_talks);
	assert_int_equal(vigil_profile__merge(a, b), 0);
	assert_int_equal(a->docs[0].cp.egress.state, PROF_SET);
	assert_int_equal(a->docs[0].cp.egress.n, 1);
	assert_int_equal(a->docs[0].cp.ingress.state, PROF_SET);
	assert_int_equal(a->docs[0].cp.ingress.n, 0);
	vigil_profile__free(a);
	vigil_profile__free(b);
	/* and the other way round: the list wins over null */
	a = load_text(cp_talks);
	b = load_text(cp_quiet);
	assert_int_equal(vigil_profile__merge(a, b), 0);
	assert_int_equal(a->docs[0].cp.egress.n, 1);
	vigil_profile__free(a);
	vigil_profile__free(b);
}

static void test_diff(void **state)
{
	struct vigil_profile *a = load_text(web_v1), *b = load_text(web_v2),
			     *a2 = load_text(web_v1);
	struct vigil_buf out = VIGIL_BUF_INIT;

	assert_int_equal(vigil_profile__diff(a, a2, &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(vigil_profile__diff(a, b, &out), 1);
	assert_string_equal(out.data, "ApplicationProfile web, containers app:\n"
				      "+ execs: /usr/bin/curl [curl, ⋯⋯]\n"
				      "- opens: /etc/x [O_RDONLY]\n"
				      "+ syscalls: connect\n"
				      "+ ApplicationProfile web, containers sidecar\n"
				      "ApplicationProfile web, containers sidecar:\n"
				      "+ syscalls: write\n");
	/* NULL out: just the verdict */
	assert_int_equal(vigil_profile__diff(b, a, NULL), 1);
	vigil_profile__free(a);
	vigil_profile__free(b);
	vigil_profile__free(a2);

	a = load_text(cp_quiet);
	b = load_text(cp_talks);
	vigil_buf__reset(&out);
	assert_int_equal(vigil_profile__diff(a, b, &out), 1);
	assert_string_equal(out.data, "ContainerProfile db:\n"
				      "+ egress: external dns [example.com.] ports [TCP/443]\n"
				      "- egress: null\n"
				      "- ingress: []\n");
	vigil_buf__release(&out);
	vigil_profile__free(a);
	vigil_profile__free(b);
}

/* One file may hold the same profile name in several namespaces (`kubectl get -A -o yaml`) or
 * one object twice: diff and merge pair kind + namespace + name, the k-th copy with the k-th. */
static const char two_namespaces[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				     "kind: ApplicationProfile\n"
				     "metadata: {name: web, namespace: staging}\n"
				     "spec:\n"
				     "  containers: [{name: app, syscalls: [read]}]\n"
				     "---\n"
				     "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				     "kind: ApplicationProfile\n"
				     "metadata: {name: web, namespace: prod}\n"
				     "spec:\n"
				     "  containers: [{name: app, syscalls: [write]}]\n";

static void test_same_name_other_namespace(void **state)
{
	struct vigil_profile *a = load_text(two_namespaces), *b = load_text(two_namespaces);
	struct vigil_buf out = VIGIL_BUF_INIT;
	char *text;

	(void)state;
	assert_int_equal(vigil_profile__diff(a, b, &out), 0);
	assert_int_equal(vigil_profile__merge(b, a), 0);
	assert_int_equal(vigil_profile__doc_count(b), 2);
	assert_int_equal(vigil_profile__diff(a, b, &out), 0); /* nothing crossed namespaces */
	assert_int_equal(out.len, 0);
	vigil_profile__free(b);
	{
		int head = (int)(strstr(two_namespaces, "[write]") - two_namespaces);
		size_t n = sizeof(two_namespaces) + 16;

		text = malloc(n);
		assert_non_null(text);
		snprintf(text, n, "%.*s[write, connect]}]\n", head, two_namespaces);
	}
	b = load_text(text);
	assert_int_equal(vigil_profile__diff(a, b, &out), 1);
	assert_string_equal(out.data, "ApplicationProfile prod/web, containers app:\n"
				      "+ syscalls: connect\n");
	free(text);
	vigil_profile__free(b);
	vigil_buf__release(&out);

	/* the same object twice (a file concatenated with itself): each copy pairs with its own */
	text = malloc(2 * sizeof(two_namespaces) + 8);
	assert_non_null(text);
	snprintf(text, 2 * sizeof(two_namespaces) + 8, "%s---\n%s", two_namespaces, two_namespaces);
	b = load_text(text);
	vigil_profile__free(a);
	a = load_text(text);
	assert_int_equal(vigil_profile__diff(a, b, NULL), 0);
	assert_int_equal(vigil_profile__merge(b, a), 0);
	assert_int_equal(vigil_profile__doc_count(b), 4);
	assert_int_equal(vigil_profile__diff(a, b, NULL), 0);
	free(text);
	vigil_profile__free(a);
	vigil_profile__free(b);
}

static struct vigil_profile *many_opens(const char *dir, int n)
{
	struct vigil_profile *p = vigil_profile__new(VIGIL_KIND_CONTAINER_PROFILE, "x", NULL);
	const char *fl[] = { "O_RDONLY" };

	for (int i = 0; i < n; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/f%03d/data", dir, i);
		assert_int_equal(vigil_profile__add_open(p, 0, 0, path, fl, 1), 0);
	}
	return p;
}

static bool has_open(const struct vigil_profile *p, const char *path)
{
	const struct prof_container *c = &p->docs[0].cp;

	for (size_t i = 0; i < c->opens.n; i++)
		if (!strcmp(c->opens.v[i].path, path))
			return true;
	return false;
}

static void test_collapse_thresholds(void **state)
{
	struct vigil_profile *p;

	/* 50 children: kept; 51: one ⋯ */
	p = many_opens("/data", 50);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_int_equal(p->docs[0].cp.opens.n, 50);
	vigil_profile__free(p);
	p = many_opens("/data", 51);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_int_equal(p->docs[0].cp.opens.n, 1);
	assert_true(has_open(p, "/data/⋯/data"));
	vigil_profile__free(p);
	/* /etc allows 100 */
	p = many_opens("/etc", 100);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_int_equal(p->docs[0].cp.opens.n, 100);
	vigil_profile__free(p);
	p = many_opens("/etc", 101);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_true(has_open(p, "/etc/⋯/data"));
	vigil_profile__free(p);
	/* an explicit threshold */
	p = many_opens("/etc", 11);
	assert_int_equal(
		vigil_profile__collapse(p, &(struct vigil_collapse_opts){ .opens_threshold = 10 }),
		0);
	assert_true(has_open(p, "/etc/⋯/data"));
	vigil_profile__free(p);
}

static void test_collapse_adjacent(void **state)
{
	struct vigil_profile *p = vigil_profile__new(VIGIL_KIND_CONTAINER_PROFILE, "x", NULL);
	const char *fl[] = { "O_RDONLY" };

	/* 60 pids, each with 60 task ids: /proc/⋯/task/⋯/stat; 60 x 60 in /var/cache: ⋯/⋯ -> * */
	for (int i = 0; i < 60; i++)
		for (int j = 0; j < 60; j++) {
			char path[128];

			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", 1000 + i, 2000 + j);
			assert_int_equal(vigil_profile__add_open(p, 0, 0, path, fl, 1), 0);
			snprintf(path, sizeof(path), "/var/cache/a%d/b%d", i, j);
			assert_int_equal(vigil_profile__add_open(p, 0, 0, path, fl, 1), 0);
		}
	assert_int_equal(vigil_profile__add_open(p, 0, 0, "/etc/hosts", fl, 1), 0);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_int_equal(p->docs[0].cp.opens.n, 3);
	assert_true(has_open(p, "/etc/hosts"));
	assert_true(has_open(p, "/proc/⋯/task/⋯/stat"));
	assert_true(has_open(p, "/var/cache/*"));
	vigil_profile__free(p);
}

static bool keep_images(const char *path, void *arg)
{
	return !strncmp(path, (const char *)arg, strlen(arg));
}

static void test_collapse_keep_and_endpoints(void **state)
{
	struct vigil_profile *p = many_opens("/usr/lib", 60);
	int c;

	assert_int_equal(
		vigil_profile__collapse(
			p, &(struct vigil_collapse_opts){ .keep_path = keep_images,
							  .keep_arg = (void *)"/usr/lib/" }),
		0);
	assert_int_equal(p->docs[0].cp.opens.n, 60);
	vigil_profile__free(p);

	p = vigil_profile__new(VIGIL_KIND_APPLICATION_PROFILE, "x", NULL);
	c = vigil_profile__container(p, 0, "c", true);
	for (int i = 0; i < 101; i++) {
		char ep[64];

		snprintf(ep, sizeof(ep), ":8080/users/%d/profile", i);
		assert_int_equal(vigil_profile__add_endpoint(p, 0, c, ep, "GET", "inbound"), 0);
	}
	assert_int_equal(
		vigil_profile__add_endpoint(p, 0, c, ":9090/users/1/profile", "GET", "inbound"), 0);
	assert_int_equal(vigil_profile__collapse(p, NULL), 0);
	assert_int_equal(p->docs[0].containers.v[0].endpoints.n, 2);
	assert_string_equal(p->docs[0].containers.v[0].endpoints.v[0].endpoint,
			    ":8080/users/⋯/profile");
	assert_string_equal(p->docs[0].containers.v[0].endpoints.v[1].endpoint,
			    ":9090/users/1/profile");
	vigil_profile__free(p);
}

/* byExecutable sections merge by executable, diff by line, collapse like the container. */
static void test_by_exe_ops(void **state)
{
	static const char a[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				"kind: ContainerProfile\nmetadata: {name: pg}\nspec:\n"
				"  byExecutable:\n"
				"  - path: /usr/bin/pg\n"
				"    opens: [{path: /d/1, flags: [O_RDWR]}]\n";
	static const char b[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				"kind: ContainerProfile\nmetadata: {name: pg}\nspec:\n"
				"  byExecutable:\n"
				"  - path: /usr/bin/pg\n"
				"    opens: [{path: /d/2, flags: [O_RDWR]}]\n"
				"  - path: /usr/sbin/runuser\n"
				"    opens: [{path: /etc/passwd}]\n";
	struct vigil_profile *pa = load_text(a), *pb = load_text(b);
	struct vigil_buf d = VIGIL_BUF_INIT;
	char *y;

	(void)state;
	assert_int_equal(vigil_profile__diff(pa, pb, &d), 1);
	assert_non_null(strstr(d.data, "- byExecutable /usr/bin/pg: opens: /d/1 [O_RDWR]\n"));
	assert_non_null(strstr(d.data, "+ byExecutable /usr/sbin/runuser: opens: /etc/passwd\n"));
	vigil_buf__release(&d);
	assert_int_equal(vigil_profile__merge(pa, pb), 0);
	y = emit(pa);
	assert_non_null(strstr(y, "  - path: /usr/bin/pg\n    opens:\n    - path: /d/1\n"));
	assert_non_null(strstr(y, "    - path: /d/2\n"));
	assert_non_null(strstr(y, "  - path: /usr/sbin/runuser\n    opens:\n"));
	/* the runuser section had no execs: merged, it still has none (absent stays absent) */
	assert_null(strstr(strstr(y, "/usr/sbin/runuser"), "execs"));
	free(y);
	/* collapse reaches the sections: 3 children over a threshold of 2 become one */
	vigil_profile__free(pb);
	pb = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		       "kind: ContainerProfile\nmetadata: {name: pg}\nspec:\n  byExecutable:\n"
		       "  - path: /usr/bin/pg\n    opens: [{path: /d/3, flags: [O_RDWR]}]\n");
	assert_int_equal(vigil_profile__merge(pa, pb), 0);
	assert_int_equal(
		vigil_profile__collapse(pa, &(struct vigil_collapse_opts){ .opens_threshold = 2 }),
		0);
	y = emit(pa);
	assert_non_null(strstr(y, "    - path: /d/\xe2\x8b\xaf\n"));
	assert_null(strstr(y, "/d/1"));
	free(y);
	vigil_profile__free(pa);
	vigil_profile__free(pb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_same_name_other_namespace),
		cmocka_unit_test(test_collapse_thresholds),
		cmocka_unit_test(test_collapse_adjacent),
		cmocka_unit_test(test_collapse_keep_and_endpoints),
		cmocka_unit_test(test_by_exe_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
