// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts prepared from a body's text without a jansson tree (lib/store/ingest_text.c, read
 * by lib/store/alert_text.c): a plain batch gives the rows and placeholders that parsing it
 * and preparing the parsed alerts gives, row for row (escapes, UTF-8, nested values, a node
 * and an incident given or not); whatever it cannot take for certain (invalid JSON, a
 * duplicate key, \u0000, a surrogate escape, a number past int64_t or DBL_MAX, an alert the
 * parsed way would reject or change) it declines, so the caller parses the body as before.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cockpit/cockpit_internal.h"
#include "vigil/store_fleet.h"

#define NOW  1800000000000000000ull /* 2027-01-15 */
#define ID0  "\"alert_id\":\"0123456789abcdef0123456789abcdef\""
#define ID1  "\"alert_id\":\"0123456789abcdef0123456789abcde1\""
#define TIME "\"time\":\"2026-11-22T10:00:00.123456789Z\""
#define RULE "\"rule_id\":\"R0001\""

static const struct vigil_ingest in = { .node = "n1", .now_ns = NOW, .need_alert_id = true };

/* body taken by the text way, with what the parsed way makes; n: its alerts. */
static void same_both_ways(const char *body, size_t n)
{
	struct vigil_store_prepared *fast = NULL, *slow = NULL;
	struct vigil_item_result res[8] = { 0 };
	struct vigil_text *spans = NULL;
	struct vigil_ingest pin = in;
	json_t *items, *fr, *fp, *sr, *sp;
	json_error_t err;
	size_t got = 0;

	assert_true(n <= 8);
	assert_int_equal(
		vigil_store__prepare_alerts_text(&in, body, strlen(body), 10000, &fast, &got), 0);
	assert_int_equal(got, n);
	items = cockpit_batch_parse(body, strlen(body), 10000, &spans, &err);
	assert_non_null(items);
	assert_non_null(spans);
	pin.texts = spans;
	assert_int_equal(vigil_store__prepare_alerts(&pin, items, res, &slow), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(res[i].status, 0);
	vigil_store_prepared__rows(fast, &fr, &fp);
	vigil_store_prepared__rows(slow, &sr, &sp);
	assert_int_equal(json_array_size(fr), n);
	if (!json_equal(fr, sr) || !json_equal(fp, sp)) {
		char *a = json_dumps(fr, JSON_INDENT(1)), *b = json_dumps(sr, JSON_INDENT(1));

		fprintf(stderr, "text way:\n%s\nparsed way:\n%s\n", a, b);
		free(a);
		free(b);
		fail_msg("the rows differ for %s", body);
	}
	vigil_store_prepared__free(fast);
	vigil_store_prepared__free(slow);
	free(spans);
	json_decref(items);
}

static void declined(const char *body)
{
	struct vigil_store_prepared *p = NULL;
	size_t n = 7;

	if (vigil_store__prepare_alerts_text(&in, body, strlen(body), 10000, &p, &n) != 1)
		fail_msg("taken, not declined: %s", body);
	assert_null(p);
	assert_int_equal(n, 0);
}

static void test_plain_batches(void **state)
{
	(void)state;
	/* as the agent sends them (bench_fleet's shape) */
	same_both_ways("[{" ID0 "," TIME "," RULE ",\"rule_name\":\"Unexpected process\","
		       "\"severity\":7,\"message\":\"m\",\"workload\":{\"id\":\"wl-1\",\"name\":"
		       "\"app\",\"namespace\":\"prod\",\"container_id\":\"\"},\"process\":{\"pid\":"
		       "4242,\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\"},\"event\":{\"type\":"
		       "\"exec\"}}]",
		       1);
	/* escapes, UTF-8 as sent and escaped, nested values of every kind, spaces */
	same_both_ways(
		" [ { " ID0 " , " TIME " ,\n" RULE ",\"message\":\"exec of \\\"/bin/sh\\\" "
		"\\u00e9\\u4e2d\\/\\b\\f\\n\\r\\t\\\\ \xc3\xbc \xe4\xb8\xad \xf0\x9f\x98\x80\","
		"\"x\":{\"a\":[1,2.5,-0,1e5,-1E-7,true,false,null,[],{}]},"
		"\"workload\":{\"name\":\"caf\\u00e9\",\"labels\":{\"id\":\"not it\"}} } ,"
		"{" ID1 "," TIME "," RULE "} ]\n",
		2);
	/* node given as the credential's; incident given; severity and pid clamped; a workload
	 * that is not an object; cgroup as the loose incident's key */
	same_both_ways("[{" ID0 "," TIME "," RULE ",\"node\":\"n1\",\"incident_id\":\"abc123\","
		       "\"severity\":300,\"process\":{\"pid\":-5}},"
		       "{" ID1 "," TIME "," RULE ",\"severity\":-1,\"workload\":\"x\",\"process\":{"
		       "\"pid\":99999999999,\"comm\":5}},"
		       "{\"alert_id\":\"0123456789abcdef0123456789abcde2\"," TIME "," RULE
		       ",\"workload\":{\"cgroup\":\"/kubepods/x\",\"id\":\"\"},\"severity\":2.0}]",
		       3);
	/* docs/ALERTS.md's example as an agent sends it (its node the credential's, its
	 * incident id hex) */
	same_both_ways(
		"[{\"alert_id\":\"5f0c3a9e1b7d4c2a8e6f0a1b2c3d4e5f\",\"time\":\"2026-11-22T10:00:00."
		"123456789Z\",\n \"node\":\"n1\",\"rule_id\":\"R0001\",\"rule_name\":\"Unexpected "
		"process launched\",\"severity\":1,\n \"message\":\"unexpected process /usr/bin/curl "
		"launched by sh (not in profile nginx)\",\n \"mitre\":{\"tactic\":\"TA0002\","
		"\"technique\":\"T1059\"},\n \"workload\":{\"id\":\"3f1e...c9\",\"name\":\"web\","
		"\"cgroup\":\"/libpod_parent/libpod-3f1e...c9\",\n   \"container_id\":\"3f1e...c9\","
		"\"container_name\":\"web\",\"pod\":\"\",\"namespace\":\"\",\n   \"image\":"
		"\"localhost/nginx:1\"},\n \"process\":{\"pid\":4242,\"ppid\":4200,\"comm\":\"curl\","
		"\"exe\":\"/usr/bin/curl\",\n   \"args\":[\"curl\",\"-s\",\"http://example.org\"],"
		"\"uid\":0,\"gid\":0,\"cwd\":\"/\"},\n \"event\":{\"type\":\"exec\",\"path\":"
		"\"/usr/bin/curl\",\"upper_layer\":false,\"memfd\":false,\"dev_shm\":false},\n "
		"\"profile\":{\"name\":\"nginx\",\"digest\":\"sha256:9b2c...\",\"signer\":"
		"\"ops@example.org\"},\n \"key\":\"/usr/bin/curl\",\"repeats\":0,\"incident_id\":"
		"\"4b1d0c\"}]",
		1);
	/* two alerts in one loose incident: one placeholder */
	same_both_ways("[{" ID0 "," TIME "," RULE ",\"workload\":{\"name\":\"a\"}},{" ID1 "," TIME
		       "," RULE ",\"workload\":{\"name\":\"a\"}}]",
		       2);
}

static void test_declined(void **state)
{
	static const char *const bodies[] = {
		/* not a plain array of objects */
		"{" ID0 "," TIME "," RULE "}",
		"[]",
		"[{" ID0 "," TIME "," RULE "}] x",
		"[{" ID0 "," TIME "," RULE "},]",
		"[{" ID0 "," TIME "," RULE "} {" ID1 "}]",
		"[1]",
		/* JSON jansson refuses, or that this reader is not sure of */
		"[{" ID0 "," TIME "," RULE ",\"rule_id\":\"R2\"}]",
		"[{" ID0 "," TIME "," RULE ",\"x\":{\"a\":1,\"a\":2}}]",
		"[{" ID0 "," TIME "," RULE ",\"k\\u0065y\":1}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"a\\u0000b\"}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"\\ud83d\\ude00\"}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"\\x\"}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"tab\there\"}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"\xc0\xaf\"}]",
		"[{" ID0 "," TIME "," RULE ",\"m\":\"\xed\xa0\x80\"}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":1234567890123456789}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":1e999}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":01}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":1.}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":tru}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":truex}]",
		"[{" ID0 "," TIME "," RULE ",\"n\":\"unterminated}]",
		/* alerts the parsed way rejects or changes */
		"[{" TIME "," RULE "}]",
		"[{" ID0 "," RULE "}]",
		"[{" ID0 "," TIME "}]",
		"[{" ID0 "," TIME ",\"rule_id\":\"\"}]",
		"[{\"alert_id\":\"0123456789ABCDEF0123456789abcdef\"," TIME "," RULE "}]",
		"[{" ID0 ",\"time\":\"yesterday\"," RULE "}]",
		"[{" ID0 ",\"time\":\"2030-01-01T00:00:00Z\"," RULE "}]",
		"[{" ID0 "," TIME "," RULE ",\"node\":\"n2\"}]",
		"[{" ID0 "," TIME "," RULE ",\"node\":null}]",
		"[{" ID0 "," TIME "," RULE ",\"incident_id\":\"XYZ\"}]",
		"[{" ID0 "," TIME "," RULE ",\"workload\":{\"name\":null}}]",
		"[{" ID0 "," TIME "," RULE ",\"workload\":{\"id\":7}}]",
		/* one alert of many is enough */
		"[{" ID0 "," TIME "," RULE "},{" ID1 "," TIME "," RULE ",\"node\":\"n2\"}]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		declined(bodies[i]);
}

