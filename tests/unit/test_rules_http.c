// SPDX-License-Identifier: Apache-2.0
/*
 * V1108 (HTTP endpoints) and V1109 (ingress by local port) on events as the sensor decodes
 * them, against a profile with learned endpoints (ids as ⋯), one written by Kubescape
 * (a literal id, any port) and one ingress port; a profile with neither, which neither
 * rule judges; and profiles whose network data lists no ingress (Vigil's `ingress: []`,
 * Kubescape's `ingress: null`, an egress list alone), where any accept is V1109.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "vigil/alert.h"
#include "vigil/detect.h"
#include "vigil/profile.h"

#define CG 4343

static const char with_http[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				"kind: ContainerProfile\n"
				"metadata:\n"
				"  name: api\n"
				"spec:\n"
				"  endpoints:\n"
				"  - endpoint: :8080/api/items/\xe2\x8b\xaf\n"
				"    methods:\n"
				"    - GET\n"
				"    direction: inbound\n"
				"  - endpoint: :0/v1/users/42\n"
				"    methods:\n"
				"    - GET\n"
				"    - PUT\n"
				"  ingress:\n"
				"  - identifier: lb\n"
				"    type: external\n"
				"    ipAddresses:\n"
				"    - 10.0.0.1\n"
				"    ports:\n"
				"    - name: TCP-8080\n"
				"      protocol: TCP\n"
				"      port: 8080\n";

static const char without[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			      "kind: ContainerProfile\n"
			      "metadata:\n"
			      "  name: api\n"
			      "spec:\n"
			      "  execs:\n"
			      "  - path: /usr/bin/api\n";

/* a worker learned by Vigil: it accepted nothing (and connected nowhere) */
static const char no_ingress[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				 "kind: ContainerProfile\n"
				 "metadata:\n"
				 "  name: api\n"
				 "spec:\n"
				 "  execs:\n"
				 "  - path: /usr/bin/api\n"
				 "  ingress: []\n"
				 "  egress: []\n";

/* Kubescape's ApplicationProfile and NetworkNeighborhood: Go writes a nil list as null */
static const char ks_null[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			      "kind: ApplicationProfile\n"
			      "metadata:\n"
			      "  name: api\n"
			      "spec:\n"
			      "  containers:\n"
			      "  - name: api\n"
			      "    execs:\n"
			      "    - path: /usr/bin/api\n"
			      "---\n"
			      "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			      "kind: NetworkNeighborhood\n"
			      "metadata:\n"
			      "  name: api\n"
			      "spec:\n"
			      "  containers:\n"
			      "  - name: api\n"
			      "    ingress: null\n"
			      "    egress: null\n";

/* learned by an older Vigil: an egress list, no ingress key (nothing was accepted) */
static const char egress_only[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				  "kind: ContainerProfile\n"
				  "metadata:\n"
				  "  name: api\n"
				  "spec:\n"
				  "  egress:\n"
				  "  - identifier: db\n"
				  "    type: external\n"
				  "    ipAddresses:\n"
				  "    - 10.0.0.5\n";

static struct vigil_workload wl = { .cgroup_id = CG,
				    .cgroup_path = "/vigil/api",
				    .container_id = "",
				    .runtime = "",
				    .name = "api" };
static struct vigil_process proc = {
	.pid = 7, .ppid = 1, .comm = "api", .exe = "/usr/bin/api", .cwd = "/"
};

struct fx {
	struct vigil_detector *d;
	struct vigil_profile *p;
	json_t *alerts;
};

static int collect(const struct vigil_alert *a, void *ctx)
{
	json_array_append_new(((struct fx *)ctx)->alerts, vigil_alert__json(a));
	return 0;
}

static struct fx *fx_new(const char *yaml)
{
	static const char *const all[] = { "all", NULL };
	struct vigil_detect_opts o = { .enabled = all };
	struct vigil_error err = { 0 };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(
		vigil_profile__load_buffer(yaml, strlen(yaml), "api.yaml", NULL, &f->p, &err), 0);
	f->d = vigil_detector__new(&o);
	assert_non_null(f->d);
	assert_int_equal(vigil_detector__bind(f->d, CG, f->p, NULL, NULL), 0);
	f->alerts = json_array();
	return f;
}

static void fx_free(struct fx *f)
{
	vigil_detector__free(f->d);
	vigil_profile__free(f->p);
	json_decref(f->alerts);
	free(f);
}

/* the rule id of the one alert ev raised, "" when none; its message in *msg */
static const char *run1(struct fx *f, struct vigil_event *ev, const char **msg)
{
	static uint64_t t = 1796000000000000000ULL;
	size_t before = json_array_size(f->alerts);
	json_t *a;
	int n;

	ev->workload = &wl;
	ev->proc = &proc;
	ev->time_ns = ev->ktime_ns = t++;
	n = vigil_detector__event(f->d, ev, collect, f);
	assert_true(n >= 0 && n <= 1);
	assert_int_equal((size_t)n, json_array_size(f->alerts) - before);
	if (!n)
		return "";
	a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);
	if (msg)
		*msg = json_string_value(json_object_get(a, "message"));
	return json_string_value(json_object_get(a, "rule_id"));
}

static const char *http(struct fx *f, bool in, uint16_t port, const char *method, const char *path,
			const char **msg)
{
	struct vigil_event ev = { .kind = VIGIL_EV_HTTP };

	ev.net.proto = IPPROTO_TCP;
	ev.net.direction = in ? VIGIL_DIR_INBOUND : VIGIL_DIR_OUTBOUND;
	ev.net.local.family = ev.net.remote.family = AF_INET;
	ev.net.local.port = in ? port : 40000;
	ev.net.remote.port = in ? 40000 : port;
	ev.net.http_method = method;
	ev.net.http_path = path;
	return run1(f, &ev, msg);
}

static const char *accept_on(struct fx *f, const char *client, uint16_t port)
{
	struct vigil_event ev = { .kind = VIGIL_EV_ACCEPT };

	ev.net.proto = IPPROTO_TCP;
	ev.net.direction = VIGIL_DIR_INBOUND;
	ev.net.local.family = ev.net.remote.family = AF_INET;
	ev.net.local.port = port;
	ev.net.remote.port = 51000;
	ev.net.ret = 5;
	assert_int_equal(inet_pton(AF_INET, client, ev.net.remote.addr), 1);
	return run1(f, &ev, NULL);
}

static void test_v1108(void **state)
{
	struct fx *f = fx_new(with_http);
	const char *msg = NULL;

	(void)state;
	/* learned with the id as ⋯: any id, inbound, GET, port 8080 */
	assert_string_equal(http(f, true, 8080, "GET", "/api/items/123", NULL), "");
	assert_string_equal(http(f, true, 8080, "GET", "/api/items/9f8e7d6c5b4a3", NULL), "");
	assert_string_equal(http(f, true, 8080, "POST", "/api/items/123", &msg), "V1108");
	assert_string_equal(msg, "unexpected HTTP request (inbound): POST :8080/api/items/123");
	assert_string_equal(http(f, false, 8080, "GET", "/api/items/124", NULL), "V1108");
	assert_string_equal(http(f, true, 9090, "GET", "/api/items/125", NULL), "V1108");
	assert_string_equal(http(f, true, 8080, "GET", "/admin", &msg), "V1108");
	assert_string_equal(msg, "unexpected HTTP request (inbound): GET :8080/admin");
	/* Kubescape's literal entry (any port, either direction): that id only */
	assert_string_equal(http(f, false, 443, "PUT", "/v1/users/42", NULL), "");
	assert_string_equal(http(f, true, 80, "GET", "/v1/users/42", NULL), "");
	assert_string_equal(http(f, false, 443, "DELETE", "/v1/users/42", NULL), "V1108");
	assert_string_equal(http(f, false, 443, "GET", "/v1/users/43", NULL), "V1108");
	fx_free(f);
	/* a profile without endpoints is not judged */
	f = fx_new(without);
	assert_string_equal(http(f, true, 8080, "POST", "/admin", NULL), "");
	fx_free(f);
}

static void test_v1109(void **state)
{
	static const char *const judged[] = { no_ingress, ks_null, egress_only };
	struct fx *f = fx_new(with_http);

	(void)state;
	/* the learned port, from any client: quiet */
	assert_string_equal(accept_on(f, "10.0.0.1", 8080), "");
	assert_string_equal(accept_on(f, "203.0.113.9", 8080), "");
	/* another port, even from the learned client: V1109 */
	assert_string_equal(accept_on(f, "10.0.0.1", 4444), "V1109");
	fx_free(f);
	/* no network data at all (no ingress or egress key): nothing is known, not judged */
	f = fx_new(without);
	assert_string_equal(accept_on(f, "10.0.0.1", 4444), "");
	fx_free(f);
	/* network data that lists no ingress: the workload accepted nothing, any accept is news */
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++) {
		f = fx_new(judged[i]);
		assert_string_equal(accept_on(f, "10.0.0.5", 4444), "V1109");
		fx_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1108),
		cmocka_unit_test(test_v1109),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
