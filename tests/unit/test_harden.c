// SPDX-License-Identifier: Apache-2.0
/* Hardening drafted from profiles: OCI seccomp JSON and Kubernetes NetworkPolicy YAML. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "util/buf.h"
#include "vigil/harden.h"
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

static const char cp_two[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			     "kind: ApplicationProfile\n"
			     "metadata: {name: web, namespace: shop}\n"
			     "spec:\n"
			     "  architectures: [amd64, arm64]\n"
			     "  containers:\n"
			     "    - name: app\n"
			     "      syscalls: [read, write, getpid, execve]\n"
			     "    - name: side\n"
			     "      syscalls: [read]\n"
			     "    - name: quiet\n";

static json_t *seccomp(const struct vigil_profile *p, const struct vigil_seccomp_opts *o)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	char why[256];
	json_error_t je;
	json_t *j;

	assert_int_equal(vigil_harden__seccomp(p, o, &b, why, sizeof(why)), 0);
	j = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(j);
	vigil_buf__release(&b);
	return j;
}

static bool names_have(json_t *rule, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(rule, "names"), i,
			   v) if (!strcmp(json_string_value(v), name)) return true;
	return false;
}

static void test_seccomp(void **state)
{
	struct vigil_profile *p = load_text(cp_two);
	struct vigil_seccomp_opts o = { .container = "app" };
	struct vigil_buf b = VIGIL_BUF_INIT;
	json_t *j, *rules, *archs;
	char why[256];

	(void)state;
	j = seccomp(p, &o);
	assert_string_equal(json_string_value(json_object_get(j, "defaultAction")),
			    "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(j, "defaultErrnoRet")), EPERM);
	archs = json_object_get(j, "architectures");
	assert_int_equal(json_array_size(archs), 2);
	assert_string_equal(json_string_value(json_array_get(archs, 0)), "SCMP_ARCH_X86_64");
	assert_string_equal(json_string_value(json_array_get(archs, 1)), "SCMP_ARCH_AARCH64");
	rules = json_object_get(j, "syscalls");
	assert_int_equal(json_array_size(rules), 2);
	/* learned: exactly the four, sorted */
	assert_int_equal(json_array_size(json_object_get(json_array_get(rules, 0), "names")), 4);
	assert_true(names_have(json_array_get(rules, 0), "getpid"));
	assert_false(names_have(json_array_get(rules, 0), "setuid"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 0), "action")),
			    "SCMP_ACT_ALLOW");
	/* the runtime's: what the learned list lacks, not repeated */
	assert_true(names_have(json_array_get(rules, 1), "setuid"));
	assert_false(names_have(json_array_get(rules, 1), "execve"));
	json_decref(j);

	o.no_runtime = true;
	j = seccomp(p, &o);
	assert_int_equal(json_array_size(json_object_get(j, "syscalls")), 1);
	json_decref(j);

	/* a container with no syscalls list, one that does not exist, no container named */
	o.container = "quiet";
	assert_int_equal(vigil_harden__seccomp(p, &o, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no syscalls"));
	o.container = "nope";
	assert_int_equal(vigil_harden__seccomp(p, &o, &b, why, sizeof(why)), -ENOENT);
	assert_int_equal(vigil_harden__seccomp(p, NULL, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "--container"));
	assert_int_equal(b.len, 0);
	vigil_profile__free(p);

	/* an architecture seccomp has no name for is refused, not dropped */
	p = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfile\nmetadata: {name: x}\n"
		      "spec: {architectures: [mips64], syscalls: [read]}\n");
	assert_int_equal(vigil_harden__seccomp(p, NULL, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "mips64"));
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

static char *netpol(const struct vigil_profile *p, const struct vigil_netpol_opts *o)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	char why[256] = "";
	int r = vigil_harden__netpol(p, o, &b, why, sizeof(why));

	if (r)
		fail_msg("netpol: %d %s", r, why);
	return vigil_buf__steal(&b, NULL);
}

