// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's Prometheus metrics (sensor/metrics/): the text format (families, labels and
 * their escaping, integer counters) and the /metrics server on loopback (what it serves,
 * what it refuses), fetched with libcurl as a scraper would.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sensor/metrics/metrics.h"
#include "util/lazylib.h"

static void test_text_format(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;

	assert_int_equal(prom_family(&b, "vigil_alerts_total", "counter", "Alerts raised."), 0);
	assert_int_equal(prom_sample(&b, "vigil_alerts_total", 3, 1, "rule", "R0001"), 0);
	assert_int_equal(prom_sample(&b, "vigil_alerts_total", 12345678901.0, 2, "rule",
				     "a\"b\\c\nd", "x", ""),
			 0);
	assert_int_equal(prom_metric(&b, "vigil_up", "gauge", "1.", 1), 0);
	assert_int_equal(prom_sample(&b, "vigil_ratio", 0.25, 0), 0);
	assert_string_equal(b.data,
			    "# HELP vigil_alerts_total Alerts raised.\n"
			    "# TYPE vigil_alerts_total counter\n"
			    "vigil_alerts_total{rule=\"R0001\"} 3\n"
			    "vigil_alerts_total{rule=\"a\\\"b\\\\c\\nd\",x=\"\"} 12345678901\n"
			    "# HELP vigil_up 1.\n# TYPE vigil_up gauge\nvigil_up 1\n"
			    "vigil_ratio 0.25\n");
	vigil_buf__release(&b);
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	return vigil_buf__append(ctx, p, size * n) < 0 ? 0 : size * n;
}

static long get(uint16_t port, const char *path, const char *method, struct vigil_buf *body)
{
	CURL *c = curl_easy_init();
	char url[128];
	long code = 0;

	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	vigil_buf__reset(body);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

static void test_server(void **state)
{
	struct vigil_metrics_server *s = NULL;
	struct vigil_buf body = VIGIL_BUF_INIT;
	struct vigil_error err = { 0 };
	const char *text = "# TYPE vigil_up gauge\nvigil_up 1\n";
	sigset_t before, after;

	pthread_sigmask(SIG_SETMASK, NULL, &before);
	assert_int_equal(vigil_metrics_server__start("127.0.0.1:0", &s, &err), 0);
	/* the server's thread blocks signals; the caller's mask is as it was */
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	assert_int_equal(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM));
	assert_int_equal(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
	assert_true(vigil_metrics_server__port(s) > 0);
	/* before the first rendering: an empty page, not an error */
	assert_int_equal(get(vigil_metrics_server__port(s), "/metrics", "GET", &body), 200);
	assert_int_equal(body.len, 0);
	assert_int_equal(vigil_metrics_server__publish(s, text, strlen(text)), 0);
	assert_int_equal(get(vigil_metrics_server__port(s), "/metrics", "GET", &body), 200);
	assert_string_equal(body.data, text);
	assert_int_equal(get(vigil_metrics_server__port(s), "/", "GET", &body), 404);
	assert_int_equal(get(vigil_metrics_server__port(s), "/metrics", "POST", &body), 405);
	vigil_buf__release(&body);
	vigil_metrics_server__free(s);

	assert_int_equal(vigil_metrics_server__start("localhost:9464", &s, &err), -EINVAL);
	assert_non_null(strstr(err.message, "numeric host"));
	assert_int_equal(vigil_metrics_server__start("127.0.0.1", &s, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_server),
	};

	{
		char why[256];

		if (vigil_curl_need("test_metrics", why, sizeof(why)) < 0) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
