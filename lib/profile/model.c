// SPDX-License-Identifier: Apache-2.0
/* The SBoB model: allocation helpers, release, normalization and equality. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"

int prof_grow(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	nv = realloc(*v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	memset((char *)nv + *cap * elem, 0, (ncap - *cap) * elem);
	*v = nv;
	*cap = ncap;
	return 0;
}

char *prof_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int prof_strs_push(struct prof_strs *l, const char *s)
{
	char *c;

	if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		return -ENOMEM;
	c = strdup(s);
	if (!c)
		return -ENOMEM;
	l->v[l->n++] = c;
	l->state = PROF_SET;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void prof_strs_sort_unique(struct prof_strs *l)
{
	size_t w = 0;

	if (l->n < 2)
		return;
	if (l->n > 16) {
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	} else {
		/* most sets are a few flags or args: qsort's set-up costs more than the sort */
		for (size_t i = 1; i < l->n; i++) {
			char *s = l->v[i];
			size_t j = i;

			for (; j && strcmp(l->v[j - 1], s) > 0; j--)
				l->v[j] = l->v[j - 1];
			l->v[j] = s;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		if (w && !strcmp(l->v[w - 1], l->v[i])) {
			free(l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

bool prof_strs_equal(const struct prof_strs *a, const struct prof_strs *b)
{
	if (a->state != b->state || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

int prof_strs_copy(struct prof_strs *dst, const struct prof_strs *src)
{
	dst->state = src->state;
	dst->pos = src->pos;
	for (size_t i = 0; i < src->n; i++)
		if (prof_strs_push(dst, src->v[i]))
			return -ENOMEM;
	dst->state = src->state;
	return 0;
}

void prof_strs_release(struct prof_strs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct prof_kv *)a)->key, ((const struct prof_kv *)b)->key);
}

int prof_kvs_set(struct prof_kvs *m, const char *key, const char *value)
{
	char *k, *v;

	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].key, key))
			continue;
		v = strdup(value);
		if (!v)
			return -ENOMEM;
		free(m->v[i].value);
		m->v[i].value = v;
		return 0;
	}
	if (prof_grow((void **)&m->v, &m->cap, m->n, sizeof(*m->v)))
		return -ENOMEM;
	k = strdup(key);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	m->v[m->n].key = k;
	m->v[m->n].value = v;
	m->n++;
	m->state = PROF_SET;
	qsort(m->v, m->n, sizeof(*m->v), cmp_kv);
	return 0;
}

void prof_kvs_release(struct prof_kvs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static bool kvs_equal(const struct prof_kvs *a, const struct prof_kvs *b)
{
	if (a->state != b->state || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) || strcmp(a->v[i].value, b->v[i].value))
			return false;
	return true;
}

/* ---- generic nodes ---- */

void prof_node_release(struct prof_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		prof_node_release(&n->items[i]);
	free(n->items);
	free(n->key);
	free(n->value);
	memset(n, 0, sizeof(*n));
}

void prof_node_free(struct prof_node *n)
{
	prof_node_release(n);
	free(n);
}

static int node_copy(struct prof_node *dst, const struct prof_node *src)
{
	*dst = *src;
	dst->key = NULL;
	dst->value = NULL;
	dst->items = NULL;
	dst->n = dst->cap = 0;
	if (src->key && !(dst->key = strdup(src->key)))
		return -ENOMEM;
	if (src->value) {
		dst->value = malloc(src->len + 1);
		if (!dst->value)
			return -ENOMEM;
		memcpy(dst->value, src->value, src->len + 1);
	}
	if (src->n) {
		dst->items = calloc(src->n, sizeof(*dst->items));
		if (!dst->items)
			return -ENOMEM;
		dst->cap = src->n;
		for (size_t i = 0; i < src->n; i++) {
			dst->n++;
			if (node_copy(&dst->items[i], &src->items[i]))
				return -ENOMEM;
		}
	}
	return 0;
}

