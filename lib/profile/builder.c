// SPDX-License-Identifier: Apache-2.0
/*
 * Building profiles in memory (learning) and the small accessors of profile.h. Every add is a
 * set union: a per-container hash index of entry keys makes "already there" O(1), so learning
 * a 50 000-entry profile stays linear. Adds append; the profile is marked dirty and readers
 * (emit, canon, diff, merge, counts) normalize it first (prof_ensure_normal).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "util/digest.h"
#include "util/hash.h"

/* ---- the de-duplication index: an open-addressing set of byte strings ---- */

struct prof_index {
	char **slots; /* key bytes, each prefixed by its size_t length */
	size_t cap, n;
};

static void prof_index_free(void *index)
{
	struct prof_index *x = index;

	if (!x)
		return;
	for (size_t i = 0; i < x->cap; i++)
		free(x->slots[i]);
	free(x->slots);
	free(x);
}

static bool slot_eq(const char *slot, const char *key, size_t len)
{
	size_t l;

	memcpy(&l, slot, sizeof(l));
	return l == len && !memcmp(slot + sizeof(l), key, len);
}

static int index_grow(struct prof_index *x)
{
	size_t ncap = x->cap ? x->cap * 2 : 64;
	char **ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < x->cap; i++) {
		size_t l, h;

		if (!x->slots[i])
			continue;
		memcpy(&l, x->slots[i], sizeof(l));
		h = vigil_fnv1a(VIGIL_FNV1A_INIT, x->slots[i] + sizeof(l), l) & (ncap - 1);
		while (ns[h])
			h = (h + 1) & (ncap - 1);
		ns[h] = x->slots[i];
	}
	free(x->slots);
	x->slots = ns;
	x->cap = ncap;
	return 0;
}

/* 1 when inserted, 0 when it was there, negative errno. */
static int index_insert(struct prof_index *x, const char *key, size_t len)
{
	size_t h;
	char *s;

	if ((x->n + 1) * 4 > x->cap * 3 && index_grow(x))
		return -ENOMEM;
	h = vigil_fnv1a(VIGIL_FNV1A_INIT, key, len) & (x->cap - 1);
	while (x->slots[h]) {
		if (slot_eq(x->slots[h], key, len))
			return 0;
		h = (h + 1) & (x->cap - 1);
	}
	s = malloc(sizeof(len) + len);
	if (!s)
		return -ENOMEM;
	memcpy(s, &len, sizeof(len));
	memcpy(s + sizeof(len), key, len);
	x->slots[h] = s;
	x->n++;
	return 1;
}

/* Entry keys: section letter, then the fields separated by bytes that cannot occur in text. */
static int key_strs(struct vigil_buf *k, const struct prof_strs *l)
{
	int r = vigil_buf__printf(k, "%c", '0' + (int)l->state);

	for (size_t i = 0; !r && i < l->n; i++)
		r = vigil_buf__printf(k, "%s\x1e", l->v[i]);
	return r ? r : vigil_buf__append(k, "\x1f", 1);
}

static int key_exec(struct vigil_buf *k, const struct prof_exec *e)
{
	int r = vigil_buf__printf(k, "x%s\x1f%d", e->path, (int)e->args_required);

	if (!r)
		r = key_strs(k, &e->args);
	return r ? r : key_strs(k, &e->envs);
}

static int key_open(struct vigil_buf *k, const struct prof_open *o)
{
	int r = vigil_buf__printf(k, "o%s\x1f", o->path);

	return r ? r : key_strs(k, &o->flags);
}

static int key_endpoint(struct vigil_buf *k, const struct prof_endpoint *e)
{
	int r = vigil_buf__printf(k, "e%s\x1f%s\x1f%d", e->endpoint,
				  e->direction ? e->direction : "", (int)e->internal);

	return r ? r : key_strs(k, &e->methods);
}

