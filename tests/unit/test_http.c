// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP/1.x request lines (lib/analysis/http.c) as clients send them (curl's, python's
 * http.client's, a proxy request), what is not one (a response, TLS, HTTP/2's preface,
 * controls in the target), lines cut by the sensor's bound, and the endpoints they learn.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vigil/http.h"

static int parse(const char *s, struct vigil_http_request *r)
{
	return vigil_http_request_parse((const uint8_t *)s, strlen(s), r);
}

static void test_http_request_lines(void **state)
{
	struct vigil_http_request r;

	(void)state;
	assert_int_equal(
		parse("GET /api/items/123 HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n", &r),
		0);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.path, "/api/items/123");
	assert_false(r.truncated);
	assert_int_equal(r.minor, 1);
	/* the query string and fragment are not part of the path (Kubescape's url.Path) */
	assert_int_equal(parse("POST /admin?debug=1#x HTTP/1.0\r\n", &r), 0);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.path, "/admin");
	assert_int_equal(r.minor, 0);
	/* a proxy request: the path of the absolute URL */
	assert_int_equal(parse("GET http://example.org:8080/a/b?q HTTP/1.1\r\n", &r), 0);
	assert_string_equal(r.path, "/a/b");
	assert_int_equal(parse("GET http://example.org HTTP/1.1\r\n", &r), 0);
	assert_string_equal(r.path, "/");
	assert_int_equal(parse("CONNECT example.org:443 HTTP/1.1\r\n", &r), 0);
	assert_string_equal(r.path, "/example.org:443");
	assert_int_equal(parse("OPTIONS * HTTP/1.1\r\n", &r), 0);
	assert_string_equal(r.path, "/*");
	/* every known method; LF alone ends a line too */
	assert_int_equal(parse("DELETE /x HTTP/1.1\n", &r), 0);
	assert_int_equal(parse("PATCH /x HTTP/1.1\r\n", &r), 0);
	assert_int_equal(parse("TRACE /x HTTP/1.1\r\n", &r), 0);
	assert_int_equal(parse("HEAD /x HTTP/1.1\r\n", &r), 0);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\n", &r), 0);
}

static void test_http_not_requests(void **state)
{
	struct vigil_http_request r;
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc };

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n", &r), -EINVAL);
	assert_int_equal(parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &r), -EINVAL);
	assert_int_equal(vigil_http_request_parse(tls, sizeof(tls), &r), -EINVAL);
	assert_int_equal(parse("get /x HTTP/1.1\r\n", &r), -EINVAL);
	assert_int_equal(parse("GETX /x HTTP/1.1\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET  /x HTTP/1.1\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET /x HTTP/2\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET /x\r\n", &r), -EINVAL); /* HTTP/0.9 */
	assert_int_equal(parse("GET x HTTP/1.1\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET /a\x01"
			       "b HTTP/1.1\r\n",
			       &r),
			 -EINVAL);
	assert_int_equal(parse("GET /caf\xc3\xa9 HTTP/1.1\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET /x HTTP/1.1\rX", &r), -EINVAL);
	assert_int_equal(parse("GET ", &r), -EINVAL);
	assert_int_equal(parse("", &r), -EINVAL);
}

/* the sensor copies at most VIGIL_HTTP_SEEN_MAX bytes: a longer line is cut */
static void test_http_cut(void **state)
{
	struct vigil_http_request r;
	char line[VIGIL_HTTP_SEEN_MAX + 64], ep[1024];

	(void)state;
	assert_int_equal(parse("GET /files/report-2026", &r), 0);
	assert_true(r.truncated);
	assert_string_equal(r.path, "/files/report-2026");
	assert_int_equal(vigil_http_endpoint(80, r.path, r.truncated, ep, sizeof(ep)), 0);
	assert_string_equal(ep, ":80/files/\xe2\x8b\xaf");
	/* cut right after a '/': the path went on, so the empty segment is not "/" */
	assert_int_equal(vigil_http_endpoint(80, "/files/", true, ep, sizeof(ep)), 0);
	assert_string_equal(ep, ":80/files/\xe2\x8b\xaf");
	assert_int_equal(parse("GET /", &r), 0);
	assert_true(r.truncated);
	assert_int_equal(vigil_http_endpoint(80, r.path, r.truncated, ep, sizeof(ep)), 0);
	assert_string_equal(ep, ":80/\xe2\x8b\xaf");
	/* cut in the query or the version: the path is whole */
	assert_int_equal(parse("GET /files?name=aaaa", &r), 0);
	assert_false(r.truncated);
	assert_int_equal(parse("GET /files HTTP/1", &r), 0);
	assert_false(r.truncated);
	assert_string_equal(r.path, "/files");
	/* a target longer than the path buffer */
	memset(line, 'a', sizeof(line));
	memcpy(line, "GET /", 5);
	assert_int_equal(vigil_http_request_parse((const uint8_t *)line, VIGIL_HTTP_SEEN_MAX, &r),
			 0);
	assert_true(r.truncated);
	assert_int_equal(strlen(r.path), VIGIL_HTTP_SEEN_MAX - 4);
	memcpy(line, "GET /", 5);
	assert_int_equal(vigil_http_request_parse((const uint8_t *)line, sizeof(line), &r), 0);
	assert_true(r.truncated);
	assert_int_equal(strlen(r.path), VIGIL_HTTP_PATH_MAX - 1);
}

static void expect_endpoint(uint16_t port, const char *path, const char *want)
{
	char ep[1024];

	assert_int_equal(vigil_http_endpoint(port, path, false, ep, sizeof(ep)), 0);
	assert_string_equal(ep, want);
}

static void test_http_endpoint(void **state)
{
	char small[8];

	(void)state;
	expect_endpoint(8080, "/api/items/123", ":8080/api/items/\xe2\x8b\xaf");
	expect_endpoint(80, "/health", ":80/health");
	expect_endpoint(80, "/", ":80/");
	expect_endpoint(443, "/v1/users/0b8e5f8a-4c1d-4e2a-9f3b-6a7c8d9e0f11/orders/7",
			":443/v1/users/\xe2\x8b\xaf/orders/\xe2\x8b\xaf");
	expect_endpoint(80, "/blobs/3f2a9c0d11ee", ":80/blobs/\xe2\x8b\xaf");
	expect_endpoint(80, "/s/Ab3dE9fGh2JkL5mNp7Qr", ":80/s/\xe2\x8b\xaf");
	/* words, versions and short hex-looking words stay: they name a resource, not an object */
	expect_endpoint(80, "/api/v2/cafe/deadbeef/python3.11",
			":80/api/v2/cafe/deadbeef/python3.11");
	expect_endpoint(80, "/a//b/", ":80/a//b/");
	assert_int_equal(vigil_http_endpoint(80, "/health", false, small, sizeof(small)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_request_lines),
		cmocka_unit_test(test_http_not_requests),
		cmocka_unit_test(test_http_cut),
		cmocka_unit_test(test_http_endpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
