// SPDX-License-Identifier: Apache-2.0
/*
 * In-kernel allow sets (vigil/kallow.h): which profile entries reach the kernel, in which
 * shape; and, the property that keeps detection whole, that every open and peer the kernel's
 * lookups (simulated here exactly as bpf/allow.bpf.h does them, with the same path hash) call
 * allowed is one the profile matcher allows too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "profile/wildcard.h"
#include "vigil/kallow.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"

static struct vigil_profile *load_text(const char *text)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[1024];

	if (vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err))
		fail_msg("load: %s", vigil_error__format(&err, msg, sizeof(msg)));
	return p;
}

static const char prof[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			   "kind: ApplicationProfile\n"
			   "metadata: {name: web, namespace: shop}\n"
			   "spec:\n"
			   "  containers:\n"
			   "    - name: app\n"
			   "      opens:\n"
			   "        - {path: /etc/hostname, flags: [O_RDONLY]}\n"
			   "        - {path: /etc/hostname, flags: [O_RDONLY, O_CLOEXEC]}\n"
			   "        - {path: /etc/passwd}\n"
			   "        - {path: /data/in/\xe2\x8b\xaf, flags: [O_RDONLY]}\n"
			   "        - {path: /data/tree/*, flags: [O_RDONLY, O_WRONLY, O_CREAT]}\n"
			   "        - {path: /proc/\xe2\x8b\xaf/status, flags: [O_RDONLY]}\n"
			   "        - {path: /var/*/log, flags: [O_RDONLY]}\n"
			   "        - {path: /x//y, flags: [O_RDONLY]}\n"
			   "        - {path: /x/./y, flags: [O_RDONLY]}\n"
			   "        - {path: /x/../etc/shadow, flags: [O_RDONLY]}\n"
			   "        - {path: /trail/, flags: [O_RDONLY]}\n"
			   "    - name: side\n"
			   "      opens:\n"
			   "        - {path: /side/only, flags: [O_RDONLY]}\n";

struct entry {
	char path[256];
	enum vigil_kallow_path kind;
	uint64_t flags;
	bool any;
};

struct peer {
	int family;
	uint8_t addr[16];
	uint8_t proto;
	uint16_t port;
};

struct got {
	struct entry e[64];
	size_t n;
	struct peer p[64];
	size_t np;
};

static int on_open(const char *path, enum vigil_kallow_path kind, uint64_t flags, bool any,
		   void *arg)
{
	struct got *g = arg;

	assert_true(g->n < 64);
	snprintf(g->e[g->n].path, sizeof(g->e[g->n].path), "%s", path);
	g->e[g->n].kind = kind;
	g->e[g->n].flags = flags;
	g->e[g->n].any = any;
	g->n++;
	return 0;
}

static int on_peer(int family, const uint8_t addr[16], uint8_t proto, uint16_t port, void *arg)
{
	struct got *g = arg;

	assert_true(g->np < 64);
	g->p[g->np].family = family;
	memcpy(g->p[g->np].addr, addr, 16);
	g->p[g->np].proto = proto;
	g->p[g->np].port = port;
	g->np++;
	return 0;
}

static const struct vigil_kallow_visit visit = { on_open, on_peer, NULL, NULL };

static const struct entry *find(const struct got *g, const char *path, enum vigil_kallow_path k)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->e[i].path, path) && g->e[i].kind == k)
			return &g->e[i];
	return NULL;
}

static void test_shapes(void **state)
{
	struct vigil_profile *p = load_text(prof);
	struct vigil_kallow_count c;
	struct got g = { 0 };
	const struct entry *e;
	char why[512];

	(void)state;
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &visit, &g, &c), 0);
	/* exact, a directory's children, a whole tree, "/trail/" as /trail */
	assert_non_null(find(&g, "/etc/hostname", VIGIL_KALLOW_FILE));
	e = find(&g, "/etc/passwd", VIGIL_KALLOW_FILE);
	assert_non_null(e);
	assert_true(e->any); /* no flags listed: any */
	e = find(&g, "/data/in", VIGIL_KALLOW_CHILD);
	assert_non_null(e);
	assert_false(e->any);
	assert_int_equal(e->flags, VIGIL_WC_FLAG_RDONLY);
	assert_non_null(find(&g, "/data/tree", VIGIL_KALLOW_DESC));
	assert_non_null(find(&g, "/trail", VIGIL_KALLOW_FILE));
	/* left out: mid-path wildcards, empty / . / .. segments; the other container */
	assert_int_equal(c.opens, 6);
	assert_int_equal(c.opens_left_out, 5);
	/* of which one could allow what the open rules name: the one below /var */
	assert_int_equal(c.opens_left_out_sensitive, 1);
	assert_int_equal(vigil_kallow__enforceable(&c, VIGIL_ENFORCE_SENSITIVE, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "R0010"));
	assert_int_equal(vigil_kallow__enforceable(&c, VIGIL_ENFORCE_EXEC, why, sizeof(why)), 0);
	c.opens_left_out_sensitive = 0;
	assert_int_equal(vigil_kallow__enforceable(&c, VIGIL_ENFORCE_SENSITIVE, why, sizeof(why)),
			 0);
	assert_null(find(&g, "/side/only", VIGIL_KALLOW_FILE));
	for (size_t i = 0; i < g.n; i++)
		assert_null(strstr(g.e[i].path, "proc"));
	/* the other container, by name */
	memset(&g, 0, sizeof(g));
	assert_int_equal(vigil_profile__kernel_allow(p, "side", &visit, &g, &c), 0);
	assert_int_equal(g.n, 1);
	assert_non_null(find(&g, "/side/only", VIGIL_KALLOW_FILE));
	assert_int_equal(vigil_profile__kernel_allow(p, "nope", &visit, &g, &c), -ENOENT);
	vigil_profile__free(p);
}

