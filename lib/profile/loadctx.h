/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader's shared pieces (load*.c), internal to lib/profile. A load walks the generic
 * trees of yamltree.c and fills the typed model (model.h):
 *
 *   load_node.c       typed readers of a tree node (strings, lists, maps, booleans) with the
 *                     checks a person needs; every error names FILE:LINE:COL
 *   load_entry.c      one entry of a list: execs, opens, endpoints, rule policies, selectors,
 *                     network neighbors and their ports
 *   load_container.c  a container (or a ContainerProfile's spec, or one of its sections)
 *   load_doc.c        a document: apiVersion, kind, metadata, spec
 *   load.c            files and buffers: documents, Lists, other Kubernetes objects skipped
 *
 * Readers take strings out of the parsed tree (it is the loader's) instead of copying them.
 * Every function returns 0 or a negative errno with c->err filled.
 */
#ifndef VIGIL_PROFILE_LOADCTX_H
#define VIGIL_PROFILE_LOADCTX_H

#include "profile/model.h"

struct ld {
	const char *name;
	struct vigil_error *err;
	const struct vigil_profile_limits *lim;
	struct vigil_profile *p; /* receives the warnings */
};

/* A value check; warn receives what is accepted but worth a warning (see model.h). */
typedef bool (*check_fn)(const char *v, char *msg, size_t size, char *warn, size_t wsize);

/* The model.h checks that have nothing to warn about, in check_fn's shape. */
bool prof_check_open_flag_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_method_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_direction_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_protocol_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_neighbor_type_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_ip_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_capability_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_syscall_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_exec_digest_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_iouring_op_(const char *v, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_exe_key_(const char *v, char *msg, size_t size, char *warn, size_t wsize);

/* ---- load_node.c ---- */

/* -EINVAL with the message at p. */
int ld_fail(struct ld *c, struct prof_pos p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ld_oom(struct ld *c);
/* "a list", "a mapping", "null", "a boolean", "a number" or "a string", for messages. */
const char *ld_type_name(const struct prof_node *n);
bool ld_is_null(const struct prof_node *n);
/*
 * The start of every list field: its position into *pos; null: *state PROF_NULL and 1 (the
 * list stays empty); anything but a sequence fails; a sequence: *state PROF_SET and 0.
 */
int ld_list_open(struct ld *c, const struct prof_node *n, const char *what, enum prof_state *state,
		 struct prof_pos *pos);
int ld_want_map(struct ld *c, const struct prof_node *n, const char *what);
/* A string value moved out of n into *out (the caller's); a null leaves *out NULL. */
int ld_str(struct ld *c, struct prof_node *n, const char *what, char **out);
/* ld_str, a null being an error. */
int ld_req_str(struct ld *c, struct prof_node *n, const char *what, char **out);
int ld_tri(struct ld *c, const struct prof_node *n, const char *what, enum prof_tri *out);
/* Runs check on v (NULL: none); a warning it gives becomes a note of the profile. */
int ld_check(struct ld *c, const struct prof_node *n, const char *v, check_fn check);
/* A list of strings, each checked. */
int ld_strs(struct ld *c, struct prof_node *n, const char *what, struct prof_strs *out,
	    check_fn check);
/* A mapping of strings (labels, annotations). */
int ld_kvs(struct ld *c, struct prof_node *n, const char *what, struct prof_kvs *out);
/* The index of item's key in names (NULL-terminated), or an error with a suggestion. */
int ld_field(struct ld *c, const struct prof_node *item, const char *const *names,
	     const char *where);
/* Moves a generic subtree out of the parsed tree into *out (freeing what *out held). */
int ld_take_node(struct ld *c, struct prof_node *n, struct prof_node **out);

/* ---- load_entry.c ---- */

int ld_exec(struct ld *c, struct prof_node *n, struct prof_exec *e);
int ld_open(struct ld *c, struct prof_node *n, struct prof_open *o);
int ld_endpoint(struct ld *c, struct prof_node *n, struct prof_endpoint *e);
int ld_rule_policies(struct ld *c, struct prof_node *n, struct prof_container *ct);
/* A label selector (podSelector, namespaceSelector; a spec's matchLabels/matchExpressions). */
int ld_selector(struct ld *c, struct prof_node *n, const char *what, struct prof_selector *s);
int ld_neighbors(struct ld *c, struct prof_node *n, const char *what, struct prof_neighbors *l);

/* ---- load_container.c ---- */

/* Where a field of a container or a spec may stand (bits; see the table in load_container.c). */
enum ld_place {
	LD_AP_CONTAINER = 1u << 0, /* an ApplicationProfile's spec.containers[] (& co.) */
	LD_NN_CONTAINER = 1u << 1, /* a NetworkNeighborhood's spec.containers[] (& co.) */
	LD_CP_SECTION = 1u << 2,   /* a grouped ContainerProfile's spec.containers[] (& co.) */
	LD_CP_SPEC = 1u << 3,	   /* a ContainerProfile's spec: itself a container */
	LD_AP_SPEC = 1u << 4,	   /* an ApplicationProfile's spec */
	LD_NN_SPEC = 1u << 5,	   /* a NetworkNeighborhood's spec */
};

/*
 * The fields of mapping n allowed at place (one enum ld_place bit) into ct and doc: a
 * container's own fields into ct; architectures, the selector and the containers lists (their
 * entries at the place a spec's containers have) into doc. where names n in messages.
 */
int ld_fields(struct ld *c, struct prof_node *n, unsigned place, const char *where,
	      struct prof_container *ct, struct prof_doc *doc);
/*
 * One container entry: a mapping of the fields allowed at place. For a ContainerProfile, the
 * spec itself is the container (LD_CP_SPEC) and doc carries architectures and the selector.
 */
int ld_container(struct ld *c, struct prof_node *n, unsigned place, const char *where,
		 struct prof_container *ct, struct prof_doc *doc);
/* A list of containers, each at place; two with one name are an error. */
int ld_containers(struct ld *c, struct prof_node *n, const char *what, unsigned place,
		  struct prof_containers *l, struct prof_doc *doc);
/* Marks (and warns about) the later containers of d with a name an earlier one has. */
int ld_shadow_containers(struct ld *c, struct prof_doc *d);

/* ---- load_doc.c ---- */

int ld_doc(struct ld *c, struct prof_node *root, struct prof_doc *d);

/* ---- load.c ---- */

/*
 * A profile of the one document root, loaded as its text would be (strings are moved out of
 * root, which the caller still frees) and normalized; errors name name. For trees Vigil built
 * itself (the served form, kshash.c), so no limits apply.
 */
int prof_load_doc_tree(struct prof_node *root, const char *name, struct vigil_profile **ret,
		       struct vigil_error *err);

#endif
