// SPDX-License-Identifier: Apache-2.0
/*
 * A matcher's network entries: neighbors by address (ipindex.c) with their ports and
 * protocols, selector-only neighbors, egress neighbors' DNS names and HTTP endpoints (both in
 * segment indexes, segindex.c). matchctx.h maps the matcher's files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile/matchctx.h"
#include "profile/wildcard.h"

int mt_add_endpoint(struct vigil_matcher *m, const struct prof_endpoint *e)
{
	struct m_endpoint *x;
	const char *path;
	uint16_t port;
	int r;

	/* "" (Go's zero value, a missing endpoint) names no request */
	if (!e->endpoint || !*e->endpoint || vigil_wc_endpoint_split(e->endpoint, &port, &path) < 0)
		return 0;
	r = mt_grow((void **)&m->ep, &m->cep, m->nep, sizeof(*m->ep));
	if (r < 0)
		return r;
	x = &m->ep[m->nep];
	x->port = port;
	r = mt_dup_strv(&e->methods, &x->methods, &x->nmethods);
	if (r < 0)
		return r;
	if (e->direction && *e->direction) {
		x->direction = strdup(e->direction);
		if (!x->direction)
			return -ENOMEM;
	}
	r = vigil_segindex__add(m->endpoints, path, (uint32_t)m->nep);
	if (r == -EINVAL) {
		mt_free_strv(x->methods, x->nmethods);
		free(x->direction);
		memset(x, 0, sizeof(*x));
		return 0;
	}
	if (r < 0)
		return r;
	m->nep++;
	return 0;
}

int mt_add_neighbor(struct vigil_matcher *m, const struct prof_neighbor *nb, bool egress)
{
	struct m_neighbor *x;
	uint32_t id = (uint32_t)m->nnb;
	int r;

	r = mt_grow((void **)&m->nb, &m->cnb, m->nnb, sizeof(*m->nb));
	if (r < 0)
		return r;
	x = &m->nb[m->nnb++];
	if (nb->ports_state == PROF_SET && nb->nports) {
		x->ports = calloc(nb->nports, sizeof(*x->ports));
		if (!x->ports)
			return -ENOMEM;
		x->nports = nb->nports;
		for (size_t i = 0; i < nb->nports; i++) {
			const struct prof_port *p = &nb->ports[i];
			struct m_port *q = &x->ports[i];

			q->any_port = !p->has_port || p->port == 0;
			q->port = (uint16_t)(p->port > 0 && p->port <= 65535 ? p->port : 0);
			q->never = !prof_protocol_known(p->protocol);
			if (p->protocol && *p->protocol) {
				q->proto = strdup(p->protocol);
				if (!q->proto)
					return -ENOMEM;
			}
		}
	}
	x->egress = egress;
	x->selector_only =
		(nb->pod_selector.state == PROF_SET || nb->namespace_selector.state == PROF_SET) &&
		!(nb->ip_address && *nb->ip_address) && !nb->ip_addresses.n &&
		!(nb->dns && *nb->dns) && !nb->dns_names.n;
	m->nselector[egress] += x->selector_only;
	/* Invalid addresses (refused by lint) match nothing. */
	if (nb->ip_address) {
		r = vigil_ipindex__add(m->ip[egress], nb->ip_address, id);
		if (r < 0 && r != -EINVAL)
			return r;
	}
	for (size_t i = 0; i < nb->ip_addresses.n; i++) {
		r = vigil_ipindex__add(m->ip[egress], nb->ip_addresses.v[i], id);
		if (r < 0 && r != -EINVAL)
			return r;
	}
	if (!egress)
		return 0;
	if (nb->dns && *nb->dns) {
		r = vigil_segindex__add(m->dns, nb->dns, id);
		if (r < 0 && r != -EINVAL)
			return r;
	}
	for (size_t i = 0; i < nb->dns_names.n; i++) {
		r = vigil_segindex__add(m->dns, nb->dns_names.v[i], id);
		if (r < 0 && r != -EINVAL)
			return r;
	}
	return 0;
}

static bool any_cb(uint32_t id, void *ctx)
{
	return true;
}

bool vigil_matcher__dns(const struct vigil_matcher *m, const char *name)
{
	char buf[1024];
	int n;

	if (!m || !name)
		return false;
	n = vigil_wc_dns_normalize(name, buf, sizeof(buf));
	if (n < 0)
		return false;
	return vigil_segindex__match(m->dns, buf, (size_t)n, any_cb, NULL);
}

struct nb_ctx {
	const struct vigil_matcher *m;
	uint16_t port;
	const char *proto;
};