static int on_tokens(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* A token entry (Kubescape's learned ".../serviceaccount/⋯/token" too) allows every token in
 * the kernel (VG_OA_TOKENS): the mid-path wildcard does not keep R0006 from being enforced. */
static void test_tokens(void **state)
{
	static const struct vigil_kallow_visit tv = { NULL, NULL, NULL, on_tokens };
	struct vigil_profile *p = load_text(
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: t}\n"
		"spec:\n"
		"  opens:\n"
		"  - {path: /run/secrets/kubernetes.io/serviceaccount/\xe2\x8b\xaf/token}\n"
		"  - {path: /var/run/secrets/kubernetes.io/serviceaccount/token}\n");
	struct vigil_kallow_count c;
	char why[512];
	int n = 0;

	(void)state;
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &tv, &n, &c), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c.opens_left_out, 1);
	assert_int_equal(c.opens_left_out_sensitive, 0);
	assert_int_equal(vigil_kallow__enforceable(&c, VIGIL_ENFORCE_TOKEN, why, sizeof(why)), 0);
	vigil_profile__free(p);
	/* not a token: the other files of the directory, a mid-path wildcard below /run */
	p = load_text(
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: t}\n"
		"spec:\n"
		"  opens:\n"
		"  - {path: /run/secrets/kubernetes.io/serviceaccount/\xe2\x8b\xaf/ca.crt}\n");
	n = 0;
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &tv, &n, &c), 0);
	assert_int_equal(n, 0);
	assert_int_equal(c.opens_left_out_sensitive, 1);
	vigil_profile__free(p);
}

/* The kernel's decision (bpf/allow.bpf.h), from the entries, by path hash. */
static bool covers(const struct got *g, uint64_t hash, enum vigil_kallow_path k, uint64_t want)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct entry *e = &g->e[i];

		if (e->kind != k || vigil_sensor__path_hash(e->path) != hash)
			continue;
		if (e->any || !(want & ~e->flags))
			return true;
	}
	return false;
}

static bool kernel_allows(const struct got *g, const char *path, uint32_t flags)
{
	uint64_t want = vigil_wc_open_flags(flags);
	char dir[512];
	char *slash;
	bool first = true;

	if (covers(g, vigil_sensor__path_hash(path), VIGIL_KALLOW_FILE, want))
		return true;
	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (first && covers(g, vigil_sensor__path_hash(dir[0] ? dir : "/"),
				    VIGIL_KALLOW_CHILD, want))
			return true;
		if (covers(g, vigil_sensor__path_hash(dir[0] ? dir : "/"), VIGIL_KALLOW_DESC, want))
			return true;
		first = false;
		if (!dir[0])
			break;
	}
	return false;
}

