// SPDX-License-Identifier: Apache-2.0
/*
 * Model -> an ordered output tree (struct prof_node with typed scalars), the one place that
 * decides key order (Kubescape's Go struct field order) and what is written for absent / null
 * / empty values. The YAML emitter, the JSON of `show --json` and the canonical JSON all render
 * this tree, so the three can never disagree about content.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/outtree.h"

struct ob {
	int err;
};

static struct prof_node *add(struct ob *b, struct prof_node *parent, const char *key,
			     enum prof_node_type type)
{
	struct prof_node *n;

	if (b->err)
		return NULL;
	if (prof_grow((void **)&parent->items, &parent->cap, parent->n, sizeof(*parent->items))) {
		b->err = -ENOMEM;
		return NULL;
	}
	n = &parent->items[parent->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	if (key && !(n->key = strdup(key)))
		b->err = -ENOMEM;
	return n;
}

static void add_scalar(struct ob *b, struct prof_node *parent, const char *key,
		       enum prof_scalar_type t, const char *text)
{
	struct prof_node *n = add(b, parent, key, PROF_NODE_SCALAR);

	if (!n)
		return;
	n->stype = t;
	n->len = strlen(text);
	if (!(n->value = strdup(text)))
		b->err = -ENOMEM;
}

static void add_str(struct ob *b, struct prof_node *m, const char *key, const char *v)
{
	if (v)
		add_scalar(b, m, key, PROF_SCALAR_STR, v);
}

static void add_null(struct ob *b, struct prof_node *m, const char *key)
{
	add_scalar(b, m, key, PROF_SCALAR_NULL, "null");
}

static void add_tri(struct ob *b, struct prof_node *m, const char *key, enum prof_tri t)
{
	if (t != PROF_TRI_UNSET)
		add_scalar(b, m, key, PROF_SCALAR_BOOL, t == PROF_TRI_TRUE ? "true" : "false");
}

static void add_strs(struct ob *b, struct prof_node *m, const char *key, const struct prof_strs *l)
{
	struct prof_node *s;

	if (l->state == PROF_ABSENT)
		return;
	if (l->state == PROF_NULL) {
		add_null(b, m, key);
		return;
	}
	s = add(b, m, key, PROF_NODE_SEQ);
	for (size_t i = 0; s && i < l->n; i++)
		add_scalar(b, s, NULL, PROF_SCALAR_STR, l->v[i]);
}

static void add_kvs(struct ob *b, struct prof_node *m, const char *key, const struct prof_kvs *l)
{
	struct prof_node *s;

	if (l->state == PROF_ABSENT)
		return;
	if (l->state == PROF_NULL) {
		add_null(b, m, key);
		return;
	}
	s = add(b, m, key, PROF_NODE_MAP);
	for (size_t i = 0; s && i < l->n; i++)
		add_scalar(b, s, l->v[i].key, PROF_SCALAR_STR, l->v[i].value);
}

/*
 * The one annotation the signature covers: the profile version (replay protection needs a
 * version the signer vouched for). Absent, the canonical form is what it always was, so older
 * signatures stay valid.
 */
static void add_signed_annotations(struct ob *b, struct prof_node *m, const struct prof_kvs *l)
{
	struct prof_node *s;

	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, VIGIL_PROFILE_ANN_VERSION))
			continue;
		s = add(b, m, "annotations", PROF_NODE_MAP);
		if (s)
			add_scalar(b, s, l->v[i].key, PROF_SCALAR_STR, l->v[i].value);
		return;
	}
}

static void add_generic(struct ob *b, struct prof_node *m, const char *key,
			const struct prof_node *g)
{
	struct prof_node *c, *n;

	if (!g || b->err)
		return;
	c = prof_node_clone(g);
	if (!c) {
		b->err = -ENOMEM;
		return;
	}
	n = add(b, m, NULL, PROF_NODE_SCALAR);
	if (!n) {
		prof_node_free(c);
		return;
	}
	*n = *c;
	free(c);
	free(n->key);
	n->key = key ? strdup(key) : NULL;
	if (key && !n->key)
		b->err = -ENOMEM;
}

static void add_selector(struct ob *b, struct prof_node *m, const char *key,
			 const struct prof_selector *s, bool inline_)
{
	struct prof_node *sm = m;

	if (s->state == PROF_ABSENT && !inline_)
		return;
	if (s->state == PROF_NULL && !inline_) {
		add_null(b, m, key);
		return;
	}
	if (!inline_)
		sm = add(b, m, key, PROF_NODE_MAP);
	if (!sm)
		return;
	add_kvs(b, sm, "matchLabels", &s->match_labels);
	if (s->exprs_state == PROF_NULL) {
		add_null(b, sm, "matchExpressions");
	} else if (s->exprs_state == PROF_SET) {
		struct prof_node *l = add(b, sm, "matchExpressions", PROF_NODE_SEQ);

		for (size_t i = 0; l && i < s->nexprs; i++) {
			struct prof_node *e = add(b, l, NULL, PROF_NODE_MAP);

			if (!e)
				return;
			add_str(b, e, "key", s->exprs[i].key);
			add_str(b, e, "operator", s->exprs[i].op);
			add_strs(b, e, "values", &s->exprs[i].values);
		}
	}
}

