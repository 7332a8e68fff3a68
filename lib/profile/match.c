// SPDX-License-Identifier: Apache-2.0
/*
 * vigil_matcher: one container's profile entries compiled into indexes (index.h), so a lookup
 * costs the same at 100 entries as at 50 000. This file holds the matcher itself and its
 * string sets; exec and open entries are in match_path.c, network entries in match_net.c
 * (matchctx.h maps them). The rules each lookup applies, and why, are in docs/PROFILES.md
 * ("Matching"); wildcard.h names the Kubescape sources they follow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/matchctx.h"
#include "profile/wdirs.h"
#include "profile/wildcard.h"
#include "util/strutil.h"

void mt_free_strv(char **v, size_t n)
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
		mt_free_strv(m->ex[i].args, m->ex[i].nargs);
		free(m->ex[i].kinds);
	}
	free(m->ex);
	free(m->op);
	for (size_t i = 0; i < m->nep; i++) {
		mt_free_strv(m->ep[i].methods, m->ep[i].nmethods);
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
		mt_free_strv(m->pol[i].procs, m->pol[i].nprocs);
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
int mt_grow(void **v, size_t *cap, size_t n, size_t elem)
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

int mt_dup_strv(const struct prof_strs *l, char ***ret, size_t *ret_n)
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
			mt_free_strv(v, i);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = l->n;
	return 0;
}

static int add_policy(struct vigil_matcher *m, const struct prof_rule_policy *p)
{
	struct m_policy *x;
	int r;

	if (!p->rule_id)
		return 0;
	r = mt_grow((void **)&m->pol, &m->cpol, m->npol, sizeof(*m->pol));
	if (r < 0)
		return r;
	x = &m->pol[m->npol++];
	x->container_allowed = p->container_allowed == PROF_TRI_TRUE;
	x->rule_id = strdup(p->rule_id);
	if (!x->rule_id)
		return -ENOMEM;
	return mt_dup_strv(&p->process_allowed, &x->procs, &x->nprocs);
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
		r = mt_grow((void **)&m->scopes, &m->cscopes, m->nscopes, sizeof(*m->scopes));
		if (r < 0)
			return r;
		if (!(sub = matcher_alloc()))
			return -ENOMEM;
		m->scopes[m->nscopes].m = sub;
		if (!(m->scopes[m->nscopes++].exe = strdup(sec->name)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < sec->execs.n && r == 0; i++)
		r = mt_add_exec(sub, &sec->execs.v[i]);
	for (size_t i = 0; i < sec->opens.n && r == 0; i++)
		r = mt_add_open(sub, &sec->opens.v[i]);
	return r;
}

/* One container of the profile into the matcher (prof_each_container's fn). */
static int add_container(const struct prof_container *c, void *arg)
{
	struct vigil_matcher *m = arg;
	int r = mt_reserve_paths(m, c);

	for (size_t i = 0; i < c->execs.n && r == 0; i++)
		r = mt_add_exec(m, &c->execs.v[i]);
	for (size_t i = 0; i < c->opens.n && r == 0; i++)
		r = mt_add_open(m, &c->opens.v[i]);
	for (size_t i = 0; i < c->endpoints.n && r == 0; i++)
		r = mt_add_endpoint(m, &c->endpoints.v[i]);
	mt_note_network(m, c);
	for (size_t i = 0; i < c->ingress.n && r == 0; i++)
		r = mt_add_neighbor(m, &c->ingress.v[i], false);
	for (size_t i = 0; i < c->egress.n && r == 0; i++)
		r = mt_add_neighbor(m, &c->egress.v[i], true);
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

int vigil_matcher__new(const struct vigil_profile *p, const char *container,
		       struct vigil_matcher **ret)
{
	struct vigil_matcher *m;
	int r;

	if (!p || !ret)
		return -EINVAL;
	m = matcher_alloc();
	if (!m)
		return -ENOMEM;
	r = prof_each_container(p, container, add_container, m);
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

size_t mt_strv_bytes(char **v, size_t n)
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
		b += mt_strv_bytes(m->ex[i].args, m->ex[i].nargs) + m->ex[i].nargs;
	for (size_t i = 0; i < m->nep; i++)
		b += mt_strv_bytes(m->ep[i].methods, m->ep[i].nmethods);
	for (size_t i = 0; i < m->nnb; i++)
		b += m->nb[i].nports * sizeof(*m->nb[i].ports);
	for (size_t i = 0; i < m->npol; i++)
		b += mt_strv_bytes(m->pol[i].procs, m->pol[i].nprocs) + strlen(m->pol[i].rule_id) +
		     1;
	b += m->cscopes * sizeof(*m->scopes);
	for (size_t i = 0; i < m->nscopes; i++)
		b += strlen(m->scopes[i].exe) + 1 + vigil_matcher__bytes(m->scopes[i].m);
	return b;
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
