// SPDX-License-Identifier: Apache-2.0
/*
 * Generic YAML trees -> the typed SBoB model, with the checks a person needs: unknown fields
 * (with a suggestion), wrong types, missing required fields, bad wildcards and values. Every
 * error names FILE:LINE:COL of the offending key or value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/model.h"
#include "profile/yamltree.h"
#include "util/strutil.h"

struct ld {
	const char *name;
	struct vigil_error *err;
	const struct vigil_profile_limits *lim;
	struct vigil_profile *p; /* receives the warnings */
};

/* A value check; warn receives what is accepted but worth a warning (see model.h). */
typedef bool (*check_fn)(const char *v, char *msg, size_t size, char *warn, size_t wsize);

/* The checks that have nothing to warn about, in check_fn's shape. */
#define STRICT_CHECK(fn)                                                                   \
	static bool fn##_(const char *v, char *msg, size_t size, char *warn, size_t wsize) \
	{                                                                                  \
		(void)warn;                                                                \
		(void)wsize;                                                               \
		return fn(v, msg, size);                                                   \
	}
STRICT_CHECK(prof_check_open_flag)
STRICT_CHECK(prof_check_method)
STRICT_CHECK(prof_check_direction)
STRICT_CHECK(prof_check_protocol)
STRICT_CHECK(prof_check_neighbor_type)
STRICT_CHECK(prof_check_ip)
STRICT_CHECK(prof_check_capability)
STRICT_CHECK(prof_check_syscall)
STRICT_CHECK(prof_check_exec_digest)
STRICT_CHECK(prof_check_iouring_op)

static int failp(struct ld *c, struct prof_pos p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failp(struct ld *c, struct prof_pos p, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(c->err, -EINVAL, c->name, p.line, p.col, "%s", msg);
}

static int oom(struct ld *c)
{
	return vigil_error__set(c->err, -ENOMEM, c->name, 0, 0, "out of memory");
}

static const char *type_name(const struct prof_node *n)
{
	if (n->type == PROF_NODE_SEQ)
		return "a list";
	if (n->type == PROF_NODE_MAP)
		return "a mapping";
	switch (n->stype) {
	case PROF_SCALAR_NULL:
		return "null";
	case PROF_SCALAR_BOOL:
		return "a boolean";
	case PROF_SCALAR_INT:
	case PROF_SCALAR_FLOAT:
		return "a number";
	default:
		return "a string";
	}
}

static bool is_null(const struct prof_node *n)
{
	return n->type == PROF_NODE_SCALAR && n->stype == PROF_SCALAR_NULL;
}

static int want_map(struct ld *c, const struct prof_node *n, const char *what)
{
	if (n->type == PROF_NODE_MAP)
		return 0;
	return failp(c, n->pos, "%s must be a mapping, not %s", what, type_name(n));
}

/* A string value; a null leaves *out NULL. */
static int get_str(struct ld *c, struct prof_node *n, const char *what, char **out)
{
	if (is_null(n)) {
		*out = NULL;
		return 0;
	}
	if (n->type != PROF_NODE_SCALAR)
		return failp(c, n->pos, "\"%s\" must be a string, not %s", what, type_name(n));
	if (n->stype != PROF_SCALAR_STR)
		return failp(c, n->pos, "\"%s\" must be a string, not %s (quote it: '%s')", what,
			     type_name(n), n->value);
	/* the parsed tree is ours: take the string instead of copying it */
	*out = n->value;
	n->value = NULL;
	n->len = 0;
	return 0;
}

static int get_req_str(struct ld *c, struct prof_node *n, const char *what, char **out)
{
	int r = get_str(c, n, what, out);

	if (!r && !*out)
		return failp(c, n->pos, "\"%s\" must not be null", what);
	return r;
}

static int get_tri(struct ld *c, const struct prof_node *n, const char *what, enum prof_tri *out)
{
	if (is_null(n)) {
		*out = PROF_TRI_UNSET;
		return 0;
	}
	if (n->type != PROF_NODE_SCALAR || n->stype != PROF_SCALAR_BOOL)
		return failp(c, n->pos, "\"%s\" must be true or false, not %s", what, type_name(n));
	*out = (n->value[0] == 't' || n->value[0] == 'T') ? PROF_TRI_TRUE : PROF_TRI_FALSE;
	return 0;
}

static int check_value(struct ld *c, const struct prof_node *n, const char *v, check_fn check)
{
	char msg[VIGIL_ERROR_MSG_MAX - 64], warn[VIGIL_ERROR_MSG_MAX - 64];

	warn[0] = '\0';
	if (check && !check(v, msg, sizeof(msg), warn, sizeof(warn)))
		return failp(c, n->pos, "%s", msg);
	if (warn[0] && prof_note_add(c->p, VIGIL_PROFILE_WARNING, n->pos, "%s", warn))
		return oom(c);
	return 0;
}

static int get_strs(struct ld *c, struct prof_node *n, const char *what, struct prof_strs *out,
		    check_fn check)
{
	int r;

	out->pos = n->pos;
	if (is_null(n)) {
		out->state = PROF_NULL;
		return 0;
	}
	if (n->type != PROF_NODE_SEQ)
		return failp(c, n->pos, "\"%s\" must be a list, not %s", what, type_name(n));
	out->state = PROF_SET;
	if (n->n) {
		out->v = calloc(n->n, sizeof(*out->v));
		if (!out->v)
			return oom(c);
		out->cap = n->n;
	}
	for (size_t i = 0; i < n->n; i++) {
		char *s;

		if ((r = get_str(c, &n->items[i], what, &s)))
			return r;
		if (!s)
			return failp(c, n->items[i].pos, "\"%s\" items must not be null", what);
		out->v[out->n++] = s;
		if ((r = check_value(c, &n->items[i], s, check)))
			return r;
	}
	return 0;
}

static int get_kvs(struct ld *c, struct prof_node *n, const char *what, struct prof_kvs *out)
{
	int r;

	out->pos = n->pos;
	if (is_null(n)) {
		out->state = PROF_NULL;
		return 0;
	}
	if ((r = want_map(c, n, what)))
		return r;
	out->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		char *v;

		if ((r = get_str(c, &n->items[i], n->items[i].key, &v)))
			return r;
		if (prof_grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v))) {
			free(v);
			return oom(c);
		}
		out->v[out->n].key = strdup(n->items[i].key);
		out->v[out->n].value = v ? v : strdup("");
		out->v[out->n].pos = n->items[i].key_pos;
		out->n++;
		if (!out->v[out->n - 1].key || !out->v[out->n - 1].value)
			return oom(c);
	}
	return 0;
}