/* Nesting past what the reader follows, and a record too large for its stack buffer. */
static void test_declined_limits(void **state)
{
	char *body = malloc(16384);
	size_t o;

	(void)state;
	assert_non_null(body);
	o = (size_t)snprintf(body, 16384, "[{" ID0 "," TIME "," RULE ",\"deep\":");
	for (int i = 0; i < 70; i++)
		body[o++] = '[';
	for (int i = 0; i < 70; i++)
		body[o++] = ']';
	snprintf(body + o, 16384 - o, "}]");
	declined(body);
	o = (size_t)snprintf(body, 16384, "[{" ID0 "," TIME "," RULE ",\"m\":\"");
	memset(body + o, 'x', 5000);
	snprintf(body + o + 5000, 16384 - o - 5000, "\"}]");
	declined(body);
	free(body);
}

/* The text way needs the credential's node: without one it declines (the parsed way keeps
 * the alert's own). */
static void test_needs_node(void **state)
{
	struct vigil_ingest none = in;
	struct vigil_store_prepared *p = NULL;
	const char *body = "[{" ID0 "," TIME "," RULE "}]";
	size_t n;

	(void)state;
	none.node = NULL;
	assert_int_equal(vigil_store__prepare_alerts_text(&none, body, strlen(body), 10000, &p, &n),
			 1);
	assert_int_equal(vigil_store__prepare_alerts_text(&in, body, strlen(body), 0, &p, &n), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_batches),
		cmocka_unit_test(test_declined),
		cmocka_unit_test(test_declined_limits),
		cmocka_unit_test(test_needs_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
