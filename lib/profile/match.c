// SPDX-License-Identifier: Apache-2.0
/*
 * vigil_matcher: one container's profile entries compiled into indexes (index.h), so a lookup
 * costs the same at 100 entries as at 50 000. The rules each lookup applies, and why, are in
 * docs/PROFILES.md ("Matching"); wildcard.h names the Kubescape sources they follow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile/index.h"
#include "profile/model.h"
#include "profile/wdirs.h"
#include "profile/wildcard.h"
#include "util/strutil.h"

struct m_exec {
	bool check_args;
	char **args;
	uint8_t *kinds; /* vigil_wc_arg_kind of each argument, classified once */
	size_t nargs;
};

struct m_open {
	bool any_flags; /* the entry lists no flags: its path alone decides */
	uint64_t flags;
};

struct m_endpoint {
	uint16_t port; /* 0 = any */
	char **methods;
	size_t nmethods;
	char *direction; /* NULL = any */
};

struct m_port {
	bool any_port;
	uint16_t port;
	char *proto; /* NULL = any */
};

struct m_neighbor {
	struct m_port *ports; /* none = any port and protocol */
	size_t nports;
	/*
	 * A peer named only by podSelector/namespaceSelector (what Kubescape learns for in-cluster
	 * peers): no address to look up, so it allows in-cluster addresses on its ports.
	 */
	bool selector_only;
	bool egress;
};

struct m_policy {
	char *rule_id;
	bool container_allowed;
	char **procs;
	size_t nprocs;
};

/* A byExecutable section: the execs and opens of one executable, compiled alike. */
struct m_scope {
	char *exe;
	struct vigil_matcher *m;
};

struct vigil_matcher {
	struct vigil_segindex *execs, *opens, *endpoints, *dns;
	struct vigil_wdirs *wdirs;   /* directories the opens write in (V1102) */
	struct vigil_ipindex *ip[2]; /* [0] ingress, [1] egress */
	struct vigil_strset *syscalls, *caps, *iouring;
	struct vigil_strset *digests, *digest_paths; /* execDigests entries; their paths */
	bool has_syscalls;
	struct m_exec *ex;
	size_t nex, cex;
	struct m_open *op;
	size_t nop, cop;
	struct m_endpoint *ep;
	size_t nep, cep;
	struct m_neighbor *nb;
	size_t nnb, cnb;
	size_t nselector[2]; /* selector-only neighbors, [0] ingress, [1] egress */
	struct m_policy *pol;
	size_t npol, cpol;
	struct m_scope *scopes; /* sorted by exe once built */
	size_t nscopes, cscopes;
	bool has_scopes; /* the profile has byExecutable (maybe empty) */
};

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void vigil_matcher__free(struct vigil_matcher *m)
{
	if (!m)
		return;
	vigil_segindex__free(m->execs);
	vigil_segindex__free(m->opens);
	vigil_wdirs__free(m->wdirs);
	vigil_segindex__free(m->endpoints);
	vigil_segindex__free(m->dns);
	vigil_ipindex__free(m->ip[0]);
	vigil_ipindex__free(m->ip[1]);
	vigil_strset__free(m->syscalls);
	vigil_strset__free(m->caps);
	vigil_strset__free(m->iouring);
	vigil_strset__free(m->digests);
	vigil_strset__free(m->digest_paths);
	for (size_t i = 0; i < m->nex; i++) {
		free_strv(m->ex[i].args, m->ex[i].nargs);
		free(m->ex[i].kinds);
	}
	free(m->ex);
	free(m->op);
	for (size_t i = 0; i < m->nep; i++) {
		free_strv(m->ep[i].methods, m->ep[i].nmethods);
		free(m->ep[i].direction);
	}
	free(m->ep);
	for (size_t i = 0; i < m->nnb; i++) {
		for (size_t k = 0; k < m->nb[i].nports; k++)
			free(m->nb[i].ports[k].proto);
		free(m->nb[i].ports);
	}
	free(m->nb);
	for (size_t i = 0; i < m->npol; i++) {
		free(m->pol[i].rule_id);
		free_strv(m->pol[i].procs, m->pol[i].nprocs);
	}
	free(m->pol);
	for (size_t i = 0; i < m->nscopes; i++) {
		free(m->scopes[i].exe);
		vigil_matcher__free(m->scopes[i].m);
	}
	free(m->scopes);
	free(m);
}