/* Builds the index of what the container already holds (first add after a load). */
static int index_get(struct prof_container *c, struct prof_index **ret)
{
	struct prof_index *x = c->cache_free == prof_index_free ? c->cache : NULL;
	struct vigil_buf k = VIGIL_BUF_INIT;
	int r = 0;

	if (x) {
		*ret = x;
		return 0;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; !r && i < c->execs.n; i++) {
		vigil_buf__reset(&k);
		if (!(r = key_exec(&k, &c->execs.v[i])))
			r = index_insert(x, k.data, k.len) < 0 ? -ENOMEM : 0;
	}
	for (size_t i = 0; !r && i < c->opens.n; i++) {
		vigil_buf__reset(&k);
		if (!(r = key_open(&k, &c->opens.v[i])))
			r = index_insert(x, k.data, k.len) < 0 ? -ENOMEM : 0;
	}
	for (size_t i = 0; !r && i < c->endpoints.n; i++) {
		vigil_buf__reset(&k);
		if (!(r = key_endpoint(&k, &c->endpoints.v[i])))
			r = index_insert(x, k.data, k.len) < 0 ? -ENOMEM : 0;
	}
	vigil_buf__release(&k);
	if (r) {
		prof_index_free(x);
		return r;
	}
	prof_container_drop_cache(c);
	c->cache = x;
	c->cache_free = prof_index_free;
	*ret = x;
	return 0;
}

/* ---- accessors ---- */

void prof_ensure_normal(const struct vigil_profile *p)
{
	struct vigil_profile *m = (struct vigil_profile *)p;

	/* normalization changes order only, never meaning: logically const */
	if (p && p->dirty) {
		prof_normalize(m);
		m->dirty = false;
	}
}

struct vigil_profile *vigil_profile__new(enum vigil_profile_kind kind, const char *name,
					 const char *namespace_)
{
	struct vigil_profile *p;
	struct prof_doc *d;

	if (kind < VIGIL_KIND_APPLICATION_PROFILE || kind > VIGIL_KIND_CONTAINER_PROFILE || !name) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->docs = calloc(1, sizeof(*p->docs));
	if (!p->docs)
		goto oom;
	p->docs_cap = p->ndocs = 1;
	d = &p->docs[0];
	d->kind = kind;
	d->spec_state = PROF_SET;
	d->api_version = strdup(VIGIL_PROFILE_API_VERSION);
	d->name = strdup(name);
	if (!d->api_version || !d->name || (namespace_ && !(d->namespace_ = strdup(namespace_))))
		goto oom;
	if (kind != VIGIL_KIND_NETWORK_NEIGHBORHOOD) {
		d->architectures.state = PROF_SET;
		if (prof_strs_push(&d->architectures,
#if defined(__x86_64__)
				   "amd64"
#elif defined(__aarch64__)
				   "arm64"
#else
				   "unknown"
#endif
				   ))
			goto oom;
	}
	return p;
oom:
	vigil_profile__free(p);
	errno = ENOMEM;
	return NULL;
}

size_t vigil_profile__doc_count(const struct vigil_profile *p)
{
	return p ? p->ndocs : 0;
}

enum vigil_profile_kind vigil_profile__doc_kind(const struct vigil_profile *p, size_t doc)
{
	return p && doc < p->ndocs ? p->docs[doc].kind : 0;
}

const char *vigil_profile__doc_name(const struct vigil_profile *p, size_t doc)
{
	return p && doc < p->ndocs ? p->docs[doc].name : NULL;
}

const char *vigil_profile__doc_namespace(const struct vigil_profile *p, size_t doc)
{
	return p && doc < p->ndocs ? p->docs[doc].namespace_ : NULL;
}

int vigil_profile__doc_line(const struct vigil_profile *p, size_t doc)
{
	return p && doc < p->ndocs ? p->docs[doc].pos.line : 0;
}

const char *vigil_profile__annotation(const struct vigil_profile *p, size_t doc, const char *key)
{
	if (!p || doc >= p->ndocs || !key)
		return NULL;
	for (size_t i = 0; i < p->docs[doc].annotations.n; i++)
		if (!strcmp(p->docs[doc].annotations.v[i].key, key))
			return p->docs[doc].annotations.v[i].value;
	return NULL;
}

int vigil_profile__set_annotation(struct vigil_profile *p, size_t doc, const char *key,
				  const char *value)
{
	struct prof_kvs *m;

	if (!p || doc >= p->ndocs || !key)
		return -EINVAL;
	m = &p->docs[doc].annotations;
	if (value)
		return prof_kvs_set(m, key, value);
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].key, key))
			continue;
		free(m->v[i].key);
		free(m->v[i].value);
		memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
		m->n--;
		break;
	}
	return 0;
}

static size_t neighbors_entries(const struct prof_neighbors *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += 1 + l->v[i].dns_names.n + l->v[i].ip_addresses.n + l->v[i].nports;
	return n;
}

