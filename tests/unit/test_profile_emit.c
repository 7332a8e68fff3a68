// SPDX-License-Identifier: Apache-2.0
/*
 * Emitter and canonical form: fmt is a fixed point and load(fmt(x)) == load(x) on every test
 * profile; fmt never changes the canonical bytes; reordering exec args does; JCS details
 * (key order by UTF-16 units, escapes, ES6 numbers).
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/model.h"
#include "profile/outtree.h"
#include "util/buf.h"
#include "vigil/profile.h"

#define DATA "tests/data/profiles"

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

static char *canon(const struct vigil_profile *p, size_t doc)
{
	struct vigil_buf b = VIGIL_BUF_INIT;

	assert_int_equal(vigil_profile__canon(p, doc, &b), 0);
	return vigil_buf__steal(&b, NULL);
}

static void check_round_trip(const char *path)
{
	struct vigil_profile *x = NULL, *y, *z;
	struct vigil_error err;
	char *fx, *fy, msg[1024];

	if (vigil_profile__load_file(path, NULL, &x, &err))
		fail_msg("%s", vigil_error__format(&err, msg, sizeof(msg)));
	fx = emit(x);
	y = load_text(fx);
	/* load(fmt(x)) == load(x) */
	if (!prof_equal(x, y))
		fail_msg("%s: load(fmt(x)) differs from load(x)", path);
	/* fmt is a fixed point */
	fy = emit(y);
	assert_string_equal(fx, fy);
	/* fmt does not change what is signed */
	for (size_t i = 0; i < vigil_profile__doc_count(x); i++) {
		char *cx = canon(x, i), *cy = canon(y, i);
		json_error_t jerr;
		json_t *j;

		assert_string_equal(cx, cy);
		/* and the canon is JSON */
		j = json_loads(cx, 0, &jerr);
		assert_non_null(j);
		json_decref(j);
		free(cx);
		free(cy);
	}
	/* the JSON rendering parses too */
	{
		struct vigil_buf b = VIGIL_BUF_INIT;
		json_error_t jerr;
		json_t *j;

		assert_int_equal(vigil_profile__emit_json(x, &b), 0);
		j = json_loads(b.data, JSON_DISABLE_EOF_CHECK, &jerr);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "apiVersion")),
				    VIGIL_PROFILE_API_VERSION);
		json_decref(j);
		vigil_buf__release(&b);
	}
	z = load_text(fy);
	assert_true(prof_equal(x, z));
	free(fx);
	free(fy);
	vigil_profile__free(x);
	vigil_profile__free(y);
	vigil_profile__free(z);
}

