// SPDX-License-Identifier: Apache-2.0
/*
 * Which containers of a profile are one workload container's: the one rule the matcher
 * (match.c), the kernel's allow sets (kallow.c) and the enforced exec paths (harden_enforce.c)
 * share, so that what the kernel allows and kills is what user space allows and alerts on.
 */
#include <errno.h>
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

			if (!name_eq(c->name, want) && !(unnamed_cp && container))
				continue;
			found = true;
			r = fn(c, arg);
		}
	}
	return r == 0 && !found ? -ENOENT : r;
}
