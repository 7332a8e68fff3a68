// SPDX-License-Identifier: Apache-2.0
/*
 * Every connection's deadline. libmicrohttpd's own timeout is an idle timeout: a client that
 * sends one byte a second is never idle, and enough of them fill the connection table. So
 * the cockpit tracks each connection's phase (headers, body, working, sending, idle) and
 * when it began, and the loop shuts down the socket of any connection past its phase's
 * deadline; libmicrohttpd then sees the connection end and closes it. This runs on the loop
 * thread only (the notify callbacks run there too), so a descriptor is never cut after
 * libmicrohttpd has closed it. When the table is nearly full the oldest connection still
 * sending headers makes room, so a new client (a health probe) always gets in.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cockpit/cockpit_internal.h"

/* Connections kept free for new clients; the oldest header-phase one is closed past this. */
#define RESERVE		32
#define SHED_MIN_AGE_NS 1000000000ull

static struct cockpit_conn *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void cut(struct vigil_cockpit *c, struct cockpit_conn *t, enum reject_cause why)
{
	if (t->cut)
		return;
	/* the descriptor stays open (libmicrohttpd closes it): no other socket can get it */
	shutdown(t->fd, SHUT_RDWR);
	t->cut = true;
	atomic_fetch_add(&c->m.rejected[why], 1);
}

/*
 * Keeps RESERVE connections free: while the table is fuller than that, the oldest connection
 * still sending headers (or idle between requests) is closed. A client that is served sends
 * its headers in milliseconds, so what this closes is what holds a place without using it.
 */
static void make_room(struct vigil_cockpit *c)
{
	size_t active = 0;

	for (struct cockpit_conn *t = c->conns.head.next; t != &c->conns.head; t = t->next)
		active += !t->cut;
	for (struct cockpit_conn *t = c->conns.head.next;
	     t != &c->conns.head && active + RESERVE > c->o.max_connections; t = t->next) {
		if (!t->cut && (t->phase == PH_HEADERS || t->phase == PH_IDLE)) {
			cut(c, t, REJ_SHED);
			active--;
		}
	}
}

static void ip_text(const struct sockaddr *addr, char *out, size_t size)
{
	out[0] = '\0';
	if (!addr)
		return;
	if (addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, out,
			  (socklen_t)size);
	else if (addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, out,
			  (socklen_t)size);
}

enum MHD_Result cockpit_conn_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct vigil_cockpit *c = cls;
	char ip[48];

	ip_text(addr, ip, sizeof(ip));
	if ((uint64_t)json_integer_value(json_object_get(c->conns.per_ip, ip)) >= c->o.max_per_ip) {
		atomic_fetch_add(&c->m.rejected[REJ_PER_IP], 1);
		return MHD_NO;
	}
	return MHD_YES;
}

static void ip_count(struct vigil_cockpit *c, const char *ip, int delta)
{
	json_int_t n = json_integer_value(json_object_get(c->conns.per_ip, ip)) + delta;

	if (n > 0)
		json_object_set_new(c->conns.per_ip, ip, json_integer(n));
	else
		json_object_del(c->conns.per_ip, ip);
}

void cockpit_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct vigil_cockpit *c = cls;
	struct cockpit_conn *t = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		uint64_t now = vigil_realtime_ns();

		t = calloc(1, sizeof(*t));
		if (!t) {
			/* no tracking means no deadline: refuse the connection instead */
			if (ci)
				shutdown(ci->connect_fd, SHUT_RDWR);
			return;
		}
		t->conn = conn;
		t->fd = ci ? ci->connect_fd : -1;
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		ip_text(ci ? ci->client_addr : NULL, t->ip, sizeof(t->ip));
		ip_count(c, t->ip, 1);
		t->phase = PH_HEADERS;
		t->since_ns = now;
		/* append: the list stays ordered by arrival */
		t->prev = c->conns.head.prev;
		t->next = &c->conns.head;
		t->prev->next = t;
		c->conns.head.prev = t;
		c->conns.n++;
		*socket_context = t;
		atomic_store(&c->m.connections, c->conns.n);
		if (c->conns.n + RESERVE > c->o.max_connections)
			make_room(c);
		return;
	}
	if (!t)
		return;
	t->prev->next = t->next;
	t->next->prev = t->prev;
	c->conns.n--;
	ip_count(c, t->ip, -1);
	atomic_store(&c->m.connections, c->conns.n);
	free(t);
	*socket_context = NULL;
}

void *cockpit_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct vigil_cockpit *c = cls;
	struct cockpit_conn *t = track_of(conn);

	/* a kept-alive connection starts its next request: the header deadline begins now */
	if (t && t->phase == PH_IDLE) {
		t->phase = PH_HEADERS;
		t->since_ns = vigil_realtime_ns();
	}
	(void)c;
	return NULL;
}

void cockpit_conn_phase(struct vigil_cockpit *c, struct MHD_Connection *conn, enum conn_phase ph)
{
	struct cockpit_conn *t = track_of(conn);

	if (!t || t->phase == ph)
		return;
	t->phase = ph;
	t->since_ns = vigil_realtime_ns();
}

void cockpit_conns_enforce(struct vigil_cockpit *c, uint64_t now_ns)
{
	for (struct cockpit_conn *t = c->conns.head.next; t != &c->conns.head; t = t->next) {
		uint64_t limit;

		switch (t->phase) {
		case PH_HEADERS:
			limit = c->o.header_timeout_ns;
			break;
		case PH_BODY:
		case PH_SENDING:
			limit = c->o.body_timeout_ns;
			break;
		case PH_IDLE:
			limit = c->o.idle_timeout_ns;
			break;
		default: /* working: the store answers within its own timeouts */
			continue;
		}
		if (now_ns - t->since_ns > limit)
			cut(c, t, REJ_TIMEOUT);
	}
	if (c->conns.n + RESERVE > c->o.max_connections)
		make_room(c);
}
