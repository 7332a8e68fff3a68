// SPDX-License-Identifier: Apache-2.0
/*
 * Human-readable diff of two profiles, by document, container and section:
 *
 *   ApplicationProfile web, container nginx:
 *   + execs: /usr/bin/curl [curl, ⋯⋯]
 *   - opens: /etc/x [O_RDONLY]
 *
 * Every entry is rendered to one line that carries all of its fields, the two sides are
 * compared as sorted sets of lines. Annotations are not compared: they hold signatures and
 * learning status, not behaviour.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "profile/outtree.h"
#include "util/buf.h"

struct lines {
	char **v;
	size_t n, cap;
	int err;
};

static void lines_addf(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lines_addf(struct lines *l, const char *fmt, ...)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	va_list ap;

	if (l->err)
		return;
	va_start(ap, fmt);
	l->err = vigil_buf__vprintf(&b, fmt, ap);
	va_end(ap);
	if (!l->err && prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		l->err = -ENOMEM;
	if (l->err) {
		vigil_buf__release(&b);
		return;
	}
	l->v[l->n++] = vigil_buf__steal(&b, NULL);
	if (!l->v[l->n - 1])
		l->v[l->n - 1] = strdup("");
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* "[a, b]" (or "null" / "" when the list is null / absent). */
static char *join(const struct prof_strs *s)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	int r = 0;

	if (s->state == PROF_NULL)
		r = vigil_buf__puts(&b, "null");
	else if (s->state == PROF_SET) {
		r = vigil_buf__puts(&b, "[");
		for (size_t i = 0; !r && i < s->n; i++)
			r = vigil_buf__printf(&b, "%s%s", i ? ", " : "", s->v[i]);
		if (!r)
			r = vigil_buf__puts(&b, "]");
	}
	if (r) {
		vigil_buf__release(&b);
		return NULL;
	}
	return b.data ? vigil_buf__steal(&b, NULL) : strdup("");
}

static const char *tri(enum prof_tri t, const char *name, char *buf, size_t size)
{
	if (t == PROF_TRI_UNSET)
		return "";
	snprintf(buf, size, " %s=%s", name, t == PROF_TRI_TRUE ? "true" : "false");
	return buf;
}

static void add_set(struct lines *l, const char *section, const struct prof_strs *s)
{
	if (s->state == PROF_NULL)
		lines_addf(l, "%s: null", section);
	else if (s->state == PROF_SET && !s->n)
		lines_addf(l, "%s: []", section);
	for (size_t i = 0; i < s->n; i++)
		lines_addf(l, "%s: %s", section, s->v[i]);
}

static void add_neighbors(struct lines *l, const char *section, const struct prof_neighbors *nl)
{
	if (nl->state == PROF_NULL)
		lines_addf(l, "%s: null", section);
	else if (nl->state == PROF_SET && !nl->n)
		lines_addf(l, "%s: []", section);
	for (size_t i = 0; i < nl->n; i++) {
		const struct prof_neighbor *nb = &nl->v[i];
		struct vigil_buf b = VIGIL_BUF_INIT;
		char *dn = join(&nb->dns_names), *ip = join(&nb->ip_addresses);
		int r = 0;

		for (size_t j = 0; !r && j < nb->nports; j++)
			r = vigil_buf__printf(&b, "%s%s/%d", j ? ", " : "",
					      nb->ports[j].protocol ? nb->ports[j].protocol : "",
					      nb->ports[j].has_port ? (int)nb->ports[j].port : 0);
		if (r || !dn || !ip) {
			l->err = -ENOMEM;
		} else {
			lines_addf(l, "%s: %s%s%s%s%s%s%s ports [%s]%s%s%s%s%s", section,
				   nb->type ? nb->type : "neighbor", *dn ? " dns " : "", dn,
				   *ip ? " ip " : "", ip,
				   nb->ip_address && *nb->ip_address ? " ip " : "",
				   nb->ip_address && *nb->ip_address ? nb->ip_address : "",
				   b.data ? b.data : "", nb->dns && *nb->dns ? " dns " : "",
				   nb->dns && *nb->dns ? nb->dns : "",
				   nb->pod_selector.state || nb->namespace_selector.state
					   ? " (selectors)"
					   : "",
				   nb->identifier ? " id " : "",
				   nb->identifier ? nb->identifier : "");
		}
		free(dn);
		free(ip);
		vigil_buf__release(&b);
	}
}

