// SPDX-License-Identifier: Apache-2.0
/*
 * The entries of a profile's lists (loadctx.h): execs, opens, endpoints, rule policies, label
 * selectors, network neighbors and their ports.
 */
#include <stdlib.h>
#include <string.h>

#include "profile/loadctx.h"
#include "profile/yamltree.h"
#include "util/strutil.h"

/*
 * A missing or null path (or endpoint) is Go's zero value "" in Kubescape's types, which load
 * it: so does Vigil, as "", with a warning; such an entry matches nothing.
 */
static int ld_zero_path(struct ld *c, struct prof_pos pos, const char *entry, const char *field,
			char **out)
{
	if (*out)
		return 0;
	*out = strdup("");
	if (!*out)
		return ld_oom(c);
	if (prof_note_add(c->p, VIGIL_PROFILE_WARNING, pos,
			  "%s entry has no \"%s\" (Go's zero value \"\"): loaded as in Kubescape, "
			  "it matches nothing",
			  entry, field))
		return ld_oom(c);
	return 0;
}

int ld_exec(struct ld *c, struct prof_node *n, struct prof_exec *e)
{
	static const char *const names[] = { "path", "args", "envs", "argsRequired", NULL };
	int r;

	e->pos = n->pos;
	if (ld_is_null(n)) /* a null entry is Go's zero value: an entry with "" */
		return ld_zero_path(c, n->pos, "execs", "path", &e->path);
	if ((r = ld_want_map(c, n, "an execs entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "execs entry");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			if ((r = ld_str(c, it, "path", &e->path)) ||
			    (e->path && (r = ld_check(c, it, e->path, prof_check_exec_path_w))))
				return r;
			break;
		case 1:
			r = ld_strs(c, it, "args", &e->args, prof_check_exec_arg_w);
			break;
		case 2:
			r = ld_strs(c, it, "envs", &e->envs, NULL);
			break;
		case 3:
			r = ld_tri(c, it, "argsRequired", &e->args_required);
			break;
		}
		if (r)
			return r;
	}
	return ld_zero_path(c, n->pos, "execs", "path", &e->path);
}

