// SPDX-License-Identifier: Apache-2.0
/*
 * The container engine's answer about a container (sensor/agent/meta_parse.c) with hostile
 * labels: each bad label costs only itself, with a warning that names it. The labels are the
 * image's and the container creator's; the binding label next to a bad one must survive (a
 * label holding "\u0000" once made the agent drop every label of the container). t2004 does
 * the NUL, long and many cases with real podman; invalid UTF-8 and a key given twice cannot come
 * from podman (Go's encoder and maps), so they are here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sensor/agent/meta.h"
#include "util/buf.h"

#define BIND "\"app\" \"web\"\n"

static void parse(const char *text, size_t len, bool cut, struct vigil_container_meta *m)
{
	assert_int_equal(vigil_container_meta__parse(text, len, cut, m), 0);
}

static void parse_s(const char *text, struct vigil_container_meta *m)
{
	parse(text, strlen(text), false, m);
}

static void assert_warned(const struct vigil_container_meta *m, const char *what)
{
	if (!m->warnings || !strstr(m->warnings, what))
		fail_msg("no warning \"%s\" in: %s", what, m->warnings ? m->warnings : "(none)");
}

static void test_plain(void **state)
{
	struct vigil_container_meta m;

	(void)state;
	parse_s("/web-1\nbusybox:latest\n" BIND "\"note\" \"a\\nkubescape.io/x=y\"\n", &m);
	assert_string_equal(m.name, "web-1");
	assert_string_equal(m.image, "busybox:latest");
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	/* a newline inside a value forges nothing */
	assert_string_equal(vigil_container_meta__label(&m, "note"), "a\nkubescape.io/x=y");
	assert_null(vigil_container_meta__label(&m, "kubescape.io/x"));
	assert_null(m.warnings);
	vigil_container_meta__release(&m);

	parse_s("web\nimg\n", &m);
	assert_int_equal(m.nlabels, 0);
	assert_null(m.labels);
	assert_null(vigil_container_meta__label(&m, "app"));
	vigil_container_meta__release(&m);
	assert_int_equal(vigil_container_meta__parse("", 0, false, &m), -ENOENT);
}

/* The review's case: a NUL in one label's value (or key) drops that label only. */
static void test_nul(void **state)
{
	struct vigil_container_meta m;

	(void)state;
	parse_s("web\nimg\n\"a\" \"x\\u0000y\"\n" BIND "\"k\\u0000\" \"v\"\n\"z\" \"1\"\n", &m);
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_string_equal(vigil_container_meta__label(&m, "z"), "1");
	assert_null(vigil_container_meta__label(&m, "a"));
	assert_null(vigil_container_meta__label(&m, "k"));
	assert_warned(&m, "label \"a\" dropped: its value holds a NUL character");
	assert_warned(&m, "label \"k\\u0000\" dropped: its key holds a NUL character");
	vigil_container_meta__release(&m);
	/* a long key is named cut, and not inside one of its characters (22 x 3 bytes: 64 would
	 * split the 22nd euro sign) */
	parse_s("web\nimg\n\""
		"€€€€€€€€€€€€€€€€€€€€€€"
		"\" \"x\\u0000\"\n" BIND,
		&m);
	assert_int_equal(m.nlabels, 1);
	assert_warned(&m, "\"\\u20AC\\u20AC\\u20AC\\u20AC");
	assert_warned(&m, "\"... dropped: its value holds a NUL character");
	vigil_container_meta__release(&m);
}

static void test_invalid_utf8(void **state)
{
	struct vigil_container_meta m;

	(void)state;
	parse_s("web\nimg\n\"bad\" \"a\xff\"\n" BIND "\"\xc3\x28\" \"v\"\n\"z\" \"\\ud800\"\n", &m);
	assert_int_equal(m.nlabels, 1);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_warned(&m, "label \"bad\" dropped: its value is not a valid JSON string");
	assert_warned(&m, "label on line 5 dropped: its key is not a valid JSON string");
	assert_warned(&m, "label \"z\" dropped");
	vigil_container_meta__release(&m);
}

