// SPDX-License-Identifier: Apache-2.0
/*
 * A container of a profile (loadctx.h): one table of the fields of containers and specs with
 * where each may stand, a ContainerProfile's spec (itself a container) and its grouped
 * sections, and the duplicate-name check.
 */
#include <stdlib.h>
#include <string.h>

#include "profile/loadctx.h"
#include "util/strutil.h"

enum cfield {
	CF_NAME,
	CF_ARCH,
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
	CF_BYEXE,
	CF_MATCHLABELS,
	CF_MATCHEXPR,
	CF_INGRESS,
	CF_EGRESS,
	CF_CONTAINERS,
	CF_INITCONTAINERS,
	CF_EPHCONTAINERS,
};
#define CF__COUNT (CF_EPHCONTAINERS + 1)

/* What an ApplicationProfile container holds: also in a ContainerProfile (section or spec). */
#define AP_FIELD (LD_AP_CONTAINER | LD_CP_SECTION | LD_CP_SPEC)
/* What a NetworkNeighborhood container holds: also in a ContainerProfile (section or spec). */
#define NN_FIELD (LD_NN_CONTAINER | LD_CP_SECTION | LD_CP_SPEC)

/*
 * Every field of a container or a spec, once, with where it may stand (enum ld_place bits).
 * A new field is one row here and its case in ld_fields. The order is the order of the
 * fields in messages ("allowed: ...") at every place.
 */
static const struct {
	const char *name;
	unsigned places;
} cfields[CF__COUNT] = {
	[CF_NAME] = { "name", LD_AP_CONTAINER | LD_NN_CONTAINER | LD_CP_SECTION },
	[CF_ARCH] = { "architectures", LD_CP_SPEC | LD_AP_SPEC },
	[CF_CAPS] = { "capabilities", AP_FIELD },
	[CF_EXECS] = { "execs", AP_FIELD },
	[CF_OPENS] = { "opens", AP_FIELD },
	[CF_SYSCALLS] = { "syscalls", AP_FIELD },
	[CF_SECCOMP] = { "seccompProfile", AP_FIELD },
	[CF_ENDPOINTS] = { "endpoints", AP_FIELD },
	[CF_IMAGEID] = { "imageID", AP_FIELD },
	[CF_IMAGETAG] = { "imageTag", AP_FIELD },
	[CF_RULEPOL] = { "rulePolicies", AP_FIELD },
	[CF_CALLSTACKS] = { "identifiedCallStacks", AP_FIELD },
	[CF_IOURING] = { "iouring", AP_FIELD },
	[CF_EXECDIGESTS] = { "execDigests", AP_FIELD },
	[CF_BYEXE] = { "byExecutable", AP_FIELD },
	[CF_MATCHLABELS] = { "matchLabels", LD_CP_SPEC | LD_NN_SPEC },
	[CF_MATCHEXPR] = { "matchExpressions", LD_CP_SPEC | LD_NN_SPEC },
	[CF_INGRESS] = { "ingress", NN_FIELD },
	[CF_EGRESS] = { "egress", NN_FIELD },
	[CF_CONTAINERS] = { "containers", LD_CP_SPEC | LD_AP_SPEC | LD_NN_SPEC },
	[CF_INITCONTAINERS] = { "initContainers", LD_CP_SPEC | LD_AP_SPEC | LD_NN_SPEC },
	[CF_EPHCONTAINERS] = { "ephemeralContainers", LD_CP_SPEC | LD_AP_SPEC | LD_NN_SPEC },
};

/* The row of item's key if it may stand at place; else the error ld_field gives (with the
 * fields allowed there for suggestions). */
static int cfield_of(struct ld *c, const struct prof_node *item, unsigned place, const char *where)
{
	const char *allowed[CF__COUNT + 1];
	size_t n = 0;

	for (int f = 0; f < CF__COUNT; f++) {
		if (!(cfields[f].places & place))
			continue;
		if (!strcmp(item->key, cfields[f].name))
			return f;
		allowed[n++] = cfields[f].name;
	}
	allowed[n] = NULL;
	return ld_field(c, item, allowed, where);
}

/* The place of the containers listed in a spec (or a grouped ContainerProfile's sections). */
static unsigned section_place(unsigned spec)
{
	if (spec & LD_AP_SPEC)
		return LD_AP_CONTAINER;
	if (spec & LD_NN_SPEC)
		return LD_NN_CONTAINER;
	return LD_CP_SECTION;
}

