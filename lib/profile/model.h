/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The concrete SBoB data model shared by every file in lib/profile (loader, emitter, canon,
 * builder, merge, collapse, diff, matcher). Internal: nothing outside lib/profile includes it;
 * the public surface is include/vigil/profile.h, where struct vigil_profile is opaque.
 *
 * Ownership: a struct vigil_profile owns everything reachable from it (every string, array
 * and generic tree); vigil_profile__free releases it all. Arrays are plain growable arrays
 * (v, n, cap). Positions are 1-based line/column in the source file, 0 when built in memory.
 *
 * Lists carry a state because Kubescape gives "absent", "explicit null" and "empty" different
 * meanings in places (`egress: null` = "initiates nothing"); the emitter writes back exactly
 * what was there: absent = key omitted, null = `key: null`, set = the list (maybe `[]`).
 *
 * After loading, merge and collapse a profile is normalized (prof_normalize): string sets
 * sorted and de-duplicated, entry lists sorted by a total order with exact duplicates removed,
 * order-preserving lists (exec args, envs) untouched. Builder adds only append and set
 * p->dirty; every reader calls prof_ensure_normal first. So two normalized profiles are equal
 * exactly when their models compare equal field by field (prof_equal).
 */
#ifndef VIGIL_PROFILE_MODEL_H
#define VIGIL_PROFILE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/profile.h"

/* The wildcard characters (UTF-8). U+22EF MIDLINE HORIZONTAL ELLIPSIS. */
#define PROF_ELLIPSIS	  "\xe2\x8b\xaf"	     /* ⋯: one segment / one argument */
#define PROF_ELLIPSIS_ANY "\xe2\x8b\xaf\xe2\x8b\xaf" /* ⋯⋯: zero or more arguments */
#define PROF_ELLIPSIS_LEN 3

struct prof_pos {
	int line;
	int col;
};

/* Absent (key not written), explicit null, or a value / list (possibly empty). */
enum prof_state {
	PROF_ABSENT = 0,
	PROF_NULL = 1,
	PROF_SET = 2,
};

/* A YAML boolean that may be unset (argsRequired, internal, containerAllowed). */
enum prof_tri {
	PROF_TRI_UNSET = 0,
	PROF_TRI_FALSE = 1,
	PROF_TRI_TRUE = 2,
};

/* ---- generic YAML trees (identifiedCallStacks, seccompProfile, headers, extra metadata) -- */

enum prof_node_type {
	PROF_NODE_SCALAR = 1,
	PROF_NODE_SEQ,
	PROF_NODE_MAP,
};

/* How a scalar resolves (YAML core schema for plain scalars; quoted ones are strings). */
enum prof_scalar_type {
	PROF_SCALAR_STR = 1,
	PROF_SCALAR_NULL,
	PROF_SCALAR_BOOL,
	PROF_SCALAR_INT,
	PROF_SCALAR_FLOAT,
};

struct prof_node {
	enum prof_node_type type;
	enum prof_scalar_type stype; /* scalars only */
	bool quoted;		     /* scalar was written quoted or as a block scalar */
	bool merge;		 /* key is YAML's merge key (a plain "<<"): only while parsing */
	char *key;		 /* key when this node is a value in a mapping, else NULL */
	char *value;		 /* scalar text (NUL-terminated, may hold NULs: see len) */
	size_t len;		 /* scalar length in bytes */
	struct prof_node *items; /* seq items / map values in document order */
	size_t n, cap;
	struct prof_pos pos;	 /* of the node (for map values: of the value) */
	struct prof_pos key_pos; /* of the key, when key != NULL */
};

/* ---- small containers --------------------------------------------------------------- */

/* A list of strings. */
struct prof_strs {
	enum prof_state state;
	char **v;
	size_t n, cap;
	struct prof_pos pos; /* of the list */
};

struct prof_kv {
	char *key;
	char *value;
	struct prof_pos pos; /* of the key */
};

/* A string -> string map (labels, annotations, matchLabels), kept sorted by key. */
struct prof_kvs {
	enum prof_state state;
	struct prof_kv *v;
	size_t n, cap;
	struct prof_pos pos;
};

struct prof_match_expr {
	char *key;
	char *op; /* In, NotIn, Exists, DoesNotExist */
	struct prof_strs values;
	struct prof_pos pos;
};

/* A Kubernetes LabelSelector. */
struct prof_selector {
	enum prof_state state; /* of the selector object itself (podSelector: null) */
	struct prof_kvs match_labels;
	enum prof_state exprs_state;
	struct prof_match_expr *exprs;
	size_t nexprs, exprs_cap;
	struct prof_pos pos;
};

/* ---- container entries -------------------------------------------------------------- */

struct prof_exec {
	char *path;
	struct prof_strs args; /* order matters: never sorted */
	struct prof_strs envs; /* order kept as written */
	enum prof_tri args_required;
	struct prof_pos pos;
};

