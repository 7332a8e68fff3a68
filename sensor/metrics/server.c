// SPDX-License-Identifier: Apache-2.0
/*
 * The /metrics server: libmicrohttpd with its own polling thread, a handful of connections,
 * a short timeout, GET only. It serves a copy of the last published text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "sensor/metrics/metrics.h"
#include "util/lazylib.h"
#include "util/strutil.h"

#define MAX_CONNECTIONS 8
#define TIMEOUT_S	10

struct vigil_metrics_server {
	struct MHD_Daemon *d;
	uint16_t port;
	pthread_mutex_t mu;
	char *text; /* owned, under mu */
	size_t len;
};

static int parse_listen(const char *spec, struct sockaddr_storage *ss)
{
	char host[256], port[16];
	const char *colon;
	struct addrinfo hints = { 0 }, *res = NULL;
	size_t hl;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		hl = (size_t)(end - spec - 1);
		spec++;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - spec);
	}
	if (hl >= sizeof(host) || vigil_strlcpy(port, colon + 1, sizeof(port)) >= sizeof(port))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) || !res)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

int vigil_metrics_server__check_listen(const char *listen)
{
	struct sockaddr_storage ss;

	return listen ? parse_listen(listen, &ss) : -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *data_size, void **con_cls)
{
	struct vigil_metrics_server *s = cls;
	char *body;
	size_t len;

	/* a request body is never read: anything but a bodiless GET or HEAD is refused */
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, 405, "text/plain", strdup("only GET\n"), 9);
	if (strcmp(url, "/metrics"))
		return reply(c, 404, "text/plain", strdup("see /metrics\n"), 13);
	pthread_mutex_lock(&s->mu);
	len = s->len;
	body = malloc(len + 1);
	if (body) {
		memcpy(body, s->text ? s->text : "", len);
		body[len] = '\0';
	}
	pthread_mutex_unlock(&s->mu);
	if (!body)
		return MHD_NO;
	return reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

int vigil_metrics_server__start(const char *listen, struct vigil_metrics_server **ret,
				struct vigil_error *err)
{
	struct sockaddr_storage ss = { 0 };
	struct vigil_metrics_server *s;
	const union MHD_DaemonInfo *info;
	sigset_t all, old;
	int e;

	if (!listen || parse_listen(listen, &ss) < 0)
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"metrics.listen: \"%s\" is not HOST:PORT with a numeric "
					"host",
					listen ? listen : "");
	{
		char why[256];

		if ((e = vigil_mhd_need("metrics server", why, sizeof(why))) < 0)
			return vigil_error__set(err, e, "", 0, 0, "%s", why);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	/* the server's thread takes no signal: they belong to the agent's loop */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
		NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)4,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_END);
	e = s->d ? 0 : errno ? -errno : -EADDRINUSE;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->d) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return vigil_error__set(err, e, "", 0, 0, "metrics: cannot listen on %s: %s",
					listen, strerror(-e));
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*ret = s;
	return 0;
}

uint16_t vigil_metrics_server__port(const struct vigil_metrics_server *s)
{
	return s->port;
}

int vigil_metrics_server__publish(struct vigil_metrics_server *s, const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&s->mu);
	free(s->text);
	s->text = copy;
	s->len = len;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void vigil_metrics_server__free(struct vigil_metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s->text);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