struct prof_node *prof_node_clone(const struct prof_node *n)
{
	struct prof_node *c;

	if (!n)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (node_copy(c, n)) {
		prof_node_free(c);
		return NULL;
	}
	return c;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool node_truth(const struct prof_node *n)
{
	return n->value && (n->value[0] == 't' || n->value[0] == 'T');
}

int prof_node_cmp(const struct prof_node *a, const struct prof_node *b)
{
	int r;

	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	if (a->type != b->type)
		return (int)a->type - (int)b->type;
	if ((r = (a->key || b->key) ? (!a->key ? -1 : !b->key ? 1 : strcmp(a->key, b->key)) : 0))
		return r;
	if (a->type == PROF_NODE_SCALAR) {
		if (a->stype != b->stype)
			return (int)a->stype - (int)b->stype;
		if (a->stype == PROF_SCALAR_NULL)
			return 0;
		if (a->stype == PROF_SCALAR_BOOL)
			return (int)node_truth(a) - (int)node_truth(b);
		if ((r = memcmp(a->value ? a->value : "", b->value ? b->value : "",
				a->len < b->len ? a->len : b->len)))
			return r;
		return a->len < b->len ? -1 : a->len > b->len;
	}
	for (size_t i = 0; i < a->n && i < b->n; i++)
		if ((r = prof_node_cmp(&a->items[i], &b->items[i])))
			return r;
	return a->n < b->n ? -1 : a->n > b->n;
}

bool prof_node_equal(const struct prof_node *a, const struct prof_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type || a->n != b->n || !str_eq(a->key, b->key))
		return false;
	if (a->type == PROF_NODE_SCALAR) {
		/* null and boolean spellings (~, True, ...) are one value each */
		if (a->stype != b->stype)
			return false;
		if (a->stype == PROF_SCALAR_NULL)
			return true;
		if (a->stype == PROF_SCALAR_BOOL)
			return (a->value[0] == 't' || a->value[0] == 'T') ==
			       (b->value[0] == 't' || b->value[0] == 'T');
		if (a->len != b->len)
			return false;
		return !a->len || !memcmp(a->value, b->value, a->len);
	}
	for (size_t i = 0; i < a->n; i++)
		if (!prof_node_equal(&a->items[i], &b->items[i]))
			return false;
	return true;
}

/* ---- release ---- */

static void selector_release(struct prof_selector *s)
{
	prof_kvs_release(&s->match_labels);
	for (size_t i = 0; i < s->nexprs; i++) {
		free(s->exprs[i].key);
		free(s->exprs[i].op);
		prof_strs_release(&s->exprs[i].values);
	}
	free(s->exprs);
	memset(s, 0, sizeof(*s));
}

static void neighbor_release(struct prof_neighbor *nb)
{
	free(nb->identifier);
	free(nb->type);
	free(nb->dns);
	prof_strs_release(&nb->dns_names);
	for (size_t j = 0; j < nb->nports; j++) {
		free(nb->ports[j].name);
		free(nb->ports[j].protocol);
	}
	free(nb->ports);
	selector_release(&nb->pod_selector);
	selector_release(&nb->namespace_selector);
	free(nb->ip_address);
	prof_strs_release(&nb->ip_addresses);
}

