// SPDX-License-Identifier: Apache-2.0
/*
 * Profiles as Kubescape users have them (issue 15): a "⋯" or "*" inside a segment loads with a
 * warning and matches literally, as in Kubescape; the grouped ContainerProfile loads, formats,
 * merges and binds per container; files with other objects, kind: List, containers without a
 * name; strings quoted so YAML 1.1 readers keep their type. Fixtures: tests/data/profiles/ks-*.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "profile/model.h"
#include "profile/served.h"
#include "profile/yamltree.h"
#include "util/buf.h"
#include "vigil/harden.h"
#include "vigil/kallow.h"
#include "vigil/profile.h"

#define DATA "tests/data/profiles"

static struct vigil_profile *load_file(const char *path)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[1024];

	if (vigil_profile__load_file(path, NULL, &p, &err))
		fail_msg("%s", vigil_error__format(&err, msg, sizeof(msg)));
	return p;
}

static struct vigil_profile *load_text(const char *text)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[1024];

	if (vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err))
		fail_msg("%s", vigil_error__format(&err, msg, sizeof(msg)));
	return p;
}

static const char *note_text(const struct vigil_profile *p, size_t i, const char **kind)
{
	static char buf[1200];
	struct vigil_error n;
	enum vigil_profile_note_kind k = vigil_profile__note(p, i, &n);

	*kind = k == VIGIL_PROFILE_WARNING ? "warning" : k == VIGIL_PROFILE_SKIPPED ? "note" : "?";
	snprintf(buf, sizeof(buf), "%s:%d:%d: %s: %s", n.file, n.line, n.column, *kind, n.message);
	return buf;
}

/* warn/NAME.yaml loads, with exactly the one warning in NAME.expect. */
static void test_warn_files(void **state)
{
	DIR *d = opendir(DATA "/warn");
	struct dirent *e;
	int checked = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], expect[1200];
		size_t len = strlen(e->d_name);
		struct vigil_profile *p;
		const char *kind;
		FILE *f;

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), DATA "/warn/%.*s.expect", (int)(len - 5), e->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(expect, sizeof(expect), f));
		fclose(f);
		expect[strcspn(expect, "\n")] = '\0';
		snprintf(path, sizeof(path), DATA "/warn/%s", e->d_name);
		p = load_file(path);
		assert_int_equal(vigil_profile__note_count(p), 1);
		/* the expectation names the file without its directory */
		if (strcmp(strstr(note_text(p, 0, &kind), "/warn/") + 6, expect))
			fail_msg("%s:\n  got    %s\n  wanted %s", e->d_name, note_text(p, 0, &kind),
				 expect);
		assert_string_equal(kind, "warning");
		vigil_profile__free(p);
		checked++;
	}
	closedir(d);
	assert_true(checked >= 6);
}

