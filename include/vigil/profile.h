/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SBoB profiles: Kubescape's ApplicationProfile, NetworkNeighborhood and ContainerProfile
 * documents (apiVersion spdx.softwarecomposition.kubescape.io/v1beta1), loaded from YAML,
 * emitted as deterministic YAML, rendered as canonical JSON for signing, merged, collapsed,
 * diffed, and compiled into indexed matchers for detection. docs/PROFILES.md is the user guide.
 *
 * A struct vigil_profile is one file: one or more documents. All types are opaque.
 * Functions return 0 or a negative errno; loaders also fill an optional struct vigil_error.
 */
#ifndef VIGIL_PROFILE_H
#define VIGIL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct vigil_buf;
struct vigil_profile;
struct vigil_matcher;

#define VIGIL_PROFILE_API_VERSION "spdx.softwarecomposition.kubescape.io/v1beta1"
/* The profile's version (decimal, 1 to 2^53-1): the only annotation a signature covers. */
#define VIGIL_PROFILE_ANN_VERSION "vigil.dev/profile-version"

enum vigil_profile_kind {
	VIGIL_KIND_APPLICATION_PROFILE = 1,
	VIGIL_KIND_NETWORK_NEIGHBORHOOD,
	VIGIL_KIND_CONTAINER_PROFILE,
};

/* Bounds on untrusted input; a zero field means the default (documented in PROFILES.md). */
struct vigil_profile_limits {
	size_t max_file_bytes; /* default 64 MiB */
	size_t max_depth;      /* default 512 (call stacks nest 2 levels a frame) */
	size_t max_entries;    /* entries per list, default 1 000 000 */
	size_t max_string;     /* bytes per scalar, default 256 KiB */
	size_t max_documents;  /* default 1024 */
};

/* ---- load, emit, canonical form ------------------------------------------------------- */

/* Loads a file. On success *ret is owned by the caller (vigil_profile__free). */
int vigil_profile__load_file(const char *path, const struct vigil_profile_limits *limits,
			     struct vigil_profile **ret, struct vigil_error *err);
/* Same from memory; name is used in error messages. data need not be NUL-terminated. */
int vigil_profile__load_buffer(const char *data, size_t len, const char *name,
			       const struct vigil_profile_limits *limits,
			       struct vigil_profile **ret, struct vigil_error *err);
void vigil_profile__free(struct vigil_profile *p);

/* A new empty file with one document of the given kind (used by learning). NULL + errno. */
struct vigil_profile *vigil_profile__new(enum vigil_profile_kind kind, const char *name,
					 const char *namespace_);

size_t vigil_profile__doc_count(const struct vigil_profile *p);
enum vigil_profile_kind vigil_profile__doc_kind(const struct vigil_profile *p, size_t doc);
/* "ApplicationProfile", "NetworkNeighborhood", "ContainerProfile" ("" for anything else). */
const char *vigil_profile_kind__name(enum vigil_profile_kind kind);
const char *vigil_profile__doc_name(const struct vigil_profile *p, size_t doc);
/* metadata.namespace, NULL when absent. */
const char *vigil_profile__doc_namespace(const struct vigil_profile *p, size_t doc);
/* Where the document starts in its file (for messages); 0 when built in memory. */
int vigil_profile__doc_line(const struct vigil_profile *p, size_t doc);

/* Deterministic YAML of every document ("---" between them), appended to out. */
int vigil_profile__emit_yaml(const struct vigil_profile *p, struct vigil_buf *out);
/* JSON of every document (for `profile show --json`), appended to out. */
int vigil_profile__emit_json(const struct vigil_profile *p, struct vigil_buf *out);
/*
 * RFC 8785 canonical JSON of the signed content of one document: apiVersion, kind,
 * metadata.{name,namespace,labels}, the annotation VIGIL_PROFILE_ANN_VERSION when present
 * (as metadata.annotations with that one key), spec. These are the exact bytes that are signed.
 */
int vigil_profile__canon(const struct vigil_profile *p, size_t doc, struct vigil_buf *out);

/*
 * The document as Kubescape storage serves it (docs/SIGNING.md, "Through Kubescape storage"):
 * every document's spec written the way Kubescape's Go types encode it after storage's round
 * trip (zero values for fields without omitempty, empty lists as null, fields Kubescape does
 * not know, such as iouring, left out), metadata as written. Appended to out as YAML. On
 * -EINVAL, why (when why_size > 0) names the value Kubescape's types cannot hold.
 */