/* Field name lookup with a "did you mean" when the name is unknown. */
static int field(struct ld *c, const struct prof_node *item, const char *const *names,
		 const char *where)
{
	const char *s;

	for (int i = 0; names[i]; i++)
		if (!strcmp(item->key, names[i]))
			return i;
	s = vigil_suggest(item->key, names);
	if (s)
		return failp(c, item->key_pos, "unknown field \"%s\"%s%s (did you mean \"%s\"?)",
			     item->key, *where ? " in " : "", where, s);
	{
		/* no near miss: say what is allowed here when the list is short */
		char allowed[256] = "";
		size_t n = 0, off = 0;

		while (names[n])
			n++;
		for (size_t i = 0; n <= 6 && i < n && off < sizeof(allowed); i++)
			off += (size_t)snprintf(allowed + off, sizeof(allowed) - off, "%s%s",
						i ? ", " : "", names[i]);
		if (n <= 6)
			return failp(c, item->key_pos, "unknown field \"%s\"%s%s (allowed: %s)",
				     item->key, *where ? " in " : "", where, allowed);
	}
	return failp(c, item->key_pos, "unknown field \"%s\"%s%s", item->key, *where ? " in " : "",
		     where);
}

/* Moves a generic subtree out of the parsed tree into the model. */
static int take_node(struct ld *c, struct prof_node *n, struct prof_node **out)
{
	struct prof_node *m = malloc(sizeof(*m));

	if (!m)
		return oom(c);
	*m = *n;
	free(m->key);
	m->key = NULL;
	memset(n, 0, sizeof(*n));
	prof_node_free(*out);
	*out = m;
	return 0;
}

/* ---- entries ---- */

static int load_exec(struct ld *c, struct prof_node *n, struct prof_exec *e)
{
	static const char *const names[] = { "path", "args", "envs", "argsRequired", NULL };
	bool has_path = false;
	int r;

	e->pos = n->pos;
	if ((r = want_map(c, n, "an execs entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "execs entry");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			if ((r = get_req_str(c, it, "path", &e->path)) ||
			    (r = check_value(c, it, e->path, prof_check_exec_path_w)))
				return r;
			has_path = true;
			break;
		case 1:
			r = get_strs(c, it, "args", &e->args, prof_check_exec_arg_w);
			break;
		case 2:
			r = get_strs(c, it, "envs", &e->envs, NULL);
			break;
		case 3:
			r = get_tri(c, it, "argsRequired", &e->args_required);
			break;
		}
		if (r)
			return r;
	}
	if (!has_path)
		return failp(c, n->pos, "missing required field \"path\" in execs entry");
	return 0;
}