/* Kubescape compares a segment with a "⋯" or "*" inside it as text; so does Vigil. */
static void test_partial_wildcards_literal(void **state)
{
	struct vigil_profile *p = load_file(DATA "/ks-partial-wildcards.yaml");
	struct vigil_matcher *m;
	const char *agent[] = { "/usr/local/bin/agent", "--config=/etc/agent/⋯.yaml",
				"--shard=1⋯" };
	const char *agent2[] = { "/usr/local/bin/agent", "--config=/etc/agent/a.yaml",
				 "--shard=1⋯" };
	const char *agent3[] = { "/usr/local/bin/agent", "--config=/etc/agent/⋯.yaml",
				 "--shard=12" };
#define CG \
	"/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/memory.stat"
	char path[256];

	(void)state;
	assert_int_equal(vigil_profile__note_count(p), 9);
	assert_int_equal(vigil_matcher__new(p, "agent", &m), 0);
	/* exec args: literal text, '/'-segment by segment */
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/agent", agent, 3), VIGIL_MATCH_YES);
	/* argsRequired is absent: Kubescape's CompareExecArgs still anchors a recorded vector */
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/agent", agent2, 3),
			 VIGIL_MATCH_ARGS);
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/agent", agent3, 3),
			 VIGIL_MATCH_ARGS);
	/* exec path: "agent-helper-*" is that exact name, not a prefix */
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/agent-helper-x", NULL, 0),
			 VIGIL_MATCH_NO);
	{
		const char *h[] = { "agent-helper", "-v" };

		assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/agent-helper-*", h, 2),
				 VIGIL_MATCH_YES);
	}
	/* opens */
	snprintf(path, sizeof(path), CG, "*");
	assert_true(vigil_matcher__open(m, path, O_RDONLY));
	snprintf(path, sizeof(path), CG, "1c2e3f4a_5b6c");
	assert_false(vigil_matcher__open(m, path, O_RDONLY));
	assert_true(vigil_matcher__open(m, "/tmp/db⋯", O_RDWR | O_CREAT));
	assert_false(vigil_matcher__open(m, "/tmp/db1", O_RDWR | O_CREAT));
	assert_false(vigil_matcher__open(m, "/tmp/db", O_RDWR));
	assert_true(vigil_matcher__open(m, "/var/lib/agent/⋯⋯/state", O_RDONLY));
	assert_false(vigil_matcher__open(m, "/var/lib/agent/x/state", O_RDONLY));
	assert_false(vigil_matcher__open(m, "/var/lib/agent/x/y/state", O_RDONLY));
	/* a whole-segment "⋯" beside them still is one segment */
	assert_true(vigil_matcher__open(m, "/proc/17/stat", O_RDONLY));
	/* endpoints */
	assert_true(vigil_matcher__endpoint(m, 9100, "/metrics*", "GET", "inbound"));
	assert_false(vigil_matcher__endpoint(m, 9100, "/metrics/x", "GET", "inbound"));
	assert_false(vigil_matcher__endpoint(m, 9100, "/metricsx", "GET", "inbound"));
	/* DNS labels */
	assert_false(vigil_matcher__dns(m, "shard1.tsdb.example.com"));
	assert_false(vigil_matcher__dns(m, "ingest-eu.tsdb.example.com"));
	assert_true(vigil_matcher__dns(m, "ingest*.tsdb.example.com"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

/* Objects beside the profiles are skipped and named; a List is unpacked. */
static void test_other_objects_and_lists(void **state)
{
	struct vigil_profile *p = load_file(DATA "/ks-beside-workload.yaml");
	const char *kind, *t;

	(void)state;
	assert_int_equal(vigil_profile__doc_count(p), 2);
	assert_int_equal(vigil_profile__doc_kind(p, 0), VIGIL_KIND_APPLICATION_PROFILE);
	assert_int_equal(vigil_profile__doc_kind(p, 1), VIGIL_KIND_NETWORK_NEIGHBORHOOD);
	assert_int_equal(vigil_profile__skipped_count(p), 3);
	assert_int_equal(vigil_profile__note_count(p), 3);
	t = note_text(p, 0, &kind);
	assert_string_equal(t, DATA "/ks-beside-workload.yaml:4:1: note: skipped v1 Namespace "
				    "\"billing\": not a profile");
	t = note_text(p, 1, &kind);
	assert_string_equal(t, DATA "/ks-beside-workload.yaml:8:1: note: skipped apps/v1 "
				    "Deployment \"invoicer\": not a profile");
	/* documents keep their own positions */
	assert_int_equal(vigil_profile__doc_line(p, 0), 29); /* its "---" */
	vigil_profile__free(p);

	p = load_file(DATA "/ks-kubectl-list.yaml");
	assert_int_equal(vigil_profile__doc_count(p), 2);
	assert_int_equal(vigil_profile__skipped_count(p), 1);
	assert_string_equal(vigil_profile__doc_name(p, 0), "replicaset-cart-5f7d8c9b6d");
	assert_int_equal(vigil_profile__doc_line(p, 0), 3);
	vigil_profile__free(p);

	/* the typed list kind the API server returns for a collection */
	p = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfileList\n"
		      "metadata: {resourceVersion: '7'}\n"
		      "items:\n"
		      "- apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "  kind: ContainerProfile\n"
		      "  metadata: {name: a}\n"
		      "  spec: {execs: [{path: /bin/a}]}\n"
		      "- apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "  kind: ContainerProfile\n"
		      "  metadata: {name: b}\n"
		      "  spec: {execs: [{path: /bin/b}]}\n");
	assert_int_equal(vigil_profile__doc_count(p), 2);
	assert_string_equal(vigil_profile__doc_name(p, 1), "b");
	vigil_profile__free(p);

	/* a profile kind with a typo is still an error, not another object */
	{
		const char *bad = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				  "kind: ApplicationProfil\nmetadata: {name: x}\nspec: {}\n";
		struct vigil_error err;
		struct vigil_profile *q = NULL;
		char msg[600];

		assert_int_equal(
			vigil_profile__load_buffer(bad, strlen(bad), "t.yaml", NULL, &q, &err),
			-EINVAL);
		assert_string_equal(vigil_error__format(&err, msg, sizeof(msg)),
				    "t.yaml:2:7: unknown kind \"ApplicationProfil\" (did you mean "
				    "\"ApplicationProfile\"?)");
	}
}

static void test_unnamed_container(void **state)
{
	struct vigil_profile *p = load_file(DATA "/ks-unnamed-container.yaml"), *q;
	struct vigil_matcher *m;
	const char *argv[] = { "pg_dump", "-Fc", "shop" };
	struct vigil_buf out = VIGIL_BUF_INIT;

	(void)state;
	assert_int_equal(vigil_matcher__new(p, NULL, &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/usr/bin/pg_dump", argv, 3), VIGIL_MATCH_YES);
	assert_false(vigil_matcher__open(m, "/etc/passwd", O_RDONLY));
	vigil_matcher__free(m);
	/* merging two nameless containers makes one */
	q = load_file(DATA "/ks-unnamed-container.yaml");
	assert_int_equal(vigil_profile__merge(p, q), 0);
	assert_int_equal(vigil_profile__emit_yaml(p, &out), 0);
	assert_null(strstr(out.data, "name: \n"));
	assert_int_equal(p->docs[0].containers.n, 1);
	vigil_buf__release(&out);
	vigil_profile__free(q);
	vigil_profile__free(p);
}

static enum vigil_match exec1(const struct vigil_matcher *m, const char *path)
{
	const char *argv[] = { path };

	return vigil_matcher__exec(m, path, argv, 1);
}

static void test_grouped_container_profile(void **state)
{
	struct vigil_profile *p = load_file(DATA "/ks-grouped-cp.yaml"), *q;
	struct vigil_matcher *m;
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *api[] = { "/app/shop-api", "--listen", ":8443" };
	const char *envoy[] = { "envoy", "-c", "/etc/envoy/envoy.yaml" };
	uint8_t v4[4];

	(void)state;
	assert_int_equal(vigil_profile__note_count(p), 0);
	/* each container sees its own section only */
	assert_int_equal(vigil_matcher__new(p, "api", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/app/shop-api", api, 3), VIGIL_MATCH_YES);
	assert_int_equal(exec1(m, "/usr/local/bin/envoy"), VIGIL_MATCH_NO);
	assert_int_equal(exec1(m, "/app/migrate"), VIGIL_MATCH_NO);
	assert_true(vigil_matcher__open(m, "/app/config/db.yaml", O_RDONLY));
	assert_true(vigil_matcher__dns(m, "eu.payments.example.com"));
	inet_pton(AF_INET, "198.51.100.7", v4);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, v4, 443, "TCP"));
	assert_true(vigil_matcher__rule_allowed(m, "R1010", "shop-api"));
	vigil_matcher__free(m);
	assert_int_equal(vigil_matcher__new(p, "envoy", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/envoy", envoy, 3), VIGIL_MATCH_YES);
	assert_int_equal(exec1(m, "/app/shop-api"), VIGIL_MATCH_NO);
	assert_false(vigil_matcher__dns(m, "eu.payments.example.com"));
	vigil_matcher__free(m);
	assert_int_equal(vigil_matcher__new(p, "migrate", &m), 0);
	assert_int_equal(exec1(m, "/app/migrate"), VIGIL_MATCH_ARGS);
	vigil_matcher__free(m);
	assert_int_equal(vigil_matcher__new(p, "debugger", &m), 0);
	assert_int_equal(exec1(m, "/bin/sh"), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	/* a container the document does not name has no profile here (Kubescape: unresolved) */
	assert_int_equal(vigil_matcher__new(p, "sidecar", &m), -ENOENT);
	/* the builder finds sections by name */
	assert_true(vigil_profile__container(p, 0, "envoy", false) >= 0);
	assert_int_equal(vigil_profile__container(p, 0, "sidecar", false), -ENOENT);

	/* the canonical (signed) form carries the sections */
	assert_int_equal(vigil_profile__canon(p, 0, &b), 0);
	assert_non_null(
		strstr(b.data, "\"containers\":[{\"capabilities\":[\"CAP_NET_BIND_SERVICE\"]"));
	assert_non_null(strstr(b.data, "\"ephemeralContainers\":[{\"execs\""));
	vigil_buf__release(&b);

	/* merge unites sections by name */
	q = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfile\n"
		      "metadata: {name: shop-api, namespace: shop}\n"
		      "spec:\n"
		      "  containers:\n"
		      "  - name: envoy\n"
		      "    execs: [{path: /usr/local/bin/envoy-hot-restarter}]\n"
		      "  - name: sidecar\n"
		      "    execs: [{path: /bin/sidecar}]\n");
	assert_int_equal(vigil_profile__merge(p, q), 0);
	assert_int_equal(vigil_profile__doc_count(p), 1);
	assert_int_equal(vigil_matcher__new(p, "envoy", &m), 0);
	assert_int_equal(exec1(m, "/usr/local/bin/envoy-hot-restarter"), VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(m, "/usr/local/bin/envoy", envoy, 3), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	assert_int_equal(vigil_matcher__new(p, "sidecar", &m), 0);
	assert_int_equal(exec1(m, "/bin/sidecar"), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	vigil_profile__free(q);
	vigil_profile__free(p);

	/* flat fields beside sections apply to no container, as in Kubescape */
	p = load_file(DATA "/warn/grouped-with-flat.yaml");
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	assert_int_equal(exec1(m, "/bin/false"), VIGIL_MATCH_YES);
	assert_int_equal(exec1(m, "/bin/true"), VIGIL_MATCH_NO);
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

static void test_yaml11_quotes(void **state)
{
	static const char *const quoted[] = {
		"2026-03-02T09:14:27Z",
		"2026-03-02",
		"2001-12-14t21:59:43.10-05:00",
		"2001-12-14 21:59:43.10 -5",
		"2026-3-2T9:14:27",
		"yes",
		"No",
		"on",
		"OFF",
		"y",
		"N",
		"~",
		"null",
		"true",
		"0755",
		"0o17",
		"0x1F",
		"0b101",
		"1_000",
		"1:30",
		"190:20:30",
		"-1:30",
		"1.5",
		"1e3",
		"1.0e+3",
		".5",
		"+12",
		".inf",
		"-.Inf",
		".NaN",
		"<<",
		"=",
		"",
		"6379",
		"12:00",
	};
	static const char *const plain[] = {
		"/etc/passwd",
		"10.0.0.1",
		"1.2.3",
		"v1.2",
		"nginx",
		"2026-03-02-backup",
		"kubepods-besteffort-pod*.slice",
		"yesterday",
		"onward",
		"TCP-443",
		":8443/api/⋯",
		"5f7d8c9b6d",
		"1-2",
		"-",
		"_",
		"0x",
		"O_RDONLY",
		"Ny",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(quoted) / sizeof(*quoted); i++)
		if (!prof_yaml_needs_quotes(quoted[i], strlen(quoted[i])))
			fail_msg("\"%s\" must be quoted", quoted[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		if (prof_yaml_needs_quotes(plain[i], strlen(plain[i])))
			fail_msg("\"%s\" need not be quoted", plain[i]);
}

/*
 * The order-independent hash the k8sstormcenter fork signs (github.com/SergJa/jsonhash), on that
 * library's own known-answer inputs: two documents that differ only in order hash alike.
 */
static void test_json_hash_known_answers(void **state)
{
	static const struct {
		const char *json, *hex;
	} kat[] = {
		{ "{\"digit\":1,\"string\":\"one\",\"object\":{\"sub\":\"two\"},"
		  "\"array\":[1,\"two\",3.14151926,null],\"nil\":null}",
		  "c8a90854f9f95f281d13874390649c70d9b3375b98d4e0201c6aaedf772eb483" },
		{ "{\"string\":\"one\",\"digit\":1,\"object\":{\"sub\":\"two\"},"
		  "\"array\":[1,\"two\",null,3.14151926],\"nil\":null}",
		  "c8a90854f9f95f281d13874390649c70d9b3375b98d4e0201c6aaedf772eb483" },
		{ "[{\"string\":\"one\",\"digit\":1,\"object\":{\"sub\":\"two\"},"
		  "\"array\":[1,\"two\",null,3.14151926],\"nil\":null},10,\"SomeString\",[null]]",
		  "d75166c8b8971aa464e175eb7f84180b4610baa2f41c08837d4b43a26c3812e0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(*kat); i++) {
		struct vigil_profile_limits lim = { 0 };
		struct prof_node *docs = NULL;
		size_t ndocs = 0;
		bool comments;
		unsigned char h[32];
		char hex[65];

		prof_limits_resolve(NULL, &lim);
		assert_int_equal(prof_parse_yaml(kat[i].json, strlen(kat[i].json), "kat", &lim,
						 &docs, &ndocs, &comments, NULL),
				 0);
		assert_int_equal(ndocs, 1);
		assert_int_equal(prof_json_hash(&docs[0].items[0], h), 0);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", h[k]);
		assert_string_equal(hex, kat[i].hex);
		prof_node_release(&docs[0]);
		free(docs);
	}
}

/* Kubescape learns in-cluster peers as selectors without an address. */
static void test_selector_only_neighbors(void **state)
{
	struct vigil_profile *p = load_file(DATA "/ks-kubectl-list.yaml");
	struct vigil_matcher *m;
	uint8_t a[4], a6[16];

	(void)state;
	assert_int_equal(vigil_matcher__new(p, "cart", &m), 0);
	inet_pton(AF_INET, "10.96.0.10", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 53, "UDP")); /* kube-dns */
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 53, "TCP"));
	inet_pton(AF_INET, "10.244.3.17", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 6379, "TCP")); /* redis */
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 22, "TCP"));
	inet_pton(AF_INET, "172.20.0.5", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 6379, "TCP"));
	/* outside the cluster: a selector says nothing about it */
	inet_pton(AF_INET, "93.184.216.34", a);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 6379, "TCP"));
	inet_pton(AF_INET, "172.32.0.5", a);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 6379, "TCP"));
	inet_pton(AF_INET6, "fd00::1", a6);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET6, a6, 6379, "TCP"));
	/* ingress was null: nothing inbound is allowed by it */
	inet_pton(AF_INET, "10.244.3.17", a);
	assert_false(vigil_matcher__neighbor(m, false, AF_INET, a, 6379, "TCP"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

/* Names Kubescape's learner writes load; one Vigil does not know warns and allows nothing. */
static void test_observed_names(void **state)
{
	static const char text[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata: {name: t}\n"
				   "spec:\n"
				   "  capabilities: [NET_RAW, CAP_NEW_ONE]\n"
				   "  syscalls: [read, SYS_write]\n"
				   "  opens:\n"
				   "  - {path: /dev/tty, flags: [O_RDWR, O_FASYNC]}\n"
				   "  - {path: /etc/x, flags: [O_RDONLY, O_NEWFLAG]}\n"
				   "  endpoints:\n"
				   "  - {endpoint: ':80/purge', methods: [PURGE]}\n";
	struct vigil_profile *p = load_text(text);
	struct vigil_matcher *m;
	const char *kind;

	(void)state;
	/* O_FASYNC is known: four warnings, for the capability, syscall, flag and method */
	assert_int_equal(vigil_profile__note_count(p), 4);
	for (size_t i = 0; i < 4; i++) {
		assert_non_null(strstr(note_text(p, i, &kind), "it allows nothing"));
		assert_string_equal(kind, "warning");
	}
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	/* O_FASYNC is O_ASYNC's bit, as node-agent decodes it */
	assert_true(vigil_matcher__open(m, "/dev/tty", O_RDWR | O_ASYNC));
	assert_false(vigil_matcher__open(m, "/dev/tty", O_RDWR | O_ASYNC | O_APPEND));
	/* an unknown flag covers no bit */
	assert_true(vigil_matcher__open(m, "/etc/x", O_RDONLY));
	assert_false(vigil_matcher__open(m, "/etc/x", O_RDONLY | O_NOATIME));
	assert_true(vigil_matcher__capability(m, "CAP_NET_RAW"));
	assert_false(vigil_matcher__capability(m, "CAP_SYS_ADMIN"));
	assert_true(vigil_matcher__syscall(m, "read"));
	assert_false(vigil_matcher__syscall(m, "write"));
	assert_true(vigil_matcher__endpoint(m, 80, "/purge", "PURGE", "inbound"));
	assert_false(vigil_matcher__endpoint(m, 80, "/purge", "GET", "inbound"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

static struct vigil_profile *cp_with(const char *spec)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		 "kind: ContainerProfile\nmetadata: {name: t}\nspec:\n%s",
		 spec);
	return load_text(text);
}

static const char *cp_error(const char *spec)
{
	static char msg[1024];
	char text[2048];
	struct vigil_profile *p = NULL;
	struct vigil_error err;

	snprintf(text, sizeof(text),
		 "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		 "kind: ContainerProfile\nmetadata: {name: t}\nspec:\n%s",
		 spec);
	if (!vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err)) {
		vigil_profile__free(p);
		return "";
	}
	return vigil_error__format(&err, msg, sizeof(msg));
}

/* Bools and integers as kubectl reads a plain scalar (go-yaml v2, YAML 1.1). */
static void test_yaml11_typed_scalars(void **state)
{
	static const char *const ports[] = { "0x1BB", "0X1bb", "0o673",	 "0673",       "4_43",
					     "+443",  "443.0", "4.43e2", "0b110111011" };
	struct vigil_profile *p;
	struct vigil_matcher *m;
	const char *yes[] = { "/bin/sleep", "1" }, *no[] = { "/bin/sleep", "2" };
	uint8_t a[4];
	char spec[512];

	(void)state;
	inet_pton(AF_INET, "192.0.2.7", a);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		snprintf(spec, sizeof(spec),
			 "  egress:\n  - ipAddresses: [192.0.2.7]\n"
			 "    ports: [{name: TCP-443, protocol: TCP, port: %s}]\n",
			 ports[i]);
		p = cp_with(spec);
		assert_int_equal(vigil_matcher__new(p, "", &m), 0);
		if (!vigil_matcher__neighbor(m, true, AF_INET, a, 443, "TCP"))
			fail_msg("port: %s is not 443", ports[i]);
		vigil_matcher__free(m);
		vigil_profile__free(p);
	}
	/* a leading zero is octal: 0123 is 83, not 123 */
	p = cp_with("  egress:\n  - ipAddresses: [192.0.2.7]\n"
		    "    ports: [{name: TCP-83, protocol: TCP, port: 0123}]\n");
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 83, "TCP"));
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 123, "TCP"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
	/* what kubectl refuses stays an error: a quoted number, a fraction, base 60 */
	assert_string_equal(
		cp_error("  egress:\n  - ports: [{name: x, port: \"443\"}]\n"),
		"t.yaml:6:29: \"port\" must be a number 0..65535, not a string \"443\"");
	assert_string_equal(
		cp_error("  egress:\n  - ports: [{name: x, port: 443.5}]\n"),
		"t.yaml:6:29: \"port\" must be a number 0..65535, not a number \"443.5\"");
	assert_string_equal(
		cp_error("  egress:\n  - ports: [{name: x, port: 7:23}]\n"),
		"t.yaml:6:29: \"port\" must be a number 0..65535, not a string \"7:23\"");
	assert_string_equal(cp_error("  egress:\n  - ports: [{name: x, port: 0x10000}]\n"),
			    "t.yaml:6:29: port 0x10000 is out of range 0..65535");
	/* YAML 1.1's bool words, plain: argsRequired: yes anchors the arguments */
	p = cp_with(
		"  execs:\n  - {path: /bin/sleep, args: [/bin/sleep, '1'], argsRequired: yes}\n"
		"  endpoints:\n  - {endpoint: ':80/', internal: on}\n"
		"  rulePolicies: {R1010: {containerAllowed: Yes}, R1012: {containerAllowed: N}}\n");
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/bin/sleep", yes, 2), VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(m, "/bin/sleep", no, 2), VIGIL_MATCH_ARGS);
	vigil_matcher__free(m);
	{
		struct vigil_buf b = { 0 };

		assert_int_equal(vigil_profile__emit_yaml(p, &b), 0);
		assert_non_null(strstr(b.data, "argsRequired: true"));
		assert_non_null(strstr(b.data, "internal: true"));
		assert_non_null(strstr(b.data, "R1010:\n      containerAllowed: true\n"));
		assert_non_null(strstr(b.data, "R1012:\n      containerAllowed: false\n"));
		vigil_buf__release(&b);
	}
	vigil_profile__free(p);
	/* quoted, they are strings, which Kubernetes refuses for a bool too */
	assert_string_equal(cp_error("  execs:\n  - {path: /x, argsRequired: 'yes'}\n"),
			    "t.yaml:6:30: \"argsRequired\" must be true or false, not a string");
}