int vigil_profile__emit_served_yaml(const struct vigil_profile *p, struct vigil_buf *out, char *why,
				    size_t why_size);
/*
 * The k8sstormcenter fork's content hash of one document: 64 lowercase hex digits of the
 * order-independent hash (storage's CanonicalHash) of {apiVersion, kind, metadata.name,
 * metadata.namespace, metadata.labels, spec} as Kubescape's Go types encode them. That text is
 * what the fork signs. out has at least 65 bytes. -EINVAL when the document cannot be decoded
 * into those types (why says which value).
 */
int vigil_profile__kubescape_hash(const struct vigil_profile *p, size_t doc, char *out, size_t size,
				  char *why, size_t why_size);

/* Annotations (metadata.annotations) of one document. Returned strings are owned by p. */
const char *vigil_profile__annotation(const struct vigil_profile *p, size_t doc, const char *key);
/* value NULL removes the key. Copies key and value. */
int vigil_profile__set_annotation(struct vigil_profile *p, size_t doc, const char *key,
				  const char *value);

/* Total entries (execs, opens, syscalls, ...) over all documents: size figures, too-large. */
size_t vigil_profile__entry_count(const struct vigil_profile *p);

/* ---- building (learning) -------------------------------------------------------------- */

/*
 * The container entry `name` of document doc (spec.containers), created when missing and
 * create is true. Returns an index >= 0, or a negative errno (-ENOENT when absent).
 */
int vigil_profile__container(struct vigil_profile *p, size_t doc, const char *name, bool create);

/*
 * Each add is a set-union: adding what is already there is a no-op. Strings are copied.
 * Behaviour entries (exec, open, syscall, capability, iouring, endpoint) go into
 * ApplicationProfile and ContainerProfile documents, neighbors into NetworkNeighborhood and
 * ContainerProfile documents, as in Kubescape; the wrong kind of document gives -EINVAL.
 * Values the loader would reject (a relative open path, "⋯" inside a file name, an unknown
 * flag or capability, a malformed endpoint, IP or DNS name) also give -EINVAL, so whatever
 * is built can be written and loaded back.
 */
int vigil_profile__add_exec(struct vigil_profile *p, size_t doc, int c, const char *path,
			    const char *const *args, size_t nargs);
int vigil_profile__add_open(struct vigil_profile *p, size_t doc, int c, const char *path,
			    const char *const *flags, size_t nflags);
/*
 * Vigil extension byExecutable: the same entries in the section of the executable exe (an
 * absolute literal path) that made them, the section made at its first entry. Learning adds
 * each exec and open both workload-wide and here when asked to (docs/PROFILES.md).
 */
int vigil_profile__add_exec_by(struct vigil_profile *p, size_t doc, int c, const char *exe,
			       const char *path, const char *const *args, size_t nargs);
int vigil_profile__add_open_by(struct vigil_profile *p, size_t doc, int c, const char *exe,
			       const char *path, const char *const *flags, size_t nflags);
int vigil_profile__add_syscall(struct vigil_profile *p, size_t doc, int c, const char *name);
int vigil_profile__add_capability(struct vigil_profile *p, size_t doc, int c, const char *name);
int vigil_profile__add_iouring(struct vigil_profile *p, size_t doc, int c, const char *opname);
/* rulePolicies: the executable (a path) may do what rule_id alerts on (processAllowed, a set). */
int vigil_profile__add_rule_policy(struct vigil_profile *p, size_t doc, int c, const char *rule_id,
				   const char *exe);
int vigil_profile__add_endpoint(struct vigil_profile *p, size_t doc, int c, const char *endpoint,
				const char *method, const char *direction);
/* Vigil extension execDigests: the SHA-256 (64 lower-case hex) of the executable at path (an
 * absolute literal path) when it was learned. Several digests for one path are all allowed. */
int vigil_profile__add_exec_digest(struct vigil_profile *p, size_t doc, int c, const char *path,
				   const char *sha256_hex);
/*
 * The container's network was watched: its ingress and egress lists are written even when
 * empty (`ingress: []`), as Kubescape's NetworkNeighborhood always writes both. An empty list
 * then says "accepted nothing", which V1109 judges; a missing one says "not known".
 */
