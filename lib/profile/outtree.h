/* SPDX-License-Identifier: Apache-2.0 */
/* Model -> ordered output tree, shared by the YAML, JSON and canonical renderers. Internal. */
#ifndef VIGIL_PROFILE_OUTTREE_H
#define VIGIL_PROFILE_OUTTREE_H

#include <jansson.h>

#include "profile/model.h"

struct vigil_buf;

/*
 * The document as an ordered tree (keys in Kubescape's field order). signed_only keeps just
 * the signed content: apiVersion, kind, metadata.{name,namespace,labels}, spec. The caller
 * frees the tree (prof_node_free). NULL when out of memory.
 */
struct prof_node *prof_doc_tree(const struct prof_doc *d, bool signed_only);

const char *prof_kind_name(enum vigil_profile_kind k);

/* Builds the tree to write for one document (0, or a negative errno). */
typedef int (*prof_tree_fn)(const struct prof_doc *d, void *arg, struct prof_node **ret);
/* YAML of the tree of every document ("---" between them), appended to out (emit.c). */
int prof_emit_trees_yaml(const struct vigil_profile *p, prof_tree_fn tree, void *arg,
			 struct vigil_buf *out);

/* The tree as a jansson value (insertion order kept). NULL + *err (-ENOMEM, -ERANGE). */
json_t *prof_tree_to_json(const struct prof_node *n, int *err);

/* canon.c: UTF-16 code-unit order of two UTF-8 strings; ECMAScript number text. */
int prof_utf16_cmp(const char *a, const char *b);
int prof_es6_number(double v, char *buf, size_t size);

#endif
