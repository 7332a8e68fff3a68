// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP plumbing of the cockpit: listening address, request bodies (bounded), authentication,
 * static assets, and dispatch to the API handlers in cockpit/api.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "cockpit/cockpit.h"
#include "cockpit/cockpit_internal.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "vigil/store.h"

#define DEFAULT_LISTEN	 "127.0.0.1:7070"
#define DEFAULT_MAX_BODY (16u << 20)

struct request {
	struct vigil_buf body;
	bool too_large;
};

static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256], port[16];
	const char *colon;
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
	}
	if (vigil_strlcpy(port, colon + 1, sizeof(port)) >= sizeof(port) || !port[0])
		return -EINVAL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc || !res)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, bool owned)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body,
					    owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self'; "
				"img-src 'self' data:; frame-ancestors 'none'");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result queue_reply(struct MHD_Connection *conn, struct cockpit_reply *reply)
{
	char *text;

	if (!reply->body) {
		reply->status = 500;
		reply->body = json_pack("{s:s}", "error", "out of memory");
	}
	text = reply->body ? json_dumps(reply->body, JSON_COMPACT) : NULL;
	json_decref(reply->body);
	reply->body = NULL;
	if (!text)
		return MHD_NO;
	return queue(conn, reply->status, "application/json", text, strlen(text), true);
}

static bool authorised(const struct vigil_cockpit *c, struct MHD_Connection *conn)
{
	const char *auth, *given;
	size_t want_len, given_len;

	if (!c->token)
		return true;
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (!auth || strncmp(auth, "Bearer ", 7))
		return false;
	given = auth + 7;
	given_len = strlen(given);
	want_len = strlen(c->token);
	return given_len == want_len && CRYPTO_memcmp(given, c->token, want_len) == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct vigil_cockpit *c = cls;
	struct request *req = *con_cls;
	const struct cockpit_asset *asset;
	struct cockpit_reply reply = { 0 };

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->body.max = c->max_body;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!req->too_large &&
		    vigil_buf__append(&req->body, upload_data, *upload_data_size))
			req->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (!strncmp(url, "/api/", 5)) {
		if (!authorised(c, conn)) {
			reply.status = 401;
			reply.body = json_pack("{s:s}", "error", "missing or wrong bearer token");
			return queue_reply(conn, &reply);
		}
		if (req->too_large) {
			reply.status = 413;
			reply.body = json_pack("{s:s,s:I}", "error", "request body too large",
					       "max_bytes", (json_int_t)c->max_body);
			return queue_reply(conn, &reply);
		}
		cockpit_api(c, conn, method, url, req->body.data ? req->body.data : "",
			    req->body.len, &reply);
		return queue_reply(conn, &reply);
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static char msg[] = "method not allowed\n";

		return queue(conn, 405, "text/plain", msg, sizeof(msg) - 1, false);
	}
	asset = cockpit_asset_find(!strcmp(url, "/") ? "/index.html" : url);
	if (!asset) {
		static char msg[] = "not found\n";

		return queue(conn, 404, "text/plain", msg, sizeof(msg) - 1, false);
	}
	return queue(conn, 200, asset->type, (char *)asset->data, asset->len, false);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;

	if (req) {
		vigil_buf__release(&req->body);
		free(req);
		*con_cls = NULL;
	}
}

int vigil_cockpit__start(const struct vigil_cockpit_opts *opts, struct vigil_cockpit **ret,
			 struct vigil_error *err)
{
	struct vigil_cockpit_opts defaults = { 0 };
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct vigil_cockpit *c;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	const union MHD_DaemonInfo *info;
	int rc;

	if (!opts)
		opts = &defaults;
	if (parse_listen(opts->listen ? opts->listen : DEFAULT_LISTEN, &ss, &sslen))
		return vigil_error__set(
			err, -EINVAL, NULL, 0, 0,
			"listen address '%s' is not HOST:PORT ([::1]:PORT for IPv6)", opts->listen);
	if (!is_loopback(&ss) && !(opts->token && opts->token[0]))
		return vigil_error__set(
			err, -EPERM, NULL, 0, 0,
			"refusing to serve evidence on a non-loopback address without a token "
			"(give --token-file, or listen on 127.0.0.1)");
	c = calloc(1, sizeof(*c));
	if (!c)
		return vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
	c->max_body = opts->max_body_bytes ? opts->max_body_bytes : DEFAULT_MAX_BODY;
	if (opts->token && opts->token[0]) {
		c->token = strdup(opts->token);
		if (!c->token) {
			free(c);
			return vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
		}
	}
	rc = vigil_store__open(opts->store ? opts->store : VIGIL_STORE_DEFAULT, NULL, &c->store,
			       err);
	if (rc) {
		vigil_cockpit__free(c);
		return rc;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	c->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, c, MHD_OPTION_SOCK_ADDR, &ss,
				     MHD_OPTION_NOTIFY_COMPLETED, request_done, c,
				     MHD_OPTION_CONNECTION_LIMIT,
				     opts->max_connections ? opts->max_connections : 64u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!c->daemon) {
		rc = errno ? -errno : -EADDRINUSE;
		vigil_cockpit__free(c);
		return vigil_error__set(err, rc, NULL, 0, 0, "cannot listen on %s: %s",
					opts->listen ? opts->listen : DEFAULT_LISTEN,
					strerror(-rc));
	}
	info = MHD_get_daemon_info(c->daemon, MHD_DAEMON_INFO_LISTEN_FD);
	if (info) {
		struct sockaddr_storage bound;
		socklen_t blen = sizeof(bound);

		if (!getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen))
			c->port = ntohs(bound.ss_family == AF_INET6
						? ((struct sockaddr_in6 *)&bound)->sin6_port
						: ((struct sockaddr_in *)&bound)->sin_port);
	}
	*ret = c;
	return 0;
}

uint16_t vigil_cockpit__port(const struct vigil_cockpit *c)
{
	return c->port;
}

void vigil_cockpit__free(struct vigil_cockpit *c)
{
	if (!c)
		return;
	if (c->daemon)
		MHD_stop_daemon(c->daemon);
	if (c->store) {
		vigil_store__flush(c->store, NULL);
		vigil_store__free(c->store);
	}
	free(c->token);
	free(c);
}