int vigil_profile__network_watched(struct vigil_profile *p, size_t doc, int c);
/*
 * A network neighbor (egress when egress is true, else ingress): ip (literal) and/or dns name,
 * port and protocol ("TCP", "UDP"); port 0 = no port information.
 */
int vigil_profile__add_neighbor(struct vigil_profile *p, size_t doc, int c, bool egress,
				const char *ip, const char *dns, uint16_t port, const char *proto);

/* Union of src into dst (documents matched by kind + name, containers by name). */
int vigil_profile__merge(struct vigil_profile *dst, const struct vigil_profile *src);

struct vigil_collapse_opts {
	unsigned opens_threshold;     /* default 50 */
	unsigned endpoints_threshold; /* default 100 */
	/*
	 * Optional: opens paths for which keep_path returns true are never collapsed (Kubescape
	 * never collapses files that belong to the image; the caller knows which those are).
	 */
	bool (*keep_path)(const char *path, void *arg);
	void *keep_arg;
};
/* Dynamic path detection (kubescape-sbob.md §2) over opens and endpoints; NULL = defaults. */
int vigil_profile__collapse(struct vigil_profile *p, const struct vigil_collapse_opts *opts);

/*
 * Human-readable diff by container and section ("+ execs: /usr/bin/curl [curl, ⋯⋯]") appended
 * to out (may be NULL). Returns 0 when equal, 1 when different, negative errno on error.
 */
int vigil_profile__diff(const struct vigil_profile *old_, const struct vigil_profile *new_,
			struct vigil_buf *out);

/*
 * A readable listing of every document, container and entry (for `profile show`), one entry
 * per line in the diff's notation, appended to out.
 */
int vigil_profile__describe(const struct vigil_profile *p, struct vigil_buf *out);

/* Whether a container of document doc has an iouring list (a Vigil extension). */
bool vigil_profile__has_iouring(const struct vigil_profile *p, size_t doc);
/* The same for Vigil's execDigests extension (learned executables' SHA-256). */
bool vigil_profile__has_exec_digests(const struct vigil_profile *p, size_t doc);
/* The same for Vigil's byExecutable extension (entries keyed by executable). */
bool vigil_profile__has_by_exe(const struct vigil_profile *p, size_t doc);

/* Whether the loaded text had YAML comments (which are not kept: fmt drops them). */
bool vigil_profile__had_comments(const struct vigil_profile *p);

/*
 * What loading found that is not an error. A warning is a value Kubescape accepts but that
 * probably does not say what its author meant (a "⋯" or "*" inside a path segment, which both
 * Kubescape and Vigil compare literally; flat fields beside the containers of a grouped
 * ContainerProfile, which Kubescape ignores); `profile lint --strict` treats warnings as
 * errors. A skipped note names a document that is not a profile (a Namespace, a Deployment
 * beside the profiles in one file), which was left out.
 */
enum vigil_profile_note_kind {
	VIGIL_PROFILE_WARNING = 1,
	VIGIL_PROFILE_SKIPPED,
};
/* Notes kept (at most 64; the rest are only counted in vigil_profile__notes_dropped). */
size_t vigil_profile__note_count(const struct vigil_profile *p);
size_t vigil_profile__notes_dropped(const struct vigil_profile *p);
/* Fills out (file, line, column, message; code 0) and returns the kind, or 0 when i is out of range. */
enum vigil_profile_note_kind vigil_profile__note(const struct vigil_profile *p, size_t i,
						 struct vigil_error *out);
/* How many documents of the file were not profiles and were left out. */
size_t vigil_profile__skipped_count(const struct vigil_profile *p);

/* ---- matching ------------------------------------------------------------------------- */

/*
 * Compiles the entries of container `container` over every document of p (NULL = the first
 * container found) into indexed sets. The matcher copies what it needs: p may be freed after.
 */
int vigil_matcher__new(const struct vigil_profile *p, const char *container,
		       struct vigil_matcher **ret);
void vigil_matcher__free(struct vigil_matcher *m);

enum vigil_match {
	VIGIL_MATCH_NO = 0, /* not in the profile */
	VIGIL_MATCH_YES = 1,
	VIGIL_MATCH_ARGS = 2, /* exec: the path is known but the arguments do not match */
};

enum vigil_match vigil_matcher__exec(const struct vigil_matcher *m, const char *path,
				     const char *const *argv, size_t argc);