struct prof_open {
	char *path;
	struct prof_strs flags; /* a set: sorted, de-duplicated */
	struct prof_pos pos;
};

struct prof_endpoint {
	char *endpoint;		  /* ":PORT/path", port 0 = any */
	struct prof_strs methods; /* a set */
	enum prof_tri internal;
	char *direction;	   /* "inbound" / "outbound", NULL when absent */
	struct prof_node *headers; /* generic, NULL when absent */
	struct prof_pos pos;
};

struct prof_rule_policy {
	char *rule_id;
	struct prof_strs process_allowed; /* a set */
	enum prof_tri container_allowed;
	struct prof_pos pos;
};

struct prof_port {
	char *name;	/* "TCP-443", NULL when absent */
	char *protocol; /* TCP / UDP / SCTP, NULL when absent */
	bool has_port;
	int32_t port;
	struct prof_pos pos;
};

struct prof_neighbor {
	char *identifier;	    /* NULL when absent */
	char *type;		    /* internal / external, NULL when absent */
	char *dns;		    /* deprecated, NULL when absent ("" is kept as "") */
	struct prof_strs dns_names; /* a set */
	enum prof_state ports_state;
	struct prof_port *ports; /* sorted by protocol, port, name */
	size_t nports, ports_cap;
	struct prof_selector pod_selector;
	struct prof_selector namespace_selector;
	char *ip_address;	       /* deprecated, NULL when absent */
	struct prof_strs ip_addresses; /* a set: literal, CIDR or "*" */
	struct prof_pos pos;
};

struct prof_neighbors {
	enum prof_state state;
	struct prof_neighbor *v;
	size_t n, cap;
	struct prof_pos pos;
};

/* An entry list with a state (execs, opens, endpoints, rulePolicies). */
#define PROF_LIST(type)                \
	struct {                       \
		enum prof_state state; \
		type *v;               \
		size_t n, cap;         \
		struct prof_pos pos;   \
	}

struct prof_container;

struct prof_containers {
	enum prof_state state;
	struct prof_container *v;
	size_t n, cap;
	struct prof_pos pos;
};

struct prof_container {
	char *name; /* required in containers lists; optional in a ContainerProfile; a
		     * byExecutable section's executable path */
	struct prof_strs capabilities;			  /* a set */
	PROF_LIST(struct prof_exec) execs;		  /* sorted by path, then args */
	PROF_LIST(struct prof_open) opens;		  /* sorted by path, then flags */
	struct prof_strs syscalls;			  /* a set */
	struct prof_node *seccomp_profile;		  /* generic; NULL when absent */
	PROF_LIST(struct prof_endpoint) endpoints;	  /* sorted by endpoint, direction */
	char *image_id;					  /* NULL when absent */
	char *image_tag;				  /* NULL when absent */
	PROF_LIST(struct prof_rule_policy) rule_policies; /* a map, sorted by rule id */
	struct prof_node *identified_call_stacks; /* generic; NULL when absent (a null is a node) */
	struct prof_strs iouring;		  /* Vigil extension: io_uring op names, a set */
	struct prof_strs
		exec_digests; /* Vigil extension: "PATH sha256:HEX" per executable, a set */
	/* Vigil extension byExecutable: per executable (name = its path), the execs and opens
	 * it made, sorted by path; only name, execs and opens are used in a section (byexe.c) */
	struct prof_containers by_exe;
	/* NetworkNeighborhood containers (and a ContainerProfile spec) */
	struct prof_neighbors ingress;
	struct prof_neighbors egress;
	struct prof_pos pos;
	/* a later container of one document with a name an earlier one has: Kubescape reads the
	 * first with a name (containers, then init and ephemeral ones) and never this one, so
	 * neither do the matcher, kallow, netpol and seccomp (select.c); kept for fmt/canon */
	bool shadowed;
	/* a cache its owner attached (the builder's de-duplication index), NULL when none; the
	 * model knows it only as something to drop (prof_container_drop_cache), so the model
	 * does not depend on the builder */
	void *cache;
	void (*cache_free)(void *cache);
};

/* ---- documents ---------------------------------------------------------------------- */

struct prof_doc {
	enum vigil_profile_kind kind;
	char *api_version;
	/* metadata */
	char *name;
	char *namespace_; /* NULL when absent */
	struct prof_kvs labels;
	struct prof_kvs annotations;
	struct prof_node *metadata_extra; /* other metadata keys (a map), NULL when none */
	struct prof_node *status;	  /* top-level status, kept and round-tripped, or NULL */
	/* spec */
	enum prof_state spec_state;
	struct prof_strs architectures; /* ApplicationProfile, ContainerProfile: a set */
	/* ApplicationProfile and NetworkNeighborhood */
	struct prof_containers containers;
	struct prof_containers init_containers;
	struct prof_containers ephemeral_containers;
	/* NetworkNeighborhood (inline in spec) and ContainerProfile: the label selector */
	struct prof_selector selector;
	/* ContainerProfile: the one container, spec fields inline */
	struct prof_container cp;
	struct prof_pos pos; /* of the document start */
};