size_t vigil_profile__entry_count(const struct vigil_profile *p)
{
	size_t n = 0;

	if (!p)
		return 0;
	prof_ensure_normal(p);
	for (size_t i = 0; i < p->ndocs; i++) {
		struct prof_doc *d = &p->docs[i];

		for (size_t j = 0; j < prof_doc_container_count(d); j++) {
			const struct prof_container *c = prof_doc_container_at(d, j);

			n += c->capabilities.n + c->execs.n + c->opens.n + c->syscalls.n +
			     c->endpoints.n + c->rule_policies.n + c->iouring.n +
			     c->exec_digests.n + neighbors_entries(&c->ingress) +
			     neighbors_entries(&c->egress);
			for (size_t k = 0; k < c->by_exe.n; k++)
				n += 1 + c->by_exe.v[k].execs.n + c->by_exe.v[k].opens.n;
		}
	}
	return n;
}

/* ---- building ---- */

/*
 * The container c of doc, if that kind of document holds this kind of entry: behaviour
 * (execs, opens, ...) lives in ApplicationProfile and ContainerProfile documents, network
 * neighbors in NetworkNeighborhood and ContainerProfile documents (Kubescape's split).
 */
static struct prof_container *get_container_for(struct vigil_profile *p, size_t doc, int c,
						bool network)
{
	struct prof_doc *d;

	if (!p || doc >= p->ndocs || c < 0)
		return NULL;
	d = &p->docs[doc];
	if (d->kind == (network ? VIGIL_KIND_APPLICATION_PROFILE : VIGIL_KIND_NETWORK_NEIGHBORHOOD))
		return NULL;
	return prof_doc_container_at(d, (size_t)c);
}

static struct prof_container *get_container(struct vigil_profile *p, size_t doc, int c)
{
	return get_container_for(p, doc, c, false);
}

int vigil_profile__container(struct vigil_profile *p, size_t doc, const char *name, bool create)
{
	struct prof_doc *d;
	struct prof_container *c;

	if (!p || doc >= p->ndocs || !name)
		return -EINVAL;
	d = &p->docs[doc];
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE && !prof_doc_grouped(d)) {
		/* one container per document: the flat spec, always the last index */
		if (!d->cp.name || !strcmp(d->cp.name, name))
			return (int)(prof_doc_container_count(d) - 1);
		return -ENOENT;
	}
	for (size_t i = 0; i < prof_doc_container_count(d); i++) {
		const struct prof_container *x = prof_doc_container_at(d, i);

		/* a grouped ContainerProfile's flat spec is nobody's container */
		if (x != &d->cp && x->name && !strcmp(x->name, name))
			return (int)i;
	}
	if (!create)
		return -ENOENT;
	if (d->containers.n >= (size_t)INT32_MAX ||
	    prof_grow((void **)&d->containers.v, &d->containers.cap, d->containers.n,
		      sizeof(*d->containers.v)))
		return -ENOMEM;
	/* new containers go at the end of spec.containers; init/ephemeral indices shift */
	c = &d->containers.v[d->containers.n];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return -ENOMEM;
	d->containers.n++;
	d->containers.state = PROF_SET;
	return (int)d->containers.n - 1;
}

static int add_key(struct prof_container *c, struct vigil_buf *k)
{
	struct prof_index *x;
	int r = index_get(c, &x);

	return r ? r : index_insert(x, k->data, k->len);
}

static int fill_strs(struct prof_strs *l, const char *const *v, size_t n)
{
	l->state = PROF_SET;
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			return -EINVAL;
		if (prof_strs_push(l, v[i]))
			return -ENOMEM;
	}
	return 0;
}

static int add_exec_to(struct vigil_profile *p, struct prof_container *c, const char *path,
		       const char *const *args, size_t nargs)
{
	struct prof_exec e = { 0 };
	struct vigil_buf k = VIGIL_BUF_INIT;
	char msg[256];
	int r;

	if (!c || !path || !*path || (nargs && !args) ||
	    !prof_check_exec_path(path, msg, sizeof(msg)))
		return -EINVAL;
	for (size_t i = 0; i < nargs; i++)
		if (!args[i] || !prof_check_exec_arg(args[i], msg, sizeof(msg)))
			return -EINVAL;
	if ((r = fill_strs(&e.args, args, nargs)))
		goto out;
	e.path = (char *)path;
	if ((r = key_exec(&k, &e)) || (r = add_key(c, &k)) <= 0)
		goto out;
	if (prof_grow((void **)&c->execs.v, &c->execs.cap, c->execs.n, sizeof(*c->execs.v)) ||
	    !(e.path = strdup(path))) {
		r = -ENOMEM;
		e.path = NULL;
		goto out;
	}
	c->execs.v[c->execs.n++] = e;
	c->execs.state = PROF_SET;
	memset(&e, 0, sizeof(e));
	p->dirty = true;
	r = 0;
out:
	if (e.path != path)
		free(e.path);
	prof_strs_release(&e.args);
	vigil_buf__release(&k);
	return r < 0 ? r : 0;
}

