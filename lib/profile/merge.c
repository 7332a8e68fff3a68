// SPDX-License-Identifier: Apache-2.0
/*
 * Union of two profiles (learning merges what several runs or nodes saw). Documents match by
 * kind + namespace + name (counterpart.c), containers by section + name. Sets and entry lists are unioned; a list that is
 * a list on either side is a list in the result (`egress: null` + a list = the list); scalar
 * fields keep dst's value when it has one. Signature annotations of a document that changed
 * are dropped: the old signature cannot be valid for the union.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/buf.h"
#include "util/strutil.h"

#define SIGNATURE_PREFIX "signature.kubescape.io/"

static void union_state(enum prof_state *d, enum prof_state s)
{
	if (s > *d)
		*d = s;
}

static int union_strs(struct prof_strs *d, const struct prof_strs *s)
{
	union_state(&d->state, s->state);
	for (size_t i = 0; i < s->n; i++)
		if (prof_strs_push(d, s->v[i]))
			return -ENOMEM;
	if (s->n)
		d->state = PROF_SET;
	return 0;
}

static int union_kvs(struct prof_kvs *d, const struct prof_kvs *s)
{
	union_state(&d->state, s->state);
	for (size_t i = 0; i < s->n; i++) {
		bool have = false;

		for (size_t j = 0; j < d->n && !have; j++)
			have = !strcmp(d->v[j].key, s->v[i].key);
		if (!have && prof_kvs_set(d, s->v[i].key, s->v[i].value))
			return -ENOMEM;
	}
	return 0;
}

static int dup_str(char **d, const char *s)
{
	if (*d || !s)
		return 0;
	*d = strdup(s);
	return *d ? 0 : -ENOMEM;
}

static int dup_node(struct prof_node **d, const struct prof_node *s)
{
	if (*d || !s)
		return 0;
	*d = prof_node_clone(s);
	return *d ? 0 : -ENOMEM;
}

/*
 * A label selector is one condition (its terms are ANDed), not a set: uniting two would narrow
 * it. dst keeps its own selector; an empty one takes src's.
 */
static int copy_selector(struct prof_selector *d, const struct prof_selector *s)
{
	if (d->match_labels.n || d->nexprs || d->match_labels.state || d->exprs_state) {
		union_state(&d->state, s->state);
		return 0;
	}
	union_state(&d->state, s->state);
	if (union_kvs(&d->match_labels, &s->match_labels))
		return -ENOMEM;
	union_state(&d->exprs_state, s->exprs_state);
	for (size_t i = 0; i < s->nexprs; i++) {
		struct prof_match_expr *e;

		if (prof_grow((void **)&d->exprs, &d->exprs_cap, d->nexprs, sizeof(*d->exprs)))
			return -ENOMEM;
		e = &d->exprs[d->nexprs++];
		memset(e, 0, sizeof(*e));
		e->pos = s->exprs[i].pos;
		if (!(e->key = strdup(s->exprs[i].key)) || !(e->op = strdup(s->exprs[i].op)) ||
		    prof_strs_copy(&e->values, &s->exprs[i].values))
			return -ENOMEM;
	}
	return 0;
}

static int union_ports(struct prof_neighbor *d, const struct prof_neighbor *s)
{
	union_state(&d->ports_state, s->ports_state);
	for (size_t i = 0; i < s->nports; i++) {
		const struct prof_port *sp = &s->ports[i];
		struct prof_port *dp;
		bool have = false;

		for (size_t j = 0; j < d->nports && !have; j++) {
			dp = &d->ports[j];
			have = dp->has_port == sp->has_port && dp->port == sp->port &&
			       !strcmp(dp->protocol ? dp->protocol : "",
				       sp->protocol ? sp->protocol : "") &&
			       !strcmp(dp->name ? dp->name : "", sp->name ? sp->name : "");
		}
		if (have)
			continue;
		if (prof_grow((void **)&d->ports, &d->ports_cap, d->nports, sizeof(*d->ports)))
			return -ENOMEM;
		dp = &d->ports[d->nports++];
		*dp = *sp;
		dp->name = NULL;
		dp->protocol = NULL;
		if (dup_str(&dp->name, sp->name) || dup_str(&dp->protocol, sp->protocol))
			return -ENOMEM;
	}
	return 0;
}