#define LOAD_LIST(c, it, what, list, loadfn)                                             \
	({                                                                               \
		int _r = ld_list_open(c, it, what, &(list).state, &(list).pos);          \
		if (_r > 0) {                                                            \
			_r = 0;                                                          \
		} else if (!_r) {                                                        \
			if ((it)->n) {                                                   \
				(list).v = calloc((it)->n, sizeof(*(list).v));           \
				if (!(list).v)                                           \
					_r = ld_oom(c);                                  \
				else                                                     \
					(list).cap = (it)->n;                            \
			}                                                                \
			for (size_t _j = 0; !_r && _j < (it)->n; _j++)                   \
				_r = loadfn(c, &(it)->items[_j], &(list).v[(list).n++]); \
		}                                                                        \
		_r;                                                                      \
	})

static int check_duplicate_containers(struct ld *c, const struct prof_containers *l,
				      const char *what);

/*
 * One byExecutable section (Vigil extension): the executable's path and the execs and opens
 * it made. Kept in a prof_container (name = path) so merge, normalize and the matcher treat
 * it as they treat a container.
 */
static int load_byexe_section(struct ld *c, struct prof_node *n, struct prof_container *ct)
{
	static const char *const names[] = { "path", "execs", "opens", NULL };
	bool has_path = false;
	int r = 0;

	ct->pos = n->pos;
	if ((r = ld_want_map(c, n, "a byExecutable section")))
		return r;
	for (size_t i = 0; i < n->n && !r; i++) {
		struct prof_node *it = &n->items[i];
		int f = ld_field(c, it, names, "byExecutable section");

		if (f < 0)
			return f;
		if (f == 0) {
			r = ld_req_str(c, it, "path", &ct->name);
			if (!r)
				r = ld_check(c, it, ct->name, prof_check_exe_key_);
			has_path = true;
		} else if (f == 1) {
			r = LOAD_LIST(c, it, "execs", ct->execs, ld_exec);
		} else {
			r = LOAD_LIST(c, it, "opens", ct->opens, ld_open);
		}
	}
	if (!r && !has_path)
		return ld_fail(c, n->pos,
			       "missing required field \"path\" in byExecutable section");
	return r;
}

static int load_byexe(struct ld *c, struct prof_node *n, struct prof_containers *l)
{
	int r;

	if ((r = ld_list_open(c, n, "byExecutable", &l->state, &l->pos)))
		return r < 0 ? r : 0;
	for (size_t i = 0; i < n->n; i++) {
		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return ld_oom(c);
		memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
		if ((r = load_byexe_section(c, &n->items[i], &l->v[l->n++])))
			return r;
	}
	return check_duplicate_containers(c, l, "byExecutable section");
}

