// SPDX-License-Identifier: Apache-2.0
/* Lexical path normalisation (lib/util/path.c): every spelling of a path gives one string. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "util/path.h"

static const char *norm(const char *in, size_t size, bool *cut)
{
	static char out[4200];

	assert_true(size <= sizeof(out));
	vigil_path_normalize(in, strlen(in), out, size, cut);
	return out;
}

static void test_spellings(void **state)
{
	static const char *const shadow[] = {
		"/etc/shadow",		 "/etc//shadow",	  "//etc/shadow",
		"/./etc/shadow",	 "/etc/../etc/shadow",	  "/tmp/../etc/shadow",
		"/etc/./shadow/",	 "/../etc/shadow",	  "///etc///shadow//",
		"/a/b/../../etc/shadow", "/etc/x/y/../../shadow",
	};
	bool cut;

	(void)state;
	for (size_t i = 0; i < sizeof(shadow) / sizeof(shadow[0]); i++) {
		assert_string_equal(norm(shadow[i], 4096, &cut), "/etc/shadow");
		assert_false(cut);
	}
	assert_string_equal(norm("/proc/self/../self/environ", 4096, &cut), "/proc/self/environ");
	assert_string_equal(norm("/", 4096, &cut), "/");
	assert_string_equal(norm("//", 4096, &cut), "/");
	assert_string_equal(norm("/..", 4096, &cut), "/");
	assert_string_equal(norm("/.../x", 4096, &cut), "/.../x"); /* "..." is a name */
	assert_string_equal(norm("/a/..b/.c", 4096, &cut), "/a/..b/.c");
	assert_false(cut);
}

static void test_relative_and_cut(void **state)
{
	char big[4100];
	bool cut;

	(void)state;
	/* relative: nothing to anchor "..": kept, and marked */
	assert_string_equal(norm("./a//b", 4096, &cut), "a/b");
	assert_true(cut);
	assert_string_equal(norm("", 4096, &cut), ".");
	assert_true(cut);
	/* too long for out: whole components kept, marked cut */
	assert_string_equal(norm("/aaaa/bbbbbbbbbb/c", 12, &cut), "/aaaa");
	assert_true(cut);
	/* a component that did not fit, then "..": the rest is exact again */
	assert_string_equal(norm("/aaaa/bbbbbbbbbb/../c", 12, &cut), "/aaaa/c");
	assert_false(cut);
	/* "/./" x 2000 then etc/shadow: 4000+ bytes in, "/etc/shadow" out */
	for (int i = 0; i < 2000; i++)
		memcpy(big + 2 * i, "/.", 2);
	memcpy(big + 4000, "/etc/shadow", sizeof("/etc/shadow"));
	assert_string_equal(norm(big, 4096, &cut), "/etc/shadow");
	assert_false(cut);
	/* in need not be NUL-terminated */
	{
		char out[32];

		vigil_path_normalize("/etc/shadowXXXX", 11, out, sizeof(out), &cut);
		assert_string_equal(out, "/etc/shadow");
	}
}

/* The directory of a file name, as the agent's checks and profile watches take it. */
static void test_dir(void **state)
{
	char out[8];

	assert_int_equal(vigil_path_dir("/etc/vigil/a.yaml", out, sizeof(out)), -ENAMETOOLONG);
	assert_int_equal(vigil_path_dir("/etc/a", out, sizeof(out)), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(vigil_path_dir("/a", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(vigil_path_dir("a.yaml", out, sizeof(out)), 0);
	assert_string_equal(out, ".");
	assert_int_equal(vigil_path_dir("d/a", out, sizeof(out)), 0);
	assert_string_equal(out, "d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_relative_and_cut),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
