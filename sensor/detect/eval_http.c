// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP and ingress: V1108, an HTTP/1.x request (method, port and path, and its direction) the
 * profile's `endpoints` do not allow; V1109, a connection accepted on a local port no ingress
 * neighbour lists. Kubescape learns `endpoints` and has CEL functions over them
 * (was_endpoint_accessed_with_method) but, as read, no rule of its library judges them or
 * ingress: these are Vigil's own (docs/ALERTS.md).
 */
#include <stdio.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect.h"
#include "vigil/http.h"
#include "vigil/profile.h"

/*
 * The request is judged as learning writes it (vigil_http_endpoint: ids in the path as "⋯"),
 * so an entry learned literally and one learned generalised both match their kind of request.
 * Not judged when the profile lists no endpoint at all: a profile learned before Vigil read
 * HTTP (or of a workload that spoke none) would otherwise flag every request; such a
 * workload's new peers are R0011's.
 */
int detect_eval_http(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *dir = ev->net.direction == VIGIL_DIR_INBOUND ? "inbound" : "outbound";
	const char *method = ev->net.http_method ? ev->net.http_method : "";
	const char *path = ev->net.http_path ? ev->net.http_path : "";
	uint16_t port =
		ev->net.direction == VIGIL_DIR_INBOUND ? ev->net.local.port : ev->net.remote.port;
	char ep[VIGIL_HTTP_PATH_MAX * 3 + 16], key[sizeof(ep) + 32];
	const char *rel;

	if (!vigil_matcher__has_endpoints(r->b->m) || !path[0])
		return 0;
	if (vigil_http_endpoint(port, path, ev->net.http_truncated, ep, sizeof(ep)) < 0)
		return 0;
	rel = ep;
	while (*rel && *rel != '/')
		rel++; /* the path part of ":PORT/path" */
	/* the path as sent, and as learned: either entry allows it */
	if ((!ev->net.http_truncated &&
	     vigil_matcher__endpoint(r->b->m, port, path, method, dir)) ||
	    vigil_matcher__endpoint(r->b->m, port, rel, method, dir))
		return 0;
	snprintf(key, sizeof(key), "%s %s %s", dir, method, ep);
	return detect_raise(r, VIGIL_V1108, key, "unexpected HTTP request (%s): %s :%u%s%s", dir,
			    method, (unsigned)port, path, ev->net.http_truncated ? "⋯" : "");
}

/*
 * V1109 judges the server's side only: the local port a peer came in on. A server's clients
 * are many and change (every address a load balancer or a user has), so judging the peer's
 * address would flag each new client; a port the workload never served on is a listener it
 * was not built with (a bind shell, a debug port opened by an attacker). A profile whose ingress
 * is empty says the workload accepted nothing (a worker, a batch job, a client): its first
 * accept is the classic bind shell, judged. Not judged when the profile carries no network
 * data at all (an ApplicationProfile without its NetworkNeighborhood): nothing is known.
 */
int detect_eval_accept(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *proto = vigil_ip_proto_name(ev->net.proto);
	char key[32];

	if (ev->net.ret < 0 || !ev->net.local.port || !vigil_matcher__knows_ingress(r->b->m) ||
	    vigil_matcher__ingress_port(r->b->m, ev->net.local.port, proto[0] ? proto : "TCP"))
		return 0;
	snprintf(key, sizeof(key), "%s/%u", proto, ev->net.local.port);
	return detect_raise(r, VIGIL_V1109, key,
			    "connection accepted on port %u (%s), which the profile's ingress "
			    "does not list",
			    ev->net.local.port, proto);
}