/* Twice the same key: neither is taken (which was meant is unknown), the others are. */
static void test_duplicate(void **state)
{
	struct vigil_container_meta m;

	(void)state;
	parse_s("web\nimg\n\"kubescape.io/user-defined-profile\" \"a\"\n" BIND
		"\"kubescape.io/user-defined-profile\" \"b\"\n\"z\" \"1\"\n",
		&m);
	assert_int_equal(m.nlabels, 2);
	assert_null(vigil_container_meta__label(&m, "kubescape.io/user-defined-profile"));
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_warned(&m, "label \"kubescape.io/user-defined-profile\" dropped: given more than "
			  "once");
	vigil_container_meta__release(&m);
}

/* Over the bounds: as the engine prints it (a length) and as a lying engine would. */
static void test_long(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	struct vigil_container_meta m;

	(void)state;
	assert_int_equal(
		vigil_buf__puts(&b, "web\nimg\n\"big\" 5000000\n9999 \"v\"\n" BIND "\"long\" \""),
		0);
	for (int i = 0; i <= VIGIL_META_VALUE_MAX; i++)
		assert_int_equal(vigil_buf__puts(&b, "x"), 0);
	assert_int_equal(vigil_buf__puts(&b, "\"\n\"max\" \""), 0);
	for (int i = 0; i < VIGIL_META_VALUE_MAX; i++)
		assert_int_equal(vigil_buf__puts(&b, "y"), 0);
	assert_int_equal(vigil_buf__puts(&b, "\"\n"), 0);
	parse(b.data, b.len, false, &m);
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_int_equal(strlen(vigil_container_meta__label(&m, "max")), VIGIL_META_VALUE_MAX);
	assert_warned(&m, "label \"big\" dropped: its value is 5000000 bytes long, over 4096");
	assert_warned(&m, "label dropped: its key is 9999 bytes long, over 512");
	assert_warned(&m, "label \"long\" dropped: longer than the bounds");
	vigil_container_meta__release(&m);
	vigil_buf__release(&b);
}

/* Many labels: all kept up to the bound, the binding among them; past it, said once each up to
 * the warnings' bound, then counted. */
static void test_many(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	struct vigil_container_meta m;

	(void)state;
	assert_int_equal(vigil_buf__puts(&b, "web\nimg\n" BIND), 0);
	for (int i = 0; i < VIGIL_META_LABELS_MAX + 20; i++)
		assert_int_equal(vigil_buf__printf(&b, "\"l%05d\" \"%d\"\n", i, i), 0);
	parse(b.data, b.len, false, &m);
	assert_int_equal(m.nlabels, VIGIL_META_LABELS_MAX);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_string_equal(vigil_container_meta__label(&m, "l04094"), "4094");
	assert_null(vigil_container_meta__label(&m, "l04095"));
	assert_warned(&m, "label \"l04095\" dropped: more than 4096 labels");
	assert_warned(&m, "and 13 more warnings about labels");
	vigil_container_meta__release(&m);
	vigil_buf__release(&b);
}

/* An answer cut by the reader: what arrived whole is kept. */
static void test_cut(void **state)
{
	static const char text[] = "web\nimg\n" BIND "\"half\" \"abc";
	struct vigil_container_meta m;

	(void)state;
	parse(text, sizeof(text) - 1, true, &m);
	assert_int_equal(m.nlabels, 1);
	assert_string_equal(vigil_container_meta__label(&m, "app"), "web");
	assert_warned(&m, "the engine's answer was cut at 1024 KiB: labels from line 4 on");
	vigil_container_meta__release(&m);
	/* not cut: the last line without its newline is a label like any other */
	parse(text, sizeof(text) - 1, false, &m);
	assert_int_equal(m.nlabels, 1);
	assert_warned(&m, "label \"half\" dropped: its value is not a valid JSON string");
	vigil_container_meta__release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),	     cmocka_unit_test(test_nul),
		cmocka_unit_test(test_invalid_utf8), cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_long),	     cmocka_unit_test(test_many),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