static void add_neighbors(struct ob *b, struct prof_node *m, const char *key,
			  const struct prof_neighbors *l)
{
	struct prof_node *s;

	if (l->state == PROF_ABSENT)
		return;
	if (l->state == PROF_NULL) {
		add_null(b, m, key);
		return;
	}
	s = add(b, m, key, PROF_NODE_SEQ);
	for (size_t i = 0; s && i < l->n; i++) {
		const struct prof_neighbor *nb = &l->v[i];
		struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

		if (!e)
			return;
		add_str(b, e, "identifier", nb->identifier);
		add_str(b, e, "type", nb->type);
		add_str(b, e, "dns", nb->dns);
		add_strs(b, e, "dnsNames", &nb->dns_names);
		if (nb->ports_state == PROF_NULL) {
			add_null(b, e, "ports");
		} else if (nb->ports_state == PROF_SET) {
			struct prof_node *pl = add(b, e, "ports", PROF_NODE_SEQ);

			for (size_t j = 0; pl && j < nb->nports; j++) {
				struct prof_node *pe = add(b, pl, NULL, PROF_NODE_MAP);
				char num[16];

				if (!pe)
					return;
				add_str(b, pe, "name", nb->ports[j].name);
				add_str(b, pe, "protocol", nb->ports[j].protocol);
				if (nb->ports[j].has_port) {
					snprintf(num, sizeof(num), "%d", (int)nb->ports[j].port);
					add_scalar(b, pe, "port", PROF_SCALAR_INT, num);
				}
			}
		}
		add_selector(b, e, "podSelector", &nb->pod_selector, false);
		add_selector(b, e, "namespaceSelector", &nb->namespace_selector, false);
		add_str(b, e, "ipAddress", nb->ip_address);
		add_strs(b, e, "ipAddresses", &nb->ip_addresses);
	}
}

#define LIST_HEAD(b, m, key, list)                          \
	({                                                  \
		struct prof_node *_s = NULL;                \
		if ((list).state == PROF_NULL)              \
			add_null(b, m, key);                \
		else if ((list).state == PROF_SET)          \
			_s = add(b, m, key, PROF_NODE_SEQ); \
		_s;                                         \
	})

static void add_execs_opens(struct ob *b, struct prof_node *m, const struct prof_container *c)
{
	struct prof_node *s;

	if ((s = LIST_HEAD(b, m, "execs", c->execs))) {
		for (size_t i = 0; i < c->execs.n; i++) {
			struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

			if (!e)
				return;
			add_str(b, e, "path", c->execs.v[i].path);
			add_strs(b, e, "args", &c->execs.v[i].args);
			add_strs(b, e, "envs", &c->execs.v[i].envs);
			add_tri(b, e, "argsRequired", c->execs.v[i].args_required);
		}
	}
	if ((s = LIST_HEAD(b, m, "opens", c->opens))) {
		for (size_t i = 0; i < c->opens.n; i++) {
			struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

			if (!e)
				return;
			add_str(b, e, "path", c->opens.v[i].path);
			add_strs(b, e, "flags", &c->opens.v[i].flags);
		}
	}
}

/* byExecutable: one map per executable (path, execs, opens). */
static void add_byexe(struct ob *b, struct prof_node *m, const struct prof_container *c)
{
	struct prof_node *s = LIST_HEAD(b, m, "byExecutable", c->by_exe);

	for (size_t i = 0; s && i < c->by_exe.n; i++) {
		struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

		if (!e)
			return;
		add_str(b, e, "path", c->by_exe.v[i].name);
		add_execs_opens(b, e, &c->by_exe.v[i]);
	}
}

/*
 * The container fields in Kubescape's order, then Vigil's extensions (iouring, execDigests,
 * byExecutable).
 */
static void add_container_fields(struct ob *b, struct prof_node *m, const struct prof_container *c)
{
	struct prof_node *s;

	add_strs(b, m, "capabilities", &c->capabilities);
	add_execs_opens(b, m, c);
	add_strs(b, m, "syscalls", &c->syscalls);
	add_generic(b, m, "seccompProfile", c->seccomp_profile);
	if ((s = LIST_HEAD(b, m, "endpoints", c->endpoints))) {
		for (size_t i = 0; i < c->endpoints.n; i++) {
			const struct prof_endpoint *ep = &c->endpoints.v[i];
			struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

			if (!e)
				return;
			add_str(b, e, "endpoint", ep->endpoint);
			add_strs(b, e, "methods", &ep->methods);
			add_tri(b, e, "internal", ep->internal);
			add_str(b, e, "direction", ep->direction);
			add_generic(b, e, "headers", ep->headers);
		}
	}
	add_str(b, m, "imageID", c->image_id);
	add_str(b, m, "imageTag", c->image_tag);
	if (c->rule_policies.state == PROF_NULL) {
		add_null(b, m, "rulePolicies");
	} else if (c->rule_policies.state == PROF_SET) {
		s = add(b, m, "rulePolicies", PROF_NODE_MAP);
		for (size_t i = 0; s && i < c->rule_policies.n; i++) {
			const struct prof_rule_policy *p = &c->rule_policies.v[i];
			struct prof_node *e = add(b, s, p->rule_id, PROF_NODE_MAP);

			if (!e)
				return;
			add_strs(b, e, "processAllowed", &p->process_allowed);
			add_tri(b, e, "containerAllowed", p->container_allowed);
		}
	}
	add_generic(b, m, "identifiedCallStacks", c->identified_call_stacks);
	add_strs(b, m, "iouring", &c->iouring);
	add_strs(b, m, "execDigests", &c->exec_digests);
	add_byexe(b, m, c);
}