static void neighbors_release(struct prof_neighbors *l)
{
	for (size_t i = 0; i < l->n; i++)
		neighbor_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void prof_container_release(struct prof_container *c)
{
	free(c->name);
	prof_strs_release(&c->capabilities);
	for (size_t i = 0; i < c->execs.n; i++) {
		free(c->execs.v[i].path);
		prof_strs_release(&c->execs.v[i].args);
		prof_strs_release(&c->execs.v[i].envs);
	}
	free(c->execs.v);
	for (size_t i = 0; i < c->opens.n; i++) {
		free(c->opens.v[i].path);
		prof_strs_release(&c->opens.v[i].flags);
	}
	free(c->opens.v);
	prof_strs_release(&c->syscalls);
	prof_node_free(c->seccomp_profile);
	for (size_t i = 0; i < c->endpoints.n; i++) {
		free(c->endpoints.v[i].endpoint);
		prof_strs_release(&c->endpoints.v[i].methods);
		free(c->endpoints.v[i].direction);
		prof_node_free(c->endpoints.v[i].headers);
	}
	free(c->endpoints.v);
	free(c->image_id);
	free(c->image_tag);
	for (size_t i = 0; i < c->rule_policies.n; i++) {
		free(c->rule_policies.v[i].rule_id);
		prof_strs_release(&c->rule_policies.v[i].process_allowed);
	}
	free(c->rule_policies.v);
	prof_node_free(c->identified_call_stacks);
	prof_strs_release(&c->iouring);
	prof_strs_release(&c->exec_digests);
	for (size_t i = 0; i < c->by_exe.n; i++)
		prof_container_release(&c->by_exe.v[i]);
	free(c->by_exe.v);
	neighbors_release(&c->ingress);
	neighbors_release(&c->egress);
	prof_container_drop_cache(c);
	memset(c, 0, sizeof(*c));
}

void prof_container_drop_cache(struct prof_container *c)
{
	if (c->cache && c->cache_free)
		c->cache_free(c->cache);
	c->cache = NULL;
	c->cache_free = NULL;
}

static void containers_release(struct prof_containers *l)
{
	for (size_t i = 0; i < l->n; i++)
		prof_container_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void prof_doc_release(struct prof_doc *d)
{
	free(d->api_version);
	free(d->name);
	free(d->namespace_);
	prof_kvs_release(&d->labels);
	prof_kvs_release(&d->annotations);
	prof_node_free(d->metadata_extra);
	prof_node_free(d->status);
	prof_strs_release(&d->architectures);
	containers_release(&d->containers);
	containers_release(&d->init_containers);
	containers_release(&d->ephemeral_containers);
	selector_release(&d->selector);
	prof_container_release(&d->cp);
	memset(d, 0, sizeof(*d));
}

void vigil_profile__free(struct vigil_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ndocs; i++)
		prof_doc_release(&p->docs[i]);
	free(p->docs);
	prof_notes_release(p);
	free(p);
}

/* ---- container iteration ---- */

size_t prof_doc_container_count(const struct prof_doc *d)
{
	return d->containers.n + d->init_containers.n + d->ephemeral_containers.n +
	       (d->kind == VIGIL_KIND_CONTAINER_PROFILE);
}

struct prof_container *prof_doc_container_at(struct prof_doc *d, size_t i)
{
	if (i < d->containers.n)
		return &d->containers.v[i];
	i -= d->containers.n;
	if (i < d->init_containers.n)
		return &d->init_containers.v[i];
	i -= d->init_containers.n;
	if (i < d->ephemeral_containers.n)
		return &d->ephemeral_containers.v[i];
	i -= d->ephemeral_containers.n;
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE && i == 0)
		return &d->cp;
	return NULL;
}

const char *prof_doc_container_section(const struct prof_doc *d, size_t i)
{
	if (i < d->containers.n)
		return "containers";
	i -= d->containers.n;
	if (i < d->init_containers.n)
		return "initContainers";
	i -= d->init_containers.n;
	if (i < d->ephemeral_containers.n)
		return "ephemeralContainers";
	return "spec";
}

bool prof_doc_grouped(const struct prof_doc *d)
{
	return d->kind == VIGIL_KIND_CONTAINER_PROFILE &&
	       (d->containers.n || d->init_containers.n || d->ephemeral_containers.n);
}

bool prof_container_has_content(const struct prof_container *c)
{
	/* entries only: the zero values Kubescape's types write (null, "", {}) are no content */
	return c->capabilities.n || c->execs.n || c->opens.n || c->syscalls.n || c->endpoints.n ||
	       c->rule_policies.n || c->iouring.n || c->ingress.n || c->egress.n;
}

