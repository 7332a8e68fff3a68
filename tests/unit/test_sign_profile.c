// SPDX-License-Identifier: Apache-2.0
/*
 * Signing real profile documents: the tamper matrix (every kind of covered field changed,
 * reordered where order matters, deleted, added -> tampered), what is not covered, re-signing,
 * and signed-then-formatted staying valid.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/profile.h"
#include "vigil/sign.h"

static const char base[] =
	"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
	"kind: ContainerProfile\n"
	"metadata:\n"
	"  name: payment-app\n"
	"  namespace: shop\n"
	"  labels: {app: pay, tier: web}\n"
	"  annotations: {kubescape.io/managed-by: User}\n"
	"spec:\n"
	"  matchLabels: {app: pay}\n"
	"  imageTag: shop/pay:1.2\n"
	"  capabilities: [CAP_SETGID, CAP_SETUID]\n"
	"  execs:\n"
	"  - {path: /usr/bin/touch, args: [/usr/bin/touch, -c, /tmp/x]}\n"
	"  - {path: /bin/sh, args: [sh, -c, date]}\n"
	"  opens:\n"
	"  - {path: /etc/passwd, flags: [O_RDONLY, O_CLOEXEC]}\n"
	"  - {path: /data/*, flags: [O_RDWR]}\n"
	"  syscalls: [read, write, openat]\n"
	"  endpoints:\n"
	"  - {endpoint: ':443/api/data', methods: [GET, POST], direction: inbound}\n"
	"  rulePolicies:\n"
	"    R0002: {processAllowed: [pay]}\n"
	"  egress:\n"
	"  - dnsNames: [api.stripe.com]\n"
	"    ipAddresses: [54.187.174.169]\n"
	"    ports: [{name: TCP-443, protocol: TCP, port: 443}]\n"
	"---\n"
	"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
	"kind: ApplicationProfile\n"
	"metadata: {name: worker, namespace: shop}\n"
	"spec:\n"
	"  architectures: [amd64]\n"
	"  containers:\n"
	"  - name: worker\n"
	"    execs: [{path: /app/worker, args: [worker, --queue, jobs]}]\n";

static const char *const sign_keys[] = { VIGIL_SIGN_ANN_SIGNATURE, VIGIL_SIGN_ANN_CERTIFICATE,
					 VIGIL_SIGN_ANN_ISSUER, VIGIL_SIGN_ANN_IDENTITY,
					 VIGIL_SIGN_ANN_TIMESTAMP };

struct fx {
	char dir[64];
	struct vigil_sign_key *k, *k2;
	struct vigil_trust *t;
	struct vigil_profile *signed_p; /* base, every document signed with k */
};