static int add_open_to(struct vigil_profile *p, struct prof_container *c, const char *path,
		       const char *const *flags, size_t nflags)
{
	struct prof_open o = { 0 };
	struct vigil_buf k = VIGIL_BUF_INIT;
	char msg[256];
	int r;

	if (!c || !path || !*path || (nflags && !flags) ||
	    !prof_check_open_path(path, msg, sizeof(msg)))
		return -EINVAL;
	for (size_t i = 0; i < nflags; i++)
		if (!flags[i] || !prof_check_open_flag(flags[i], msg, sizeof(msg)))
			return -EINVAL;
	if ((r = fill_strs(&o.flags, flags, nflags)))
		goto out;
	prof_strs_sort_unique(&o.flags);
	o.path = (char *)path;
	if ((r = key_open(&k, &o)) || (r = add_key(c, &k)) <= 0)
		goto out;
	if (prof_grow((void **)&c->opens.v, &c->opens.cap, c->opens.n, sizeof(*c->opens.v)) ||
	    !(o.path = strdup(path))) {
		r = -ENOMEM;
		o.path = NULL;
		goto out;
	}
	c->opens.v[c->opens.n++] = o;
	c->opens.state = PROF_SET;
	memset(&o, 0, sizeof(o));
	p->dirty = true;
	r = 0;
out:
	if (o.path != path)
		free(o.path);
	prof_strs_release(&o.flags);
	vigil_buf__release(&k);
	return r < 0 ? r : 0;
}

int vigil_profile__add_exec(struct vigil_profile *p, size_t doc, int ci, const char *path,
			    const char *const *args, size_t nargs)
{
	return add_exec_to(p, get_container(p, doc, ci), path, args, nargs);
}

int vigil_profile__add_open(struct vigil_profile *p, size_t doc, int ci, const char *path,
			    const char *const *flags, size_t nflags)
{
	return add_open_to(p, get_container(p, doc, ci), path, flags, nflags);
}

/* The byExecutable section of exe in container ci, made when missing; NULL + *err. */
static struct prof_container *section_for(struct vigil_profile *p, size_t doc, int ci,
					  const char *exe, int *err)
{
	struct prof_container *c = get_container(p, doc, ci), *s;
	char msg[256];
	size_t before;

	*err = -EINVAL;
	if (!c || !exe || !prof_check_exe_key(exe, msg, sizeof(msg)))
		return NULL;
	before = c->by_exe.n;
	s = prof_byexe_section(c, exe, true);
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	if (c->by_exe.n != before)
		p->dirty = true; /* a new section is appended unsorted */
	return s;
}

int vigil_profile__add_exec_by(struct vigil_profile *p, size_t doc, int ci, const char *exe,
			       const char *path, const char *const *args, size_t nargs)
{
	int err;
	struct prof_container *s = section_for(p, doc, ci, exe, &err);

	return s ? add_exec_to(p, s, path, args, nargs) : err;
}

int vigil_profile__add_open_by(struct vigil_profile *p, size_t doc, int ci, const char *exe,
			       const char *path, const char *const *flags, size_t nflags)
{
	int err;
	struct prof_container *s = section_for(p, doc, ci, exe, &err);

	return s ? add_open_to(p, s, path, flags, nflags) : err;
}

/* Set-union into a string set; the sets are small (syscalls ~ 400), so a scan is enough. */
static int add_to_set(struct vigil_profile *p, struct prof_strs *l, const char *v)
{
	if (!v || !*v || !prof_utf8_valid(v))
		return -EINVAL;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return 0;
	if (prof_strs_push(l, v))
		return -ENOMEM;
	p->dirty = true;
	return 0;
}