/* Entry shapes Kubescape's types take: they load with a warning; paths match no event. */
static void test_odd_entry_shapes(void **state)
{
	struct vigil_profile *p = cp_with("  execs:\n  - {path: ''}\n  - {path: /bin/true}\n"
					  "  opens:\n  - {path: etc/hosts, flags: [O_RDONLY]}\n"
					  "  endpoints:\n  - {endpoint: /healthz, methods: [GET]}\n"
					  "  - {endpoint: ':99999/x'}\n");
	struct vigil_matcher *m;
	const char *argv[] = { "" };

	(void)state;
	assert_int_equal(vigil_profile__note_count(p), 4);
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	assert_false(vigil_matcher__open(m, "/etc/hosts", O_RDONLY));
	assert_int_equal(vigil_matcher__exec(m, "", argv, 1), VIGIL_MATCH_NO);
	assert_int_equal(vigil_matcher__exec(m, "/bin/true", NULL, 0), VIGIL_MATCH_YES);
	/* no rule judges endpoints; the matcher reads a path without ":PORT" as any port */
	assert_true(vigil_matcher__endpoint(m, 80, "/healthz", "GET", "inbound"));
	assert_false(vigil_matcher__endpoint(m, 34463, "/x", "GET", "inbound"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
	/* a missing (or null) path or endpoint is Go's zero value "" */
	p = cp_with("  execs:\n  - {args: [sh]}\n  - {path: null}\n"
		    "  opens:\n  - {flags: [O_RDONLY]}\n  endpoints:\n  - {methods: [GET]}\n");
	assert_int_equal(vigil_profile__note_count(p), 4);
	assert_string_equal(p->docs[0].cp.execs.v[0].path, "");
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "", argv, 1), VIGIL_MATCH_NO);
	assert_int_equal(vigil_matcher__exec(m, "/bin/sh", NULL, 0), VIGIL_MATCH_NO);
	assert_false(vigil_matcher__open(m, "/", O_RDONLY));
	assert_false(vigil_matcher__endpoint(m, 80, "/", "GET", "inbound"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
	/* null items (a stray "-" in a block list): Go's zero values, "" and an empty entry */
	p = cp_with("  execs:\n  - null\n  - path: /bin/sh\n    args:\n    - sh\n    -\n"
		    "  opens: [null]\n");
	assert_int_equal(vigil_profile__note_count(p), 3);
	assert_string_equal(p->docs[0].cp.execs.v[1].args.v[1], "");
	assert_int_equal(vigil_matcher__new(p, "", &m), 0);
	{
		const char *sh[] = { "sh", "" }, *sh2[] = { "sh", "-c" };

		assert_int_equal(vigil_matcher__exec(m, "/bin/sh", sh, 2), VIGIL_MATCH_YES);
		assert_int_equal(vigil_matcher__exec(m, "/bin/sh", sh2, 2), VIGIL_MATCH_ARGS);
	}
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

static int count_peer(int family, const uint8_t addr[16], uint8_t proto, uint16_t port, void *arg)
{
	(void)family;
	(void)addr;
	(void)proto;
	(void)port;
	(*(int *)arg)++;
	return 0;
}

/*
 * Kubescape's storage takes any string as a port's protocol (`type Protocol string`) and
 * decodes a null container item as Go's zero value: both load with a warning. A protocol
 * Vigil does not know allows nothing: not in the matcher, not in the kernel's set, not in a
 * NetworkPolicy draft.
 */
static void test_protocol_and_null_container(void **state)
{
	static const char nn[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				 "kind: NetworkNeighborhood\n"
				 "metadata: {name: n, namespace: default}\n"
				 "spec:\n"
				 "  matchLabels: {app: n}\n"
				 "  containers:\n"
				 "  - name: app\n"
				 "    egress:\n"
				 "    - identifier: a\n"
				 "      ipAddress: 1.2.3.4\n"
				 "      ports:\n"
				 "      - {name: ICMP-0, protocol: ICMP, port: 0}\n"
				 "      - {name: TCP-80, protocol: TCP, port: 80}\n"
				 "    - identifier: b\n"
				 "      ipAddress: 5.6.7.8\n"
				 "      ports: [{name: tcp-443, protocol: tcp, port: 443}]\n";
	static const char ap[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				 "kind: ApplicationProfile\n"
				 "metadata: {name: a}\n"
				 "spec:\n"
				 "  containers:\n"
				 "  - {name: app, execs: [{path: /bin/true}]}\n"
				 "  -\n";
	static const char dup[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				  "kind: ApplicationProfile\n"
				  "metadata: {name: a}\n"
				  "spec: {containers: [null, {}]}\n";
	static const char nulls[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				    "kind: NetworkNeighborhood\n"
				    "metadata: {name: n}\n"
				    "spec:\n"
				    "  containers:\n"
				    "  - name: app\n"
				    "    egress:\n"
				    "    -\n"
				    "    - {identifier: c, ipAddress: 9.9.9.9, ports: [null]}\n";
	struct vigil_profile *p = load_text(nn);
	struct vigil_kallow_count c;
	struct vigil_buf out = VIGIL_BUF_INIT;
	struct vigil_matcher *m;
	struct vigil_error err;
	char why[256];
	uint8_t a[4];
	int peers = 0;

	(void)state;
	assert_int_equal(vigil_profile__note_count(p), 2);
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	inet_pton(AF_INET, "1.2.3.4", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 80, "TCP"));
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 443, "TCP"));
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 0, "ICMP"));
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 7, "UDP"));
	/* Kubernetes' names are case-sensitive: "tcp" is no protocol, its port allows nothing */
	inet_pton(AF_INET, "5.6.7.8", a);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 443, "TCP"));
	vigil_matcher__free(m);
	/* the kernel gets TCP 1.2.3.4:80 alone, and can still judge every peer exactly */
	assert_int_equal(
		vigil_profile__kernel_allow(
			p, "app", &(struct vigil_kallow_visit){ .peer = count_peer }, &peers, &c),
		0);
	assert_int_equal(peers, 1);
	assert_int_equal(c.peers_left_out, 0);
	/* a draft NetworkPolicy names no unknown protocol and no port-less rule for b */
	assert_int_equal(vigil_harden__netpol(p, NULL, &out, why, sizeof(why)), 0);
	assert_null(strstr(out.data, "protocol: \"ICMP"));
	assert_null(strstr(out.data, "protocol: \"tcp"));
	assert_null(strstr(out.data, "5.6.7.8/32"));
	assert_non_null(strstr(out.data, "1.2.3.4/32"));
	assert_non_null(strstr(out.data, "NOT WRITTEN"));
	vigil_buf__release(&out);
	vigil_profile__free(p);

	/* a null container item is a container with no name and no entries, as `{}` */
	p = load_text(ap);
	assert_int_equal(vigil_profile__note_count(p), 1);
	assert_int_equal(p->docs[0].containers.n, 2);
	assert_null(p->docs[0].containers.v[1].name);
	assert_int_equal(p->docs[0].containers.v[1].execs.n, 0);
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/bin/true", NULL, 0), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	vigil_profile__free(p);
	/* two nameless containers are a repeated name, as `[{}, {}]`: Kubescape reads the first
	 * (test_duplicate_containers) */
	p = NULL;
	assert_int_equal(vigil_profile__load_buffer(dup, strlen(dup), "t.yaml", NULL, &p, &err), 0);
	assert_int_equal(vigil_profile__note_count(p), 2);
	assert_false(p->docs[0].containers.v[0].shadowed);
	assert_true(p->docs[0].containers.v[1].shadowed);
	vigil_profile__free(p);
	/* a null neighbor is one with nothing (matches nothing); a null port is `{}`: any port */
	p = load_text(nulls);
	assert_int_equal(vigil_profile__note_count(p), 2);
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	inet_pton(AF_INET, "9.9.9.9", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 8443, "UDP"));
	inet_pton(AF_INET, "9.9.9.8", a);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 8443, "UDP"));
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