static void container_lines(struct lines *l, const struct prof_container *c);

/* byExecutable: each section's lines under "byExecutable PATH: " */
static void add_byexe(struct lines *l, const struct prof_container *c)
{
	if (c->by_exe.state == PROF_NULL)
		lines_addf(l, "byExecutable: null");
	else if (c->by_exe.state == PROF_SET && !c->by_exe.n)
		lines_addf(l, "byExecutable: []");
	for (size_t i = 0; i < c->by_exe.n; i++) {
		struct lines sub = { 0 };

		container_lines(&sub, &c->by_exe.v[i]);
		if (sub.err)
			l->err = sub.err;
		if (!sub.n)
			lines_addf(l, "byExecutable %s", c->by_exe.v[i].name);
		for (size_t k = 0; k < sub.n; k++)
			lines_addf(l, "byExecutable %s: %s", c->by_exe.v[i].name, sub.v[k]);
		lines_free(&sub);
	}
}

static void container_lines(struct lines *l, const struct prof_container *c)
{
	char t1[32], t2[32];

	add_set(l, "capabilities", &c->capabilities);
	if (c->execs.state == PROF_NULL)
		lines_addf(l, "execs: null");
	else if (c->execs.state == PROF_SET && !c->execs.n)
		lines_addf(l, "execs: []");
	for (size_t i = 0; i < c->execs.n; i++) {
		const struct prof_exec *e = &c->execs.v[i];
		char *a = join(&e->args), *v = join(&e->envs);

		if (!a || !v)
			l->err = -ENOMEM;
		else
			lines_addf(l, "execs: %s%s%s%s%s%s", e->path, *a ? " " : "", a,
				   *v ? " envs " : "", v,
				   tri(e->args_required, "argsRequired", t1, sizeof(t1)));
		free(a);
		free(v);
	}
	if (c->opens.state == PROF_NULL)
		lines_addf(l, "opens: null");
	else if (c->opens.state == PROF_SET && !c->opens.n)
		lines_addf(l, "opens: []");
	for (size_t i = 0; i < c->opens.n; i++) {
		char *f = join(&c->opens.v[i].flags);

		if (!f)
			l->err = -ENOMEM;
		else
			lines_addf(l, "opens: %s%s%s", c->opens.v[i].path, *f ? " " : "", f);
		free(f);
	}
	add_set(l, "syscalls", &c->syscalls);
	if (c->endpoints.state == PROF_NULL)
		lines_addf(l, "endpoints: null");
	else if (c->endpoints.state == PROF_SET && !c->endpoints.n)
		lines_addf(l, "endpoints: []");
	for (size_t i = 0; i < c->endpoints.n; i++) {
		const struct prof_endpoint *e = &c->endpoints.v[i];
		char *m = join(&e->methods);

		if (!m)
			l->err = -ENOMEM;
		else
			lines_addf(l, "endpoints: %s%s%s%s%s%s%s", e->endpoint, *m ? " " : "", m,
				   e->direction ? " " : "", e->direction ? e->direction : "",
				   tri(e->internal, "internal", t2, sizeof(t2)),
				   e->headers ? " (with headers)" : "");
		free(m);
	}
	if (c->image_id)
		lines_addf(l, "imageID: %s", c->image_id);
	if (c->image_tag)
		lines_addf(l, "imageTag: %s", c->image_tag);
	if (c->rule_policies.state == PROF_NULL)
		lines_addf(l, "rulePolicies: null");
	else if (c->rule_policies.state == PROF_SET && !c->rule_policies.n)
		lines_addf(l, "rulePolicies: []");
	for (size_t i = 0; i < c->rule_policies.n; i++) {
		const struct prof_rule_policy *p = &c->rule_policies.v[i];
		char *a = join(&p->process_allowed);

		if (!a)
			l->err = -ENOMEM;
		else
			lines_addf(l, "rulePolicies: %s%s%s%s", p->rule_id,
				   *a ? " processAllowed " : "", a,
				   tri(p->container_allowed, "containerAllowed", t1, sizeof(t1)));
		free(a);
	}
	add_set(l, "iouring", &c->iouring);
	add_set(l, "execDigests", &c->exec_digests);
	add_byexe(l, c);
	add_neighbors(l, "ingress", &c->ingress);
	add_neighbors(l, "egress", &c->egress);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints "- x" / "+ x" for lines only on one side, under header (printed once). */
static int compare(struct lines *a, struct lines *b, const char *header, struct vigil_buf *out,
		   bool *diff)
{
	size_t i = 0, j = 0;
	bool printed = false;
	int r = a->err ? a->err : b->err;

	if (r)
		return r;
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), cmp_line);
	if (b->n > 1)
		qsort(b->v, b->n, sizeof(*b->v), cmp_line);
	while (!r && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
		const char *line;
		char sign;

		if (!c) {
			i++;
			j++;
			continue;
		}
		sign = c < 0 ? '-' : '+';
		line = c < 0 ? a->v[i++] : b->v[j++];
		*diff = true;
		if (!out)
			continue;
		if (!printed && header)
			r = vigil_buf__printf(out, "%s:\n", header);
		printed = true;
		if (!r)
			r = vigil_buf__printf(out, "%c %s\n", sign, line);
	}
	return r;
}