static bool has_neighbor(const struct prof_neighbors *d, size_t dn, const struct prof_neighbor *n)
{
	for (size_t j = 0; j < dn; j++)
		if (prof_neighbor_equal(&d->v[j], n))
			return true;
	return false;
}

/*
 * Neighbors with the same identifier are one neighbor: their names, addresses, ports unite. A
 * neighbor already present as it is adds nothing: a hand-edited profile may give one identifier
 * to two different neighbors, and uniting the second into the first would make the union of a
 * profile with itself another profile.
 */
static int union_neighbors(struct prof_neighbors *d, const struct prof_neighbors *s)
{
	size_t dn = d->n;

	union_state(&d->state, s->state);
	for (size_t i = 0; i < s->n; i++) {
		const struct prof_neighbor *sn = &s->v[i];
		struct prof_neighbor *nb = NULL;

		if (has_neighbor(d, dn, sn))
			continue;
		for (size_t j = 0; sn->identifier && j < dn && !nb; j++)
			if (d->v[j].identifier && !strcmp(d->v[j].identifier, sn->identifier))
				nb = &d->v[j];
		if (!nb) {
			if (prof_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)))
				return -ENOMEM;
			nb = &d->v[d->n++];
			memset(nb, 0, sizeof(*nb));
			nb->pos = sn->pos;
			d->state = PROF_SET;
		}
		if (dup_str(&nb->identifier, sn->identifier) || dup_str(&nb->type, sn->type) ||
		    dup_str(&nb->dns, sn->dns) || union_strs(&nb->dns_names, &sn->dns_names) ||
		    union_ports(nb, sn) || copy_selector(&nb->pod_selector, &sn->pod_selector) ||
		    copy_selector(&nb->namespace_selector, &sn->namespace_selector) ||
		    dup_str(&nb->ip_address, sn->ip_address) ||
		    union_strs(&nb->ip_addresses, &sn->ip_addresses))
			return -ENOMEM;
	}
	return 0;
}

static int merge_policies(struct prof_container *d, const struct prof_container *s)
{
	union_state(&d->rule_policies.state, s->rule_policies.state);
	for (size_t i = 0; i < s->rule_policies.n; i++) {
		const struct prof_rule_policy *sp = &s->rule_policies.v[i];
		struct prof_rule_policy *dp = NULL;

		for (size_t j = 0; j < d->rule_policies.n && !dp; j++)
			if (!strcmp(d->rule_policies.v[j].rule_id, sp->rule_id))
				dp = &d->rule_policies.v[j];
		if (!dp) {
			if (prof_grow((void **)&d->rule_policies.v, &d->rule_policies.cap,
				      d->rule_policies.n, sizeof(*d->rule_policies.v)))
				return -ENOMEM;
			dp = &d->rule_policies.v[d->rule_policies.n++];
			memset(dp, 0, sizeof(*dp));
			if (!(dp->rule_id = strdup(sp->rule_id)))
				return -ENOMEM;
			d->rule_policies.state = PROF_SET;
		}
		if (union_strs(&dp->process_allowed, &sp->process_allowed))
			return -ENOMEM;
		if (sp->container_allowed > dp->container_allowed)
			dp->container_allowed = sp->container_allowed;
	}
	return 0;
}

/* dst may be a zeroed container: then this is a deep copy. */
int prof_container_merge(struct prof_container *d, const struct prof_container *s);

/* byExecutable: sections united by executable path, each like a container. */
static int merge_byexe(struct prof_container *d, const struct prof_container *s)
{
	union_state(&d->by_exe.state, s->by_exe.state);
	for (size_t i = 0; i < s->by_exe.n; i++) {
		struct prof_container *x = prof_byexe_section(d, s->by_exe.v[i].name, false);

		if (!x) {
			if (!(x = prof_byexe_section(d, s->by_exe.v[i].name, true)))
				return -ENOMEM;
			/* the source's states decide (absent stays absent) */
			x->execs.state = PROF_ABSENT;
			x->opens.state = PROF_ABSENT;
			x->pos = s->by_exe.v[i].pos;
		}
		if (prof_container_merge(x, &s->by_exe.v[i]))
			return -ENOMEM;
	}
	return 0;
}