static void test_never_wider_than_matcher(void **state)
{
	static const char *const paths[] = {
		"/etc/hostname", "/etc/hostnamex", "/etc/hostname/x", "/etc/passwd",
		"/etc/shadow",	 "/data/in",	   "/data/in/a",      "/data/in/a/b",
		"/data/inx/a",	 "/data/tree",	   "/data/tree/a",    "/data/tree/a/b/c",
		"/data/treex/a", "/proc/1/status", "/var/a/log",      "/x/y",
		"/trail",	 "/trail/x",	   "/side/only",      "/",
	};
	static const uint32_t flags[] = { O_RDONLY, O_RDONLY | O_CLOEXEC,
					  O_WRONLY, O_WRONLY | O_CREAT,
					  O_RDWR,   O_RDONLY | O_NONBLOCK };
	struct vigil_profile *p = load_text(prof);
	struct vigil_matcher *m = NULL;
	struct got g = { 0 };
	int allowed = 0;

	(void)state;
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &visit, &g, NULL), 0);
	assert_int_equal(vigil_matcher__new(p, NULL, &m), 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			bool k = kernel_allows(&g, paths[i], flags[f]);
			bool u = vigil_matcher__open(m, paths[i], flags[f]);

			if (k && !u)
				fail_msg("kernel allows %s (flags %#x), the matcher does not",
					 paths[i], flags[f]);
			allowed += k;
		}
	}
	/* and it does decide: exact with flag sets, children, the tree at any depth */
	assert_true(kernel_allows(&g, "/etc/hostname", O_RDONLY | O_CLOEXEC));
	assert_false(kernel_allows(&g, "/etc/hostname", O_WRONLY));
	assert_true(kernel_allows(&g, "/data/in/a", O_RDONLY));
	assert_false(kernel_allows(&g, "/data/in/a/b", O_RDONLY));
	assert_true(kernel_allows(&g, "/data/tree/a/b/c", O_WRONLY | O_CREAT));
	assert_false(kernel_allows(&g, "/data/tree", O_RDONLY)); /* "*" is one or more */
	assert_true(allowed > 10);
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

static const char net[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			  "kind: NetworkNeighborhood\n"
			  "metadata: {name: web, namespace: shop}\n"
			  "spec:\n"
			  "  containers:\n"
			  "    - name: app\n"
			  "      egress:\n"
			  "        - identifier: a\n"
			  "          ipAddresses: [10.0.0.1, 10.1.0.0/16, '*', '::ffff:10.0.0.2']\n"
			  "          ports:\n"
			  "            - {name: TCP-443, protocol: TCP, port: 443}\n"
			  "            - {name: SCTP-9, protocol: SCTP, port: 9}\n"
			  "        - identifier: b\n"
			  "          ipAddress: fd00::1\n"
			  "        - identifier: c\n"
			  "          ipAddresses: [10.0.0.3]\n"
			  "          ports:\n"
			  "            - {name: UDP-0, protocol: UDP, port: 0}\n"
			  "      ingress:\n"
			  "        - identifier: in\n"
			  "          ipAddresses: [10.9.9.9]\n";

static void test_peers(void **state)
{
	struct vigil_profile *p = load_text(net);
	struct vigil_kallow_count c;
	struct got g = { 0 };
	uint8_t a1[16] = { 10, 0, 0, 1 }, a2[16] = { 10, 0, 0, 2 }, a3[16] = { 10, 0, 0, 3 };
	uint8_t v6[16] = { 0xfd, [15] = 1 };
	char why[512];
	bool s1 = false, s2 = false, s3 = false, s6 = false;

	(void)state;
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &visit, &g, &c), 0);
	for (size_t i = 0; i < g.np; i++) {
		const struct peer *x = &g.p[i];

		if (x->family == AF_INET && !memcmp(x->addr, a1, 16)) {
			assert_int_equal(x->proto, IPPROTO_TCP);
			assert_int_equal(x->port, 443);
			s1 = true;
		} else if (x->family == AF_INET && !memcmp(x->addr, a2, 16)) {
			s2 = true; /* the IPv4-mapped literal is the IPv4 address, as the matcher */
		} else if (x->family == AF_INET && !memcmp(x->addr, a3, 16)) {
			assert_int_equal(x->proto, IPPROTO_UDP);
			assert_int_equal(x->port, 0); /* port 0: any */
			s3 = true;
		} else if (x->family == AF_INET6 && !memcmp(x->addr, v6, 16)) {
			assert_int_equal(x->proto, 0); /* no ports: any protocol and port */
			assert_int_equal(x->port, 0);
			s6 = true;
		} else {
			fail_msg("unexpected peer (a CIDR, '*' or an ingress one?)");
		}
	}
	assert_true(s1 && s2 && s3 && s6);
	/* 10.0.0.1 and 10.0.0.2 with TCP-443 (SCTP left out), fd00::1, 10.0.0.3 */
	assert_int_equal(c.peers, 4);
	assert_int_equal(c.peers_left_out, 4); /* the CIDR, '*', SCTP twice */
	assert_int_equal(vigil_kallow__enforceable(&c, VIGIL_ENFORCE_EGRESS, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "R0011"));
	vigil_profile__free(p);
}

/* byExecutable: an open is judged by the program that made it, in user space; none go in. */
static void test_by_exe_left_out(void **state)
{
	struct vigil_profile *p = NULL;
	struct vigil_kallow_count c;
	struct vigil_error err;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(
		vigil_profile__load_file("tests/data/profiles/byexe-cp.yaml", NULL, &p, &err), 0);
	assert_int_equal(vigil_profile__kernel_allow(p, NULL, &visit, &g, &c), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(c.opens, 0);
	assert_int_equal(c.opens_left_out, 3);
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_never_wider_than_matcher),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_by_exe_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