static const char nn[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			 "kind: NetworkNeighborhood\n"
			 "metadata: {name: Deployment_Front, namespace: shop}\n"
			 "spec:\n"
			 "  matchLabels: {app: front}\n"
			 "  containers:\n"
			 "    - name: front\n"
			 "      ingress:\n"
			 "        - ipAddresses: [10.1.2.3]\n"
			 "          ports: [{name: TCP-8080, protocol: TCP, port: 8080}]\n"
			 "      egress:\n"
			 "        - dnsNames: [api.example.com.]\n"
			 "          ipAddresses: [192.0.2.10, 2001:db8::/32]\n"
			 "          ports: [{name: TCP-443, protocol: TCP, port: 443}]\n"
			 "        - dnsNames: [only.example.org.]\n"
			 "        - podSelector: {matchLabels: {app: redis}}\n"
			 "          namespaceSelector: {matchLabels: {team: data}}\n"
			 "          ports: [{name: TCP-6379, protocol: TCP, port: 6379}]\n"
			 "    - name: quiet\n"
			 "      ingress: null\n"
			 "      egress: []\n";

static void test_netpol(void **state)
{
	struct vigil_profile *p = load_text(nn);
	struct vigil_netpol_opts o = { 0 };
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *sel[] = { "app=other", "tier=web" };
	char why[256];
	char *y;

	(void)state;
	y = netpol(p, &o);
	assert_non_null(strstr(y, "kind: NetworkPolicy\n"));
	assert_non_null(strstr(y, "  name: \"vigil-deployment-front\"\n"));
	assert_non_null(strstr(y, "  namespace: \"shop\"\n"));
	assert_non_null(strstr(y, "  podSelector:\n    matchLabels:\n      \"app\": \"front\"\n"));
	assert_non_null(strstr(y, "  - \"Ingress\"\n  - \"Egress\"\n"));
	assert_non_null(strstr(y, "  - from:\n    - ipBlock:\n        cidr: \"10.1.2.3/32\"\n"
				  "    ports:\n    - protocol: \"TCP\"\n      port: 8080\n"));
	assert_non_null(strstr(y, "  # DNS name (a policy cannot name it; the peers below are as "
				  "learned): api.example.com.\n  - to:\n"));
	assert_non_null(strstr(y, "        cidr: \"2001:db8::/32\"\n"));
	/* a name with no address is a comment, never a rule that would allow everyone */
	assert_non_null(
		strstr(y, "  # NOT EXPRESSIBLE, no address learned for: only.example.org.\n"));
	assert_non_null(strstr(y, "    - namespaceSelector:\n        matchLabels:\n"
				  "          \"team\": \"data\"\n      podSelector:\n"));
	assert_non_null(strstr(y, "\"k8s-app\": \"kube-dns\""));
	free(y);

	/* one container: its directions as learned (null ingress, empty egress: deny all) */
	o.container = "quiet";
	y = netpol(p, &o);
	assert_non_null(strstr(y, "  ingress: []\n  egress: []\n"));
	free(y);

	/* --selector replaces the profile's; a bad one is refused */
	o.container = NULL;
	o.selector = sel;
	o.nselector = 2;
	o.name = "np";
	o.namespace_ = "prod";
	y = netpol(p, &o);
	assert_non_null(strstr(y, "      \"app\": \"other\"\n      \"tier\": \"web\"\n"));
	assert_non_null(strstr(y, "  name: \"np\"\n  namespace: \"prod\"\n"));
	free(y);
	sel[1] = "novalue";
	assert_int_equal(vigil_harden__netpol(p, &o, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "KEY=VALUE"));
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

static void test_netpol_refusals(void **state)
{
	struct vigil_profile *p;
	struct vigil_buf b = VIGIL_BUF_INIT;
	char why[256];

	(void)state;
	/* no selector: refusing beats a policy for every pod of the namespace */
	p = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfile\nmetadata: {name: x}\n"
		      "spec: {egress: [{ipAddresses: [192.0.2.1]}]}\n");
	assert_int_equal(vigil_harden__netpol(p, NULL, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "--selector"));
	vigil_profile__free(p);
	/* nothing learned about the network */
	p = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfile\nmetadata: {name: x}\nspec: {syscalls: [read]}\n");
	assert_int_equal(vigil_harden__netpol(p, NULL, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no network"));
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

static int collect(const char *path, void *arg)
{
	char *buf = arg;
	size_t len = strlen(buf);

	snprintf(buf + len, 512 - len, "%s;", path);
	return 0;
}

static void test_enforce_rails(void **state)
{
	static const char head[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\nmetadata:\n  name: x\n";
	char text[2048], why[256], paths[512] = "";
	struct vigil_profile *p;

	(void)state;
	/* finished: enforceable, its exact exec paths */
	snprintf(text, sizeof(text),
		 "%s  annotations: {kubescape.io/status: completed, kubescape.io/completion: "
		 "complete}\nspec:\n  execs: [{path: /usr/bin/id}, {path: /bin/sh, args: [sh]}]\n",
		 head);
	p = load_text(text);
	assert_int_equal(vigil_harden__enforceable(p, why, sizeof(why)), 0);
	assert_int_equal(vigil_harden__exec_paths(p, NULL, collect, paths, why, sizeof(why)), 0);
	assert_string_equal(paths, "/bin/sh;/usr/bin/id;");
	/* a ContainerProfile's unnamed container is whichever it is bound to, as the matcher
	 * reads it */
	paths[0] = '\0';
	assert_int_equal(vigil_harden__exec_paths(p, "other", collect, paths, why, sizeof(why)), 0);
	assert_string_equal(paths, "/bin/sh;/usr/bin/id;");
	vigil_profile__free(p);

	/* learning, partial, too-large: never */
	static const char *const bad[] = { "kubescape.io/status: learning",
					   "kubescape.io/status: too-large",
					   "kubescape.io/completion: partial" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text),
			 "%s  annotations: {%s}\nspec:\n  execs: [{path: /x}]\n", head, bad[i]);
		p = load_text(text);
		assert_int_equal(vigil_harden__enforceable(p, why, sizeof(why)), -EPERM);
		assert_non_null(strstr(why, strchr(bad[i], ' ') + 1));
		vigil_profile__free(p);
	}

	/* a wildcard path or an exemption of an exec rule: the kernel cannot enforce it */
	snprintf(text, sizeof(text), "%sspec:\n  execs: [{path: /usr/bin/id}, {path: /opt/*}]\n",
		 head);
	p = load_text(text);
	assert_int_equal(vigil_harden__exec_paths(p, NULL, collect, paths, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "/opt/*"));
	vigil_profile__free(p);
	/* the exec rules take no rulePolicies (as in Kubescape): an R0001 entry changes nothing */
	paths[0] = '\0';
	snprintf(text, sizeof(text),
		 "%sspec:\n  execs: [{path: /usr/bin/id}]\n"
		 "  rulePolicies: {R0001: {processAllowed: [sh]}}\n",
		 head);
	p = load_text(text);
	assert_int_equal(vigil_harden__exec_paths(p, NULL, collect, paths, why, sizeof(why)), 0);
	assert_string_equal(paths, "/usr/bin/id;");
	vigil_profile__free(p);
}

/*
 * The kernel kills the execs the matcher would alert on, never one it allows: with a named
 * container and an unnamed ContainerProfile beside it, both documents' execs are the
 * container's in both (the kernel once left the ContainerProfile's out).
 */
static void test_enforce_same_containers(void **state)
{
	static const char text[] =
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ApplicationProfile\nmetadata: {name: a}\n"
		"spec:\n  containers:\n  - name: app\n    execs: [{path: /usr/bin/id}]\n"
		"  - name: side\n    execs: [{path: /bin/side}]\n"
		"---\n"
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\nmetadata: {name: c}\n"
		"spec:\n  execs: [{path: /bin/sh}]\n";
	const char *const want[] = { "/usr/bin/id", "/bin/sh", "/bin/side" };
	const bool in_app[] = { true, true, false };
	char why[256], paths[512] = "";
	struct vigil_profile *p = load_text(text);
	struct vigil_matcher *m = NULL;

	(void)state;
	assert_int_equal(vigil_harden__exec_paths(p, "app", collect, paths, why, sizeof(why)), 0);
	assert_string_equal(paths, "/usr/bin/id;/bin/sh;");
	assert_int_equal(vigil_matcher__new(p, "app", &m), 0);
	for (size_t i = 0; i < 3; i++) {
		bool allowed = vigil_matcher__exec(m, want[i], NULL, 0) == VIGIL_MATCH_YES;

		assert_int_equal(allowed, in_app[i]);
		assert_int_equal(strstr(paths, want[i]) != NULL, in_app[i]);
	}
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_netpol),
		cmocka_unit_test(test_netpol_refusals),
		cmocka_unit_test(test_enforce_rails),
		cmocka_unit_test(test_enforce_same_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