int ld_open(struct ld *c, struct prof_node *n, struct prof_open *o)
{
	static const char *const names[] = { "path", "flags", NULL };
	int r;

	o->pos = n->pos;
	if (ld_is_null(n)) /* a null entry is Go's zero value: an entry with "" */
		return ld_zero_path(c, n->pos, "opens", "path", &o->path);
	if ((r = ld_want_map(c, n, "an opens entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "opens entry");

		if (f < 0)
			return f;
		if (f == 0) {
			if ((r = ld_str(c, it, "path", &o->path)) ||
			    (o->path && (r = ld_check(c, it, o->path, prof_check_open_path_w))))
				return r;
		} else if ((r = ld_strs(c, it, "flags", &o->flags, prof_check_open_flag_))) {
			return r;
		}
	}
	return ld_zero_path(c, n->pos, "opens", "path", &o->path);
}

int ld_endpoint(struct ld *c, struct prof_node *n, struct prof_endpoint *e)
{
	static const char *const names[] = { "endpoint",  "methods", "internal",
					     "direction", "headers", NULL };
	int r;

	e->pos = n->pos;
	if (ld_is_null(n)) /* a null entry is Go's zero value: an entry with "" */
		return ld_zero_path(c, n->pos, "endpoints", "endpoint", &e->endpoint);
	if ((r = ld_want_map(c, n, "an endpoints entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "endpoints entry");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			if ((r = ld_str(c, it, "endpoint", &e->endpoint)) ||
			    (e->endpoint &&
			     (r = ld_check(c, it, e->endpoint, prof_check_endpoint_w))))
				return r;
			break;
		case 1:
			r = ld_strs(c, it, "methods", &e->methods, prof_check_method_);
			break;
		case 2:
			r = ld_tri(c, it, "internal", &e->internal);
			break;
		case 3:
			if ((r = ld_str(c, it, "direction", &e->direction)))
				return r;
			/* "" is Go's zero value (no direction, matched as any), as for a
			 * neighbor's type */
			if (e->direction && *e->direction)
				r = ld_check(c, it, e->direction, prof_check_direction_);
			break;
		case 4:
			r = ld_take_node(c, it, &e->headers);
			break;
		}
		if (r)
			return r;
	}
	return ld_zero_path(c, n->pos, "endpoints", "endpoint", &e->endpoint);
}

int ld_rule_policies(struct ld *c, struct prof_node *n, struct prof_container *ct)
{
	static const char *const names[] = { "processAllowed", "containerAllowed", NULL };
	int r;

	ct->rule_policies.pos = n->pos;
	if (ld_is_null(n)) {
		ct->rule_policies.state = PROF_NULL;
		return 0;
	}
	if ((r = ld_want_map(c, n, "\"rulePolicies\"")))
		return r;
	ct->rule_policies.state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *rp = &n->items[i];
		struct prof_rule_policy *p;

		if (prof_grow((void **)&ct->rule_policies.v, &ct->rule_policies.cap,
			      ct->rule_policies.n, sizeof(*ct->rule_policies.v)))
			return ld_oom(c);
		p = &ct->rule_policies.v[ct->rule_policies.n++];
		p->pos = rp->key_pos;
		p->rule_id = strdup(rp->key);
		if (!p->rule_id)
			return ld_oom(c);
		if (ld_is_null(rp))
			continue;
		if ((r = ld_want_map(c, rp, "a rulePolicies entry")))
			return r;
		for (size_t j = 0; j < rp->n; j++) {
			struct prof_node *it = &rp->items[j];
			int f = ld_field(c, it, names, "rulePolicies entry");

			if (f < 0)
				return f;
			if (f == 0)
				r = ld_strs(c, it, "processAllowed", &p->process_allowed, NULL);
			else
				r = ld_tri(c, it, "containerAllowed", &p->container_allowed);
			if (r)
				return r;
		}
	}
	return 0;
}

int ld_selector(struct ld *c, struct prof_node *n, const char *what, struct prof_selector *s)
{
	static const char *const names[] = { "matchLabels", "matchExpressions", NULL };
	int r;

	s->pos = n->pos;
	if (ld_is_null(n)) {
		s->state = PROF_NULL;
		return 0;
	}
	if ((r = ld_want_map(c, n, what)))
		return r;
	s->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, what);

		if (f < 0)
			return f;
		if (f == 0)
			r = ld_kvs(c, it, "matchLabels", &s->match_labels);
		else
			r = 0;
		if (r)
			return r;
		if (f == 1) {
			static const char *const enames[] = { "key", "operator", "values", NULL };
			static const char *const ops[] = { "In", "NotIn", "Exists", "DoesNotExist",
							   NULL };

			if (ld_is_null(it)) {
				s->exprs_state = PROF_NULL;
				continue;
			}
			if (it->type != PROF_NODE_SEQ)
				return ld_fail(c, it->pos,
					       "\"matchExpressions\" must be a list, not %s",
					       ld_type_name(it));
			s->exprs_state = PROF_SET;
			for (size_t j = 0; j < it->n; j++) {
				struct prof_node *en = &it->items[j];
				struct prof_match_expr *e;

				if (prof_grow((void **)&s->exprs, &s->exprs_cap, s->nexprs,
					      sizeof(*s->exprs)))
					return ld_oom(c);
				e = &s->exprs[s->nexprs++];
				e->pos = en->pos;
				if ((r = ld_want_map(c, en, "a matchExpressions entry")))
					return r;
				for (size_t k = 0; k < en->n; k++) {
					struct prof_node *x = &en->items[k];
					int g = ld_field(c, x, enames, "matchExpressions entry");

					if (g < 0)
						return g;
					if (g == 0)
						r = ld_req_str(c, x, "key", &e->key);
					else if (g == 1) {
						if (!(r = ld_req_str(c, x, "operator", &e->op)) &&
						    !prof_name_in(e->op, ops)) {
							const char *sg = vigil_suggest(e->op, ops);

							r = ld_fail(c, x->pos,
								    "unknown operator \"%s\"%s%s%s",
								    e->op,
								    sg ? " (did you mean \"" : "",
								    sg ? sg : "", sg ? "\"?)" : "");
						}
					} else
						r = ld_strs(c, x, "values", &e->values, NULL);
					if (r)
						return r;
				}
				if (!e->key)
					return ld_fail(
						c, en->pos,
						"missing required field \"key\" in matchExpressions entry");
				if (!e->op)
					return ld_fail(
						c, en->pos,
						"missing required field \"operator\" in matchExpressions entry");
			}
		}
	}
	return 0;
}

/* A null item of a list of entries (a stray `-`) is Go's zero value there: read as `{}`. */
static int ld_null_entry(struct ld *c, struct prof_pos pos, const char *what, const char *means)
{
	if (prof_note_add(c->p, VIGIL_PROFILE_WARNING, pos,
			  "a null %s is Go's zero value, read as {}: loaded as in Kubescape, %s",
			  what, means))
		return ld_oom(c);
	return 0;
}

