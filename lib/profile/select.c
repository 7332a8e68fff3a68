// SPDX-License-Identifier: Apache-2.0
/*
 * Which containers of a profile are one workload container's: the one rule the matcher
 * (match.c), the kernel's allow sets (kallow.c) and the enforced exec paths (harden_enforce.c)
 * share, so that what the kernel allows and kills is what user space allows and alerts on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"

const struct prof_container *prof_doc_matched(const struct prof_doc *d, size_t i)
{
	const struct prof_containers *lists[] = { &d->containers, &d->init_containers,
						  &d->ephemeral_containers };

	for (size_t k = 0; k < 3; k++) {
		if (i < lists[k]->n)
			return &lists[k]->v[i];
		i -= lists[k]->n;
	}
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE && i == 0 && !prof_doc_grouped(d))
		return &d->cp;
	return NULL;
}

static const char *cname(const struct prof_container *c)
{
	return c->name ? c->name : "";
}

static int cmp_ptr_idx(const void *a, const void *b, void *arg)
{
	struct prof_container *const *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(cname(v[x]), cname(v[y]));

	return r ? r : (x < y ? -1 : x > y);
}

/*
 * Kubescape (node-agent's profile lookup, storage's user-profile merge) takes the first
 * container with the name, in containers, then initContainers, then ephemeralContainers; its
 * storage keeps a document with a repeated name as it is. So a later container with a name an
 * earlier one has is never read: shadowed. O(n log n).
 */
int prof_doc_mark_shadowed(struct prof_doc *d, int **ret_first_line)
{
	size_t n = d->containers.n + d->init_containers.n + d->ephemeral_containers.n;
	struct prof_container **v;
	size_t *idx;
	int *first_line;

	if (ret_first_line)
		*ret_first_line = NULL;
	v = malloc((n ? n : 1) * sizeof(*v));
	idx = malloc((n ? n : 1) * sizeof(*idx));
	first_line = calloc(n ? n : 1, sizeof(*first_line));
	if (!v || !idx || !first_line) {
		free(v);
		free(idx);
		free(first_line);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		v[i] = (struct prof_container *)prof_doc_matched(d, i);
		v[i]->shadowed = false;
		idx[i] = i;
	}
	qsort_r(idx, n, sizeof(*idx), cmp_ptr_idx, v);
	for (size_t i = 1, f = 0; i < n; i++) {
		if (strcmp(cname(v[idx[f]]), cname(v[idx[i]]))) {
			f = i;
			continue;
		}
		v[idx[i]]->shadowed = true;
		first_line[idx[i]] = v[idx[f]]->pos.line;
	}
	free(v);
	free(idx);
	if (ret_first_line)
		*ret_first_line = first_line;
	else
		free(first_line);
	return 0;
}

static bool name_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int prof_each_container(const struct vigil_profile *p, const char *container,
			int (*fn)(const struct prof_container *c, void *arg), void *arg)
{
	const char *want = container;
	bool chosen = container != NULL, found = false;
	int r = 0;

	for (size_t d = 0; d < p->ndocs && !chosen; d++) {
		const struct prof_container *c = prof_doc_matched(&p->docs[d], 0);

		if (c) {
			want = c->name;
			chosen = true;
		}
	}
	if (!chosen)
		return -ENOENT;
	for (size_t d = 0; d < p->ndocs && r == 0; d++) {
		const struct prof_container *c;

		for (size_t i = 0; (c = prof_doc_matched(&p->docs[d], i)) && r == 0; i++) {
			/* A ContainerProfile's unnamed container belongs to whatever it is bound to. */
			bool unnamed_cp = c == &p->docs[d].cp && !c->name;

			if (c->shadowed || (!name_eq(c->name, want) && !(unnamed_cp && container)))
				continue;
			found = true;
			r = fn(c, arg);
		}
	}
	return r == 0 && !found ? -ENOENT : r;
}