static void add_containers(struct ob *b, struct prof_node *m, const char *key,
			   const struct prof_containers *l, bool nn)
{
	struct prof_node *s = LIST_HEAD(b, m, key, (*l));

	for (size_t i = 0; s && i < l->n; i++) {
		struct prof_node *e = add(b, s, NULL, PROF_NODE_MAP);

		if (!e)
			return;
		add_str(b, e, "name", l->v[i].name);
		if (!nn)
			add_container_fields(b, e, &l->v[i]);
		add_neighbors(b, e, "ingress", &l->v[i].ingress);
		add_neighbors(b, e, "egress", &l->v[i].egress);
	}
}

static const char *kind_name(enum vigil_profile_kind k)
{
	switch (k) {
	case VIGIL_KIND_APPLICATION_PROFILE:
		return "ApplicationProfile";
	case VIGIL_KIND_NETWORK_NEIGHBORHOOD:
		return "NetworkNeighborhood";
	case VIGIL_KIND_CONTAINER_PROFILE:
		return "ContainerProfile";
	}
	return "";
}

const char *prof_kind_name(enum vigil_profile_kind k)
{
	return kind_name(k);
}

const char *vigil_profile_kind__name(enum vigil_profile_kind k)
{
	return kind_name(k);
}

struct prof_node *prof_doc_tree(const struct prof_doc *d, bool signed_only)
{
	struct ob b = { 0 };
	struct prof_node *root = calloc(1, sizeof(*root)), *meta, *spec;

	if (!root)
		return NULL;
	root->type = PROF_NODE_MAP;
	add_str(&b, root, "apiVersion",
		d->api_version ? d->api_version : VIGIL_PROFILE_API_VERSION);
	add_str(&b, root, "kind", kind_name(d->kind));
	meta = add(&b, root, "metadata", PROF_NODE_MAP);
	if (meta) {
		add_str(&b, meta, "name", d->name ? d->name : "");
		add_str(&b, meta, "namespace", d->namespace_);
		add_kvs(&b, meta, "labels", &d->labels);
		if (signed_only)
			add_signed_annotations(&b, meta, &d->annotations);
		else {
			add_kvs(&b, meta, "annotations", &d->annotations);
			for (size_t i = 0; d->metadata_extra && i < d->metadata_extra->n; i++)
				add_generic(&b, meta, d->metadata_extra->items[i].key,
					    &d->metadata_extra->items[i]);
		}
	}
	if (d->spec_state == PROF_NULL) {
		add_null(&b, root, "spec");
	} else if (d->spec_state == PROF_SET && (spec = add(&b, root, "spec", PROF_NODE_MAP))) {
		switch (d->kind) {
		case VIGIL_KIND_APPLICATION_PROFILE:
			add_strs(&b, spec, "architectures", &d->architectures);
			add_containers(&b, spec, "containers", &d->containers, false);
			add_containers(&b, spec, "initContainers", &d->init_containers, false);
			add_containers(&b, spec, "ephemeralContainers", &d->ephemeral_containers,
				       false);
			break;
		case VIGIL_KIND_NETWORK_NEIGHBORHOOD:
			add_selector(&b, spec, NULL, &d->selector, true);
			add_containers(&b, spec, "containers", &d->containers, true);
			add_containers(&b, spec, "initContainers", &d->init_containers, true);
			add_containers(&b, spec, "ephemeralContainers", &d->ephemeral_containers,
				       true);
			break;
		case VIGIL_KIND_CONTAINER_PROFILE:
			add_strs(&b, spec, "architectures", &d->architectures);
			add_container_fields(&b, spec, &d->cp);
			add_selector(&b, spec, NULL, &d->selector, true);
			add_neighbors(&b, spec, "ingress", &d->cp.ingress);
			add_neighbors(&b, spec, "egress", &d->cp.egress);
			/* grouped form: one section per container of the pod */
			add_containers(&b, spec, "containers", &d->containers, false);
			add_containers(&b, spec, "initContainers", &d->init_containers, false);
			add_containers(&b, spec, "ephemeralContainers", &d->ephemeral_containers,
				       false);
			break;
		}
	}
	if (!signed_only)
		add_generic(&b, root, "status", d->status);
	if (b.err) {
		prof_node_free(root);
		return NULL;
	}
	return root;
}