int prof_container_merge(struct prof_container *d, const struct prof_container *s)
{
	prof_container_drop_cache(d);
	if (dup_str(&d->name, s->name) || union_strs(&d->capabilities, &s->capabilities) ||
	    union_strs(&d->syscalls, &s->syscalls) || union_strs(&d->iouring, &s->iouring) ||
	    union_strs(&d->exec_digests, &s->exec_digests) ||
	    dup_node(&d->seccomp_profile, s->seccomp_profile) ||
	    dup_node(&d->identified_call_stacks, s->identified_call_stacks) ||
	    dup_str(&d->image_id, s->image_id) || dup_str(&d->image_tag, s->image_tag) ||
	    merge_policies(d, s) || union_neighbors(&d->ingress, &s->ingress) ||
	    union_neighbors(&d->egress, &s->egress) || merge_byexe(d, s))
		return -ENOMEM;
	union_state(&d->execs.state, s->execs.state);
	for (size_t i = 0; i < s->execs.n; i++) {
		struct prof_exec *e;

		if (prof_grow((void **)&d->execs.v, &d->execs.cap, d->execs.n, sizeof(*d->execs.v)))
			return -ENOMEM;
		e = &d->execs.v[d->execs.n++];
		memset(e, 0, sizeof(*e));
		e->args_required = s->execs.v[i].args_required;
		e->pos = s->execs.v[i].pos;
		if (!(e->path = strdup(s->execs.v[i].path)) ||
		    prof_strs_copy(&e->args, &s->execs.v[i].args) ||
		    prof_strs_copy(&e->envs, &s->execs.v[i].envs))
			return -ENOMEM;
		d->execs.state = PROF_SET;
	}
	union_state(&d->opens.state, s->opens.state);
	for (size_t i = 0; i < s->opens.n; i++) {
		struct prof_open *o;

		if (prof_grow((void **)&d->opens.v, &d->opens.cap, d->opens.n, sizeof(*d->opens.v)))
			return -ENOMEM;
		o = &d->opens.v[d->opens.n++];
		memset(o, 0, sizeof(*o));
		o->pos = s->opens.v[i].pos;
		if (!(o->path = strdup(s->opens.v[i].path)) ||
		    prof_strs_copy(&o->flags, &s->opens.v[i].flags))
			return -ENOMEM;
		d->opens.state = PROF_SET;
	}
	union_state(&d->endpoints.state, s->endpoints.state);
	for (size_t i = 0; i < s->endpoints.n; i++) {
		const struct prof_endpoint *se = &s->endpoints.v[i];
		struct prof_endpoint *e;

		if (prof_grow((void **)&d->endpoints.v, &d->endpoints.cap, d->endpoints.n,
			      sizeof(*d->endpoints.v)))
			return -ENOMEM;
		e = &d->endpoints.v[d->endpoints.n++];
		memset(e, 0, sizeof(*e));
		e->internal = se->internal;
		e->pos = se->pos;
		if (!(e->endpoint = strdup(se->endpoint)) ||
		    dup_str(&e->direction, se->direction) ||
		    prof_strs_copy(&e->methods, &se->methods) || dup_node(&e->headers, se->headers))
			return -ENOMEM;
		d->endpoints.state = PROF_SET;
	}
	prof_container_normalize(d);
	return 0;
}