int vigil_profile__add_syscall(struct vigil_profile *p, size_t doc, int c, const char *name)
{
	struct prof_container *ct = get_container(p, doc, c);
	char msg[256];

	if (name && !prof_check_syscall(name, msg, sizeof(msg)))
		return -EINVAL;
	return ct ? add_to_set(p, &ct->syscalls, name) : -EINVAL;
}

int vigil_profile__add_capability(struct vigil_profile *p, size_t doc, int c, const char *name)
{
	struct prof_container *ct = get_container(p, doc, c);
	char msg[256];

	if (name && !prof_check_capability(name, msg, sizeof(msg)))
		return -EINVAL;
	return ct ? add_to_set(p, &ct->capabilities, name) : -EINVAL;
}

int vigil_profile__add_iouring(struct vigil_profile *p, size_t doc, int c, const char *opname)
{
	struct prof_container *ct = get_container(p, doc, c);
	char msg[256];

	if (opname && !prof_check_iouring_op(opname, msg, sizeof(msg)))
		return -EINVAL;
	return ct ? add_to_set(p, &ct->iouring, opname) : -EINVAL;
}

int vigil_profile__add_exec_digest(struct vigil_profile *p, size_t doc, int c, const char *path,
				   const char *sha256_hex)
{
	struct prof_container *ct = get_container(p, doc, c);
	char entry[PROF_DIGEST_ENTRY_MAX], msg[256];
	int n;

	if (!path || !sha256_hex)
		return -EINVAL;
	n = snprintf(entry, sizeof(entry), "%s sha256:%s", path, sha256_hex);
	if (n < 0 || (size_t)n >= sizeof(entry) || !prof_check_exec_digest(entry, msg, sizeof(msg)))
		return -EINVAL;
	return ct ? add_to_set(p, &ct->exec_digests, entry) : -EINVAL;
}

int vigil_profile__add_rule_policy(struct vigil_profile *p, size_t doc, int c, const char *rule_id,
				   const char *exe)
{
	struct prof_container *ct = get_container(p, doc, c);
	struct prof_rule_policy *rp = NULL;

	if (!ct || !rule_id || !*rule_id || !exe || !*exe || !prof_utf8_valid(rule_id))
		return -EINVAL;
	for (size_t i = 0; i < ct->rule_policies.n && !rp; i++)
		if (!strcmp(ct->rule_policies.v[i].rule_id, rule_id))
			rp = &ct->rule_policies.v[i];
	if (!rp) {
		if (prof_grow((void **)&ct->rule_policies.v, &ct->rule_policies.cap,
			      ct->rule_policies.n, sizeof(*ct->rule_policies.v)))
			return -ENOMEM;
		rp = &ct->rule_policies.v[ct->rule_policies.n];
		memset(rp, 0, sizeof(*rp));
		if (!(rp->rule_id = strdup(rule_id)))
			return -ENOMEM;
		ct->rule_policies.n++;
		ct->rule_policies.state = PROF_SET;
		rp->process_allowed.state = PROF_SET;
		p->dirty = true;
	}
	return add_to_set(p, &rp->process_allowed, exe);
}

int vigil_profile__add_endpoint(struct vigil_profile *p, size_t doc, int ci, const char *endpoint,
				const char *method, const char *direction)
{
	struct prof_container *c = get_container(p, doc, ci);
	struct prof_endpoint e = { 0 };
	struct vigil_buf k = VIGIL_BUF_INIT;
	char msg[256];
	int r;

	if (!c || !endpoint || !prof_check_endpoint(endpoint, msg, sizeof(msg)) ||
	    (method && !prof_check_method(method, msg, sizeof(msg))) ||
	    (direction && !prof_check_direction(direction, msg, sizeof(msg))))
		return -EINVAL;
	/* one entry per (endpoint, direction); methods accumulate in it */
	e.endpoint = (char *)endpoint;
	e.direction = (char *)direction;
	for (size_t i = 0; i < c->endpoints.n; i++) {
		struct prof_endpoint *x = &c->endpoints.v[i];

		if (strcmp(x->endpoint, endpoint) ||
		    strcmp(x->direction ? x->direction : "", direction ? direction : ""))
			continue;
		if (method) {
			x->methods.state = PROF_SET;
			return add_to_set(p, &x->methods, method);
		}
		return 0;
	}
	if (method && (r = prof_strs_push(&e.methods, method)))
		goto out;
	r = -ENOMEM;
	if (prof_grow((void **)&c->endpoints.v, &c->endpoints.cap, c->endpoints.n,
		      sizeof(*c->endpoints.v)))
		goto out;
	e.endpoint = strdup(endpoint);
	e.direction = direction ? strdup(direction) : NULL;
	if (!e.endpoint || (direction && !e.direction)) {
		free(e.endpoint);
		free(e.direction);
		goto out;
	}
	if (!method)
		e.methods.state = PROF_ABSENT;
	c->endpoints.v[c->endpoints.n++] = e;
	c->endpoints.state = PROF_SET;
	memset(&e, 0, sizeof(e));
	p->dirty = true;
	r = 0;
out:
	prof_strs_release(&e.methods);
	vigil_buf__release(&k);
	return r;
}