/* ---- normalization ---- */

static int cmp_strs(const struct prof_strs *a, const struct prof_strs *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int r;

	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	for (size_t i = 0; i < n; i++)
		if ((r = strcmp(a->v[i], b->v[i])))
			return r;
	return a->n < b->n ? -1 : a->n > b->n;
}

static int cmp_opt_str(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int cmp_exec(const void *pa, const void *pb)
{
	const struct prof_exec *a = pa, *b = pb;
	int r;

	if ((r = strcmp(a->path, b->path)) || (r = cmp_strs(&a->args, &b->args)) ||
	    (r = cmp_strs(&a->envs, &b->envs)))
		return r;
	return (int)a->args_required - (int)b->args_required;
}

static int cmp_open(const void *pa, const void *pb)
{
	const struct prof_open *a = pa, *b = pb;
	int r;

	if ((r = strcmp(a->path, b->path)))
		return r;
	return cmp_strs(&a->flags, &b->flags);
}

static int cmp_endpoint(const void *pa, const void *pb)
{
	const struct prof_endpoint *a = pa, *b = pb;
	int r;

	if ((r = strcmp(a->endpoint, b->endpoint)) ||
	    (r = cmp_opt_str(a->direction, b->direction)) ||
	    (r = cmp_strs(&a->methods, &b->methods)))
		return r;
	if (a->internal != b->internal)
		return (int)a->internal - (int)b->internal;
	/* a total order: entries that differ only in headers still sort apart (de-duplication) */
	return prof_node_cmp(a->headers, b->headers);
}

static int cmp_policy(const void *pa, const void *pb)
{
	return strcmp(((const struct prof_rule_policy *)pa)->rule_id,
		      ((const struct prof_rule_policy *)pb)->rule_id);
}

static int cmp_port(const void *pa, const void *pb)
{
	const struct prof_port *a = pa, *b = pb;
	int r;

	if ((r = cmp_opt_str(a->protocol, b->protocol)))
		return r;
	if (a->has_port != b->has_port)
		return (int)a->has_port - (int)b->has_port;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return cmp_opt_str(a->name, b->name);
}

static int cmp_kvs(const struct prof_kvs *a, const struct prof_kvs *b)
{
	int r;

	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	for (size_t i = 0; i < a->n && i < b->n; i++)
		if ((r = strcmp(a->v[i].key, b->v[i].key)) ||
		    (r = strcmp(a->v[i].value, b->v[i].value)))
			return r;
	return a->n < b->n ? -1 : a->n > b->n;
}

static int cmp_selector(const struct prof_selector *a, const struct prof_selector *b)
{
	int r;

	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	if (a->exprs_state != b->exprs_state)
		return (int)a->exprs_state - (int)b->exprs_state;
	if ((r = cmp_kvs(&a->match_labels, &b->match_labels)))
		return r;
	if (a->nexprs != b->nexprs)
		return a->nexprs < b->nexprs ? -1 : 1;
	for (size_t i = 0; i < a->nexprs; i++)
		if ((r = cmp_opt_str(a->exprs[i].key, b->exprs[i].key)) ||
		    (r = cmp_opt_str(a->exprs[i].op, b->exprs[i].op)) ||
		    (r = cmp_strs(&a->exprs[i].values, &b->exprs[i].values)))
			return r;
	return 0;
}

static int cmp_neighbor(const void *pa, const void *pb)
{
	const struct prof_neighbor *a = pa, *b = pb;
	int r;

	if ((r = cmp_opt_str(a->identifier, b->identifier)) ||
	    (r = cmp_opt_str(a->type, b->type)) || (r = cmp_opt_str(a->dns, b->dns)) ||
	    (r = cmp_strs(&a->dns_names, &b->dns_names)) ||
	    (r = cmp_opt_str(a->ip_address, b->ip_address)) ||
	    (r = cmp_strs(&a->ip_addresses, &b->ip_addresses)))
		return r;
	if (a->nports != b->nports)
		return a->nports < b->nports ? -1 : 1;
	for (size_t i = 0; i < a->nports; i++)
		if ((r = cmp_port(&a->ports[i], &b->ports[i])))
			return r;
	if (a->ports_state != b->ports_state)
		return (int)a->ports_state - (int)b->ports_state;
	if ((r = cmp_selector(&a->pod_selector, &b->pod_selector)))
		return r;
	return cmp_selector(&a->namespace_selector, &b->namespace_selector);
}

static void sort_kvs(struct prof_kvs *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), cmp_kv);
}