static bool nb_cb(uint32_t id, void *ctx)
{
	struct nb_ctx *c = ctx;
	const struct m_neighbor *x = &c->m->nb[id];

	if (!x->nports)
		return true;
	for (size_t i = 0; i < x->nports; i++) {
		const struct m_port *p = &x->ports[i];

		if (p->never || (p->proto && c->proto && strcasecmp(p->proto, c->proto) != 0))
			continue;
		if (!p->any_port && c->port && p->port != c->port)
			continue;
		return true;
	}
	return false;
}

/*
 * The addresses Kubescape's net.is_private_ip calls private (node-agent's R0011 never fires for
 * them): loopback, 10/8, 172.16/12, 192.168/16, 169.254/16, 224/4 and 240/4; for IPv6 only the
 * loopback.
 */
static bool kubescape_private(uint8_t fam, const uint8_t a[16])
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (fam == 6)
		return !memcmp(a, v6_loopback, 16);
	return a[0] == 127 || a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) || a[0] >= 224;
}

bool vigil_matcher__neighbor(const struct vigil_matcher *m, bool egress, int family,
			     const void *addr, uint16_t port, const char *proto)
{
	struct nb_ctx c = { m, port, proto };
	uint8_t a[16], fam;

	if (!m || !addr || vigil_wc_ip_normalize(family, addr, a, &fam) < 0)
		return false;
	if (vigil_ipindex__match(m->ip[egress ? 1 : 0], fam, a, nb_cb, &c))
		return true;
	/*
	 * Selector-only peers cannot be resolved to addresses here: an in-cluster address (as
	 * Kubescape counts them) on one of their ports and protocols is taken to be one of them.
	 */
	if (!m->nselector[egress ? 1 : 0] || !kubescape_private(fam, a))
		return false;
	for (size_t i = 0; i < m->nnb; i++)
		if (m->nb[i].selector_only && m->nb[i].egress == egress && nb_cb((uint32_t)i, &c))
			return true;
	return false;
}

struct ep_ctx {
	const struct vigil_matcher *m;
	uint16_t port;
	const char *method;
	const char *direction;
};

static bool ep_cb(uint32_t id, void *ctx)
{
	struct ep_ctx *c = ctx;
	const struct m_endpoint *x = &c->m->ep[id];
	bool method_ok = !x->nmethods || !c->method;

	if (x->port && x->port != c->port)
		return false;
	if (x->direction && c->direction && strcasecmp(x->direction, c->direction) != 0)
		return false;
	for (size_t i = 0; i < x->nmethods && !method_ok; i++)
		method_ok = strcasecmp(x->methods[i], c->method) == 0;
	return method_ok;
}

bool vigil_matcher__endpoint(const struct vigil_matcher *m, uint16_t port, const char *path,
			     const char *method, const char *direction)
{
	struct ep_ctx c = { m, port, method, direction };
	size_t len;

	if (!m || !path)
		return false;
	/* The profile keeps paths without the query string or fragment (Kubescape's url.Parse). */
	len = strcspn(path, "?#");
	if (len == 0)
		return false;
	return vigil_segindex__match(m->endpoints, path, len, ep_cb, &c);
}

bool vigil_matcher__has_endpoints(const struct vigil_matcher *m)
{
	return m && m->nep > 0;
}

/*
 * A list present, even empty or null, is network data: Kubescape's NetworkNeighborhood writes
 * both lists always (Go, no omitempty: `ingress: null` when nothing came in) and Vigil's
 * learning too (vigil_profile__network_watched). Both missing is an ApplicationProfile alone,
 * or a profile learned before Vigil wrote empty lists: whether anything was accepted is not
 * known. An egress list alone still says the network was watched (only Vigil's older learning
 * left out an ingress list it had nothing for).
 */
void mt_note_network(struct vigil_matcher *m, const struct prof_container *c)
{
	if (c->ingress.state != PROF_ABSENT || c->egress.state != PROF_ABSENT)
		m->net_known = true;
}

bool vigil_matcher__knows_ingress(const struct vigil_matcher *m)
{
	return m && m->net_known;
}

/*
 * The server's side of ingress: whether some ingress neighbour, whoever it names, lets a peer
 * in on local port `port` over proto. The client's address is left out on purpose (V1109): a
 * server's clients come and go, its ports do not.
 */
bool vigil_matcher__ingress_port(const struct vigil_matcher *m, uint16_t port, const char *proto)
{
	struct nb_ctx c = { m, port, proto };

	for (size_t i = 0; m && i < m->nnb; i++)
		if (!m->nb[i].egress && nb_cb((uint32_t)i, &c))
			return true;
	return false;
}