static struct vigil_profile *load(const char *text)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;

	if (vigil_profile__load_buffer(text, strlen(text), "test.yaml", NULL, &p, &err) < 0)
		fail_msg("load: %d:%d: %s", err.line, err.column, err.message);
	return p;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vigil_error err;
	char key[128], pub[160];

	snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-test-signp-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(key, sizeof(key), "%s/vendor", f->dir);
	assert_int_equal(vigil_sign__keygen(key, false, &err), 0);
	assert_int_equal(vigil_sign__key_load(key, &f->k, &err), 0);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	assert_int_equal(vigil_trust__load_pub(pub, &f->t, &err), 0);
	snprintf(key, sizeof(key), "%s/other", f->dir);
	assert_int_equal(vigil_sign__keygen(key, false, &err), 0);
	assert_int_equal(vigil_sign__key_load(key, &f->k2, &err), 0);
	f->signed_p = load(base);
	for (size_t d = 0; d < vigil_profile__doc_count(f->signed_p); d++)
		assert_int_equal(vigil_sign__sign_profile(f->k, f->signed_p, d, "ci", 1763776800),
				 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	vigil_sign__key_free(f->k);
	vigil_sign__key_free(f->k2);
	vigil_trust__free(f->t);
	vigil_profile__free(f->signed_p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static enum vigil_sign_status verdict_of(struct fx *f, const struct vigil_profile *p, size_t d)
{
	struct vigil_sign_verdict v;

	assert_int_equal(vigil_sign__verify_profile(f->t, p, d, &v), 0);
	return v.status;
}

/* Copies document d's signature annotations from the signed original onto p. */
static void transplant(struct fx *f, struct vigil_profile *p, size_t d)
{
	for (size_t i = 0; i < sizeof(sign_keys) / sizeof(sign_keys[0]); i++) {
		const char *v = vigil_profile__annotation(f->signed_p, d, sign_keys[i]);

		assert_non_null(v);
		assert_int_equal(vigil_profile__set_annotation(p, d, sign_keys[i], v), 0);
	}
}

/* base with `from` replaced by `to` (which must occur exactly once). */
static char *mutate(const char *from, const char *to)
{
	const char *at = strstr(base, from);
	struct vigil_buf b = VIGIL_BUF_INIT;

	if (!at || strstr(at + 1, from))
		fail_msg("mutation \"%s\" does not match exactly once", from);
	assert_int_equal(vigil_buf__append(&b, base, (size_t)(at - base)), 0);
	assert_int_equal(vigil_buf__puts(&b, to), 0);
	assert_int_equal(vigil_buf__puts(&b, at + strlen(from)), 0);
	return vigil_buf__steal(&b, NULL);
}

static void test_signed_valid(void **state)
{
	struct fx *f = *state;
	struct vigil_sign_verdict v;

	for (size_t d = 0; d < vigil_profile__doc_count(f->signed_p); d++) {
		assert_int_equal(vigil_sign__verify_profile(f->t, f->signed_p, d, &v), 0);
		assert_int_equal(v.status, VIGIL_SIGN_VALID);
		assert_string_equal(v.signer, "vendor");
		assert_string_equal(v.identity, "ci");
		assert_int_equal(v.timestamp, 1763776800);
	}
	assert_string_equal(vigil_profile__annotation(f->signed_p, 0, VIGIL_SIGN_ANN_ISSUER),
			    "local");
	/* An unsigned document is unsigned, not tampered. */
	{
		struct vigil_profile *p = load(base);

		assert_int_equal(verdict_of(f, p, 0), VIGIL_SIGN_UNSIGNED);
		vigil_profile__free(p);
	}
}

static void test_tamper_matrix(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *what, *from, *to;
		int doc;
	} m[] = {
		/* metadata */
		{ "name changed", "name: payment-app", "name: payment-ap", 0 },
		{ "namespace changed", "namespace: shop\n  labels", "namespace: shoq\n  labels",
		  0 },
		{ "label value changed", "tier: web", "tier: db", 0 },
		{ "label added", "tier: web}", "tier: web, x: y}", 0 },
		{ "label deleted", "app: pay, tier: web", "app: pay", 0 },
		/* identity fields of the spec */
		{ "matchLabels changed", "matchLabels: {app: pay}", "matchLabels: {app: evil}", 0 },
		{ "imageTag changed", "shop/pay:1.2", "shop/pay:1.3", 0 },
		/* capabilities */
		{ "capability changed", "CAP_SETUID]", "CAP_SYS_ADMIN]", 0 },
		{ "capability added", "CAP_SETUID]", "CAP_SETUID, CAP_NET_RAW]", 0 },
		{ "capability deleted", "[CAP_SETGID, CAP_SETUID]", "[CAP_SETGID]", 0 },
		/* execs: order of args matters */
		{ "exec path changed", "path: /bin/sh", "path: /bin/bash", 0 },
		{ "exec args reordered", "[sh, -c, date]", "[sh, date, -c]", 0 },
		{ "exec arg changed", "[sh, -c, date]", "[sh, -c, 'date; id']", 0 },
		{ "exec arg deleted", "[/usr/bin/touch, -c, /tmp/x]", "[/usr/bin/touch, /tmp/x]",
		  0 },
		{ "exec arg added", "[sh, -c, date]", "[sh, -c, date, now]", 0 },
		{ "exec entry deleted", "  - {path: /bin/sh, args: [sh, -c, date]}\n", "", 0 },
		{ "exec entry added", "  opens:\n",
		  "  - {path: /usr/bin/curl, args: [curl]}\n  opens:\n", 0 },
		{ "argsRequired added", "args: [sh, -c, date]}",
		  "args: [sh, -c, date], "
		  "argsRequired: true}",
		  0 },
		{ "exec in a containers list", "[worker, --queue, jobs]", "[worker, jobs, --queue]",
		  1 },
		/* opens */
		{ "open path changed", "/etc/passwd", "/etc/shadow", 0 },
		{ "open flag added", "flags: [O_RDWR]", "flags: [O_RDWR, O_CREAT]", 0 },
		{ "open flag deleted", "[O_RDONLY, O_CLOEXEC]", "[O_RDONLY]", 0 },
		{ "open entry deleted", "  - {path: /data/*, flags: [O_RDWR]}\n", "", 0 },
		{ "open wildcard widened", "path: /data/*", "path: /*", 0 },
		/* syscalls */
		{ "syscall added", "[read, write, openat]", "[read, write, openat, ptrace]", 0 },
		{ "syscall deleted", "[read, write, openat]", "[read, write]", 0 },
		{ "syscall changed", "[read, write, openat]", "[read, write, open]", 0 },
		/* endpoints */
		{ "endpoint changed", "':443/api/data'", "':0/api/data'", 0 },
		{ "endpoint method added", "[GET, POST]", "[GET, POST, DELETE]", 0 },
		{ "endpoint direction changed", "direction: inbound", "direction: outbound", 0 },
		/* rule policies */
		{ "rule policy widened", "processAllowed: [pay]", "processAllowed: [pay, sh]", 0 },
		{ "rule policy added",
		  "    R0002:", "    R0001: {containerAllowed: true}\n    R0002:", 0 },
		/* network neighbors */
		{ "dns name changed", "[api.stripe.com]", "[api.stripe.com.evil.io]", 0 },
		{ "dns name added", "[api.stripe.com]", "[api.stripe.com, evil.io]", 0 },
		{ "ip changed", "[54.187.174.169]", "['*']", 0 },
		{ "port changed", "{name: TCP-443, protocol: TCP, port: 443}",
		  "{name: TCP-4444, protocol: TCP, port: 4444}", 0 },
		{ "neighbor deleted",
		  "  egress:\n  - dnsNames: [api.stripe.com]\n    ipAddresses: [54.187.174.169]\n"
		  "    ports: [{name: TCP-443, protocol: TCP, port: 443}]\n",
		  "", 0 },
		/* a new section */
		{ "iouring added", "  syscalls:", "  iouring: [READ]\n  syscalls:", 0 },
		{ "architecture changed", "[amd64]", "[arm64]", 1 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		char *text = mutate(m[i].from, m[i].to);
		struct vigil_profile *p = load(text);
		enum vigil_sign_status s;

		transplant(f, p, (size_t)m[i].doc);
		s = verdict_of(f, p, (size_t)m[i].doc);
		if (s != VIGIL_SIGN_TAMPERED)
			fail_msg("%s: verdict %s, expected tampered", m[i].what,
				 vigil_sign__status_name(s));
		/* The other document is untouched and stays valid. */
		transplant(f, p, (size_t)!m[i].doc);
		assert_int_equal(verdict_of(f, p, (size_t)!m[i].doc), VIGIL_SIGN_VALID);
		vigil_profile__free(p);
		free(text);
	}
}

static void test_not_covered(void **state)
{
	struct fx *f = *state;
	/* Sets are sets: their order is not content. Annotations are not signed. */
	static const struct {
		const char *from, *to;
	} m[] = {
		{ "[read, write, openat]", "[openat, write, read]" },
		{ "[CAP_SETGID, CAP_SETUID]", "[CAP_SETUID, CAP_SETGID]" },
		{ "[GET, POST]", "[POST, GET]" },
		{ "{app: pay, tier: web}", "{tier: web, app: pay}" },
		{ "{kubescape.io/managed-by: User}", "{kubescape.io/managed-by: Someone}" },
		{ "  - {path: /usr/bin/touch, args: [/usr/bin/touch, -c, /tmp/x]}\n"
		  "  - {path: /bin/sh, args: [sh, -c, date]}\n",
		  "  - {path: /bin/sh, args: [sh, -c, date]}\n"
		  "  - {path: /usr/bin/touch, args: [/usr/bin/touch, -c, /tmp/x]}\n" },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		char *text = mutate(m[i].from, m[i].to);
		struct vigil_profile *p = load(text);

		transplant(f, p, 0);
		if (verdict_of(f, p, 0) != VIGIL_SIGN_VALID)
			fail_msg("\"%s\" -> \"%s\" should not change the verdict", m[i].from,
				 m[i].to);
		vigil_profile__free(p);
		free(text);
	}
}

static void test_wrong_and_embedded_key(void **state)
{
	struct fx *f = *state;
	struct vigil_profile *p = load(base);
	struct vigil_sign_verdict v;

	/* Re-signed by someone else with a fresh key: the embedded key is not trusted. */
	assert_int_equal(vigil_sign__sign_profile(f->k2, p, 0, "attacker", 1), 0);
	assert_int_equal(vigil_sign__verify_profile(f->t, p, 0, &v), 0);
	assert_int_equal(v.status, VIGIL_SIGN_UNTRUSTED_KEY);
	assert_string_equal(v.signer, "");
	/* ...and claiming the vendor's key in the certificate does not help. */
	assert_int_equal(
		vigil_profile__set_annotation(
			p, 0, VIGIL_SIGN_ANN_CERTIFICATE,
			vigil_profile__annotation(f->signed_p, 0, VIGIL_SIGN_ANN_CERTIFICATE)),
		0);
	assert_int_equal(vigil_sign__verify_profile(f->t, p, 0, &v), 0);
	assert_int_equal(v.status, VIGIL_SIGN_TAMPERED);
	vigil_profile__free(p);
}

static void test_resign_and_fmt(void **state)
{
	struct fx *f = *state;
	struct vigil_buf a = VIGIL_BUF_INIT, b = VIGIL_BUF_INIT, c = VIGIL_BUF_INIT;
	struct vigil_profile *p, *q;
	char d1[72], d2[72];

	/* Formatting a signed file (emit, load, emit) keeps it valid and stable. */
	assert_int_equal(vigil_profile__emit_yaml(f->signed_p, &a), 0);
	p = load(a.data);
	assert_int_equal(verdict_of(f, p, 0), VIGIL_SIGN_VALID);
	assert_int_equal(verdict_of(f, p, 1), VIGIL_SIGN_VALID);
	assert_int_equal(vigil_profile__emit_yaml(p, &b), 0);
	assert_string_equal(a.data, b.data);
	assert_int_equal(vigil_sign__digest(f->signed_p, 0, d1, sizeof(d1)), 0);
	assert_int_equal(vigil_sign__digest(p, 0, d2, sizeof(d2)), 0);
	assert_string_equal(d1, d2);
	assert_true(!strncmp(d1, "sha256:", 7) && strlen(d1) == 71);

	/* Re-signing changes only the signature annotations. */
	q = load(b.data);
	assert_int_equal(vigil_sign__sign_profile(f->k2, q, 0, "other", 42), 0);
	assert_string_equal(vigil_profile__annotation(q, 0, VIGIL_SIGN_ANN_IDENTITY), "other");
	assert_string_equal(vigil_profile__annotation(q, 0, VIGIL_SIGN_ANN_TIMESTAMP), "42");
	assert_string_equal(vigil_profile__annotation(q, 0, "kubescape.io/managed-by"), "User");
	assert_int_equal(vigil_profile__emit_yaml(q, &c), 0);
	{
		/* Line by line, outside the signature.kubescape.io/ lines, nothing differs. */
		char *x = a.data, *y = c.data;

		while (*x || *y) {
			char *xe = strchrnul(x, '\n'), *ye = strchrnul(y, '\n');
			bool xs = strstr(x, VIGIL_SIGN_ANN_PREFIX) &&
				  strstr(x, VIGIL_SIGN_ANN_PREFIX) < xe;
			bool ys = strstr(y, VIGIL_SIGN_ANN_PREFIX) &&
				  strstr(y, VIGIL_SIGN_ANN_PREFIX) < ye;

			assert_int_equal(xs, ys);
			if (!xs && ((xe - x) != (ye - y) || memcmp(x, y, (size_t)(xe - x))))
				fail_msg("re-signing changed \"%.*s\"", (int)(xe - x), x);
			x = *xe ? xe + 1 : xe;
			y = *ye ? ye + 1 : ye;
		}
	}
	assert_int_equal(vigil_sign__digest(q, 0, d2, sizeof(d2)), 0);
	assert_string_equal(d1, d2);
	vigil_profile__free(p);
	vigil_profile__free(q);
	vigil_buf__release(&a);
	vigil_buf__release(&b);
	vigil_buf__release(&c);
}

static void test_huge_annotation(void **state)
{
	struct fx *f = *state;
	struct vigil_profile *p = load(base);
	struct vigil_sign_verdict v;
	size_t n = 1u << 20;
	char *huge = malloc(n + 1);

	memset(huge, 'A', n);
	huge[n] = '\0';
	transplant(f, p, 0);
	assert_int_equal(vigil_profile__set_annotation(p, 0, VIGIL_SIGN_ANN_CERTIFICATE, huge), 0);
	assert_int_equal(vigil_sign__verify_profile(f->t, p, 0, &v), 0);
	assert_int_equal(v.status, VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "longer"));
	free(huge);
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_valid),
		cmocka_unit_test(test_tamper_matrix),
		cmocka_unit_test(test_not_covered),
		cmocka_unit_test(test_wrong_and_embedded_key),
		cmocka_unit_test(test_resign_and_fmt),
		cmocka_unit_test(test_huge_annotation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