static int cmp_node_key(const void *a, const void *b)
{
	return strcmp(((const struct prof_node *)a)->key, ((const struct prof_node *)b)->key);
}

static void normalize_selector(struct prof_selector *s)
{
	sort_kvs(&s->match_labels);
	for (size_t i = 0; i < s->nexprs; i++)
		prof_strs_sort_unique(&s->exprs[i].values);
}

/*
 * Sorts an entry array with a stable merge order (qsort is not stable, so ties are broken by
 * the original index to keep unequal-but-tied entries, e.g. different headers, in place).
 */
static bool sorted(const void *base, size_t n, size_t elem, int (*cmp)(const void *, const void *))
{
	const char *a = base;

	for (size_t i = 1; i < n; i++)
		if (cmp(a + (i - 1) * elem, a + i * elem) > 0)
			return false;
	return true;
}

static void stable_sort(void *base, size_t n, size_t elem, int (*cmp)(const void *, const void *))
{
	char *tmp, *a = base;
	size_t run;

	if (n < 2)
		return;
	/* formatted files are sorted already: one linear check */
	for (run = 1; run < n && cmp(a + (run - 1) * elem, a + run * elem) <= 0; run++)
		;
	if (run == n)
		return;
	tmp = malloc(n * elem);
	if (!tmp)
		return; /* left unsorted: still a valid model */
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				if (cmp(a + j * elem, a + i * elem) < 0)
					memcpy(tmp + k++ * elem, a + j++ * elem, elem);
				else
					memcpy(tmp + k++ * elem, a + i++ * elem, elem);
			}
			while (i < mid)
				memcpy(tmp + k++ * elem, a + i++ * elem, elem);
			while (j < hi)
				memcpy(tmp + k++ * elem, a + j++ * elem, elem);
		}
		memcpy(a, tmp, n * elem);
	}
	free(tmp);
}

static void normalize_neighbors(struct prof_neighbors *l)
{
	size_t w = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct prof_neighbor *nb = &l->v[i];

		prof_strs_sort_unique(&nb->dns_names);
		prof_strs_sort_unique(&nb->ip_addresses);
		stable_sort(nb->ports, nb->nports, sizeof(*nb->ports), cmp_port);
		normalize_selector(&nb->pod_selector);
		normalize_selector(&nb->namespace_selector);
	}
	stable_sort(l->v, l->n, sizeof(*l->v), cmp_neighbor);
	for (size_t i = 0; i < l->n; i++) {
		if (w && prof_neighbor_equal(&l->v[w - 1], &l->v[i])) {
			neighbor_release(&l->v[i]);
			continue;
		}
		if (w != i)
			l->v[w] = l->v[i];
		w++;
	}
	l->n = w;
}

static bool exec_equal(const struct prof_exec *a, const struct prof_exec *b)
{
	return !cmp_exec(a, b);
}

static bool open_equal(const struct prof_open *a, const struct prof_open *b)
{
	return !cmp_open(a, b);
}

static bool endpoint_equal(const struct prof_endpoint *a, const struct prof_endpoint *b)
{
	return !cmp_endpoint(a, b);
}