static int load_open(struct ld *c, struct prof_node *n, struct prof_open *o)
{
	static const char *const names[] = { "path", "flags", NULL };
	bool has_path = false;
	int r;

	o->pos = n->pos;
	if ((r = want_map(c, n, "an opens entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "opens entry");

		if (f < 0)
			return f;
		if (f == 0) {
			if ((r = get_req_str(c, it, "path", &o->path)) ||
			    (r = check_value(c, it, o->path, prof_check_open_path_w)))
				return r;
			has_path = true;
		} else if ((r = get_strs(c, it, "flags", &o->flags, prof_check_open_flag_))) {
			return r;
		}
	}
	if (!has_path)
		return failp(c, n->pos, "missing required field \"path\" in opens entry");
	return 0;
}

static int load_endpoint(struct ld *c, struct prof_node *n, struct prof_endpoint *e)
{
	static const char *const names[] = { "endpoint",  "methods", "internal",
					     "direction", "headers", NULL };
	bool has_ep = false;
	int r;

	e->pos = n->pos;
	if ((r = want_map(c, n, "an endpoints entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "endpoints entry");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			if ((r = get_req_str(c, it, "endpoint", &e->endpoint)) ||
			    (r = check_value(c, it, e->endpoint, prof_check_endpoint_w)))
				return r;
			has_ep = true;
			break;
		case 1:
			r = get_strs(c, it, "methods", &e->methods, prof_check_method_);
			break;
		case 2:
			r = get_tri(c, it, "internal", &e->internal);
			break;
		case 3:
			if ((r = get_str(c, it, "direction", &e->direction)))
				return r;
			if (e->direction)
				r = check_value(c, it, e->direction, prof_check_direction_);
			break;
		case 4:
			r = take_node(c, it, &e->headers);
			break;
		}
		if (r)
			return r;
	}
	if (!has_ep)
		return failp(c, n->pos, "missing required field \"endpoint\" in endpoints entry");
	return 0;
}

static int load_rule_policies(struct ld *c, struct prof_node *n, struct prof_container *ct)
{
	static const char *const names[] = { "processAllowed", "containerAllowed", NULL };
	int r;

	ct->rule_policies.pos = n->pos;
	if (is_null(n)) {
		ct->rule_policies.state = PROF_NULL;
		return 0;
	}
	if ((r = want_map(c, n, "\"rulePolicies\"")))
		return r;
	ct->rule_policies.state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *rp = &n->items[i];
		struct prof_rule_policy *p;

		if (prof_grow((void **)&ct->rule_policies.v, &ct->rule_policies.cap,
			      ct->rule_policies.n, sizeof(*ct->rule_policies.v)))
			return oom(c);
		p = &ct->rule_policies.v[ct->rule_policies.n++];
		p->pos = rp->key_pos;
		p->rule_id = strdup(rp->key);
		if (!p->rule_id)
			return oom(c);
		if (is_null(rp))
			continue;
		if ((r = want_map(c, rp, "a rulePolicies entry")))
			return r;
		for (size_t j = 0; j < rp->n; j++) {
			struct prof_node *it = &rp->items[j];
			int f = field(c, it, names, "rulePolicies entry");

			if (f < 0)
				return f;
			if (f == 0)
				r = get_strs(c, it, "processAllowed", &p->process_allowed, NULL);
			else
				r = get_tri(c, it, "containerAllowed", &p->container_allowed);
			if (r)
				return r;
		}
	}
	return 0;
}

static int load_selector(struct ld *c, struct prof_node *n, const char *what,
			 struct prof_selector *s)
{
	static const char *const names[] = { "matchLabels", "matchExpressions", NULL };
	int r;

	s->pos = n->pos;
	if (is_null(n)) {
		s->state = PROF_NULL;
		return 0;
	}
	if ((r = want_map(c, n, what)))
		return r;
	s->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, what);

		if (f < 0)
			return f;
		if (f == 0)
			r = get_kvs(c, it, "matchLabels", &s->match_labels);
		else
			r = 0;
		if (r)
			return r;
		if (f == 1) {
			static const char *const enames[] = { "key", "operator", "values", NULL };
			static const char *const ops[] = { "In", "NotIn", "Exists", "DoesNotExist",
							   NULL };

			if (is_null(it)) {
				s->exprs_state = PROF_NULL;
				continue;
			}
			if (it->type != PROF_NODE_SEQ)
				return failp(c, it->pos,
					     "\"matchExpressions\" must be a list, not %s",
					     type_name(it));
			s->exprs_state = PROF_SET;
			for (size_t j = 0; j < it->n; j++) {
				struct prof_node *en = &it->items[j];
				struct prof_match_expr *e;

				if (prof_grow((void **)&s->exprs, &s->exprs_cap, s->nexprs,
					      sizeof(*s->exprs)))
					return oom(c);
				e = &s->exprs[s->nexprs++];
				e->pos = en->pos;
				if ((r = want_map(c, en, "a matchExpressions entry")))
					return r;
				for (size_t k = 0; k < en->n; k++) {
					struct prof_node *x = &en->items[k];
					int g = field(c, x, enames, "matchExpressions entry");

					if (g < 0)
						return g;
					if (g == 0)
						r = get_req_str(c, x, "key", &e->key);
					else if (g == 1) {
						if (!(r = get_req_str(c, x, "operator", &e->op)) &&
						    !prof_name_in(e->op, ops)) {
							const char *sg = vigil_suggest(e->op, ops);

							r = failp(c, x->pos,
								  "unknown operator \"%s\"%s%s%s",
								  e->op,
								  sg ? " (did you mean \"" : "",
								  sg ? sg : "", sg ? "\"?)" : "");
						}
					} else
						r = get_strs(c, x, "values", &e->values, NULL);
					if (r)
						return r;
				}
				if (!e->key)
					return failp(
						c, en->pos,
						"missing required field \"key\" in matchExpressions entry");
				if (!e->op)
					return failp(
						c, en->pos,
						"missing required field \"operator\" in matchExpressions entry");
			}
		}
	}
	return 0;
}

