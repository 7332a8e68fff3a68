// SPDX-License-Identifier: Apache-2.0
/*
 * The HTTP request-line parser and the endpoint generaliser (lib/analysis/http.c) on arbitrary
 * bytes, as the sensor hands them over (at most VIGIL_HTTP_SEEN_MAX bytes of a socket's first
 * write or read). Properties: a parsed request has a method from the known set, a path that
 * is bounded, NUL-terminated, starts with '/' and is visible ASCII only; its endpoint is
 * deterministic, starts with ":PORT/", and has no byte outside visible ASCII but the "⋯"
 * that replaced a segment. A prefix of an input never reads past its length (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_endpoint(const struct vigil_http_request *r, uint16_t port)
{
	char a[VIGIL_HTTP_PATH_MAX * 3 + 16], b[sizeof(a)], small[24];
	size_t n;

	if (vigil_http_endpoint(port, r->path, r->truncated, a, sizeof(a)) ||
	    vigil_http_endpoint(port, r->path, r->truncated, b, sizeof(b)) || strcmp(a, b))
		abort(); /* always fits, and deterministic */
	if (a[0] != ':' || !strchr(a, '/'))
		abort();
	n = strlen(a);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];

		if (c == 0xe2 && i + 2 < n && (unsigned char)a[i + 1] == 0x8b &&
		    (unsigned char)a[i + 2] == 0xaf) {
			i += 2;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f)
			abort();
	}
	/* a small buffer: an error or a NUL-terminated prefix, never an overrun (ASan) */
	if (!vigil_http_endpoint(port, r->path, r->truncated, small, sizeof(small)) &&
	    strnlen(small, sizeof(small)) == sizeof(small))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_http_request r;
	size_t n;
	uint16_t port = size ? (uint16_t)(data[0] * 257u) : 0;

	if (size > VIGIL_HTTP_SEEN_MAX * 2)
		size = VIGIL_HTTP_SEEN_MAX * 2;
	if (vigil_http_request_parse(data, size, &r))
		return 0;
	if (!vigil_http_method_known(r.method, strnlen(r.method, sizeof(r.method))))
		abort();
	n = strnlen(r.path, sizeof(r.path));
	if (n == sizeof(r.path) || n == 0 || r.path[0] != '/' || n > size)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r.path[i] <= 0x20 || (unsigned char)r.path[i] >= 0x7f)
			abort();
	if (r.minor > 1)
		abort();
	check_endpoint(&r, port);
	return 0;
}
