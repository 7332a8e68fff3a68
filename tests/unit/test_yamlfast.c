// SPDX-License-Identifier: Apache-2.0
/*
 * The fast YAML path (lib/profile/yamlfast.c): it takes the profiles people and tools write
 * (every file in tests/data/profiles and what fmt makes of them) and builds libyaml's trees
 * exactly, positions and the comments flag included; it declines every construct it does not
 * handle and every error, so libyaml decides and words them.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/yamltree.h"
#include "util/buf.h"
#include "vigil/profile.h"

#define DATA "tests/data/profiles"

static bool same_node(const struct prof_node *a, const struct prof_node *b)
{
	if (a->type != b->type || a->stype != b->stype || a->quoted != b->quoted || a->n != b->n ||
	    a->len != b->len || a->pos.line != b->pos.line || a->pos.col != b->pos.col ||
	    a->key_pos.line != b->key_pos.line || a->key_pos.col != b->key_pos.col ||
	    !a->key != !b->key || (a->key && strcmp(a->key, b->key)) || !a->value != !b->value ||
	    (a->value && memcmp(a->value, b->value, a->len + 1)))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_node(&a->items[i], &b->items[i]))
			return false;
	return true;
}

static void release(struct prof_node *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		prof_node_release(&d[i]);
	free(d);
}

/* True when the fast path took text (and then its trees are libyaml's). */
static bool fast_takes(const char *text, size_t len)
{
	struct vigil_profile_limits lim;
	struct prof_node *fd = NULL, *ld = NULL;
	size_t fn = 0, ln = 0;
	bool fc = false, lc = false;
	struct vigil_error err;

	prof_limits_resolve(NULL, &lim);
	if (prof_parse_yaml_fast(text, len, &lim, &fd, &fn, &fc))
		return false;
	assert_int_equal(prof_parse_yaml_libyaml(text, len, "t", &lim, &ld, &ln, &lc, &err), 0);
	assert_int_equal(fn, ln);
	assert_int_equal(fc, lc);
	for (size_t i = 0; i < fn; i++)
		assert_true(same_node(&fd[i], &ld[i]));
	release(fd, fn);
	release(ld, ln);
	return true;
}

static void test_profiles_take_fast_path(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct vigil_buf y = VIGIL_BUF_INIT;
		struct vigil_profile *p = NULL;
		struct vigil_error err;
		char path[512];

		if (!strstr(e->d_name, ".yaml"))
			continue;
		snprintf(path, sizeof(path), DATA "/%s", e->d_name);
		assert_int_equal(vigil_profile__load_file(path, NULL, &p, &err), 0);
		{
			FILE *f = fopen(path, "rb");
			char buf[1 << 16];
			size_t n = fread(buf, 1, sizeof(buf), f);

			fclose(f);
			if (!fast_takes(buf, n))
				fail_msg("%s: the fast path declined", path);
		}
		/* what fmt writes: Vigil's own style */
		assert_int_equal(vigil_profile__emit_yaml(p, &y), 0);
		if (!fast_takes(y.data, y.len))
			fail_msg("%s formatted: the fast path declined", path);
		vigil_buf__release(&y);
		vigil_profile__free(p);
		files++;
	}
	closedir(d);
	assert_true(files >= 5);
}

static void test_declines(void **state)
{
	static const char *const texts[] = {
		"a: &x 1\nb: *x\n", /* anchors, aliases */
		"a: !!str 1\n",	    /* tags */
		"a:\n\t- b\n",	    /* tabs */
		"a: 1\r\nb: 2\r\n", /* CR */
		"\xef\xbb\xbf"
		"a: 1\n",		  /* BOM */
		"a: \xc2\x85x\n",	  /* NEL: a line break to libyaml */
		"a: \xff\n",		  /* not UTF-8 */
		"a: |\n  text\n",	  /* block scalar */
		"a: one\n  two\n",	  /* multi-line plain scalar */
		"a:\nb: 1\n",		  /* a null written as nothing */
		"- - x\n",		  /* compact nested sequence */
		"? a\n: b\n",		  /* complex key */
		"a: [?x]\n",		  /* '?' in a flow */
		"a: [x,\n  y]\n",	  /* multi-line flow */
		"a: \"\\u0041\"\n",	  /* escapes other than \\ \" \n \t */
		"a: 1\na: 2\n",		  /* duplicate key: libyaml words the error */
		"%YAML 1.1\n---\na: 1\n", /* directive */
		"a: 1\n...\n",		  /* document end */
		"---\n",		  /* empty document */
		"a: b: c\n",		  /* a value that is a mapping */
		"a:\n  b: 1\n c: 2\n",	  /* bad indentation */
		"a: 'x\n  y'\n",	  /* multi-line quoted */
		"just a scalar\n",	  /* scalar document */
		"a: {b}\n",		  /* flow key without a value */
		"a: x\0y\n",		  /* NUL */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t len = strlen(texts[i]);

		if (i == sizeof(texts) / sizeof(texts[0]) - 1)
			len = 7; /* the NUL is part of the text */
		if (fast_takes(texts[i], len))
			fail_msg("took %s", texts[i]);
	}
}

static void test_takes(void **state)
{
	static const char *const texts[] = {
		"# a comment\na: 1 # another\nb: 'it''s' # and one\n",
		"a:\n- x\n-   y\n-\n  k: v\nb: [x, 'y', \"z\\n\"]\nc: {k: v, 'q': \"w\"}\nd: []\ne: {}\n",
		"---\na: 1\n--- # second\nb:\n  - c: d\n    e: f\n  - g\n",
		"a: /etc/\xe2\x8b\xaf/x # \xe2\x8b\xaf\nb: [\xe2\x8b\xaf, y]\n", /* columns count characters */
		"k: PATH=/a:/b\nl: [PATH=/a:/b, -c]\nm: http://x/#frag\n",
		"n: ~\no: null\np: true\nq: 012\nr: 1.5e3\ns: '1'\nt: .inf\n",
		"   a: indented root\n   b: 2\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!fast_takes(texts[i], strlen(texts[i])))
			fail_msg("declined %s", texts[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_take_fast_path),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
