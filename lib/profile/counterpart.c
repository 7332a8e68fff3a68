// SPDX-License-Identifier: Apache-2.0
/*
 * Which document of another profile is "the same object" as a given one (diff pairs them,
 * merge unions them). An object is identified as Kubernetes identifies it: kind, namespace
 * and name. `kubectl get -A -o yaml` puts the same profile name in several namespaces into one
 * file, and those are different objects. A file may also hold one identity twice (two copies
 * concatenated): the k-th occurrence in one profile pairs with the k-th in the other, so
 * neither copy is compared with, or merged into, its sibling.
 */
#include <string.h>

#include "profile/model.h"

static bool same_object(const struct prof_doc *a, const struct prof_doc *b)
{
	return a->kind == b->kind && !strcmp(a->name ? a->name : "", b->name ? b->name : "") &&
	       !strcmp(a->namespace_ ? a->namespace_ : "", b->namespace_ ? b->namespace_ : "");
}

const struct prof_doc *prof_doc_counterpart(const struct vigil_profile *x, size_t i,
					    const struct vigil_profile *y)
{
	size_t occurrence = 0;

	for (size_t k = 0; k < i; k++)
		if (same_object(&x->docs[k], &x->docs[i]))
			occurrence++;
	for (size_t j = 0; j < y->ndocs; j++)
		if (same_object(&y->docs[j], &x->docs[i]) && occurrence-- == 0)
			return &y->docs[j];
	return NULL;
}