/*
 * A repeated container name: Kubescape's storage keeps the document as it is, and node-agent
 * (profilehelper, the ContainerProfile cache's section lookup) and storage's user-profile merge
 * take the first container with the name, in containers, then initContainers, then
 * ephemeralContainers. So does Vigil: the later ones load with a warning and allow nothing,
 * in the matcher, the kernel's allow set, netpol and seccomp; fmt, canon, diff and merge keep
 * them where they are.
 */
static void test_duplicate_containers(void **state)
{
	static const char text[] =
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ApplicationProfile\n"
		"metadata: {name: a}\n"
		"spec:\n"
		"  containers:\n"
		"  - {name: app, execs: [{path: /bin/a}], syscalls: [read]}\n"
		"  - {name: app, execs: [{path: /bin/b}], syscalls: [ptrace]}\n"
		"  initContainers:\n"
		"  - {name: app, execs: [{path: /bin/c}]}\n"
		"  - {name: init, execs: [{path: /bin/i}]}\n"
		"---\n"
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: NetworkNeighborhood\n"
		"metadata: {name: n}\n"
		"spec:\n"
		"  matchLabels: {app: a}\n"
		"  containers:\n"
		"  - name: app\n"
		"    egress: [{identifier: x, ipAddress: 1.2.3.4, ports: [{name: TCP-80, "
		"protocol: TCP, port: 80}]}]\n"
		"  - name: app\n"
		"    egress: [{identifier: y, ipAddress: 5.6.7.8, ports: [{name: TCP-443, "
		"protocol: TCP, port: 443}]}]\n";
	static const char more[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ApplicationProfile\n"
				   "metadata: {name: a}\n"
				   "spec: {containers: [{name: app, execs: [{path: /bin/x}]}]}\n";
	static const char empty[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				    "kind: ApplicationProfile\n"
				    "metadata: {name: a}\n"
				    "spec: {containers: []}\n";
	struct vigil_profile *p = load_text(text), *q, *r;
	struct vigil_buf y = VIGIL_BUF_INIT, c1 = VIGIL_BUF_INIT, c2 = VIGIL_BUF_INIT;
	struct vigil_kallow_count c;
	struct vigil_matcher *m;
	struct vigil_error err;
	const char *kind;
	char why[256];
	uint8_t a[4];
	int peers = 0;

	(void)state;
	/* the second "app" of containers, the one of initContainers, the NN's second */
	assert_int_equal(vigil_profile__note_count(p), 3);
	assert_non_null(strstr(note_text(p, 0, &kind), "t.yaml:7:5: warning: duplicate container "
						       "\"app\" (first at line 6)"));
	assert_non_null(strstr(note_text(p, 1, &kind), "t.yaml:9:5: warning"));
	assert_true(p->docs[0].containers.v[1].shadowed);
	assert_true(p->docs[0].init_containers.v[0].shadowed);
	assert_false(p->docs[0].init_containers.v[1].shadowed);

	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/bin/a", NULL, 0), VIGIL_MATCH_YES);
	assert_int_not_equal(vigil_matcher__exec(m, "/bin/b", NULL, 0), VIGIL_MATCH_YES);
	assert_int_not_equal(vigil_matcher__exec(m, "/bin/c", NULL, 0), VIGIL_MATCH_YES);
	inet_pton(AF_INET, "1.2.3.4", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 80, "TCP"));
	inet_pton(AF_INET, "5.6.7.8", a);
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 443, "TCP"));
	vigil_matcher__free(m);
	assert_int_equal(vigil_matcher__new(p, "init", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/bin/i", NULL, 0), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	assert_int_equal(
		vigil_profile__kernel_allow(
			p, "app", &(struct vigil_kallow_visit){ .peer = count_peer }, &peers, &c),
		0);
	assert_int_equal(peers, 1);

	assert_int_equal(vigil_harden__netpol(p, NULL, &y, why, sizeof(why)), 0);
	assert_non_null(strstr(y.data, "1.2.3.4/32"));
	assert_null(strstr(y.data, "5.6.7.8"));
	vigil_buf__reset(&y);
	assert_int_equal(vigil_harden__seccomp(p,
					       &(struct vigil_seccomp_opts){ .container = "app" },
					       &y, why, sizeof(why)),
			 0);
	assert_non_null(strstr(y.data, "\"read\""));
	assert_null(strstr(y.data, "\"ptrace\""));
	vigil_buf__reset(&y);

	/* fmt keeps them in place; what it writes loads the same, canon and diff agree */
	assert_int_equal(vigil_profile__emit_yaml(p, &y), 0);
	assert_int_equal(vigil_profile__load_buffer(y.data, y.len, "fmt", NULL, &q, &err), 0);
	assert_true(q->docs[0].containers.v[1].shadowed);
	assert_true(q->docs[0].init_containers.v[0].shadowed);
	assert_int_equal(vigil_profile__canon(p, 0, &c1), 0);
	assert_int_equal(vigil_profile__canon(q, 0, &c2), 0);
	assert_int_equal(c1.len, c2.len);
	assert_memory_equal(c1.data, c2.data, c1.len);
	assert_int_equal(vigil_profile__diff(p, q, NULL), 0);

	/* merge: the union with itself is itself; a new entry for "app" joins the one read */
	assert_int_equal(vigil_profile__merge(q, p), 0);
	assert_int_equal(vigil_profile__diff(p, q, NULL), 0);
	r = load_text(more);
	assert_int_equal(vigil_profile__merge(q, r), 0);
	assert_int_equal(q->docs[0].containers.n, 2);
	assert_true(q->docs[0].containers.v[1].shadowed);
	assert_int_equal(vigil_matcher__new(q, "app", &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/bin/x", NULL, 0), VIGIL_MATCH_YES);
	assert_int_not_equal(vigil_matcher__exec(m, "/bin/b", NULL, 0), VIGIL_MATCH_YES);
	vigil_matcher__free(m);
	/* merged into an empty profile, the repeats stay repeats */
	vigil_profile__free(r);
	r = load_text(empty);
	assert_int_equal(vigil_profile__merge(r, p), 0);
	assert_int_equal(vigil_profile__diff(p, r, NULL), 0);
	assert_true(r->docs[0].containers.v[1].shadowed);

	/* diff compares a repeat with the repeat, not with the first of its name */
	r->docs[0].containers.v[1].execs.v[0].path[5] = 'z';
	vigil_buf__reset(&y);
	assert_int_equal(vigil_profile__diff(p, r, &y), 1);
	assert_non_null(strstr(y.data, "- execs: /bin/b"));
	assert_non_null(strstr(y.data, "+ execs: /bin/z"));
	assert_null(strstr(y.data, "/bin/a"));
	vigil_buf__release(&y);
	vigil_buf__release(&c1);
	vigil_buf__release(&c2);
	vigil_profile__free(p);
	vigil_profile__free(q);
	vigil_profile__free(r);
}

/*
 * A port's protocol "" (Go's zero value, which node-agent writes) or absent means any protocol,
 * and a port 0 or absent any port (match_net.c). A NetworkPolicy refuses protocol "" and reads
 * an absent one as TCP: netpol writes such a port once for TCP, UDP and SCTP, and a rule with a
 * port that is any port and any protocol gets no ports at all (it allows every port).
 */
static void test_netpol_zero_value_ports(void **state)
{
	static const char text[] =
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: NetworkNeighborhood\n"
		"metadata: {name: n, namespace: default}\n"
		"spec:\n"
		"  matchLabels: {app: n}\n"
		"  containers:\n"
		"  - name: app\n"
		"    egress:\n"
		"    - {identifier: a, ipAddress: 10.0.0.1, ports: [{name: '-53', protocol: '', "
		"port: 53}]}\n"
		"    - {identifier: b, ipAddress: 10.0.0.2, ports: [{name: TCP-80, protocol: TCP, "
		"port: 80}, {name: '-0', protocol: '', port: 0}]}\n"
		"    - {identifier: c, ipAddress: 10.0.0.3, ports: [{name: x}, {protocol: UDP}]}\n"
		"    - {identifier: d, ipAddress: 10.0.0.4, ports: [{port: 8080}]}\n";
	struct vigil_profile *p = load_text(text);
	struct vigil_buf out = VIGIL_BUF_INIT;
	struct vigil_matcher *m;
	const char *rule_b, *rule_c, *rule_d;
	char why[256];
	uint8_t a[4];

	(void)state;
	/* what the matcher allows, which the policy must neither narrow nor widen */
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	inet_pton(AF_INET, "10.0.0.1", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 53, "UDP"));
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 53, "TCP"));
	assert_false(vigil_matcher__neighbor(m, true, AF_INET, a, 54, "UDP"));
	inet_pton(AF_INET, "10.0.0.2", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 9999, "UDP"));
	inet_pton(AF_INET, "10.0.0.4", a);
	assert_true(vigil_matcher__neighbor(m, true, AF_INET, a, 8080, "UDP"));
	vigil_matcher__free(m);

	assert_int_equal(vigil_harden__netpol(p, NULL, &out, why, sizeof(why)), 0);
	assert_null(strstr(out.data, "protocol: \"\""));
	/* a: any protocol on port 53 */
	assert_non_null(strstr(out.data, "        cidr: \"10.0.0.1/32\"\n    ports:\n"
					 "    - protocol: \"TCP\"\n      port: 53\n"
					 "    - protocol: \"UDP\"\n      port: 53\n"
					 "    - protocol: \"SCTP\"\n      port: 53\n"));
	/* b: TCP 80 and any port of any protocol, so every port */
	rule_b = strstr(out.data, "10.0.0.2/32");
	rule_c = strstr(out.data, "10.0.0.3/32");
	rule_d = strstr(out.data, "10.0.0.4/32");
	assert_non_null(rule_b);
	assert_non_null(rule_c);
	assert_non_null(rule_d);
	assert_true(strstr(rule_b, "ports:") > rule_c);
	assert_non_null(strstr(rule_b, "\n    # every port and protocol"));
	/* c: a port with only a name is any port and protocol too */
	assert_true(strstr(rule_c, "ports:") > rule_d);
	/* d: an absent protocol is any protocol, not Kubernetes' default TCP alone */
	assert_non_null(strstr(rule_d, "    - protocol: \"TCP\"\n      port: 8080\n"
				       "    - protocol: \"UDP\"\n      port: 8080\n"
				       "    - protocol: \"SCTP\"\n      port: 8080\n"));
	vigil_buf__release(&out);
	vigil_profile__free(p);
}