static int load_port(struct ld *c, struct prof_node *n, struct prof_port *p)
{
	static const char *const names[] = { "name", "protocol", "port", NULL };
	int r;

	p->pos = n->pos;
	if (ld_is_null(n))
		return ld_null_entry(c, n->pos, "ports entry", "any port and protocol");
	if ((r = ld_want_map(c, n, "a ports entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "ports entry");

		if (f < 0)
			return f;
		if (f == 0) {
			r = ld_str(c, it, "name", &p->name);
		} else if (f == 1) {
			/* "" is what Kubescape's types write for a missing protocol */
			if (!(r = ld_str(c, it, "protocol", &p->protocol)) && p->protocol &&
			    *p->protocol)
				r = ld_check(c, it, p->protocol, prof_check_protocol_);
		} else {
			int64_t v;

			if (ld_is_null(it))
				continue;
			/* 0x1BB, 0673 (octal), 4_43, 443.0: 443 as kubectl reads it (yaml11.c) */
			if (prof_yaml11_int(it, &v) && (v < 0 || v > 65535))
				return ld_fail(c, it->pos, "port %s is out of range 0..65535",
					       it->value);
			if (!prof_yaml11_int(it, &v))
				return ld_fail(c, it->pos,
					       "\"port\" must be a number 0..65535, not %s%s%s%s",
					       ld_type_name(it),
					       it->type == PROF_NODE_SCALAR ? " \"" : "",
					       it->type == PROF_NODE_SCALAR ? it->value : "",
					       it->type == PROF_NODE_SCALAR ? "\"" : "");
			p->has_port = true;
			p->port = (int32_t)v;
		}
		if (r)
			return r;
	}
	return 0;
}

static int load_neighbor(struct ld *c, struct prof_node *n, struct prof_neighbor *nb)
{
	static const char *const names[] = {
		"identifier",	     "type",	  "dns",	 "dnsNames", "ports", "podSelector",
		"namespaceSelector", "ipAddress", "ipAddresses", NULL
	};
	int r = 0;

	nb->pos = n->pos;
	if (ld_is_null(n))
		return ld_null_entry(c, n->pos, "network neighbor", "it matches nothing");
	if ((r = ld_want_map(c, n, "a network neighbor")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "network neighbor");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			r = ld_str(c, it, "identifier", &nb->identifier);
			break;
		case 1:
			if (!(r = ld_str(c, it, "type", &nb->type)) && nb->type && *nb->type)
				r = ld_check(c, it, nb->type, prof_check_neighbor_type_);
			break;
		case 2:
			if (!(r = ld_str(c, it, "dns", &nb->dns)) && nb->dns && *nb->dns)
				r = ld_check(c, it, nb->dns, prof_check_dns_w);
			break;
		case 3:
			r = ld_strs(c, it, "dnsNames", &nb->dns_names, prof_check_dns_w);
			break;
		case 4:
			if (ld_is_null(it)) {
				nb->ports_state = PROF_NULL;
				break;
			}
			if (it->type != PROF_NODE_SEQ)
				return ld_fail(c, it->pos, "\"ports\" must be a list, not %s",
					       ld_type_name(it));
			nb->ports_state = PROF_SET;
			for (size_t j = 0; j < it->n && !r; j++) {
				if (prof_grow((void **)&nb->ports, &nb->ports_cap, nb->nports,
					      sizeof(*nb->ports)))
					return ld_oom(c);
				r = load_port(c, &it->items[j], &nb->ports[nb->nports++]);
			}
			break;
		case 5:
			r = ld_selector(c, it, "podSelector", &nb->pod_selector);
			break;
		case 6:
			r = ld_selector(c, it, "namespaceSelector", &nb->namespace_selector);
			break;
		case 7:
			if (!(r = ld_str(c, it, "ipAddress", &nb->ip_address)) && nb->ip_address &&
			    *nb->ip_address)
				r = ld_check(c, it, nb->ip_address, prof_check_ip_);
			break;
		case 8:
			r = ld_strs(c, it, "ipAddresses", &nb->ip_addresses, prof_check_ip_);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

int ld_neighbors(struct ld *c, struct prof_node *n, const char *what, struct prof_neighbors *l)
{
	int r;

	if ((r = ld_list_open(c, n, what, &l->state, &l->pos)))
		return r < 0 ? r : 0;
	for (size_t i = 0; i < n->n; i++) {
		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return ld_oom(c);
		if ((r = load_neighbor(c, &n->items[i], &l->v[l->n++])))
			return r;
	}
	return 0;
}