/* An entry for path lists exactly these arguments, none of them a wildcard (and checks them):
 * the exec is known to the letter, not merely allowed by a pattern. */
bool vigil_matcher__exec_literal(const struct vigil_matcher *m, const char *path,
				 const char *const *argv, size_t argc);
/* flags: O_* bits; the entry's flag list must contain every flag named by these bits. */
bool vigil_matcher__open(const struct vigil_matcher *m, const char *path, uint32_t flags);
/* Whether an open entry names a service-account token, under any name and with any flags: as
 * Kubescape's R0006, such a profile allows every token open (docs/ALERTS.md R0006). */
bool vigil_matcher__token(const struct vigil_matcher *m);
/* Whether the profile writes in path's directory: an open entry that may write (a write,
 * create, truncate or append flag, or no flags) names a file there (V1102). */
bool vigil_matcher__dir_written(const struct vigil_matcher *m, const char *path);
bool vigil_matcher__syscall(const struct vigil_matcher *m, const char *name);
bool vigil_matcher__capability(const struct vigil_matcher *m, const char *name);
bool vigil_matcher__iouring(const struct vigil_matcher *m, const char *opname);
bool vigil_matcher__dns(const struct vigil_matcher *m, const char *name);
/*
 * family AF_INET/AF_INET6, addr in network order, proto "TCP"/"UDP", port host order. A
 * neighbor named only by podSelector/namespaceSelector (no address, no name) allows the
 * addresses Kubescape calls private (loopback, 10/8, 172.16/12, 192.168/16, 169.254/16,
 * 224/4, 240/4, IPv6 loopback) on its ports and protocols: the peer's pod is not known here.
 */
bool vigil_matcher__neighbor(const struct vigil_matcher *m, bool egress, int family,
			     const void *addr, uint16_t port, const char *proto);
bool vigil_matcher__endpoint(const struct vigil_matcher *m, uint16_t port, const char *path,
			     const char *method, const char *direction);
/* Whether the container lists any HTTP endpoint (V1108 judges only then). */
bool vigil_matcher__has_endpoints(const struct vigil_matcher *m);
/*
 * Whether the profile carries network data (some container has an ingress or egress list, even
 * empty or null: Kubescape's NetworkNeighborhood always writes both, Vigil's learning too), so
 * its ingress, maybe none, is all the workload accepts; and whether an ingress neighbour allows
 * a peer in on local port `port` over proto ("TCP"), whatever the peer's address (V1109).
 */
bool vigil_matcher__knows_ingress(const struct vigil_matcher *m);
bool vigil_matcher__ingress_port(const struct vigil_matcher *m, uint16_t port, const char *proto);
/*
 * rulePolicies: true when rule_id is exempted for the whole container (containerAllowed) or
 * for this executable (processAllowed). exe is the executable as the kernel ran it, not the
 * process name a process can set itself (prctl(PR_SET_NAME), /proc/self/comm): an entry
 * with a '/' is a whole path, one without is the executable's file name (a 15-byte entry,
 * Kubescape's comm, also matches a longer name that starts with it).
 */
bool vigil_matcher__rule_allowed(const struct vigil_matcher *m, const char *rule_id,
				 const char *exe);
/* execDigests: whether the profile pins the content of the executable at path. */
enum vigil_digest_match {
	VIGIL_DIGEST_UNKNOWN = 0, /* no digest for this path: content not checked */
	VIGIL_DIGEST_MATCH,	  /* sha256_hex is one of the learned digests */
	VIGIL_DIGEST_MISMATCH,	  /* the path has digests and this is none of them (or NULL) */
};
enum vigil_digest_match vigil_matcher__exec_digest(const struct vigil_matcher *m, const char *path,
						   const char *sha256_hex);
/*
 * byExecutable (Vigil extension): the matcher of the executable exe's section, which answers
 * vigil_matcher__exec and vigil_matcher__open from that section's entries only; NULL when the
 * profile has no section for exe. has_by_exe: the profile keys entries by executable at all.
 */
bool vigil_matcher__has_by_exe(const struct vigil_matcher *m);
const struct vigil_matcher *vigil_matcher__by_exe(const struct vigil_matcher *m, const char *exe);
/* Whether the profile lists any syscalls / io_uring ops at all (an empty list is not "any"). */
bool vigil_matcher__has_syscalls(const struct vigil_matcher *m);

#endif