/*
 * DNS names as Kubescape's storage admits them (networkmatch.ValidateDNSEntry): any bytes in a
 * label and any length; only an empty label, "**", a middle "*" and a lone "*" are refused.
 * Vigil loads the others with a warning and compares them literally, as Kubescape does.
 */
static void test_dns_names_storage_takes(void **state)
{
	static const char head[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: NetworkNeighborhood\n"
				   "metadata: {name: n}\n"
				   "spec:\n"
				   "  containers:\n"
				   "  - name: app\n"
				   "    egress:\n"
				   "    - identifier: a\n"
				   "      ipAddress: 192.0.2.1\n";
	static const char *const refused[] = { "'a..b'", "'**.example.com'", "'api.*.example.com'",
					       "'*'", "''" };
	char text[1024], label[80];
	struct vigil_profile *p;
	struct vigil_matcher *m;
	struct vigil_error err;

	(void)state;
	memset(label, 'a', 70);
	label[70] = '\0';
	snprintf(text, sizeof(text),
		 "%s      dnsNames: ['my host.example.', 'bücher.example', '%s.example.com']\n",
		 head, label);
	p = load_text(text);
	assert_int_equal(vigil_profile__note_count(p), 3);
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	assert_true(vigil_matcher__dns(m, "my host.example"));
	assert_false(vigil_matcher__dns(m, "host.example"));
	snprintf(text, sizeof(text), "%s.example.com.", label);
	assert_true(vigil_matcher__dns(m, text));
	vigil_matcher__free(m);
	vigil_profile__free(p);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(text, sizeof(text), "%s      dnsNames: [%s]\n", head, refused[i]);
		p = NULL;
		assert_int_equal(
			vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err),
			-EINVAL);
		assert_null(p);
	}
}

