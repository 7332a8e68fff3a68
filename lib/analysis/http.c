// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP/1.x request lines and the endpoints they learn (include/vigil/http.h). Pure functions
 * over bounded untrusted bytes: fuzzed by tests/fuzz/fuzz_http.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vigil/http.h"

static const char *const methods[] = { "GET",	  "HEAD",    "POST",  "PUT",  "DELETE",
				       "CONNECT", "OPTIONS", "TRACE", "PATCH" };

bool vigil_http_method_known(const char *m, size_t len)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == len && !memcmp(methods[i], m, len))
			return true;
	return false;
}

/* A byte a request target may carry: visible ASCII (RFC 9112 forbids spaces and controls in
 * it; anything else is not HTTP/1.x or is an attack on a parser, and is refused whole) */
static bool target_byte(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

int vigil_http_request_parse(const uint8_t *data, size_t len, struct vigil_http_request *ret)
{
	struct vigil_http_request r = { 0 };
	size_t i = 0, m, t0, t1, p0, n;

	if (!data || !ret)
		return -EINVAL;
	while (i < len && i < sizeof(r.method) && data[i] >= 'A' && data[i] <= 'Z')
		i++;
	m = i;
	if (i >= len || data[i] != ' ' || !vigil_http_method_known((const char *)data, m))
		return -EINVAL;
	memcpy(r.method, data, m);
	t0 = ++i;
	while (i < len && target_byte(data[i]))
		i++;
	t1 = i;
	if (t1 == t0)
		return -EINVAL;
	if (i < len) {
		/* the target ends at a space, then the version and the line's end */
		static const char v[] = " HTTP/1.";

		if (len - i < sizeof(v) - 1 + 1) {
			/* cut in the version: the target is whole */
			if (memcmp(data + i, v, len - i))
				return -EINVAL;
		} else {
			if (memcmp(data + i, v, sizeof(v) - 1))
				return -EINVAL;
			i += sizeof(v) - 1;
			if (data[i] != '0' && data[i] != '1')
				return -EINVAL;
			r.minor = (uint8_t)(data[i] - '0');
			i++;
			if (i < len && data[i] != '\r' && data[i] != '\n')
				return -EINVAL;
			if (i + 1 < len && data[i] == '\r' && data[i + 1] != '\n')
				return -EINVAL;
		}
	} else {
		r.truncated = true;
	}
	/* the path: origin-form "/p", absolute-form "scheme://authority/p", CONNECT's
	 * authority-form "host:port", OPTIONS' asterisk-form "*" */
	p0 = t0;
	if (data[t0] != '/') {
		size_t s = t0;

		while (s + 2 < t1 && data[s] != ':')
			s++;
		if (s + 2 < t1 && data[s] == ':' && data[s + 1] == '/' && data[s + 2] == '/') {
			p0 = s + 3;
			while (p0 < t1 && data[p0] != '/')
				p0++;
			if (p0 == t1 && !r.truncated) {
				/* "http://host" names the root */
				r.path[0] = '/';
				goto done;
			}
			if (p0 == t1)
				return -EINVAL; /* cut inside the authority: no path seen */
		} else {
			/* CONNECT host:port as "/host:port", OPTIONS * as "/" followed by "*", none else */
			if (!strcmp(r.method, "CONNECT") ||
			    (!strcmp(r.method, "OPTIONS") && t1 - t0 == 1 && data[t0] == '*')) {
				n = t1 - t0;
				if (n > sizeof(r.path) - 2)
					n = sizeof(r.path) - 2;
				r.path[0] = '/';
				memcpy(r.path + 1, data + t0, n);
				r.path[n + 1] = '\0';
				goto done;
			}
			return -EINVAL;
		}
	}
	n = 0;
	while (p0 + n < t1 && data[p0 + n] != '?' && data[p0 + n] != '#')
		n++;
	if (p0 + n < t1)
		r.truncated = false; /* the path itself ended: only the query was cut */
	if (n > sizeof(r.path) - 1) {
		n = sizeof(r.path) - 1;
		r.truncated = true;
	}
	memcpy(r.path, data + p0, n);
	r.path[n] = '\0';
done:
	if (r.truncated)
		r.minor = 0;
	*ret = r;
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return true;
}

/* A segment that names one object among many (an id) rather than a resource kind */
static bool volatile_segment(const char *s, size_t n)
{
	size_t digits = 0, hex = 0, alnum = 0;

	if (n == 0)
		return false;
	if (is_uuid(s, n))
		return true;
	for (size_t i = 0; i < n; i++) {
		digits += s[i] >= '0' && s[i] <= '9';
		hex += is_hex(s[i]);
		alnum += is_alnum(s[i]) || s[i] == '-' || s[i] == '_';
	}
	if (digits == n)
		return true; /* a number: /items/123 */
	if (hex == n && n >= 12 && digits && digits < n)
		return true; /* a hash or an object id: /blobs/3f2a9c0d11ee */
	/* an opaque token (/s/Ab3dE9fGh2JkL5mNp7Qr): letters and digits mixed, long */
	return alnum == n && n >= 20 && digits && digits < n;
}

int vigil_http_endpoint(uint16_t port, const char *path, bool truncated, char *out, size_t size)
{
	static const char wild[] = "\xe2\x8b\xaf"; /* ⋯ */
	size_t o, i = 0;
	int k;

	if (!out || !size)
		return -ENOSPC;
	k = snprintf(out, size, ":%u", (unsigned)port);
	if (k < 0 || (size_t)k >= size)
		return -ENOSPC;
	o = (size_t)k;
	if (!path || path[0] != '/')
		path = "/";
	while (path[i]) {
		size_t s = ++i, n = 0; /* path[i - 1] is '/' */
		const char *seg;
		size_t segn;
		bool last;

		while (path[s + n] && path[s + n] != '/')
			n++;
		last = !path[s + n];
		seg = path + s;
		segn = n;
		/* a cut path went on past its last segment, even an empty one (a cut right
		 * after '/'): that segment is not known, never a literal */
		if ((truncated && last) || volatile_segment(path + s, n)) {
			seg = wild;
			segn = sizeof(wild) - 1;
		}
		if (o + 1 + segn >= size)
			return -ENOSPC;
		out[o++] = '/';
		memcpy(out + o, seg, segn);
		o += segn;
		i = s + n;
	}
	if (o == (size_t)k) {
		if (o + 1 >= size)
			return -ENOSPC;
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}