/* Grows an array so element n exists. */
static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	if (n >= UINT32_MAX - 1)
		return -E2BIG; /* ids are 32-bit */
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	memset((char *)nv + *cap * elem, 0, (ncap - *cap) * elem);
	*v = nv;
	*cap = ncap;
	return 0;
}

static int dup_strv(const struct prof_strs *l, char ***ret, size_t *ret_n)
{
	char **v;

	*ret = NULL;
	*ret_n = 0;
	if (!l->n)
		return 0;
	v = calloc(l->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		v[i] = strdup(l->v[i] ? l->v[i] : "");
		if (!v[i]) {
			free_strv(v, i);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = l->n;
	return 0;
}

/*
 * argsRequired: true -> anchored match (an empty list means "no arguments"); false -> not
 * checked (Kubescape MatchExecArgs). Unset -> Kubescape's CompareExecArgs rule: the listed
 * arguments are checked, no list means any arguments (docs/PROFILES.md).
 */
static int add_exec(struct vigil_matcher *m, const struct prof_exec *e)
{
	struct m_exec *x;
	int r;

	if (!e->path)
		return 0;
	r = grow((void **)&m->ex, &m->cex, m->nex, sizeof(*m->ex));
	if (r < 0)
		return r;
	x = &m->ex[m->nex];
	if (e->args_required == PROF_TRI_TRUE)
		x->check_args = true;
	else if (e->args_required == PROF_TRI_UNSET)
		x->check_args = e->args.n > 0;
	r = dup_strv(&e->args, &x->args, &x->nargs);
	if (r < 0)
		return r;
	if (x->nargs) {
		x->kinds = malloc(x->nargs);
		if (!x->kinds)
			return -ENOMEM;
		for (size_t i = 0; i < x->nargs; i++)
			x->kinds[i] = (uint8_t)vigil_wc_arg_kind(x->args[i]);
	}
	r = vigil_segindex__add(m->execs, e->path, (uint32_t)m->nex);
	if (r == -EINVAL) { /* a pattern the loader should have refused: it matches nothing */
		free_strv(x->args, x->nargs);
		free(x->kinds);
		memset(x, 0, sizeof(*x));
		return 0;
	}
	if (r < 0)
		return r;
	m->nex++;
	return 0;
}

static int add_open(struct vigil_matcher *m, const struct prof_open *o)
{
	struct m_open *x;
	int r;

	if (!o->path)
		return 0;
	r = grow((void **)&m->op, &m->cop, m->nop, sizeof(*m->op));
	if (r < 0)
		return r;
	x = &m->op[m->nop];
	x->any_flags = o->flags.n == 0;
	for (size_t i = 0; i < o->flags.n; i++) {
		uint64_t bits;

		/* An unknown name adds nothing: no event bit can be covered by it. */
		if (o->flags.v[i] && vigil_wc_open_flag(o->flags.v[i], &bits) == 0)
			x->flags |= bits;
	}
	r = vigil_segindex__add(m->opens, o->path, (uint32_t)m->nop);
	if (r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	m->nop++;
	if (x->any_flags || (x->flags & vigil_wdirs__write_bits()))
		return vigil_wdirs__add(m->wdirs, o->path);
	return 0;
}

static int add_endpoint(struct vigil_matcher *m, const struct prof_endpoint *e)
{
	struct m_endpoint *x;
	const char *path;
	uint16_t port;
	int r;

	if (!e->endpoint || vigil_wc_endpoint_split(e->endpoint, &port, &path) < 0)
		return 0;
	r = grow((void **)&m->ep, &m->cep, m->nep, sizeof(*m->ep));
	if (r < 0)
		return r;
	x = &m->ep[m->nep];
	x->port = port;
	r = dup_strv(&e->methods, &x->methods, &x->nmethods);
	if (r < 0)
		return r;
	if (e->direction && *e->direction) {
		x->direction = strdup(e->direction);
		if (!x->direction)
			return -ENOMEM;
	}
	r = vigil_segindex__add(m->endpoints, path, (uint32_t)m->nep);
	if (r == -EINVAL) {
		free_strv(x->methods, x->nmethods);
		free(x->direction);
		memset(x, 0, sizeof(*x));
		return 0;
	}
	if (r < 0)
		return r;
	m->nep++;
	return 0;
}

static int add_neighbor(struct vigil_matcher *m, const struct prof_neighbor *nb, bool egress)
{
	struct m_neighbor *x;
	uint32_t id = (uint32_t)m->nnb;
	int r;

	r = grow((void **)&m->nb, &m->cnb, m->nnb, sizeof(*m->nb));
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

static int add_policy(struct vigil_matcher *m, const struct prof_rule_policy *p)
{
	struct m_policy *x;
	int r;

	if (!p->rule_id)
		return 0;
	r = grow((void **)&m->pol, &m->cpol, m->npol, sizeof(*m->pol));
	if (r < 0)
		return r;
	x = &m->pol[m->npol++];
	x->container_allowed = p->container_allowed == PROF_TRI_TRUE;
	x->rule_id = strdup(p->rule_id);
	if (!x->rule_id)
		return -ENOMEM;
	return dup_strv(&p->process_allowed, &x->procs, &x->nprocs);
}

static int add_strs(struct vigil_strset *s, const struct prof_strs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		int r = l->v[i] ? vigil_strset__add(s, l->v[i]) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Capabilities are kept with their "CAP_" prefix: Kubescape's learning writes them without it
 * ("SETUID"), the sensor and hand-written profiles with it.
 */
static const char *cap_canonical(const char *name, char *buf, size_t size)
{
	if (vigil_str_has_prefix(name, "CAP_") ||
	    (size_t)snprintf(buf, size, "CAP_%s", name) >= size)
		return name;
	return buf;
}

static int add_caps(struct vigil_strset *s, const struct prof_strs *l)
{
	char buf[64];

	for (size_t i = 0; i < l->n; i++) {
		int r = l->v[i] ? vigil_strset__add(s, cap_canonical(l->v[i], buf, sizeof(buf)))
				: 0;

		if (r < 0)
			return r;
	}
	return 0;
}

/* execDigests: each entry whole, and the set of paths that have one ("PATH sha256:HEX"). */
static int add_digests(struct vigil_matcher *m, const struct prof_strs *d)
{
	int r = add_strs(m->digests, d);

	for (size_t i = 0; i < d->n && r == 0; i++) {
		const char *sp = strrchr(d->v[i], ' ');
		char *path = sp ? strndup(d->v[i], (size_t)(sp - d->v[i])) : NULL;

		r = path ? vigil_strset__add(m->digest_paths, path) : -ENOMEM;
		free(path);
	}
	return r < 0 ? r : 0;
}

static struct vigil_matcher *matcher_alloc(void)
{
	struct vigil_matcher *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->execs = vigil_segindex__new(VIGIL_WC_PATH);
	m->opens = vigil_segindex__new(VIGIL_WC_PATH);
	m->wdirs = vigil_wdirs__new();
	m->endpoints = vigil_segindex__new(VIGIL_WC_PATH);
	m->dns = vigil_segindex__new(VIGIL_WC_DNS);
	m->ip[0] = vigil_ipindex__new();
	m->ip[1] = vigil_ipindex__new();
	m->syscalls = vigil_strset__new();
	m->caps = vigil_strset__new();
	m->iouring = vigil_strset__new();
	m->digests = vigil_strset__new();
	m->digest_paths = vigil_strset__new();
	if (!m->digests || !m->digest_paths || !m->execs || !m->opens || !m->wdirs ||
	    !m->endpoints || !m->dns || !m->ip[0] || !m->ip[1] || !m->syscalls || !m->caps ||
	    !m->iouring) {
		vigil_matcher__free(m);
		return NULL;
	}
	return m;
}

static int cmp_scope(const void *a, const void *b)
{
	return strcmp(((const struct m_scope *)a)->exe, ((const struct m_scope *)b)->exe);
}

/* A section's execs and opens into the matcher of its executable (several documents may
 * have a section for one executable: they add up, as containers do). */
static int add_scope(struct vigil_matcher *m, const struct prof_container *sec)
{
	struct vigil_matcher *sub = NULL;
	int r = 0;

	if (!sec->name)
		return 0;
	for (size_t i = 0; i < m->nscopes && !sub; i++)
		if (!strcmp(m->scopes[i].exe, sec->name))
			sub = m->scopes[i].m;
	if (!sub) {
		r = grow((void **)&m->scopes, &m->cscopes, m->nscopes, sizeof(*m->scopes));
		if (r < 0)
			return r;
		if (!(sub = matcher_alloc()))
			return -ENOMEM;
		m->scopes[m->nscopes].m = sub;
		if (!(m->scopes[m->nscopes++].exe = strdup(sec->name)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < sec->execs.n && r == 0; i++)
		r = add_exec(sub, &sec->execs.v[i]);
	for (size_t i = 0; i < sec->opens.n && r == 0; i++)
		r = add_open(sub, &sec->opens.v[i]);
	return r;
}

/* Sizes the exec and open indexes for the container's entries before they go in. */
static int reserve(struct vigil_matcher *m, const struct prof_container *c)
{
	size_t wild = 0;
	int r;

	for (size_t i = 0; i < c->execs.n; i++)
		wild += c->execs.v[i].path && (strchr(c->execs.v[i].path, '*') ||
					       strstr(c->execs.v[i].path, VIGIL_WC_ONE));
	r = vigil_segindex__reserve(m->execs, c->execs.n - wild, wild);
	if (r < 0)
		return r;
	wild = 0;
	for (size_t i = 0; i < c->opens.n; i++)
		wild += c->opens.v[i].path && (strchr(c->opens.v[i].path, '*') ||
					       strstr(c->opens.v[i].path, VIGIL_WC_ONE));
	return vigil_segindex__reserve(m->opens, c->opens.n - wild, wild);
}

static int add_container(struct vigil_matcher *m, const struct prof_container *c)
{
	int r = reserve(m, c);

	for (size_t i = 0; i < c->execs.n && r == 0; i++)
		r = add_exec(m, &c->execs.v[i]);
	for (size_t i = 0; i < c->opens.n && r == 0; i++)
		r = add_open(m, &c->opens.v[i]);
	for (size_t i = 0; i < c->endpoints.n && r == 0; i++)
		r = add_endpoint(m, &c->endpoints.v[i]);
	for (size_t i = 0; i < c->ingress.n && r == 0; i++)
		r = add_neighbor(m, &c->ingress.v[i], false);
	for (size_t i = 0; i < c->egress.n && r == 0; i++)
		r = add_neighbor(m, &c->egress.v[i], true);
	for (size_t i = 0; i < c->rule_policies.n && r == 0; i++)
		r = add_policy(m, &c->rule_policies.v[i]);
	if (r == 0)
		r = add_strs(m->syscalls, &c->syscalls);
	if (r == 0)
		r = add_caps(m->caps, &c->capabilities);
	if (r == 0)
		r = add_strs(m->iouring, &c->iouring);
	if (r == 0)
		r = add_digests(m, &c->exec_digests);
	if (c->syscalls.state == PROF_SET)
		m->has_syscalls = true;
	if (c->by_exe.state != PROF_ABSENT)
		m->has_scopes = true;
	for (size_t i = 0; i < c->by_exe.n && r == 0; i++)
		r = add_scope(m, &c->by_exe.v[i]);
	return r;
}

/* The containers of a document in order: containers, initContainers, ephemeral, then CP's. */
static const struct prof_container *doc_container(const struct prof_doc *d, size_t i)
{
	const struct prof_containers *lists[] = { &d->containers, &d->init_containers,
						  &d->ephemeral_containers };

	for (size_t k = 0; k < 3; k++) {
		if (i < lists[k]->n)
			return &lists[k]->v[i];
		i -= lists[k]->n;
	}
	/* a grouped ContainerProfile's flat fields apply to no container (as in Kubescape) */
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE && i == 0 && !prof_doc_grouped(d))
		return &d->cp;
	return NULL;
}

static bool name_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int vigil_matcher__new(const struct vigil_profile *p, const char *container,
		       struct vigil_matcher **ret)
{
	struct vigil_matcher *m;
	const char *want = container;
	bool chosen = container != NULL, found = false;
	int r = 0;

	if (!p || !ret)
		return -EINVAL;
	if (!chosen) {
		for (size_t d = 0; d < p->ndocs && !chosen; d++) {
			const struct prof_container *c = doc_container(&p->docs[d], 0);

			if (c) {
				want = c->name;
				chosen = true;
			}
		}
		if (!chosen)
			return -ENOENT;
	}
	m = matcher_alloc();
	if (!m)
		return -ENOMEM;
	for (size_t d = 0; d < p->ndocs && r == 0; d++) {
		const struct prof_container *c;

		for (size_t i = 0; (c = doc_container(&p->docs[d], i)) && r == 0; i++) {
			/* A ContainerProfile's unnamed container belongs to whatever it is bound to. */
			bool unnamed_cp = c == &p->docs[d].cp && !c->name;

			if (!name_eq(c->name, want) && !(unnamed_cp && container))
				continue;
			found = true;
			r = add_container(m, c);
		}
	}
	if (r == 0 && !found)
		r = -ENOENT;
	if (r < 0)
		goto fail;
	if (m->nscopes > 1)
		qsort(m->scopes, m->nscopes, sizeof(*m->scopes), cmp_scope);
	*ret = m;
	return 0;
fail:
	vigil_matcher__free(m);
	return r;
}

static size_t strv_bytes(char **v, size_t n)
{
	size_t b = n * sizeof(*v);

	for (size_t i = 0; i < n; i++)
		b += strlen(v[i]) + 1;
	return b;
}

size_t vigil_matcher__bytes(const struct vigil_matcher *m)
{
	size_t b;

	if (!m)
		return 0;
	b = sizeof(*m) + vigil_segindex__bytes(m->execs) + vigil_segindex__bytes(m->opens) +
	    vigil_wdirs__bytes(m->wdirs) + vigil_segindex__bytes(m->endpoints) +
	    vigil_segindex__bytes(m->dns) + vigil_ipindex__bytes(m->ip[0]) +
	    vigil_ipindex__bytes(m->ip[1]) + vigil_strset__bytes(m->syscalls) +
	    vigil_strset__bytes(m->caps) + vigil_strset__bytes(m->iouring) +
	    m->cex * sizeof(*m->ex) + m->cop * sizeof(*m->op) + m->cep * sizeof(*m->ep) +
	    m->cnb * sizeof(*m->nb) + m->cpol * sizeof(*m->pol);
	for (size_t i = 0; i < m->nex; i++)
		b += strv_bytes(m->ex[i].args, m->ex[i].nargs) + m->ex[i].nargs;
	for (size_t i = 0; i < m->nep; i++)
		b += strv_bytes(m->ep[i].methods, m->ep[i].nmethods);
	for (size_t i = 0; i < m->nnb; i++)
		b += m->nb[i].nports * sizeof(*m->nb[i].ports);
	for (size_t i = 0; i < m->npol; i++)
		b += strv_bytes(m->pol[i].procs, m->pol[i].nprocs) + strlen(m->pol[i].rule_id) + 1;
	b += m->cscopes * sizeof(*m->scopes);
	for (size_t i = 0; i < m->nscopes; i++)
		b += strlen(m->scopes[i].exe) + 1 + vigil_matcher__bytes(m->scopes[i].m);
	return b;
}

/* ---- lookups ----------------------------------------------------------------------------- */

struct exec_ctx {
	const struct vigil_matcher *m;
	const char *const *argv;
	size_t argc;
	bool path_known;
};

static bool exec_cb(uint32_t id, void *ctx)
{
	struct exec_ctx *c = ctx;
	const struct m_exec *x = &c->m->ex[id];

	c->path_known = true;
	return !x->check_args || vigil_wc_args_match_kinds((const char *const *)x->args, x->kinds,
							   x->nargs, c->argv, c->argc);
}

enum vigil_match vigil_matcher__exec(const struct vigil_matcher *m, const char *path,
				     const char *const *argv, size_t argc)
{
	struct exec_ctx c = { m, argv, argv ? argc : 0, false };

	if (!m || !path)
		return VIGIL_MATCH_NO;
	if (vigil_segindex__match(m->execs, path, strlen(path), exec_cb, &c))
		return VIGIL_MATCH_YES;
	return c.path_known ? VIGIL_MATCH_ARGS : VIGIL_MATCH_NO;
}

/* An entry that checks its arguments and lists exactly these, with no wildcard among them. */
static bool exec_literal_cb(uint32_t id, void *ctx)
{
	struct exec_ctx *c = ctx;
	const struct m_exec *x = &c->m->ex[id];

	if (!x->check_args || x->nargs != c->argc)
		return false;
	for (size_t i = 0; i < x->nargs; i++) {
		if (x->kinds[i] != VIGIL_WC_ARG_LIT ||
		    strcmp(x->args[i], c->argv[i] ? c->argv[i] : "") != 0)
			return false;
	}
	return true;
}

bool vigil_matcher__exec_literal(const struct vigil_matcher *m, const char *path,
				 const char *const *argv, size_t argc)
{
	struct exec_ctx c = { m, argv, argv ? argc : 0, false };

	if (!m || !path)
		return false;
	return vigil_segindex__match(m->execs, path, strlen(path), exec_literal_cb, &c);
}

struct open_ctx {
	const struct vigil_matcher *m;
	uint64_t want;
};

static bool open_cb(uint32_t id, void *ctx)
{
	struct open_ctx *c = ctx;
	const struct m_open *x = &c->m->op[id];

	return x->any_flags || (c->want & ~x->flags) == 0;
}

bool vigil_matcher__open(const struct vigil_matcher *m, const char *path, uint32_t flags)
{
	struct open_ctx c = { m, vigil_wc_open_flags(flags) };

	if (!m || !path)
		return false;
	return vigil_segindex__match(m->opens, path, strlen(path), open_cb, &c);
}

bool vigil_matcher__dir_written(const struct vigil_matcher *m, const char *path)
{
	return m && vigil_wdirs__has(m->wdirs, path);
}

bool vigil_matcher__syscall(const struct vigil_matcher *m, const char *name)
{
	return m && vigil_strset__has(m->syscalls, name);
}

bool vigil_matcher__capability(const struct vigil_matcher *m, const char *name)
{
	char buf[64];

	return m && vigil_strset__has(m->caps, cap_canonical(name, buf, sizeof(buf)));
}

bool vigil_matcher__iouring(const struct vigil_matcher *m, const char *opname)
{
	return m && vigil_strset__has(m->iouring, opname);
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

		if (p->proto && c->proto && strcasecmp(p->proto, c->proto) != 0)
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

/*
 * A processAllowed entry names an executable: with a '/', its whole path; without, its file
 * name. Kubescape writes the kernel's comm, which is the file name cut to 15 bytes: a
 * 15-byte entry also matches a longer file name that starts with it.
 */
static bool proc_entry_matches(const char *entry, const char *exe)
{
	const char *base = strrchr(exe, '/');
	size_t n = strlen(entry);

	if (strchr(entry, '/'))
		return strcmp(entry, exe) == 0;
	base = base ? base + 1 : exe;
	return strcmp(entry, base) == 0 || (n == 15 && strncmp(entry, base, 15) == 0);
}

bool vigil_matcher__rule_allowed(const struct vigil_matcher *m, const char *rule_id,
				 const char *exe)
{
	if (!m || !rule_id)
		return false;
	for (size_t i = 0; i < m->npol; i++) {
		const struct m_policy *p = &m->pol[i];

		if (strcmp(p->rule_id, rule_id) != 0)
			continue;
		if (p->container_allowed)
			return true;
		for (size_t k = 0; exe && exe[0] && k < p->nprocs; k++)
			if (proc_entry_matches(p->procs[k], exe))
				return true;
	}
	return false;
}

enum vigil_digest_match vigil_matcher__exec_digest(const struct vigil_matcher *m, const char *path,
						   const char *sha256_hex)
{
	char entry[PROF_DIGEST_ENTRY_MAX];
	int n;

	if (!m || !path || !vigil_strset__has(m->digest_paths, path))
		return VIGIL_DIGEST_UNKNOWN;
	n = snprintf(entry, sizeof(entry), "%s sha256:%s", path, sha256_hex ? sha256_hex : "");
	if (n < 0 || (size_t)n >= sizeof(entry) || !sha256_hex)
		return VIGIL_DIGEST_MISMATCH;
	return vigil_strset__has(m->digests, entry) ? VIGIL_DIGEST_MATCH : VIGIL_DIGEST_MISMATCH;
}

bool vigil_matcher__has_syscalls(const struct vigil_matcher *m)
{
	return m && m->has_syscalls;
}

bool vigil_matcher__has_by_exe(const struct vigil_matcher *m)
{
	return m && m->has_scopes;
}

const struct vigil_matcher *vigil_matcher__by_exe(const struct vigil_matcher *m, const char *exe)
{
	struct m_scope key = { .exe = (char *)exe }, *hit;

	if (!m || !exe || !m->nscopes)
		return NULL;
	hit = bsearch(&key, m->scopes, m->nscopes, sizeof(*m->scopes), cmp_scope);
	return hit ? hit->m : NULL;
}