static int load_port(struct ld *c, struct prof_node *n, struct prof_port *p)
{
	static const char *const names[] = { "name", "protocol", "port", NULL };
	int r;

	p->pos = n->pos;
	if ((r = want_map(c, n, "a ports entry")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "ports entry");

		if (f < 0)
			return f;
		if (f == 0) {
			r = get_str(c, it, "name", &p->name);
		} else if (f == 1) {
			/* "" is what Kubescape's types write for a missing protocol */
			if (!(r = get_str(c, it, "protocol", &p->protocol)) && p->protocol &&
			    *p->protocol)
				r = check_value(c, it, p->protocol, prof_check_protocol_);
		} else {
			uint64_t v;

			if (is_null(it))
				continue;
			if (it->type == PROF_NODE_SCALAR && it->stype == PROF_SCALAR_INT &&
			    (vigil_parse_u64(it->value, &v) || v > 65535))
				return failp(c, it->pos, "port %s is out of range 0..65535",
					     it->value);
			if (it->type != PROF_NODE_SCALAR || it->stype != PROF_SCALAR_INT)
				return failp(c, it->pos,
					     "\"port\" must be a number 0..65535, not %s%s%s%s",
					     type_name(it),
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
	if ((r = want_map(c, n, "a network neighbor")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "network neighbor");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			r = get_str(c, it, "identifier", &nb->identifier);
			break;
		case 1:
			if (!(r = get_str(c, it, "type", &nb->type)) && nb->type && *nb->type)
				r = check_value(c, it, nb->type, prof_check_neighbor_type_);
			break;
		case 2:
			if (!(r = get_str(c, it, "dns", &nb->dns)) && nb->dns && *nb->dns)
				r = check_value(c, it, nb->dns, prof_check_dns_w);
			break;
		case 3:
			r = get_strs(c, it, "dnsNames", &nb->dns_names, prof_check_dns_w);
			break;
		case 4:
			if (is_null(it)) {
				nb->ports_state = PROF_NULL;
				break;
			}
			if (it->type != PROF_NODE_SEQ)
				return failp(c, it->pos, "\"ports\" must be a list, not %s",
					     type_name(it));
			nb->ports_state = PROF_SET;
			for (size_t j = 0; j < it->n && !r; j++) {
				if (prof_grow((void **)&nb->ports, &nb->ports_cap, nb->nports,
					      sizeof(*nb->ports)))
					return oom(c);
				r = load_port(c, &it->items[j], &nb->ports[nb->nports++]);
			}
			break;
		case 5:
			r = load_selector(c, it, "podSelector", &nb->pod_selector);
			break;
		case 6:
			r = load_selector(c, it, "namespaceSelector", &nb->namespace_selector);
			break;
		case 7:
			if (!(r = get_str(c, it, "ipAddress", &nb->ip_address)) && nb->ip_address &&
			    *nb->ip_address)
				r = check_value(c, it, nb->ip_address, prof_check_ip_);
			break;
		case 8:
			r = get_strs(c, it, "ipAddresses", &nb->ip_addresses, prof_check_ip_);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

static int load_neighbors(struct ld *c, struct prof_node *n, const char *what,
			  struct prof_neighbors *l)
{
	int r;

	l->pos = n->pos;
	if (is_null(n)) {
		l->state = PROF_NULL;
		return 0;
	}
	if (n->type != PROF_NODE_SEQ)
		return failp(c, n->pos, "\"%s\" must be a list, not %s", what, type_name(n));
	l->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return oom(c);
		if ((r = load_neighbor(c, &n->items[i], &l->v[l->n++])))
			return r;
	}
	return 0;
}

/* ---- containers ---- */

enum cfield {
	CF_NAME,
	CF_CAPS,
	CF_EXECS,
	CF_OPENS,
	CF_SYSCALLS,
	CF_SECCOMP,
	CF_ENDPOINTS,
	CF_IMAGEID,
	CF_IMAGETAG,
	CF_RULEPOL,
	CF_CALLSTACKS,
	CF_IOURING,
	CF_EXECDIGESTS,
	CF_INGRESS,
	CF_EGRESS,
	CF_ARCH,
	CF_MATCHLABELS,
	CF_MATCHEXPR,
	CF_CONTAINERS,
	CF_INITCONTAINERS,
	CF_EPHCONTAINERS,
};

static const char *const cfield_names[] = {
	"name",
	"capabilities",
	"execs",
	"opens",
	"syscalls",
	"seccompProfile",
	"endpoints",
	"imageID",
	"imageTag",
	"rulePolicies",
	"identifiedCallStacks",
	"iouring",
	"execDigests",
	"ingress",
	"egress",
	"architectures",
	"matchLabels",
	"matchExpressions",
	"containers",
	"initContainers",
	"ephemeralContainers",
	NULL,
};

static const char *const ap_container_fields[] = {
	"name",
	"capabilities",
	"execs",
	"opens",
	"syscalls",
	"seccompProfile",
	"endpoints",
	"imageID",
	"imageTag",
	"rulePolicies",
	"identifiedCallStacks",
	"iouring",
	"execDigests",
	NULL,
};
static const char *const nn_container_fields[] = { "name", "ingress", "egress", NULL };
/* A section of a grouped ContainerProfile (spec.containers[] & co.): a named flat spec. */
static const char *const cp_container_fields[] = {
	"name",
	"capabilities",
	"execs",
	"opens",
	"syscalls",
	"seccompProfile",
	"endpoints",
	"imageID",
	"imageTag",
	"rulePolicies",
	"identifiedCallStacks",
	"iouring",
	"execDigests",
	"ingress",
	"egress",
	NULL,
};
static const char *const cp_spec_fields[] = {
	"architectures",
	"capabilities",
	"execs",
	"opens",
	"syscalls",
	"seccompProfile",
	"endpoints",
	"imageID",
	"imageTag",
	"rulePolicies",
	"identifiedCallStacks",
	"iouring",
	"execDigests",
	"matchLabels",
	"matchExpressions",
	"ingress",
	"egress",
	"containers",
	"initContainers",
	"ephemeralContainers",
	NULL,
};

#define LOAD_LIST(c, it, what, list, loadfn)                                             \
	({                                                                               \
		int _r = 0;                                                              \
		(list).pos = (it)->pos;                                                  \
		if (is_null(it)) {                                                       \
			(list).state = PROF_NULL;                                        \
		} else if ((it)->type != PROF_NODE_SEQ) {                                \
			_r = failp(c, (it)->pos, "\"%s\" must be a list, not %s", what,  \
				   type_name(it));                                       \
		} else {                                                                 \
			(list).state = PROF_SET;                                         \
			if ((it)->n) {                                                   \
				(list).v = calloc((it)->n, sizeof(*(list).v));           \
				if (!(list).v)                                           \
					_r = oom(c);                                     \
				else                                                     \
					(list).cap = (it)->n;                            \
			}                                                                \
			for (size_t _j = 0; !_r && _j < (it)->n; _j++)                   \
				_r = loadfn(c, &(it)->items[_j], &(list).v[(list).n++]); \
		}                                                                        \
		_r;                                                                      \
	})

static int load_containers(struct ld *c, struct prof_node *n, const char *what,
			   const char *const *names, struct prof_containers *l,
			   struct prof_doc *doc);

/*
 * One container entry (names = the fields allowed here). For a ContainerProfile, the spec
 * itself is the container and doc carries architectures and the selector; a grouped
 * ContainerProfile also has spec.containers / initContainers / ephemeralContainers, lists of
 * named sections with the same fields, one per container of the pod.
 */
static int load_container(struct ld *c, struct prof_node *n, const char *const *names,
			  const char *where, struct prof_container *ct, struct prof_doc *doc)
{
	int r;

	ct->pos = n->pos;
	if ((r = want_map(c, n, where)))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f;

		/* a common mix-up between the kinds deserves a precise message */
		if (names == ap_container_fields &&
		    (!strcmp(it->key, "ingress") || !strcmp(it->key, "egress")))
			return failp(
				c, it->key_pos,
				"field \"%s\" does not belong in an ApplicationProfile container "
				"(network neighbors go in a NetworkNeighborhood or a "
				"ContainerProfile)",
				it->key);
		f = field(c, it, names, where);

		if (f < 0)
			return f;
		for (f = 0; strcmp(cfield_names[f], it->key); f++)
			;
		switch ((enum cfield)f) {
		case CF_NAME:
			/* optional: Kubescape's container name is omitempty */
			r = get_str(c, it, "name", &ct->name);
			break;
		case CF_CAPS:
			r = get_strs(c, it, "capabilities", &ct->capabilities,
				     prof_check_capability_);
			break;
		case CF_EXECS:
			r = LOAD_LIST(c, it, "execs", ct->execs, load_exec);
			break;
		case CF_OPENS:
			r = LOAD_LIST(c, it, "opens", ct->opens, load_open);
			break;
		case CF_SYSCALLS:
			r = get_strs(c, it, "syscalls", &ct->syscalls, prof_check_syscall_);
			break;
		case CF_SECCOMP:
			r = take_node(c, it, &ct->seccomp_profile);
			break;
		case CF_ENDPOINTS:
			r = LOAD_LIST(c, it, "endpoints", ct->endpoints, load_endpoint);
			break;
		case CF_IMAGEID:
			r = get_str(c, it, "imageID", &ct->image_id);
			break;
		case CF_IMAGETAG:
			r = get_str(c, it, "imageTag", &ct->image_tag);
			break;
		case CF_RULEPOL:
			r = load_rule_policies(c, it, ct);
			break;
		case CF_CALLSTACKS:
			r = take_node(c, it, &ct->identified_call_stacks);
			break;
		case CF_IOURING:
			r = get_strs(c, it, "iouring", &ct->iouring, prof_check_iouring_op_);
			break;
		case CF_EXECDIGESTS:
			r = get_strs(c, it, "execDigests", &ct->exec_digests,
				     prof_check_exec_digest_);
			break;
		case CF_INGRESS:
			r = load_neighbors(c, it, "ingress", &ct->ingress);
			break;
		case CF_EGRESS:
			r = load_neighbors(c, it, "egress", &ct->egress);
			break;
		case CF_ARCH:
			r = get_strs(c, it, "architectures", &doc->architectures, NULL);
			break;
		case CF_MATCHLABELS:
			doc->selector.state = PROF_SET;
			r = get_kvs(c, it, "matchLabels", &doc->selector.match_labels);
			break;
		case CF_MATCHEXPR: {
			/* reuse the selector loader on a one-key view of this field */
			struct prof_node view = {
				.type = PROF_NODE_MAP, .items = it, .n = 1, .pos = it->pos
			};

			doc->selector.state = PROF_SET;
			r = load_selector(c, &view, "spec", &doc->selector);
			break;
		}
		case CF_CONTAINERS:
			r = load_containers(c, it, "containers", cp_container_fields,
					    &doc->containers, doc);
			break;
		case CF_INITCONTAINERS:
			r = load_containers(c, it, "initContainers", cp_container_fields,
					    &doc->init_containers, doc);
			break;
		case CF_EPHCONTAINERS:
			r = load_containers(c, it, "ephemeralContainers", cp_container_fields,
					    &doc->ephemeral_containers, doc);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

/* A container without a name is the one named "" (Kubescape's name is omitempty). */
static const char *cname(const struct prof_container *c)
{
	return c->name ? c->name : "";
}

static int cmp_container_idx(const void *a, const void *b, void *arg)
{
	const struct prof_container *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(cname(&v[x]), cname(&v[y]));

	return r ? r : (x < y ? -1 : x > y);
}

/* Container names are keys: two entries with one name are ambiguous. O(n log n). */
static int check_duplicate_containers(struct ld *c, const struct prof_containers *l)
{
	size_t *idx, dup = SIZE_MAX, first = 0;

	if (l->n < 2)
		return 0;
	idx = malloc(l->n * sizeof(*idx));
	if (!idx)
		return oom(c);
	for (size_t i = 0; i < l->n; i++)
		idx[i] = i;
	qsort_r(idx, l->n, sizeof(*idx), cmp_container_idx, l->v);
	for (size_t i = 1; i < l->n; i++) {
		size_t f = i - 1;

		if (strcmp(cname(&l->v[idx[f]]), cname(&l->v[idx[i]])) || idx[i] > dup)
			continue;
		/* report the earliest repeat, against the first entry with its name */
		while (f > 0 && !strcmp(cname(&l->v[idx[f - 1]]), cname(&l->v[idx[i]])))
			f--;
		dup = idx[i];
		first = idx[f];
	}
	free(idx);
	if (dup == SIZE_MAX)
		return 0;
	return failp(c, l->v[dup].pos, "duplicate container \"%s\" (first at line %d)",
		     cname(&l->v[dup]), l->v[first].pos.line);
}

static int load_containers(struct ld *c, struct prof_node *n, const char *what,
			   const char *const *names, struct prof_containers *l,
			   struct prof_doc *doc)
{
	int r;

	l->pos = n->pos;
	if (is_null(n)) {
		l->state = PROF_NULL;
		return 0;
	}
	if (n->type != PROF_NODE_SEQ)
		return failp(c, n->pos, "\"%s\" must be a list, not %s", what, type_name(n));
	l->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return oom(c);
		if ((r = load_container(c, &n->items[i], names, "container", &l->v[l->n++], doc)))
			return r;
	}
	return check_duplicate_containers(c, l);
}

/* ---- documents ---- */

static int load_metadata(struct ld *c, struct prof_node *n, struct prof_doc *d)
{
	static const char *const names[] = {
		"name",
		"namespace",
		"labels",
		"annotations",
		"generateName",
		"uid",
		"resourceVersion",
		"generation",
		"creationTimestamp",
		"deletionTimestamp",
		"deletionGracePeriodSeconds",
		"ownerReferences",
		"finalizers",
		"managedFields",
		NULL,
	};
	bool has_name = false;
	int r;

	if ((r = want_map(c, n, "\"metadata\"")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = field(c, it, names, "metadata");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			r = get_req_str(c, it, "name", &d->name);
			has_name = true;
			break;
		case 1:
			r = get_str(c, it, "namespace", &d->namespace_);
			break;
		case 2:
			r = get_kvs(c, it, "labels", &d->labels);
			break;
		case 3:
			r = get_kvs(c, it, "annotations", &d->annotations);
			break;
		default:
			/* other ObjectMeta keys are kept verbatim (not signed) */
			if (!d->metadata_extra) {
				d->metadata_extra = calloc(1, sizeof(*d->metadata_extra));
				if (!d->metadata_extra)
					return oom(c);
				d->metadata_extra->type = PROF_NODE_MAP;
			}
			if (prof_grow((void **)&d->metadata_extra->items, &d->metadata_extra->cap,
				      d->metadata_extra->n, sizeof(*d->metadata_extra->items)))
				return oom(c);
			d->metadata_extra->items[d->metadata_extra->n++] = *it;
			memset(it, 0, sizeof(*it));
			break;
		}
		if (r)
			return r;
	}
	if (!has_name)
		return failp(c, n->pos, "missing required field \"name\" in metadata");
	return 0;
}

static int load_spec(struct ld *c, struct prof_node *n, struct prof_doc *d)
{
	static const char *const ap_names[] = { "architectures", "containers", "initContainers",
						"ephemeralContainers", NULL };
	static const char *const nn_names[] = { "matchLabels",	       "matchExpressions",
						"containers",	       "initContainers",
						"ephemeralContainers", NULL };
	int r;

	d->spec_state = PROF_SET;
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE) {
		if ((r = load_container(c, n, cp_spec_fields, "spec", &d->cp, d)))
			return r;
		if (prof_doc_grouped(d) && prof_container_has_content(&d->cp) &&
		    prof_note_add(c->p, VIGIL_PROFILE_WARNING, n->pos,
				  "ContainerProfile \"%s\" has containers sections and also "
				  "container fields directly under spec: those are ignored for "
				  "every container, as Kubescape ignores them (move them into a "
				  "section)",
				  d->name ? d->name : ""))
			return oom(c);
		return 0;
	}
	if ((r = want_map(c, n, "\"spec\"")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		bool ap = d->kind == VIGIL_KIND_APPLICATION_PROFILE;
		const char *const *cnames = ap ? ap_container_fields : nn_container_fields;
		int f = field(c, it, ap ? ap_names : nn_names, "spec");

		if (f < 0)
			return f;
		if (!strcmp(it->key, "architectures"))
			r = get_strs(c, it, "architectures", &d->architectures, NULL);
		else if (!strcmp(it->key, "matchLabels")) {
			d->selector.state = PROF_SET;
			r = get_kvs(c, it, "matchLabels", &d->selector.match_labels);
		} else if (!strcmp(it->key, "matchExpressions")) {
			struct prof_node view = {
				.type = PROF_NODE_MAP, .items = it, .n = 1, .pos = it->pos
			};

			d->selector.state = PROF_SET;
			r = load_selector(c, &view, "spec", &d->selector);
		} else if (!strcmp(it->key, "containers"))
			r = load_containers(c, it, "containers", cnames, &d->containers, d);
		else if (!strcmp(it->key, "initContainers"))
			r = load_containers(c, it, "initContainers", cnames, &d->init_containers,
					    d);
		else
			r = load_containers(c, it, "ephemeralContainers", cnames,
					    &d->ephemeral_containers, d);
		if (r)
			return r;
	}
	return 0;
}

static int load_doc(struct ld *c, struct prof_node *root, struct prof_doc *d)
{
	static const char *const names[] = { "apiVersion", "kind",   "metadata",
					     "spec",	   "status", NULL };
	static const char *const kinds[] = { "ApplicationProfile", "NetworkNeighborhood",
					     "ContainerProfile", NULL };
	struct prof_node *kind = NULL, *api = NULL, *meta = NULL, *spec = NULL;
	int r;

	d->pos = root->pos;
	if ((r = want_map(c, root, "a profile document")))
		return r;
	for (size_t i = 0; i < root->n; i++) {
		struct prof_node *it = &root->items[i];
		int f = field(c, it, names, "");

		if (f < 0)
			return f;
		if (f == 0)
			api = it;
		else if (f == 1)
			kind = it;
		else if (f == 2)
			meta = it;
		else if (f == 3)
			spec = it;
		else if ((r = take_node(c, it, &d->status)))
			return r;
	}
	if (!api)
		return failp(c, root->pos,
			     "missing required field \"apiVersion\" (expected \"%s\")",
			     VIGIL_PROFILE_API_VERSION);
	if ((r = get_req_str(c, api, "apiVersion", &d->api_version)))
		return r;
	if (strcmp(d->api_version, VIGIL_PROFILE_API_VERSION))
		return failp(c, api->pos, "unsupported apiVersion \"%s\" (expected \"%s\")",
			     d->api_version, VIGIL_PROFILE_API_VERSION);
	if (!kind)
		return failp(c, root->pos,
			     "missing required field \"kind\" (ApplicationProfile, "
			     "NetworkNeighborhood or ContainerProfile)");
	{
		char *k = NULL;
		const char *sg;

		if ((r = get_req_str(c, kind, "kind", &k)))
			return r;
		for (int i = 0; kinds[i]; i++)
			if (!strcmp(k, kinds[i]))
				d->kind = (enum vigil_profile_kind)(i + 1);
		sg = d->kind ? NULL : vigil_suggest(k, kinds);
		if (!d->kind)
			r = failp(
				c, kind->pos, "unknown kind \"%s\" (%s%s%s)", k,
				sg ? "did you mean \""
				   : "expected ApplicationProfile, NetworkNeighborhood or ContainerProfile",
				sg ? sg : "", sg ? "\"?" : "");
		free(k);
		if (r)
			return r;
	}
	if (!meta)
		return failp(c, root->pos, "missing required field \"metadata\"");
	if ((r = load_metadata(c, meta, d)))
		return r;
	if (!spec)
		return failp(c, root->pos, "missing required field \"spec\"");
	if (is_null(spec)) {
		d->spec_state = PROF_NULL;
		return 0;
	}
	return load_spec(c, spec, d);
}

/* A top-level scalar string of a mapping, or NULL. */
static const char *map_str(const struct prof_node *m, const char *key)
{
	for (size_t i = 0; m->type == PROF_NODE_MAP && i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return m->items[i].type == PROF_NODE_SCALAR &&
					       m->items[i].stype == PROF_SCALAR_STR
				       ? m->items[i].value
				       : NULL;
	return NULL;
}

static struct prof_node *map_get(struct prof_node *m, const char *key)
{
	for (size_t i = 0; m->type == PROF_NODE_MAP && i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return &m->items[i];
	return NULL;
}

static const char *const profile_kinds[] = { "ApplicationProfile", "NetworkNeighborhood",
					     "ContainerProfile", NULL };

enum doc_class {
	DOC_PROFILE, /* load it (errors included: a broken profile is an error) */
	DOC_LIST,    /* kind: List (kubectl get -o yaml) or ApplicationProfileList & co. */
	DOC_OTHER,   /* another Kubernetes object: skipped with a note */
};

/*
 * Files as people keep them hold profiles next to a Namespace or a Deployment. A document
 * whose kind is neither a profile kind nor a near miss of one (a typo stays an error) is some
 * other object. Without a kind it is a profile with a mistake, reported as such.
 */
static enum doc_class classify(const struct prof_node *root)
{
	const char *kind = map_str(root, "kind"), *api = map_str(root, "apiVersion");
	size_t kl;

	if (root->type != PROF_NODE_MAP || !kind || !*kind)
		return DOC_PROFILE;
	if (prof_name_in(kind, profile_kinds) || vigil_suggest(kind, profile_kinds))
		return DOC_PROFILE;
	if (!strcmp(kind, "List"))
		return DOC_LIST;
	kl = strlen(kind);
	if (kl > 4 && !strcmp(kind + kl - 4, "List") && api &&
	    !strcmp(api, VIGIL_PROFILE_API_VERSION)) {
		for (size_t i = 0; profile_kinds[i]; i++)
			if (strlen(profile_kinds[i]) == kl - 4 &&
			    !strncmp(kind, profile_kinds[i], kl - 4))
				return DOC_LIST;
	}
	return DOC_OTHER;
}

static int skip_doc(struct ld *c, struct prof_node *root, struct prof_pos pos)
{
	struct prof_node *meta = map_get(root, "metadata");
	const char *name = meta ? map_str(meta, "name") : NULL;
	const char *api = map_str(root, "apiVersion");

	c->p->skipped_docs++;
	if (prof_note_add(c->p, VIGIL_PROFILE_SKIPPED, pos, "skipped %s%s%s%s%s%s: not a profile",
			  api ? api : "", api ? " " : "", map_str(root, "kind"), name ? " \"" : "",
			  name ? name : "", name ? "\"" : ""))
		return oom(c);
	return 0;
}

static int add_doc(struct ld *c, struct prof_node *root, struct prof_pos pos)
{
	struct vigil_profile *p = c->p;
	int r;

	if (prof_grow((void **)&p->docs, &p->docs_cap, p->ndocs, sizeof(*p->docs)))
		return oom(c);
	p->ndocs++;
	if ((r = load_doc(c, root, &p->docs[p->ndocs - 1])))
		return r;
	p->docs[p->ndocs - 1].pos = pos;
	return 0;
}

/* The items of a List, each a document of its own (other objects skipped). */
static int load_list(struct ld *c, struct prof_node *root)
{
	struct prof_node *items = map_get(root, "items");
	int r;

	if (!items || is_null(items))
		return 0;
	if (items->type != PROF_NODE_SEQ)
		return failp(c, items->pos, "\"items\" of a %s must be a list, not %s",
			     map_str(root, "kind"), type_name(items));
	for (size_t i = 0; i < items->n; i++) {
		struct prof_node *it = &items->items[i];

		switch (classify(it)) {
		case DOC_PROFILE:
			r = add_doc(c, it, it->pos);
			break;
		case DOC_LIST:
			r = failp(c, it->pos, "a List inside a List is not supported");
			break;
		default:
			r = skip_doc(c, it, it->pos);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

int vigil_profile__load_buffer(const char *data, size_t len, const char *name,
			       const struct vigil_profile_limits *limits,
			       struct vigil_profile **ret, struct vigil_error *err)
{
	struct vigil_profile_limits lim;
	struct ld c = { .name = name ? name : "", .err = err, .lim = &lim };
	struct prof_node *docs = NULL;
	size_t ndocs = 0;
	struct vigil_profile *p;
	bool comments = false;
	int r;

	vigil_error__clear(err);
	prof_limits_resolve(limits, &lim);
	if ((r = prof_parse_yaml(data, len, c.name, &lim, &docs, &ndocs, &comments, err)))
		return r;
	p = calloc(1, sizeof(*p));
	if (!p || (name && !(p->source = strdup(name)))) {
		r = oom(&c);
		goto out;
	}
	c.p = p;
	for (size_t i = 0; i < ndocs && !r; i++) {
		struct prof_node *root;

		if (!docs[i].n)
			continue; /* an empty document ("---" at the end) */
		root = &docs[i].items[0];
		switch (classify(root)) {
		case DOC_PROFILE:
			r = add_doc(&c, root, docs[i].pos);
			break;
		case DOC_LIST:
			r = load_list(&c, root);
			break;
		default:
			r = skip_doc(&c, root, docs[i].pos);
			break;
		}
	}
	if (r)
		goto out;
	if (!p->ndocs) {
		r = vigil_error__set(err, -EINVAL, c.name, 1, 1,
				     p->skipped_docs ? "no profile document in the file (%zu other "
						       "object%s skipped)"
						     : "no profile document in the file",
				     p->skipped_docs, p->skipped_docs == 1 ? "" : "s");
		goto out;
	}
	prof_normalize(p);
	p->had_comments = comments;
out:
	for (size_t i = 0; i < ndocs; i++)
		prof_node_release(&docs[i]);
	free(docs);
	if (r) {
		vigil_profile__free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int vigil_profile__load_file(const char *path, const struct vigil_profile_limits *limits,
			     struct vigil_profile **ret, struct vigil_error *err)
{
	struct vigil_profile_limits lim;
	struct stat st;
	char *data;
	size_t got = 0;
	int fd, r;

	prof_limits_resolve(limits, &lim);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vigil_error__set(err, -errno, path, 0, 0, "cannot open: %s",
					strerror(errno));
	if (fstat(fd, &st)) {
		r = -errno;
		close(fd);
		return vigil_error__set(err, r, path, 0, 0, "cannot stat: %s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vigil_error__set(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, path, 0, 0,
					"not a regular file");
	}
	if ((uint64_t)st.st_size > lim.max_file_bytes) {
		close(fd);
		return vigil_error__set(err, -EFBIG, path, 0, 0,
					"file is %lld bytes, larger than the limit of %zu",
					(long long)st.st_size, lim.max_file_bytes);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			close(fd);
			free(data);
			return vigil_error__set(err, r, path, 0, 0, "cannot read: %s",
						strerror(-r));
		}
		got += (size_t)n;
	}
	close(fd);
	r = vigil_profile__load_buffer(data, got, path, &lim, ret, err);
	free(data);
	return r;
}
