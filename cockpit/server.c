// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's server: listening address, TLS, the libmicrohttpd daemon in external epoll
 * mode and the loop thread that drives it, resumes connections whose work is done and
 * enforces every connection's deadline (conn.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cockpit/cockpit_internal.h"
#include "util/fileio.h"
#include "util/lazylib.h"
#include "util/strutil.h"
#include "vigil/store.h"

#define DEFAULT_LISTEN "127.0.0.1:7070"
#define LOOP_TICK_MS   100
#define MAX_PEM	       (1u << 20)

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

static void defaults(struct vigil_cockpit_opts *o)
{
	if (!o->listen)
		o->listen = DEFAULT_LISTEN;
	if (!o->store)
		o->store = VIGIL_STORE_DEFAULT;
	if (!o->max_body_bytes)
		o->max_body_bytes = 16u << 20;
	if (!o->max_inflight_bytes)
		o->max_inflight_bytes = 256u << 20;
	if (!o->max_connections)
		o->max_connections = 1024;
	if (!o->max_per_ip)
		o->max_per_ip = 64;
	if (!o->header_timeout_ns)
		o->header_timeout_ns = 10000000000ull;
	if (!o->body_timeout_ns)
		o->body_timeout_ns = 60000000000ull;
	if (!o->idle_timeout_ns)
		o->idle_timeout_ns = 30000000000ull;
	if (!o->readers)
		o->readers = 2;
	if (!o->query_timeout_ns)
		o->query_timeout_ns = 5000000000ull;
	if (!(o->node_rate > 0))
		o->node_rate = 50;
	if (!(o->node_bytes_rate > 0))
		o->node_bytes_rate = 8u << 20;
	if (!(o->node_items_rate > 0))
		o->node_items_rate = 20000;
	if (o->readers > COCKPIT_MAX_READERS)
		o->readers = COCKPIT_MAX_READERS;
	if (!o->creds_refresh_ns)
		o->creds_refresh_ns = 1000000000ull;
}

void cockpit_job_done(struct vigil_cockpit *c, struct cockpit_job *job)
{
	uint64_t one = 1;

	pthread_mutex_lock(&c->done_mu);
	job->next = c->done;
	c->done = job;
	pthread_mutex_unlock(&c->done_mu);
	if (write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the loop is awake anyway */
	}
}

static void resume_done(struct vigil_cockpit *c)
{
	struct cockpit_job *list;

	pthread_mutex_lock(&c->done_mu);
	list = c->done;
	c->done = NULL;
	pthread_mutex_unlock(&c->done_mu);
	while (list) {
		struct cockpit_job *next = list->next;

		cockpit_http_resume(c, list);
		list = next;
	}
}

static void *loop_main(void *arg)
{
	struct vigil_cockpit *c = arg;
	uint64_t last_enforce = 0;

	pthread_setname_np(pthread_self(), "vigil-loop");
	while (!atomic_load(&c->stop)) {
		struct epoll_event ev[4];
		MHD_UNSIGNED_LONG_LONG to = 0;
		int timeout = LOOP_TICK_MS;
		uint64_t now, drained;

		if (MHD_get_timeout(c->daemon, &to) == MHD_YES && to < (unsigned)timeout)
			timeout = (int)to;
		epoll_wait(c->epoll_fd, ev, 4, timeout);
		if (read(c->wake_fd, &drained, sizeof(drained)) < 0) {
			/* EAGAIN: nothing was signalled */
		}
		resume_done(c);
		MHD_run(c->daemon);
		now = vigil_realtime_ns();
		if (now - last_enforce >= LOOP_TICK_MS * 1000000ull) {
			cockpit_conns_enforce(c, now);
			last_enforce = now;
		}
	}
	resume_done(c);
	MHD_run(c->daemon);
	return NULL;
}

static int read_pem(const char *path, char **ret, struct vigil_error *err)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	FILE *f = fopen(path, "re");
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (!f)
		return vigil_error__set(err, -errno, path, 0, 0, "cannot read: %s",
					strerror(errno));
	b.max = MAX_PEM;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = vigil_buf__append(&b, chunk, n)))
			break;
	fclose(f);
	if (rc || !b.data || !strstr(b.data, "-----BEGIN ")) {
		vigil_buf__release(&b);
		return vigil_error__set(err, rc ? rc : -EINVAL, path, 0, 0, "%s",
					rc ? "too large for a PEM file" : "not a PEM file");
	}
	*ret = vigil_buf__steal(&b, NULL);
	return 0;
}