/*
 * What the loader has to say about a file that is not an error: a warning (a value Kubescape
 * accepts but that probably does not mean what its author thought) or a note (a document that
 * is not a profile and was skipped). At most PROF_NOTES_MAX are kept; the rest are counted.
 */
#define PROF_NOTES_MAX 64

struct prof_note {
	enum vigil_profile_note_kind kind;
	struct prof_pos pos;
	char *msg;
};

struct vigil_profile {
	struct prof_doc *docs;
	size_t ndocs, docs_cap;
	bool had_comments; /* the source had comments (they are not kept) */
	bool dirty;	   /* builder appended entries: not normalized yet */
	char *source;	   /* the file name the notes refer to, NULL when built in memory */
	struct prof_note *notes;
	size_t nnotes, notes_cap;
	size_t notes_dropped; /* notes past PROF_NOTES_MAX, counted only */
	size_t skipped_docs;  /* documents that were not profiles */
};

/* ---- helpers shared by lib/profile (model.c) ---------------------------------------- */

/* Records a note (notes.c); -ENOMEM only. Past PROF_NOTES_MAX the note is only counted. */
int prof_note_add(struct vigil_profile *p, enum vigil_profile_note_kind kind, struct prof_pos pos,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void prof_notes_release(struct vigil_profile *p);

/* Grows *v (element size elem) so it holds at least n + 1 elements. 0 or -ENOMEM. */
int prof_grow(void **v, size_t *cap, size_t n, size_t elem);
/* strdup that returns NULL for NULL. */
char *prof_strdup(const char *s);
/* Appends a copy of s. */
int prof_strs_push(struct prof_strs *l, const char *s);
/* Sorts (byte order) and removes duplicates. */
void prof_strs_sort_unique(struct prof_strs *l);
bool prof_strs_equal(const struct prof_strs *a, const struct prof_strs *b);
/* Every field alike (identifier, addresses, names, ports, selectors). */
bool prof_neighbor_equal(const struct prof_neighbor *a, const struct prof_neighbor *b);
int prof_strs_copy(struct prof_strs *dst, const struct prof_strs *src);
void prof_strs_release(struct prof_strs *l);
int prof_kvs_set(struct prof_kvs *m, const char *key, const char *value);
void prof_kvs_release(struct prof_kvs *m);

void prof_node_free(struct prof_node *n);
void prof_node_release(struct prof_node *n); /* frees what n owns, not n itself */
struct prof_node *prof_node_clone(const struct prof_node *n);
bool prof_node_equal(const struct prof_node *a, const struct prof_node *b);
/* A total order consistent with prof_node_equal (0 exactly when equal). */
int prof_node_cmp(const struct prof_node *a, const struct prof_node *b);

void prof_container_release(struct prof_container *c);
void prof_doc_release(struct prof_doc *d);
/*
 * The containers of a document in a stable order: containers, init, ephemeral, then for a
 * ContainerProfile its flat spec (always last). A ContainerProfile is "grouped" when one of its
 * three lists has a section (Kubescape storage, 2026): then each section is one container of
 * the pod and the flat spec fields are ignored for matching, as Kubescape ignores them.
 */
/*
 * Sets the shadowed flag of every container of d (select.c); with ret_first_line, also the
 * line of the first container with each shadowed one's name, by prof_doc_matched index (free).
 */
int prof_doc_mark_shadowed(struct prof_doc *d, int **ret_first_line);
bool prof_doc_grouped(const struct prof_doc *d);
/* Whether any entry list of the container has entries (zero values are no content). */
bool prof_container_has_content(const struct prof_container *c);
size_t prof_doc_container_count(const struct prof_doc *d);
struct prof_container *prof_doc_container_at(struct prof_doc *d, size_t i);
/* Section name of that container ("containers", "initContainers", ..., "spec"). */
const char *prof_doc_container_section(const struct prof_doc *d, size_t i);

/*
 * The i-th container of a document that matching reads (select.c), NULL past the last: its
 * containers, initContainers, ephemeral, then a ContainerProfile's flat spec, except a grouped
 * ContainerProfile's (its flat fields apply to no container, as in Kubescape).
 */
const struct prof_container *prof_doc_matched(const struct prof_doc *d, size_t i);
/*
 * Calls fn for each container of p that is container's (select.c): every document's containers
 * of that name, and a ContainerProfile's unnamed one (it belongs to whatever it is bound to);
 * container NULL: the name of the profile's first container. The matcher, the kernel's allow
 * sets and the enforced exec paths all read a workload's profile through it. Stops at fn's
 * first non-zero and returns it; -ENOENT when no container is container's.
 */
int prof_each_container(const struct vigil_profile *p, const char *container,
			int (*fn)(const struct prof_container *c, void *arg), void *arg);

/* Sorts every set and entry list of the profile, removes exact duplicates. */
void prof_normalize(struct vigil_profile *p);

/*
 * Normalizes p if builder calls left it unsorted. Logically const (order only); every reader of
 * a profile that may come from the builder (emit, canon, diff, matcher) calls it first.
 */
void prof_ensure_normal(const struct vigil_profile *p);
/* The document of y that is the same object (kind, namespace, name; the k-th copy of an
 * identity pairs with the k-th) as x->docs[i], or NULL (counterpart.c). */
const struct prof_doc *prof_doc_counterpart(const struct vigil_profile *x, size_t i,
					    const struct vigil_profile *y);

/* Deep equality of two normalized profiles (positions ignored). */
bool prof_equal(const struct vigil_profile *a, const struct vigil_profile *b);

/* Drops the cache attached to c (its keys are stale once the lists are rewritten). */
void prof_container_drop_cache(struct prof_container *c);
/* Sorts the sets and entry lists of one container, removes exact duplicates. */
void prof_container_normalize(struct prof_container *c);

/* ---- byExecutable sections (byexe.c) ---------------------------------------------- */

/* Normalizes each section and sorts them by path (prof_container_normalize calls it). */
void prof_byexe_normalize(struct prof_container *c);
/* c's section for the executable exe, made (empty, its lists set) when create; NULL when
 * there is none or on -ENOMEM (errno). */
struct prof_container *prof_byexe_section(struct prof_container *c, const char *exe, bool create);
/* Whether c or one of its sections has byExecutable sections. */
bool prof_byexe_present(const struct prof_container *c);

/* ---- value checks (validate.c): false + a message for the user --------------------- */

/* NULL-terminated vocabularies. */
extern const char *const prof_open_flag_names[];
extern const char *const prof_capability_names[];
extern const char *const prof_iouring_op_names[]; /* IORING_OP_* without the prefix */
extern const char *const prof_http_method_names[];

bool prof_name_in(const char *name, const char *const *names);
/* Whether s is valid UTF-8 (learned file names are bytes; YAML and JSON need UTF-8). */
bool prof_utf8_valid(const char *s);
bool prof_check_open_flag(const char *v, char *msg, size_t size);
bool prof_check_capability(const char *v, char *msg, size_t size);
bool prof_check_iouring_op(const char *v, char *msg, size_t size);
/* An execDigests entry: an absolute literal path, one space, "sha256:" and 64 lower-case hex. */
bool prof_check_exec_digest(const char *v, char *msg, size_t size);
#define PROF_DIGEST_ENTRY_MAX 4200
/* A byExecutable section's path: absolute, literal (the executable the kernel ran), UTF-8. */
bool prof_check_exe_key(const char *v, char *msg,
			size_t size); /* a 4 KiB path, " sha256:" and the digest */
bool prof_check_method(const char *v, char *msg, size_t size);
bool prof_check_syscall(const char *v, char *msg, size_t size);
bool prof_check_open_path(const char *path, char *msg, size_t size);
/*
 * The _w forms accept a "⋯" or "*" that is not a whole segment (or label, or argument), which
 * Kubescape accepts and compares as text, and describe it in warn (when warn is still empty);
 * the plain forms refuse it (the builder, so that learning never writes one).
 */
bool prof_check_open_path_w(const char *path, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_exec_path_w(const char *path, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_exec_arg_w(const char *arg, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_endpoint_w(const char *ep, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_dns_w(const char *name, char *msg, size_t size, char *warn, size_t wsize);
bool prof_check_exec_path(const char *path, char *msg, size_t size);
bool prof_check_exec_arg(const char *arg, char *msg, size_t size);
bool prof_check_endpoint(const char *ep, char *msg, size_t size);
bool prof_check_direction(const char *v, char *msg, size_t size);
bool prof_check_ip(const char *v, char *msg, size_t size);
bool prof_check_dns(const char *name, char *msg, size_t size);
bool prof_check_protocol(const char *v, char *msg, size_t size);
/*
 * A port's protocol means something: none ("" or absent: any protocol), TCP, UDP or SCTP, as
 * written (Kubernetes' names are case-sensitive). Kubescape's type takes any string; another
 * one loads with a warning, and its port matches nothing (match_net.c, kallow.c) and is left
 * out of NetworkPolicy drafts (harden_netpol.c).
 */
bool prof_protocol_known(const char *v);
bool prof_check_neighbor_type(const char *v, char *msg, size_t size);

#endif
