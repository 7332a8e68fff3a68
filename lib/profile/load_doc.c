// SPDX-License-Identifier: Apache-2.0
/*
 * One profile document (loadctx.h): apiVersion, kind, metadata and spec.
 */
#include <stdlib.h>
#include <string.h>

#include "profile/loadctx.h"
#include "util/strutil.h"

static int load_metadata(struct ld *c, struct prof_node *n, struct prof_doc *d)
{
	static const char *const names[] = {
		"name",
		"namespace",
		"labels",
		"annotations",
		"generateName",
		"selfLink", /* deprecated, still in ObjectMeta: older clusters print it */
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

	if ((r = ld_want_map(c, n, "\"metadata\"")))
		return r;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "metadata");

		if (f < 0)
			return f;
		switch (f) {
		case 0:
			r = ld_req_str(c, it, "name", &d->name);
			has_name = true;
			break;
		case 1:
			r = ld_str(c, it, "namespace", &d->namespace_);
			break;
		case 2:
			r = ld_kvs(c, it, "labels", &d->labels);
			break;
		case 3:
			r = ld_kvs(c, it, "annotations", &d->annotations);
			break;
		default:
			/* other ObjectMeta keys are kept verbatim (not signed) */
			if (!d->metadata_extra) {
				d->metadata_extra = calloc(1, sizeof(*d->metadata_extra));
				if (!d->metadata_extra)
					return ld_oom(c);
				d->metadata_extra->type = PROF_NODE_MAP;
			}
			if (prof_grow((void **)&d->metadata_extra->items, &d->metadata_extra->cap,
				      d->metadata_extra->n, sizeof(*d->metadata_extra->items)))
				return ld_oom(c);
			d->metadata_extra->items[d->metadata_extra->n++] = *it;
			memset(it, 0, sizeof(*it));
			break;
		}
		if (r)
			return r;
	}
	if (!has_name)
		return ld_fail(c, n->pos, "missing required field \"name\" in metadata");
	return 0;
}

static int load_spec(struct ld *c, struct prof_node *n, struct prof_doc *d)
{
	int r;

	d->spec_state = PROF_SET;
	if (d->kind == VIGIL_KIND_CONTAINER_PROFILE) {
		if ((r = ld_container(c, n, LD_CP_SPEC, "spec", &d->cp, d)))
			return r;
		if (prof_doc_grouped(d) && prof_container_has_content(&d->cp) &&
		    prof_note_add(c->p, VIGIL_PROFILE_WARNING, n->pos,
				  "ContainerProfile \"%s\" has containers sections and also "
				  "container fields directly under spec: those are ignored for "
				  "every container, as Kubescape ignores them (move them into a "
				  "section)",
				  d->name ? d->name : ""))
			return ld_oom(c);
		return 0;
	}
	if ((r = ld_want_map(c, n, "\"spec\"")))
		return r;
	/* only spec-level fields stand here: ct is not written */
	return ld_fields(c, n, d->kind == VIGIL_KIND_APPLICATION_PROFILE ? LD_AP_SPEC : LD_NN_SPEC,
			 "spec", &d->cp, d);
}

int ld_doc(struct ld *c, struct prof_node *root, struct prof_doc *d)
{
	static const char *const names[] = { "apiVersion", "kind",   "metadata",
					     "spec",	   "status", NULL };
	static const char *const kinds[] = { "ApplicationProfile", "NetworkNeighborhood",
					     "ContainerProfile", NULL };
	struct prof_node *kind = NULL, *api = NULL, *meta = NULL, *spec = NULL;
	int r;

	d->pos = root->pos;
	if ((r = ld_want_map(c, root, "a profile document")))
		return r;
	for (size_t i = 0; i < root->n; i++) {
		struct prof_node *it = &root->items[i];
		int f = ld_field(c, it, names, "");

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
		else if ((r = ld_take_node(c, it, &d->status)))
			return r;
	}
	if (!api)
		return ld_fail(c, root->pos,
			       "missing required field \"apiVersion\" (expected \"%s\")",
			       VIGIL_PROFILE_API_VERSION);
	if ((r = ld_req_str(c, api, "apiVersion", &d->api_version)))
		return r;
	if (strcmp(d->api_version, VIGIL_PROFILE_API_VERSION))
		return ld_fail(c, api->pos, "unsupported apiVersion \"%s\" (expected \"%s\")",
			       d->api_version, VIGIL_PROFILE_API_VERSION);
	if (!kind)
		return ld_fail(c, root->pos,
			       "missing required field \"kind\" (ApplicationProfile, "
			       "NetworkNeighborhood or ContainerProfile)");
	{
		char *k = NULL;
		const char *sg;

		if ((r = ld_req_str(c, kind, "kind", &k)))
			return r;
		for (int i = 0; kinds[i]; i++)
			if (!strcmp(k, kinds[i]))
				d->kind = (enum vigil_profile_kind)(i + 1);
		sg = d->kind ? NULL : vigil_suggest(k, kinds);
		if (!d->kind)
			r = ld_fail(
				c, kind->pos, "unknown kind \"%s\" (%s%s%s)", k,
				sg ? "did you mean \""
				   : "expected ApplicationProfile, NetworkNeighborhood or ContainerProfile",
				sg ? sg : "", sg ? "\"?" : "");
		free(k);
		if (r)
			return r;
	}
	if (!meta)
		return ld_fail(c, root->pos, "missing required field \"metadata\"");
	if ((r = load_metadata(c, meta, d)))
		return r;
	/* Kubescape's spec is omitempty: a document without one is an empty profile */
	if (!spec) {
		d->spec_state = PROF_ABSENT;
		return 0;
	}
	if (ld_is_null(spec)) {
		d->spec_state = PROF_NULL;
		return 0;
	}
	r = load_spec(c, spec, d);
	return r ? r : ld_shadow_containers(c, d);
}