static void doc_lines(struct lines *l, const struct prof_doc *d)
{
	lines_addf(l, "namespace: %s", d->namespace_ ? d->namespace_ : "");
	for (size_t i = 0; i < d->labels.n; i++)
		lines_addf(l, "labels: %s=%s", d->labels.v[i].key, d->labels.v[i].value);
	add_set(l, "architectures", &d->architectures);
	for (size_t i = 0; i < d->selector.match_labels.n; i++)
		lines_addf(l, "matchLabels: %s=%s", d->selector.match_labels.v[i].key,
			   d->selector.match_labels.v[i].value);
	for (size_t i = 0; i < d->selector.nexprs; i++) {
		char *v = join(&d->selector.exprs[i].values);

		lines_addf(l, "matchExpressions: %s %s %s", d->selector.exprs[i].key,
			   d->selector.exprs[i].op, v ? v : "");
		free(v);
	}
}

/* The rank-th container (0: the first) of d in section with name: a repeated name, which
 * Kubescape never reads (select.c), is compared with the one of the same rank. */
static const struct prof_container *find_container(const struct prof_doc *d, const char *section,
						   const char *name, size_t rank)
{
	for (size_t i = 0; i < prof_doc_container_count(d); i++) {
		const struct prof_container *c = prof_doc_container_at((struct prof_doc *)d, i);

		if (!strcmp(prof_doc_container_section(d, i), section) &&
		    !strcmp(c->name ? c->name : "", name) && !rank--)
			return c;
	}
	return NULL;
}

/* How many containers before the i-th of d have its section and name. */
static size_t container_rank(const struct prof_doc *d, size_t i)
{
	const struct prof_container *c = prof_doc_container_at((struct prof_doc *)d, i);
	size_t rank = 0;

	for (size_t j = 0; c->shadowed && j < i; j++) {
		const struct prof_container *o = prof_doc_container_at((struct prof_doc *)d, j);

		rank += !strcmp(prof_doc_container_section(d, j),
				prof_doc_container_section(d, i)) &&
			!strcmp(o->name ? o->name : "", c->name ? c->name : "");
	}
	return rank;
}

/* "Kind name", or "Kind namespace/name" as kubectl names a namespaced object: one file can
 * hold the same name in several namespaces */
static const char *doc_title(const struct prof_doc *d, char *buf, size_t size)
{
	if (d->namespace_ && d->namespace_[0])
		snprintf(buf, size, "%s %s/%s", prof_kind_name(d->kind), d->namespace_, d->name);
	else
		snprintf(buf, size, "%s %s", prof_kind_name(d->kind), d->name);
	return buf;
}