static int start_daemon(struct vigil_cockpit *c, struct sockaddr_storage *ss,
			struct vigil_error *err)
{
	/* no MHD_USE_ERROR_LOG: a flood of broken clients would flood the log too */
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	struct epoll_event ev = { .events = EPOLLIN };
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, c->tls_key },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, c->tls_cert },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		  (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
		{ MHD_OPTION_END, 0, NULL },
	};
	char why[256];
	int e = vigil_mhd_need("the cockpit's HTTP server", why, sizeof(why));

	if (e < 0)
		return vigil_error__set(err, e, NULL, 0, 0, "%s", why);
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (c->tls_cert)
		flags |= MHD_USE_TLS;
	c->daemon = MHD_start_daemon(
		flags, 0, cockpit_conn_accept, c, cockpit_http_handle, c, MHD_OPTION_SOCK_ADDR, ss,
		MHD_OPTION_NOTIFY_COMPLETED, cockpit_http_completed, c,
		MHD_OPTION_NOTIFY_CONNECTION, cockpit_conn_notify, c, MHD_OPTION_URI_LOG_CALLBACK,
		cockpit_uri_log, c, MHD_OPTION_CONNECTION_LIMIT, c->o.max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(c->o.idle_timeout_ns / 1000000000ull) + 1,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 512u, MHD_OPTION_ARRAY, c->tls_cert ? tls : tls + 3,
		MHD_OPTION_END);
	if (!c->daemon) {
		int rc = errno ? -errno : -EADDRINUSE;

		return vigil_error__set(err, rc, NULL, 0, 0, "cannot listen on %s: %s%s",
					c->o.listen, strerror(-rc),
					c->tls_cert ? " (or the TLS certificate and key do not "
						      "load or do not match)"
						    : "");
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
	info = MHD_get_daemon_info(c->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!info || c->epoll_fd < 0 || c->wake_fd < 0)
		return vigil_error__set(err, -EIO, NULL, 0, 0, "cannot set up the event loop");
	ev.data.fd = info->epoll_fd;
	epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, info->epoll_fd, &ev);
	ev.data.fd = c->wake_fd;
	epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->wake_fd, &ev);
	return 0;
}

int vigil_cockpit__start(const struct vigil_cockpit_opts *opts, struct vigil_cockpit **ret,
			 struct vigil_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct vigil_cockpit *c;
	int rc;

	/*
	 * Every request parses and frees many small JSON objects and a body of up to 16 MiB:
	 * keep freed memory instead of returning it to the kernel after each (page faults) and
	 * serve large bodies from the heap rather than a fresh mmap each time. The budget of
	 * bodies in hand (max_inflight_bytes) still bounds what is held.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
	if (opts)
		c->o = *opts;
	defaults(&c->o);
	c->wake_fd = c->epoll_fd = -1;
	c->conns.head.next = c->conns.head.prev = &c->conns.head;
	c->conns.per_ip = json_object();
	cockpit_rates_init(&c->rates, c->o.node_rate, c->o.node_bytes_rate, c->o.max_body_bytes);
	cockpit_rates_init_items(&c->rates, c->o.node_items_rate, COCKPIT_MAX_ITEMS);
	pthread_mutex_init(&c->done_mu, NULL);
	c->started_ns = vigil_realtime_ns();
	if (parse_listen(c->o.listen, &ss, &sslen)) {
		rc = vigil_error__set(err, -EINVAL, NULL, 0, 0,
				      "listen address '%s' is not HOST:PORT ([::1]:PORT for IPv6)",
				      c->o.listen);
		goto fail;
	}
	if (!c->o.tls_cert_file != !c->o.tls_key_file) {
		rc = vigil_error__set(err, -EINVAL, NULL, 0, 0,
				      "TLS needs both --tls-cert and --tls-key");
		goto fail;
	}
	if (!is_loopback(&ss) && !c->o.tls_cert_file) {
		rc = vigil_error__set(err, -EPERM, NULL, 0, 0,
				      "refusing plain HTTP on a non-loopback address: give "
				      "--tls-cert and --tls-key (or listen on 127.0.0.1)");
		goto fail;
	}
	if (!is_loopback(&ss) && !c->o.analyst_token) {
		rc = vigil_error__set(
			err, -EPERM, NULL, 0, 0,
			"refusing to serve evidence on a non-loopback address without "
			"an analyst token (give --analyst-token-file, or listen on "
			"127.0.0.1)");
		goto fail;
	}
	c->open_mode = !c->o.analyst_token;
	if (c->o.tls_cert_file && ((rc = read_pem(c->o.tls_cert_file, &c->tls_cert, err)) ||
				   (rc = read_pem(c->o.tls_key_file, &c->tls_key, err))))
		goto fail;
	c->auth = cockpit_auth_new(c->o.analyst_token);
	c->store_spec = strdup(c->o.store);
	if (!c->auth || !c->store_spec) {
		rc = vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
		goto fail;
	}
	c->o.store = c->store_spec;
	c->o.analyst_token = NULL; /* kept in c->auth only */
	rc = cockpit_work_start(c, c->store_spec, err);
	if (rc)
		goto fail;
	rc = start_daemon(c, &ss, err);
	if (rc)
		goto fail;
	rc = pthread_create(&c->loop, NULL, loop_main, c);
	if (rc) {
		rc = vigil_error__set(err, -rc, NULL, 0, 0, "cannot start the event loop");
		goto fail;
	}
	c->loop_started = true;
	*ret = c;
	return 0;
fail:
	vigil_cockpit__free(c);
	return rc;
}

uint16_t vigil_cockpit__port(const struct vigil_cockpit *c)
{
	return c->port;
}

void vigil_cockpit__free(struct vigil_cockpit *c)
{
	if (!c)
		return;
	/* the workers finish what they hold while the loop still answers it */
	cockpit_work_stop(c);
	if (c->loop_started) {
		uint64_t one = 1;

		atomic_store(&c->stop, true);
		if (write(c->wake_fd, &one, sizeof(one)) < 0) {
			/* saturated: the loop wakes anyway */
		}
		pthread_join(c->loop, NULL);
	}
	if (c->daemon)
		MHD_stop_daemon(c->daemon);
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	json_decref(c->conns.per_ip);
	cockpit_rates_release(&c->rates);
	cockpit_auth_free(c->auth);
	free(c->store_spec);
	free(c->tls_cert);
	if (c->tls_key) {
		OPENSSL_cleanse(c->tls_key, strlen(c->tls_key));
		free(c->tls_key);
	}
	pthread_mutex_destroy(&c->done_mu);
	free(c);
}