static void test_round_trip_all(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), DATA "/%s", e->d_name);
		check_round_trip(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

static const char doc_tpl[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			      "kind: ContainerProfile\n"
			      "metadata:\n"
			      "  name: x\n"
			      "  annotations:\n"
			      "    signature.kubescape.io/signature: %s\n"
			      "spec:\n"
			      "  syscalls: [%s]\n"
			      "  opens:\n"
			      "  - path: /etc/hosts\n"
			      "    flags: [%s]\n"
			      "  execs:\n"
			      "  - path: /bin/sh\n"
			      "    args: [%s]\n";

static char *canon_of(const char *sig, const char *sys, const char *flags, const char *args)
{
	char text[2048];
	struct vigil_profile *p;
	char *c;

	snprintf(text, sizeof(text), doc_tpl, sig, sys, flags, args);
	p = load_text(text);
	c = canon(p, 0);
	vigil_profile__free(p);
	return c;
}

static void test_canon_stability(void **state)
{
	char *base = canon_of("AAAA", "read, write", "O_RDONLY, O_CLOEXEC", "sh, -c, 'echo hi'");
	char *sets =
		canon_of("BBBB", "write, read, read", "O_CLOEXEC, O_RDONLY", "sh, -c, 'echo hi'");
	char *args = canon_of("AAAA", "read, write", "O_RDONLY, O_CLOEXEC", "sh, 'echo hi', -c");

	/* annotations (the signature) are not signed; set order and repeats do not matter */
	assert_string_equal(base, sets);
	/* argument order is behaviour: it changes the signed bytes */
	assert_string_not_equal(base, args);
	assert_string_equal(
		base,
		"{\"apiVersion\":\"spdx.softwarecomposition.kubescape.io/v1beta1\","
		"\"kind\":\"ContainerProfile\",\"metadata\":{\"name\":\"x\"},"
		"\"spec\":{\"execs\":[{\"args\":[\"sh\",\"-c\",\"echo hi\"],\"path\":\"/bin/sh\"}],"
		"\"opens\":[{\"flags\":[\"O_CLOEXEC\",\"O_RDONLY\"],\"path\":\"/etc/hosts\"}],"
		"\"syscalls\":[\"read\",\"write\"]}}");
	free(base);
	free(sets);
	free(args);
}

static void test_canon_jcs_details(void **state)
{
	char num[64];
	struct vigil_profile *p;
	char *c;

	/* keys by UTF-16 code units: U+1F600 (surrogates D83D..) sorts before U+FF61 */
	assert_true(prof_utf16_cmp("\xf0\x9f\x98\x80", "\xef\xbd\xa1") < 0);
	assert_true(strcmp("\xf0\x9f\x98\x80", "\xef\xbd\xa1") > 0); /* bytes say otherwise */
	assert_true(prof_utf16_cmp("args", "argsRequired") < 0);
	assert_true(prof_utf16_cmp("name", "namespace") < 0);
	assert_int_equal(prof_utf16_cmp("a", "a"), 0);

	/* ECMAScript number forms (RFC 8785 appendix B examples) */
	assert_int_equal(prof_es6_number(0, num, sizeof(num)), 0);
	assert_string_equal(num, "0");
	prof_es6_number(-0.0, num, sizeof(num));
	assert_string_equal(num, "0");
	prof_es6_number(6379, num, sizeof(num));
	assert_string_equal(num, "6379");
	prof_es6_number(1e21, num, sizeof(num));
	assert_string_equal(num, "1e+21");
	prof_es6_number(1e20, num, sizeof(num));
	assert_string_equal(num, "100000000000000000000");
	prof_es6_number(0.000001, num, sizeof(num));
	assert_string_equal(num, "0.000001");
	prof_es6_number(1e-7, num, sizeof(num));
	assert_string_equal(num, "1e-7");
	prof_es6_number(4.5, num, sizeof(num));
	assert_string_equal(num, "4.5");
	prof_es6_number(0.5, num, sizeof(num));
	assert_string_equal(num, "0.5");
	prof_es6_number(-1.5e-9, num, sizeof(num));
	assert_string_equal(num, "-1.5e-9");
	prof_es6_number(9007199254740992.0, num, sizeof(num));
	assert_string_equal(num, "9007199254740992");
	prof_es6_number(123456789012345680000.0, num, sizeof(num));
	assert_string_equal(num, "123456789012345680000");
	assert_int_equal(prof_es6_number(1.0 / 0.0, num, sizeof(num)), -ERANGE);

	/* minimal escapes: control characters, quote and backslash; ⋯ and é as-is */
	p = load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		      "kind: ContainerProfile\nmetadata:\n  name: \"a\\\"b\\\\c\\td\\u0001é⋯\"\n"
		      "spec: {}\n");
	c = canon(p, 0);
	assert_string_equal(c, "{\"apiVersion\":\"spdx.softwarecomposition.kubescape.io/v1beta1\","
			       "\"kind\":\"ContainerProfile\",\"metadata\":{\"name\":"
			       "\"a\\\"b\\\\c\\td\\u0001é⋯\"},\"spec\":{}}");
	free(c);
	vigil_profile__free(p);
}

static void test_emit_quoting(void **state)
{
	/* strings that a YAML reader would take for numbers, booleans or null stay strings */
	struct vigil_profile *p =
		load_text("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			  "kind: ContainerProfile\nmetadata: {name: x}\nspec:\n"
			  "  execs:\n  - path: /bin/x\n"
			  "    args: ['6379', 'yes', 'null', '', '1e3', '0x1F', 'on', '⋯⋯', '*', "
			  "'a: b', '-', '12:30']\n");
	char *y = emit(p);
	struct vigil_profile *q = load_text(y);

	assert_non_null(strstr(y, "    - '6379'\n    - 'yes'\n    - 'null'\n    - ''\n    - '1e3'\n"
				  "    - '0x1F'\n    - 'on'\n    - ⋯⋯\n    - '*'\n    - 'a: b'\n"
				  "    - '-'\n    - '12:30'\n"));
	assert_true(prof_equal(p, q));
	free(y);
	vigil_profile__free(p);
	vigil_profile__free(q);
}

static void test_emit_order_and_nulls(void **state)
{
	struct vigil_profile *p =
		load_text("kind: ContainerProfile\n"
			  "spec:\n  egress: null\n  syscalls: [write, read, write]\n"
			  "  architectures: [amd64]\n  endpoints: []\n"
			  "metadata: {labels: {b: '2', a: '1'}, name: x}\n"
			  "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n");
	char *y = emit(p);

	assert_string_equal(y, "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			       "kind: ContainerProfile\n"
			       "metadata:\n"
			       "  name: x\n"
			       "  labels:\n"
			       "    a: '1'\n"
			       "    b: '2'\n"
			       "spec:\n"
			       "  architectures:\n"
			       "  - amd64\n"
			       "  syscalls:\n"
			       "  - read\n"
			       "  - write\n"
			       "  endpoints: []\n"
			       "  egress: null\n");
	free(y);
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all),	     cmocka_unit_test(test_canon_stability),
		cmocka_unit_test(test_canon_jcs_details),    cmocka_unit_test(test_emit_quoting),
		cmocka_unit_test(test_emit_order_and_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
