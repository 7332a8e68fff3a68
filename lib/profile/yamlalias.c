// SPDX-License-Identifier: Apache-2.0
/*
 * Anchors, aliases and merge keys (yamlalias.h). An anchor is copied when its node is
 * finished, so an alias can only name a node that is complete: a node cannot contain an
 * alias of itself, and what an alias adds is known (values, height) before it is copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/yamlalias.h"

struct anchor {
	char *name;
	struct prof_node *node;
	size_t values, height;
};

struct prof_anchors {
	struct anchor *v;
	size_t n, cap;
};

struct prof_anchors *prof_anchors_new(void)
{
	return calloc(1, sizeof(struct prof_anchors));
}

void prof_anchors_clear(struct prof_anchors *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		prof_node_free(a->v[i].node);
	}
	a->n = 0;
}

void prof_anchors_free(struct prof_anchors *a)
{
	prof_anchors_clear(a);
	if (a)
		free(a->v);
	free(a);
}

/* Values and height of a finished tree (its depth is bounded by the parser's limit). */
static void measure(const struct prof_node *n, size_t *values, size_t *height)
{
	size_t h = 0;

	(*values)++;
	for (size_t i = 0; i < n->n; i++) {
		size_t sub = 0;

		measure(&n->items[i], values, &sub);
		if (sub > h)
			h = sub;
	}
	*height = n->type == PROF_NODE_SCALAR ? 0 : h + 1;
}

int prof_anchors_set(struct prof_anchors *a, const char *name, const struct prof_node *n,
		     size_t budget, size_t *ret_values)
{
	struct anchor e = { 0 };

	/* measured before copying: nested anchors must not copy a big tree once per level */
	measure(n, &e.values, &e.height);
	*ret_values = e.values;
	if (e.values > budget)
		return -E2BIG;
	e.name = strdup(name);
	e.node = prof_node_clone(n);
	if (!e.name || !e.node || prof_grow((void **)&a->v, &a->cap, a->n, sizeof(*a->v))) {
		free(e.name);
		prof_node_free(e.node);
		return -ENOMEM;
	}
	free(e.node->key);
	e.node->key = NULL;
	e.node->merge = false;
	a->v[a->n++] = e;
	return 0;
}

const struct prof_node *prof_anchors_get(const struct prof_anchors *a, const char *name,
					 size_t *ret_values, size_t *ret_height)
{
	/* the latest definition of a name wins */
	for (size_t i = a ? a->n : 0; i-- > 0;)
		if (!strcmp(a->v[i].name, name)) {
			*ret_values = a->v[i].values;
			*ret_height = a->v[i].height;
			return a->v[i].node;
		}
	return NULL;
}

/* A key of the merged mapping, where it comes from (its order: explicit keys first, then the
 * merged mappings' keys as they are listed). */
struct cand {
	const char *key;
	size_t order;
	bool merged;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Which merged items a key given before them hides: keys sorted with their order, each
 * merged item after the first of its key is dropped (drop[k] for the k-th merged item). By
 * sorting, not by looking each key up in the map: a mapping merged from a big anchor would
 * cost its size squared (minutes for a file within the loader's bounds).
 */
static int hidden_merged(const struct prof_node *map, const struct prof_node *merges, size_t nmerge,
			 size_t nitems, bool *drop)
{
	struct cand *c = calloc(map->n + nitems, sizeof(*c));
	size_t n = 0, k = 0;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < map->n; i++)
		if (map->items[i].key)
			c[n++] = (struct cand){ map->items[i].key, i, false };
	for (size_t i = 0; i < nmerge; i++) {
		const struct prof_node *m = &merges[i];
		size_t nsrc = m->type == PROF_NODE_SEQ ? m->n : 1;

		for (size_t j = 0; j < nsrc; j++) {
			const struct prof_node *src = m->type == PROF_NODE_SEQ ? &m->items[j] : m;

			for (size_t t = 0; t < src->n; t++, k++) {
				const struct prof_node *it = &src->items[t];

				drop[k] = it->merge || !it->key;
				if (!drop[k])
					c[n++] = (struct cand){ it->key, map->n + k, true };
			}
		}
	}
	qsort(c, n, sizeof(*c), cand_cmp);
	for (size_t i = 1; i < n; i++)
		if (c[i].merged && !strcmp(c[i].key, c[i - 1].key))
			drop[c[i].order - map->n] = true;
	free(c);
	return 0;
}

/* Moves the items of src not dropped to the end of map (src's items are taken). */
static int take_kept(struct prof_node *map, struct prof_node *src, const bool *drop, size_t *k)
{
	for (size_t i = 0; i < src->n; i++, (*k)++) {
		struct prof_node *it = &src->items[i];

		if (drop[*k])
			continue;
		if (prof_grow((void **)&map->items, &map->cap, map->n, sizeof(*map->items)))
			return -ENOMEM;
		map->items[map->n++] = *it;
		memset(it, 0, sizeof(*it));
	}
	return 0;
}

int prof_apply_merge_keys(struct prof_node *map, struct prof_pos *ret_at)
{
	struct prof_node *merges;
	size_t nmerge = 0, w = 0, k = 0, nitems = 0;
	bool *drop;
	int r = 0;

	for (size_t i = 0; i < map->n; i++)
		nmerge += map->items[i].merge;
	if (!nmerge)
		return 0;
	/* validate first, so nothing moves on error */
	for (size_t i = 0; i < map->n; i++) {
		const struct prof_node *m = &map->items[i];

		if (!m->merge)
			continue;
		if (m->type == PROF_NODE_SEQ) {
			for (size_t j = 0; j < m->n; j++)
				if (m->items[j].type != PROF_NODE_MAP) {
					*ret_at = m->items[j].pos;
					return -EINVAL;
				}
		} else if (m->type != PROF_NODE_MAP) {
			*ret_at = m->pos;
			return -EINVAL;
		}
	}
	/* detach the "<<" items (the map's array grows below), keep the explicit keys */
	merges = calloc(nmerge, sizeof(*merges));
	if (!merges)
		return -ENOMEM;
	for (size_t i = 0; i < map->n; i++) {
		if (map->items[i].merge)
			merges[k++] = map->items[i];
		else
			map->items[w++] = map->items[i];
	}
	map->n = w;
	/* explicit keys win over merged ones; among merged ones the first wins */
	for (size_t i = 0; i < nmerge; i++) {
		if (merges[i].type == PROF_NODE_MAP)
			nitems += merges[i].n;
		for (size_t j = 0; merges[i].type == PROF_NODE_SEQ && j < merges[i].n; j++)
			nitems += merges[i].items[j].n;
	}
	drop = calloc(nitems + 1, sizeof(*drop));
	r = drop ? hidden_merged(map, merges, nmerge, nitems, drop) : -ENOMEM;
	k = 0;
	for (size_t i = 0; i < nmerge && !r; i++) {
		if (merges[i].type == PROF_NODE_MAP)
			r = take_kept(map, &merges[i], drop, &k);
		for (size_t j = 0; merges[i].type == PROF_NODE_SEQ && j < merges[i].n && !r; j++)
			r = take_kept(map, &merges[i].items[j], drop, &k);
	}
	free(drop);
	for (size_t i = 0; i < nmerge; i++)
		prof_node_release(&merges[i]);
	free(merges);
	return r;
}
