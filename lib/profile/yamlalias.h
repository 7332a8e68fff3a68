/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML anchors, aliases and merge keys for the tree builder (yamlalias.c). Internal.
 * kubectl (Go's yaml.v2 behind sigs.k8s.io/yaml) expands them, so Kubescape accepts profiles
 * written with them; the builder expands them too, within a budget (billion laughs).
 */
#ifndef VIGIL_PROFILE_YAMLALIAS_H
#define VIGIL_PROFILE_YAMLALIAS_H

#include "profile/model.h"

/*
 * Values that anchors (their copies) and aliases may add to a file: this many, or as many as
 * the file writes out if that is more.
 */
#define PROF_ALIAS_BUDGET 100000

/* The anchors of one document: name -> a copy of the finished node. */
struct prof_anchors;

struct prof_anchors *prof_anchors_new(void);
void prof_anchors_free(struct prof_anchors *a);
/* Forgets every anchor (anchors do not cross documents). */
void prof_anchors_clear(struct prof_anchors *a);
/*
 * Remembers a copy of n (its key left out) under name; a later anchor of that name wins.
 * *ret_values: the values of n; -E2BIG without copying when they are more than budget.
 */
int prof_anchors_set(struct prof_anchors *a, const char *name, const struct prof_node *n,
		     size_t budget, size_t *ret_values);
/* The node anchored as name, with its size in values and its height in levels; NULL if none. */
const struct prof_node *prof_anchors_get(const struct prof_anchors *a, const char *name,
					 size_t *ret_values, size_t *ret_height);

/*
 * Applies the merge keys (plain "<<" keys, PROF_NODE_MAP items with merge set) of a finished
 * mapping as yaml.v2 does: the keys of the merged mapping (or of each mapping of a merged
 * list, the first one winning) that the mapping does not have are added, and the "<<" items
 * removed. -EINVAL when a merge value is not a mapping or a list of mappings (*ret_at: where).
 */
int prof_apply_merge_keys(struct prof_node *map, struct prof_pos *ret_at);

#endif