int ld_fields(struct ld *c, struct prof_node *n, unsigned place, const char *where,
	      struct prof_container *ct, struct prof_doc *doc)
{
	int r;

	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];
		int f;

		/* a common mix-up between the kinds deserves a precise message */
		if (place == LD_AP_CONTAINER &&
		    (!strcmp(it->key, "ingress") || !strcmp(it->key, "egress")))
			return ld_fail(
				c, it->key_pos,
				"field \"%s\" does not belong in an ApplicationProfile container "
				"(network neighbors go in a NetworkNeighborhood or a "
				"ContainerProfile)",
				it->key);
		f = cfield_of(c, it, place, where);
		if (f < 0)
			return f;
		switch ((enum cfield)f) {
		case CF_NAME:
			/* optional: Kubescape's container name is omitempty */
			r = ld_str(c, it, "name", &ct->name);
			break;
		case CF_CAPS:
			r = ld_strs(c, it, "capabilities", &ct->capabilities,
				    prof_check_capability_);
			break;
		case CF_EXECS:
			r = LOAD_LIST(c, it, "execs", ct->execs, ld_exec);
			break;
		case CF_OPENS:
			r = LOAD_LIST(c, it, "opens", ct->opens, ld_open);
			break;
		case CF_SYSCALLS:
			r = ld_strs(c, it, "syscalls", &ct->syscalls, prof_check_syscall_);
			break;
		case CF_SECCOMP:
			r = ld_take_node(c, it, &ct->seccomp_profile);
			break;
		case CF_ENDPOINTS:
			r = LOAD_LIST(c, it, "endpoints", ct->endpoints, ld_endpoint);
			break;
		case CF_IMAGEID:
			r = ld_str(c, it, "imageID", &ct->image_id);
			break;
		case CF_IMAGETAG:
			r = ld_str(c, it, "imageTag", &ct->image_tag);
			break;
		case CF_RULEPOL:
			r = ld_rule_policies(c, it, ct);
			break;
		case CF_CALLSTACKS:
			r = ld_take_node(c, it, &ct->identified_call_stacks);
			break;
		case CF_IOURING:
			r = ld_strs(c, it, "iouring", &ct->iouring, prof_check_iouring_op_);
			break;
		case CF_EXECDIGESTS:
			r = ld_strs(c, it, "execDigests", &ct->exec_digests,
				    prof_check_exec_digest_);
			break;
		case CF_BYEXE:
			r = load_byexe(c, it, &ct->by_exe);
			break;
		case CF_INGRESS:
			r = ld_neighbors(c, it, "ingress", &ct->ingress);
			break;
		case CF_EGRESS:
			r = ld_neighbors(c, it, "egress", &ct->egress);
			break;
		case CF_ARCH:
			r = ld_strs(c, it, "architectures", &doc->architectures, NULL);
			break;
		case CF_MATCHLABELS:
			doc->selector.state = PROF_SET;
			r = ld_kvs(c, it, "matchLabels", &doc->selector.match_labels);
			break;
		case CF_MATCHEXPR: {
			/* reuse the selector loader on a one-key view of this field */
			struct prof_node view = {
				.type = PROF_NODE_MAP, .items = it, .n = 1, .pos = it->pos
			};

			doc->selector.state = PROF_SET;
			r = ld_selector(c, &view, "spec", &doc->selector);
			break;
		}
		case CF_CONTAINERS:
			r = ld_containers(c, it, "containers", section_place(place),
					  &doc->containers, doc);
			break;
		case CF_INITCONTAINERS:
			r = ld_containers(c, it, "initContainers", section_place(place),
					  &doc->init_containers, doc);
			break;
		case CF_EPHCONTAINERS:
			r = ld_containers(c, it, "ephemeralContainers", section_place(place),
					  &doc->ephemeral_containers, doc);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

int ld_container(struct ld *c, struct prof_node *n, unsigned place, const char *where,
		 struct prof_container *ct, struct prof_doc *doc)
{
	int r;

	ct->pos = n->pos;
	if ((r = ld_want_map(c, n, where)))
		return r;
	return ld_fields(c, n, place, where, ct, doc);
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

/* byExecutable sections are keyed by path: two with one path are ambiguous. O(n log n). */
static int check_duplicate_containers(struct ld *c, const struct prof_containers *l,
				      const char *what)
{
	size_t *idx, dup = SIZE_MAX, first = 0;

	if (l->n < 2)
		return 0;
	idx = malloc(l->n * sizeof(*idx));
	if (!idx)
		return ld_oom(c);
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
	return ld_fail(c, l->v[dup].pos, "duplicate %s \"%s\" (first at line %d)", what,
		       cname(&l->v[dup]), l->v[first].pos.line);
}

int ld_containers(struct ld *c, struct prof_node *n, const char *what, unsigned place,
		  struct prof_containers *l, struct prof_doc *doc)
{
	int r;

	if ((r = ld_list_open(c, n, what, &l->state, &l->pos)))
		return r < 0 ? r : 0;
	for (size_t i = 0; i < n->n; i++) {
		struct prof_node *it = &n->items[i];

		if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
			return ld_oom(c);
		/* a null item is Go's zero value in Kubernetes (a stray `-`): a container with no
		 * name and no entries, as `{}` is; a second one is a duplicate, as in `[{}, {}]`
		 * (ld_shadow_containers) */
		if (ld_is_null(it)) {
			l->v[l->n++].pos = it->pos;
			if (prof_note_add(
				    c->p, VIGIL_PROFILE_WARNING, it->pos,
				    "a null item of \"%s\" is a container with no name and no "
				    "entries (Go's zero value): loaded as in Kubescape",
				    what))
				return ld_oom(c);
			continue;
		}
		if ((r = ld_container(c, it, place, "container", &l->v[l->n++], doc)))
			return r;
	}
	return 0;
}

/* Marks the document's shadowed containers (select.c) and warns about each. */
int ld_shadow_containers(struct ld *c, struct prof_doc *d)
{
	int *first_line = NULL, r = prof_doc_mark_shadowed(d, &first_line);

	if (r)
		return ld_oom(c);
	for (size_t i = 0; first_line && !r; i++) {
		const struct prof_container *ct = prof_doc_matched(d, i);

		if (!ct || (d->kind == VIGIL_KIND_CONTAINER_PROFILE && ct == &d->cp))
			break;
		if (ct->shadowed &&
		    prof_note_add(c->p, VIGIL_PROFILE_WARNING, ct->pos,
				  "duplicate container \"%s\" (first at line %d): loaded as in "
				  "Kubescape, which reads only the first container with a name, so "
				  "this one allows nothing",
				  cname(ct), first_line[i]))
			r = ld_oom(c);
	}
	free(first_line);
	return r;
}
