// SPDX-License-Identifier: Apache-2.0
/*
 * An alert too large to be one, cut to size by the cockpit (cockpit/alert_cut.c): an alert of
 * an agent's size is untouched; a long string is cut on a UTF-8 character boundary; containers
 * nested too deep are replaced; an alert whose size comes from many small members keeps only
 * its own fields; every cut alert fits the bound and says how large it was.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cockpit/cockpit_internal.h"

static size_t size_of(const json_t *j)
{
	return json_dumpb(j, NULL, 0, JSON_COMPACT);
}

static json_t *alert(void)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:{s:s, s:s}}", "alert_id",
			 "0123456789abcdef0123456789abcdef", "rule_id", "R0001", "severity", 5,
			 "message", "m", "workload", "id", "w", "name", "web");
}

static void test_small_untouched(void **state)
{
	json_t *a = alert(), *copy = json_deep_copy(a);

	assert_false(cockpit_alert_cut(a, 0));
	assert_true(json_equal(a, copy));
	json_decref(a);
	json_decref(copy);
}

static void test_long_string_cut_on_a_character(void **state)
{
	json_t *a = alert();
	size_t n = 300000;
	char *big = malloc(n + 1);
	const char *msg;

	assert_non_null(big);
	/* "é" is two bytes: the cut at 4 096 bytes falls in the middle of one unless it moves */
	big[0] = 'x';
	for (size_t i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[n - 1] = 'y';
	big[n] = '\0';
	json_object_set_new(a, "message", json_string(big));
	assert_true(cockpit_alert_cut(a, 0));
	msg = json_string_value(json_object_get(a, "message"));
	assert_non_null(msg); /* jansson refuses a string that is not UTF-8 */
	assert_true(strlen(msg) <= 4096 + 64);
	assert_non_null(strstr(msg, "cut by the cockpit"));
	assert_true(json_integer_value(json_object_get(a, "record_cut")) > (json_int_t)n);
	assert_string_equal(json_string_value(json_object_get(a, "rule_id")), "R0001");
	assert_true(size_of(a) <= COCKPIT_MAX_ALERT_BYTES);
	free(big);
	json_decref(a);
}

static void test_deep_and_wide(void **state)
{
	json_t *a = alert(), *deep = json_array(), *at = deep, *wide = json_object();
	char key[32];

	for (int i = 0; i < 1000; i++) {
		json_t *next = json_array();

		json_array_append_new(at, next);
		at = next;
	}
	json_array_append_new(at, json_string("bottom"));
	json_object_set_new(a, "deep", deep);
	json_object_set_new(a, "pad", json_pack("s", "p"));
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(wide, key, json_string("v"));
	}
	json_object_set_new(a, "wide", wide);
	assert_true(cockpit_alert_cut(a, 0));
	/* many small members: only the alert's own fields are kept */
	assert_null(json_object_get(a, "wide"));
	assert_null(json_object_get(a, "deep"));
	assert_string_equal(json_string_value(json_object_get(a, "alert_id")),
			    "0123456789abcdef0123456789abcdef");
	assert_int_equal(json_integer_value(json_object_get(a, "severity")), 5);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(a, "workload"), "name")), "web");
	assert_true(size_of(a) <= COCKPIT_MAX_ALERT_BYTES);
	json_decref(a);
}

static void test_deep_replaced(void **state)
{
	json_t *a = alert(), *deep = json_object(), *at = deep;
	size_t n = 100000;
	char *pad = malloc(n + 1), *text;

	assert_non_null(pad);
	memset(pad, 'p', n);
	pad[n] = '\0';
	for (int i = 0; i < 40; i++) {
		json_t *next = json_object();

		json_object_set_new(at, "d", next);
		at = next;
	}
	json_object_set_new(a, "deep", deep);
	json_object_set_new(a, "pad", json_string(pad));
	assert_true(cockpit_alert_cut(a, 0));
	/* a few members cut: the rest of the alert is kept, the deep part noted */
	assert_non_null(json_object_get(a, "deep"));
	text = json_dumps(a, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "nested too deep"));
	free(text);
	assert_true(json_string_length(json_object_get(a, "pad")) < 4200);
	assert_true(size_of(a) <= COCKPIT_MAX_ALERT_BYTES);
	free(pad);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_untouched),
		cmocka_unit_test(test_long_string_cut_on_a_character),
		cmocka_unit_test(test_deep_and_wide),
		cmocka_unit_test(test_deep_replaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
