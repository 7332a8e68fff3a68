// SPDX-License-Identifier: Apache-2.0
/*
 * The execDigests profile extension (docs/PROFILES.md): loaded, checked, written back the
 * same, part of the canonical (signed) form, built by learning, merged, and matched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/error.h"
#include "vigil/profile.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static const char doc[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			  "kind: ContainerProfile\n"
			  "metadata:\n"
			  "  name: d\n"
			  "spec:\n"
			  "  execs:\n"
			  "  - path: /usr/bin/tool\n"
			  "  execDigests:\n"
			  "  - /usr/bin/tool sha256:" H2 "\n"
			  "  - /usr/bin/tool sha256:" H1 "\n";

static struct vigil_profile *load(const char *text, int *ret)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };

	*ret = vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err);
	return p;
}

static void test_load_emit_canon(void **state)
{
	struct vigil_buf y = { 0 }, c = { 0 };
	struct vigil_profile *p, *q;
	int r;

	(void)state;
	p = load(doc, &r);
	assert_int_equal(r, 0);
	assert_int_equal(vigil_profile__emit_yaml(p, &y), 0);
	/* a set: sorted */
	assert_non_null(strstr(y.data, "  execDigests:\n  - /usr/bin/tool sha256:" H1
				       "\n  - /usr/bin/tool sha256:" H2 "\n"));
	/* signed content includes it */
	assert_int_equal(vigil_profile__canon(p, 0, &c), 0);
	assert_non_null(strstr(c.data, "\"execDigests\":[\"/usr/bin/tool sha256:" H1));
	/* round trip */
	q = load(y.data, &r);
	assert_int_equal(r, 0);
	vigil_profile__free(q);
	vigil_buf__release(&y);
	vigil_buf__release(&c);
	vigil_profile__free(p);
}

static void test_bad_entries(void **state)
{
	static const char *const bad[] = {
		"tool sha256:" H1,		     /* relative */
		"/usr/bin/tool " H1,		     /* no algorithm */
		"/usr/bin/tool sha256:" H1 "1",	     /* too long */
		"/usr/bin/tool sha256:ABCDEF" H1,    /* upper case, too long */
		"/usr/bin/* sha256:" H1,	     /* wildcard */
		"/usr/\xe2\x8b\xaf/tool sha256:" H1, /* wildcard */
		"/usr/bin/tool",		     /* no digest */
	};
	char text[1024];
	int r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vigil_profile *p;

		snprintf(text, sizeof(text),
			 "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			 "kind: ContainerProfile\nmetadata:\n  name: d\nspec:\n"
			 "  execDigests: ['%s']\n",
			 bad[i]);
		p = load(text, &r);
		assert_int_not_equal(r, 0);
		vigil_profile__free(p);
	}
}

static void test_build_and_match(void **state)
{
	struct vigil_profile *p = vigil_profile__new(VIGIL_KIND_CONTAINER_PROFILE, "b", NULL);
	struct vigil_matcher *m = NULL;

	(void)state;
	assert_non_null(p);
	assert_int_equal(vigil_profile__add_exec_digest(p, 0, 0, "/bin/a", H1), 0);
	assert_int_equal(vigil_profile__add_exec_digest(p, 0, 0, "/bin/a", H1), 0);
	assert_int_not_equal(vigil_profile__add_exec_digest(p, 0, 0, "bin/a", H1), 0);
	assert_int_not_equal(vigil_profile__add_exec_digest(p, 0, 0, "/bin/a", "xyz"), 0);
	assert_int_equal(vigil_matcher__new(p, NULL, &m), 0);
	assert_int_equal(vigil_matcher__exec_digest(m, "/bin/a", H1), VIGIL_DIGEST_MATCH);
	assert_int_equal(vigil_matcher__exec_digest(m, "/bin/a", H2), VIGIL_DIGEST_MISMATCH);
	assert_int_equal(vigil_matcher__exec_digest(m, "/bin/a", NULL), VIGIL_DIGEST_MISMATCH);
	assert_int_equal(vigil_matcher__exec_digest(m, "/bin/b", H2), VIGIL_DIGEST_UNKNOWN);
	/* "/bin/a" is not a prefix match for "/bin/a b" or "/bin/ab" */
	assert_int_equal(vigil_matcher__exec_digest(m, "/bin/ab", H1), VIGIL_DIGEST_UNKNOWN);
	vigil_matcher__free(m);
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_emit_canon),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_build_and_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