void prof_container_normalize(struct prof_container *c)
{
	size_t w;

	prof_strs_sort_unique(&c->capabilities);
	prof_strs_sort_unique(&c->syscalls);
	prof_strs_sort_unique(&c->iouring);
	prof_strs_sort_unique(&c->exec_digests);

	/* cmp_exec and cmp_open are total orders: no stability needed, plain qsort is faster */
	if (!sorted(c->execs.v, c->execs.n, sizeof(*c->execs.v), cmp_exec))
		qsort(c->execs.v, c->execs.n, sizeof(*c->execs.v), cmp_exec);
	w = 0;
	for (size_t i = 0; i < c->execs.n; i++) {
		if (w && exec_equal(&c->execs.v[w - 1], &c->execs.v[i])) {
			free(c->execs.v[i].path);
			prof_strs_release(&c->execs.v[i].args);
			prof_strs_release(&c->execs.v[i].envs);
			continue;
		}
		c->execs.v[w++] = c->execs.v[i];
	}
	c->execs.n = w;

	for (size_t i = 0; i < c->opens.n; i++)
		prof_strs_sort_unique(&c->opens.v[i].flags);
	if (!sorted(c->opens.v, c->opens.n, sizeof(*c->opens.v), cmp_open))
		qsort(c->opens.v, c->opens.n, sizeof(*c->opens.v), cmp_open);
	w = 0;
	for (size_t i = 0; i < c->opens.n; i++) {
		if (w && open_equal(&c->opens.v[w - 1], &c->opens.v[i])) {
			free(c->opens.v[i].path);
			prof_strs_release(&c->opens.v[i].flags);
			continue;
		}
		c->opens.v[w++] = c->opens.v[i];
	}
	c->opens.n = w;

	for (size_t i = 0; i < c->endpoints.n; i++)
		prof_strs_sort_unique(&c->endpoints.v[i].methods);
	stable_sort(c->endpoints.v, c->endpoints.n, sizeof(*c->endpoints.v), cmp_endpoint);
	w = 0;
	for (size_t i = 0; i < c->endpoints.n; i++) {
		if (w && endpoint_equal(&c->endpoints.v[w - 1], &c->endpoints.v[i])) {
			free(c->endpoints.v[i].endpoint);
			prof_strs_release(&c->endpoints.v[i].methods);
			free(c->endpoints.v[i].direction);
			prof_node_free(c->endpoints.v[i].headers);
			continue;
		}
		c->endpoints.v[w++] = c->endpoints.v[i];
	}
	c->endpoints.n = w;

	for (size_t i = 0; i < c->rule_policies.n; i++)
		prof_strs_sort_unique(&c->rule_policies.v[i].process_allowed);
	stable_sort(c->rule_policies.v, c->rule_policies.n, sizeof(*c->rule_policies.v),
		    cmp_policy);

	normalize_neighbors(&c->ingress);
	normalize_neighbors(&c->egress);
	prof_byexe_normalize(c);
}

void prof_normalize(struct vigil_profile *p)
{
	for (size_t i = 0; i < p->ndocs; i++) {
		struct prof_doc *d = &p->docs[i];

		prof_strs_sort_unique(&d->architectures);
		sort_kvs(&d->labels);
		sort_kvs(&d->annotations);
		if (d->metadata_extra && d->metadata_extra->n > 1)
			qsort(d->metadata_extra->items, d->metadata_extra->n,
			      sizeof(*d->metadata_extra->items), cmp_node_key);
		normalize_selector(&d->selector);
		for (size_t j = 0; j < prof_doc_container_count(d); j++)
			prof_container_normalize(prof_doc_container_at(d, j));
	}
}

/* ---- equality ---- */

static bool selector_equal(const struct prof_selector *a, const struct prof_selector *b)
{
	return !cmp_selector(a, b);
}

bool prof_neighbor_equal(const struct prof_neighbor *a, const struct prof_neighbor *b)
{
	return !cmp_neighbor(a, b);
}

static bool neighbors_equal(const struct prof_neighbors *a, const struct prof_neighbors *b)
{
	if (a->state != b->state || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!prof_neighbor_equal(&a->v[i], &b->v[i]))
			return false;
	return true;
}