/* Documents as older clusters print them: selfLink; a profile without a spec (omitempty). */
static void test_document_shapes(void **state)
{
	static const char *const kinds[] = { "ApplicationProfile", "NetworkNeighborhood",
					     "ContainerProfile" };
	char text[512], why[256];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct vigil_profile *p;
		struct vigil_buf b = { 0 }, sv = { 0 };

		snprintf(text, sizeof(text),
			 "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\nkind: %s\n"
			 "metadata: {name: a, selfLink: /apis/x/a}\n",
			 kinds[i]);
		p = load_text(text);
		assert_int_equal(vigil_profile__note_count(p), 0);
		assert_int_equal(vigil_profile__emit_yaml(p, &b), 0);
		assert_non_null(strstr(b.data, "  selfLink: /apis/x/a\n"));
		assert_null(strstr(b.data, "spec"));
		/* storage serves the typed zero spec (kstyped, Go's encoding/json, agrees) */
		assert_int_equal(vigil_profile__emit_served_yaml(p, &sv, why, sizeof(why)), 0);
		assert_non_null(strstr(sv.data, "\nspec:"));
		vigil_buf__release(&b);
		vigil_buf__release(&sv);
		vigil_profile__free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warn_files),
		cmocka_unit_test(test_partial_wildcards_literal),
		cmocka_unit_test(test_other_objects_and_lists),
		cmocka_unit_test(test_unnamed_container),
		cmocka_unit_test(test_grouped_container_profile),
		cmocka_unit_test(test_yaml11_quotes),
		cmocka_unit_test(test_json_hash_known_answers),
		cmocka_unit_test(test_selector_only_neighbors),
		cmocka_unit_test(test_observed_names),
		cmocka_unit_test(test_yaml11_typed_scalars),
		cmocka_unit_test(test_odd_entry_shapes),
		cmocka_unit_test(test_document_shapes),
		cmocka_unit_test(test_protocol_and_null_container),
		cmocka_unit_test(test_duplicate_containers),
		cmocka_unit_test(test_netpol_zero_value_ports),
		cmocka_unit_test(test_dns_names_storage_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