static int diff_doc(const struct prof_doc *a, const struct prof_doc *b, struct vigil_buf *out,
		    bool *diff)
{
	struct lines la = { 0 }, lb = { 0 };
	char header[512], title[384];
	int r;

	doc_title(a, title, sizeof(title));
	snprintf(header, sizeof(header), "%s", title);
	doc_lines(&la, a);
	doc_lines(&lb, b);
	r = compare(&la, &lb, header, out, diff);
	lines_free(&la);
	lines_free(&lb);
	/* containers of a, then those only in b */
	for (int side = 0; !r && side < 2; side++) {
		const struct prof_doc *x = side ? b : a, *y = side ? a : b;

		for (size_t i = 0; !r && i < prof_doc_container_count(x); i++) {
			const struct prof_container *cx =
				prof_doc_container_at((struct prof_doc *)x, i);
			const char *sec = prof_doc_container_section(x, i);
			const char *name = cx->name ? cx->name : "";
			const struct prof_container *cy =
				find_container(y, sec, name, container_rank(x, i));
			struct prof_container empty = { 0 };

			if (side && cy)
				continue; /* compared in the first pass */
			memset(&la, 0, sizeof(la));
			memset(&lb, 0, sizeof(lb));
			container_lines(&la, side ? (cy ? cy : &empty) : cx);
			container_lines(&lb, side ? cx : (cy ? cy : &empty));
			if (!cy) {
				*diff = true;
				if (out)
					r = vigil_buf__printf(out, "%c %s, %s %s\n",
							      side ? '+' : '-', title, sec, name);
			}
			if (!strcmp(sec, "spec")) /* a ContainerProfile is its one container */
				snprintf(header, sizeof(header), "%s", title);
			else
				snprintf(header, sizeof(header), "%s, %s %s", title, sec, name);
			if (!r)
				r = compare(&la, &lb, header, out, diff);
			if (!r && cy) {
				const struct prof_container *o = side ? cy : cx,
							    *n = side ? cx : cy;

				if (!prof_node_equal(o->seccomp_profile, n->seccomp_profile)) {
					*diff = true;
					if (out)
						r = vigil_buf__printf(
							out, "~ %s: seccompProfile changed\n",
							header);
				}
				if (!r && !prof_node_equal(o->identified_call_stacks,
							   n->identified_call_stacks)) {
					*diff = true;
					if (out)
						r = vigil_buf__printf(
							out, "~ %s: identifiedCallStacks changed\n",
							header);
				}
			}
			lines_free(&la);
			lines_free(&lb);
		}
	}
	return r;
}

int vigil_profile__diff(const struct vigil_profile *old_, const struct vigil_profile *new_,
			struct vigil_buf *out)
{
	bool diff = false;
	int r = 0;

	if (!old_ || !new_)
		return -EINVAL;
	prof_ensure_normal(old_);
	prof_ensure_normal(new_);
	for (int side = 0; !r && side < 2; side++) {
		const struct vigil_profile *x = side ? new_ : old_, *y = side ? old_ : new_;

		for (size_t i = 0; !r && i < x->ndocs; i++) {
			const struct prof_doc *dx = &x->docs[i],
					      *dy = prof_doc_counterpart(x, i, y);

			if (dy && side)
				continue;
			if (dy) {
				r = diff_doc(dx, dy, out, &diff);
				continue;
			}
			diff = true;
			if (out) {
				char title[384];

				r = vigil_buf__printf(out, "%c %s (whole document)\n",
						      side ? '+' : '-',
						      doc_title(dx, title, sizeof(title)));
			}
		}
	}
	return r ? r : diff ? 1 : 0;
}

int vigil_profile__describe(const struct vigil_profile *p, struct vigil_buf *out)
{
	int r = 0;

	if (!p || !out)
		return -EINVAL;
	prof_ensure_normal(p);
	for (size_t i = 0; !r && i < p->ndocs; i++) {
		const struct prof_doc *d = &p->docs[i];
		struct lines l = { 0 };

		r = vigil_buf__printf(out, "%s%s %s%s%s\n", i ? "\n" : "", prof_kind_name(d->kind),
				      d->name, d->namespace_ ? " in namespace " : "",
				      d->namespace_ ? d->namespace_ : "");
		doc_lines(&l, d);
		for (size_t k = 0; !r && !l.err && k < l.n; k++)
			if (strncmp(l.v[k], "namespace:", 10))
				r = vigil_buf__printf(out, "  %s\n", l.v[k]);
		r = r ? r : l.err;
		lines_free(&l);
		for (size_t j = 0; !r && j < prof_doc_container_count(d); j++) {
			const struct prof_container *c =
				prof_doc_container_at((struct prof_doc *)d, j);
			const char *sec = prof_doc_container_section(d, j);

			memset(&l, 0, sizeof(l));
			container_lines(&l, c);
			if (strcmp(sec, "spec"))
				r = vigil_buf__printf(out, "  %s %s:%s\n", sec,
						      c->name ? c->name : "",
						      c->shadowed ? " (a repeated name: Kubescape "
								    "reads only the first, unused)"
								  : "");
			for (size_t k = 0; !r && !l.err && k < l.n; k++)
				r = vigil_buf__printf(out, "    %s\n", l.v[k]);
			r = r ? r : l.err;
			lines_free(&l);
		}
	}
	return r;
}