/* Kubescape's identifier: sha256 hex over what identifies the neighbor (ports excluded). */
static int neighbor_identifier(const char *type, const char *ip, const char *dns, char out[65])
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	unsigned char md[VIGIL_SHA256_LEN];
	int r = vigil_buf__printf(&b, "%s|%s|%s", type, ip ? ip : "", dns ? dns : "");

	if (r)
		return r;
	vigil_sha256(b.data, b.len, md);
	vigil_hex(md, sizeof(md), out);
	vigil_buf__release(&b);
	return 0;
}

int vigil_profile__network_watched(struct vigil_profile *p, size_t doc, int ci)
{
	struct prof_container *c = get_container_for(p, doc, ci, true);

	if (!c)
		return -EINVAL;
	if (c->ingress.state == PROF_ABSENT)
		c->ingress.state = PROF_SET;
	if (c->egress.state == PROF_ABSENT)
		c->egress.state = PROF_SET;
	return 0;
}

int vigil_profile__add_neighbor(struct vigil_profile *p, size_t doc, int ci, bool egress,
				const char *ip, const char *dns, uint16_t port, const char *proto)
{
	struct prof_container *c = get_container_for(p, doc, ci, true);
	struct prof_neighbors *l;
	struct prof_neighbor *nb = NULL;
	char id[65], msg[256];
	int r;

	if (!c || ((!ip || !*ip) && (!dns || !*dns)) || (port && !proto) ||
	    (ip && *ip && !prof_check_ip(ip, msg, sizeof(msg))) ||
	    (dns && *dns && !prof_check_dns(dns, msg, sizeof(msg))) ||
	    (proto && !prof_check_protocol(proto, msg, sizeof(msg))))
		return -EINVAL;
	l = egress ? &c->egress : &c->ingress;
	if ((r = neighbor_identifier("external", ip, dns, id)))
		return r;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].identifier && !strcmp(l->v[i].identifier, id)) {
			nb = &l->v[i];
			break;
		}
	if (!nb) {
		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return -ENOMEM;
		nb = &l->v[l->n++];
		memset(nb, 0, sizeof(*nb));
		l->state = PROF_SET;
		nb->identifier = strdup(id);
		nb->type = strdup("external");
		if (!nb->identifier || !nb->type)
			return -ENOMEM;
		if (ip && *ip && prof_strs_push(&nb->ip_addresses, ip))
			return -ENOMEM;
		if (dns && *dns && prof_strs_push(&nb->dns_names, dns))
			return -ENOMEM;
		p->dirty = true;
	}
	if (port) {
		char name[32];

		for (size_t i = 0; i < nb->nports; i++)
			if (nb->ports[i].has_port && nb->ports[i].port == port &&
			    nb->ports[i].protocol && !strcmp(nb->ports[i].protocol, proto))
				return 0;
		if (prof_grow((void **)&nb->ports, &nb->ports_cap, nb->nports, sizeof(*nb->ports)))
			return -ENOMEM;
		snprintf(name, sizeof(name), "%s-%u", proto, (unsigned)port);
		nb->ports[nb->nports].name = strdup(name);
		nb->ports[nb->nports].protocol = strdup(proto);
		nb->ports[nb->nports].has_port = true;
		nb->ports[nb->nports].port = port;
		nb->nports++;
		nb->ports_state = PROF_SET;
		p->dirty = true;
		if (!nb->ports[nb->nports - 1].name || !nb->ports[nb->nports - 1].protocol)
			return -ENOMEM;
	}
	return 0;
}

bool vigil_profile__had_comments(const struct vigil_profile *p)
{
	return p && p->had_comments;
}
