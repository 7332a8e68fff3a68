/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x request lines, as the sensor sees them (bpf/http.bpf.c: the first bytes of a TCP
 * connection's first write or read, at most VIGIL_HTTP_SEEN_MAX), and the profile endpoint
 * they learn (":PORT/path" with each volatile path segment as "⋯", as Kubescape's endpoints).
 * Every function takes untrusted bytes with an explicit length and never reads past it.
 */
#ifndef VIGIL_HTTP_H
#define VIGIL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_HTTP_SEEN_MAX 256 /* bytes the sensor copies (VG_HTTP_MAX) */
#define VIGIL_HTTP_PATH_MAX 256 /* a path is never longer than the bytes seen */

struct vigil_http_request {
	char method[8]; /* one of GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH */
	/* the request target's path: printable ASCII, starts with '/', without the query
	 * string or fragment; an absolute-form target (a proxy request, "http://h/p") gives
	 * its path; CONNECT's "host:port" is given as "/host:port" */
	char path[VIGIL_HTTP_PATH_MAX];
	/* the request line did not end within the bytes seen: path is a prefix */
	bool truncated;
	uint8_t minor; /* HTTP/1.minor (0 or 1); 0 when truncated */
};

/*
 * Parses the request line at the start of data (len bytes): "METHOD SP target SP HTTP/1.x"
 * and CRLF or LF. Returns 0 and fills *ret, or -EINVAL when data does not start with an
 * HTTP/1.x request line (a response, TLS, HTTP/2's preface, any other protocol, a target with
 * a control or non-ASCII byte). A line cut by the end of data parses as far as it goes
 * (truncated) when at least the method, a space and the target's first byte are there.
 */
int vigil_http_request_parse(const uint8_t *data, size_t len, struct vigil_http_request *ret);

/* Whether m (len bytes) is a method of the known set, in upper case. */
bool vigil_http_method_known(const char *m, size_t len);

/*
 * The profile endpoint for a request to port (the server's port: the peer's for an outbound
 * request, the local one for an inbound): ":PORT" + path with every volatile segment as "⋯"
 * (a number, a UUID, twelve or more hex digits mixing digits and letters, an opaque token of
 * 20 or more letters and digits mixing both), and a truncated path's last (cut) segment as
 * "⋯", also when it is empty (the cut fell right after a '/'). Deterministic. Returns 0, or -ENOSPC when out (size bytes) is too small.
 */
int vigil_http_endpoint(uint16_t port, const char *path, bool truncated, char *out, size_t size);

#endif