static bool same_cname(const struct prof_container *a, const struct prof_container *b)
{
	return !strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/*
 * Containers by name; a repeated name (shadowed, select.c) by its rank among those with the
 * name, so that a later one, which Kubescape never reads, is never united into the one it reads.
 */
static int merge_containers(struct prof_containers *d, const struct prof_containers *s)
{
	union_state(&d->state, s->state);
	for (size_t i = 0; i < s->n; i++) {
		struct prof_container *c = NULL;
		size_t rank = 0;

		for (size_t j = 0; s->v[i].shadowed && j < i; j++)
			rank += same_cname(&s->v[j], &s->v[i]);
		for (size_t j = 0; j < d->n && !c; j++)
			if (same_cname(&d->v[j], &s->v[i]) && !rank--)
				c = &d->v[j];
		if (!c) {
			if (prof_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)))
				return -ENOMEM;
			c = &d->v[d->n++];
			memset(c, 0, sizeof(*c));
			c->pos = s->v[i].pos;
			d->state = PROF_SET;
		}
		if (prof_container_merge(c, &s->v[i]))
			return -ENOMEM;
	}
	return 0;
}

static int merge_doc(struct prof_doc *d, const struct prof_doc *s)
{
	if (dup_str(&d->api_version, s->api_version) || dup_str(&d->name, s->name) ||
	    dup_str(&d->namespace_, s->namespace_) || union_kvs(&d->labels, &s->labels) ||
	    union_kvs(&d->annotations, &s->annotations) ||
	    dup_node(&d->metadata_extra, s->metadata_extra) || dup_node(&d->status, s->status) ||
	    union_strs(&d->architectures, &s->architectures) ||
	    merge_containers(&d->containers, &s->containers) ||
	    merge_containers(&d->init_containers, &s->init_containers) ||
	    merge_containers(&d->ephemeral_containers, &s->ephemeral_containers) ||
	    copy_selector(&d->selector, &s->selector) || prof_container_merge(&d->cp, &s->cp) ||
	    prof_doc_mark_shadowed(d, NULL))
		return -ENOMEM;
	d->kind = s->kind;
	union_state(&d->spec_state, s->spec_state);
	return 0;
}

static void drop_signature(struct prof_doc *d)
{
	size_t w = 0;

	for (size_t i = 0; i < d->annotations.n; i++) {
		if (vigil_str_has_prefix(d->annotations.v[i].key, SIGNATURE_PREFIX)) {
			free(d->annotations.v[i].key);
			free(d->annotations.v[i].value);
			continue;
		}
		d->annotations.v[w++] = d->annotations.v[i];
	}
	d->annotations.n = w;
}

int vigil_profile__merge(struct vigil_profile *dst, const struct vigil_profile *src)
{
	if (!dst || !src)
		return -EINVAL;
	if (dst == src) /* the union with itself is itself (and would grow what it walks) */
		return 0;
	prof_ensure_normal(dst);
	prof_ensure_normal(src);
	for (size_t i = 0; i < src->ndocs; i++) {
		const struct prof_doc *s = &src->docs[i];
		const struct prof_doc *match = prof_doc_counterpart(src, i, dst);
		struct prof_doc *d = match ? &dst->docs[match - dst->docs] : NULL;
		bool fresh = false;

		if (!d) {
			if (prof_grow((void **)&dst->docs, &dst->docs_cap, dst->ndocs,
				      sizeof(*dst->docs)))
				return -ENOMEM;
			d = &dst->docs[dst->ndocs++];
			memset(d, 0, sizeof(*d));
			d->pos = s->pos;
			fresh = true;
		}
		{
			/* the signature stays only if the signed bytes are unchanged */
			struct vigil_profile one = { .docs = d, .ndocs = 1 };
			struct vigil_buf before = VIGIL_BUF_INIT, after = VIGIL_BUF_INIT;
			int r = fresh ? 0 : vigil_profile__canon(&one, 0, &before);

			if (!r)
				r = merge_doc(d, s);
			if (!r) {
				prof_normalize(&one);
				if (!fresh)
					r = vigil_profile__canon(&one, 0, &after);
			}
			if (!r && !fresh &&
			    (before.len != after.len ||
			     memcmp(before.data, after.data, before.len)))
				drop_signature(d);
			vigil_buf__release(&before);
			vigil_buf__release(&after);
			if (r)
				return r;
		}
	}
	prof_normalize(dst);
	return 0;
}
