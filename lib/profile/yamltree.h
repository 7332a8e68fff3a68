/* SPDX-License-Identifier: Apache-2.0 */
/* YAML text -> generic trees with the input limits enforced (yamltree.c). Internal. */
#ifndef VIGIL_PROFILE_YAMLTREE_H
#define VIGIL_PROFILE_YAMLTREE_H

#include "profile/model.h"

/* Fills out with in's fields, zero fields replaced by the documented defaults. */
void prof_limits_resolve(const struct vigil_profile_limits *in, struct vigil_profile_limits *out);

/*
 * Parses every document of data. On success *ret_docs is an array of *ret_ndocs holder nodes
 * (release each with prof_node_release, then free the array): holder.items[0] is the root of
 * the document, holder.n is 0 for an empty document, holder.pos is where it starts.
 * *ret_comments tells whether the text had YAML comments (which are not kept).
 */
int prof_parse_yaml(const char *data, size_t len, const char *name,
		    const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
		    size_t *ret_ndocs, bool *ret_comments, struct vigil_error *err);

/*
 * prof_parse_yaml_libyaml for one piece of a file: *values holds the values of the pieces
 * before it (the file's limit counts them all) and is advanced.
 */
int prof_parse_yaml_counted(const char *data, size_t len, const char *name,
			    const struct vigil_profile_limits *lim, size_t *values,
			    struct prof_node **ret_docs, size_t *ret_ndocs, bool *ret_comments,
			    struct vigil_error *err);

/*
 * A stream of JSON values, or JSON with surrogate-pair escapes (yamljson.c): the trees as
 * kubectl's decoder reads them. PROF_NOT_JSON_STREAM when the text is anything else (a single
 * JSON value libyaml reads as it is, YAML, or text that is not JSON throughout).
 */
#define PROF_NOT_JSON_STREAM 1
int prof_parse_json_stream(const char *data, size_t len, const char *name,
			   const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
			   size_t *ret_ndocs, struct vigil_error *err);

/*
 * Text with a UTF-16 byte order mark (yamlenc.c) as UTF-8, without the mark, in a new buffer
 * (*ret, NUL-terminated, free it); PROF_NOT_UTF16 when there is no such mark.
 */
#define PROF_NOT_UTF16 1
int prof_utf16_to_utf8(const char *data, size_t len, char **ret, size_t *ret_len);

/* prof_parse_yaml with libyaml only (the fuzz harness compares it with the fast path). */
int prof_parse_yaml_libyaml(const char *data, size_t len, const char *name,
			    const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
			    size_t *ret_ndocs, bool *ret_comments, struct vigil_error *err);

/*
 * The fast path (yamlfast.c): the same trees for the block-style YAML most tools write, or
 * PROF_FAST_DECLINE for anything else and for every error (prof_parse_yaml then asks libyaml,
 * which decides and words errors). Never fails otherwise.
 */
#define PROF_FAST_DECLINE 1
int prof_parse_yaml_fast(const char *data, size_t len, const struct vigil_profile_limits *lim,
			 struct prof_node **ret_docs, size_t *ret_ndocs, bool *ret_comments);

/*
 * Whether mapping m has a key twice: *ret_first and *ret_dup are the item indexes of the
 * earliest repeat in the file. True with *ret_dup untouched when out of memory.
 */
bool prof_map_find_duplicate(const struct prof_node *m, size_t *ret_first, size_t *ret_dup);

/* How a plain (unquoted) scalar resolves under the YAML 1.2 core schema. */
enum prof_scalar_type prof_resolve_plain(const char *s, size_t len);

/*
 * Whether a string must be quoted so that no YAML reader takes it for another type: the 1.2
 * core schema and YAML 1.1 (bool words such as on/off/yes/no/y/n, '_' and base-60 numbers,
 * 0b/0/0x integers, timestamps, the merge key "<<"), as Go's yaml.v2 and PyYAML read it (quote.c).
 */
bool prof_yaml_needs_quotes(const char *s, size_t len);

/*
 * A plain scalar read as Kubernetes (go-yaml v2, YAML 1.1) reads it where a bool or an integer
 * is wanted (yaml11.c): yes/no/on/off/y/n, and 0x/0o/0b/leading-0 octal, '_', '+' and whole
 * floats. False for anything else, quoted scalars included.
 */
bool prof_yaml11_bool(const struct prof_node *n, bool *out);
bool prof_yaml11_int(const struct prof_node *n, int64_t *out);

#endif