static bool container_equal(const struct prof_container *a, const struct prof_container *b)
{
	if (!str_eq(a->name, b->name) || !prof_strs_equal(&a->capabilities, &b->capabilities) ||
	    !prof_strs_equal(&a->syscalls, &b->syscalls) ||
	    !prof_strs_equal(&a->iouring, &b->iouring) ||
	    !prof_strs_equal(&a->exec_digests, &b->exec_digests) ||
	    !prof_node_equal(a->seccomp_profile, b->seccomp_profile) ||
	    !prof_node_equal(a->identified_call_stacks, b->identified_call_stacks) ||
	    !str_eq(a->image_id, b->image_id) || !str_eq(a->image_tag, b->image_tag) ||
	    !neighbors_equal(&a->ingress, &b->ingress) ||
	    !neighbors_equal(&a->egress, &b->egress) || a->by_exe.state != b->by_exe.state ||
	    a->by_exe.n != b->by_exe.n)
		return false;
	for (size_t i = 0; i < a->by_exe.n; i++)
		if (!container_equal(&a->by_exe.v[i], &b->by_exe.v[i]))
			return false;
	if (a->execs.state != b->execs.state || a->execs.n != b->execs.n ||
	    a->opens.state != b->opens.state || a->opens.n != b->opens.n ||
	    a->endpoints.state != b->endpoints.state || a->endpoints.n != b->endpoints.n ||
	    a->rule_policies.state != b->rule_policies.state ||
	    a->rule_policies.n != b->rule_policies.n)
		return false;
	for (size_t i = 0; i < a->execs.n; i++)
		if (!exec_equal(&a->execs.v[i], &b->execs.v[i]))
			return false;
	for (size_t i = 0; i < a->opens.n; i++)
		if (!open_equal(&a->opens.v[i], &b->opens.v[i]))
			return false;
	for (size_t i = 0; i < a->endpoints.n; i++)
		if (!endpoint_equal(&a->endpoints.v[i], &b->endpoints.v[i]))
			return false;
	for (size_t i = 0; i < a->rule_policies.n; i++) {
		const struct prof_rule_policy *x = &a->rule_policies.v[i],
					      *y = &b->rule_policies.v[i];

		if (strcmp(x->rule_id, y->rule_id) ||
		    !prof_strs_equal(&x->process_allowed, &y->process_allowed) ||
		    x->container_allowed != y->container_allowed)
			return false;
	}
	return true;
}

static bool containers_equal(const struct prof_containers *a, const struct prof_containers *b)
{
	if (a->state != b->state || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!container_equal(&a->v[i], &b->v[i]))
			return false;
	return true;
}

static bool doc_equal(const struct prof_doc *a, const struct prof_doc *b)
{
	return a->kind == b->kind && str_eq(a->api_version, b->api_version) &&
	       str_eq(a->name, b->name) && str_eq(a->namespace_, b->namespace_) &&
	       kvs_equal(&a->labels, &b->labels) && kvs_equal(&a->annotations, &b->annotations) &&
	       prof_node_equal(a->metadata_extra, b->metadata_extra) &&
	       prof_node_equal(a->status, b->status) && a->spec_state == b->spec_state &&
	       prof_strs_equal(&a->architectures, &b->architectures) &&
	       containers_equal(&a->containers, &b->containers) &&
	       containers_equal(&a->init_containers, &b->init_containers) &&
	       containers_equal(&a->ephemeral_containers, &b->ephemeral_containers) &&
	       selector_equal(&a->selector, &b->selector) && container_equal(&a->cp, &b->cp);
}

bool prof_equal(const struct vigil_profile *a, const struct vigil_profile *b)
{
	if (a->ndocs != b->ndocs)
		return false;
	for (size_t i = 0; i < a->ndocs; i++)
		if (!doc_equal(&a->docs[i], &b->docs[i]))
			return false;
	return true;
}
