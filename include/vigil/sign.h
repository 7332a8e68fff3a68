/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed profiles: ECDSA P-256 / SHA-256 signatures over the canonical JSON of a profile
 * document (vigil_profile__canon), stored in the annotations signature.kubescape.io/..., verified
 * only against pinned public keys (a trust directory), with optional per-signer scopes.
 * docs/SIGNING.md is the user guide.
 *
 * The scheme is the one of `cosign sign-blob --key` / `openssl dgst -sha256 -sign`: the signature
 * is the ASN.1 DER ECDSA signature of SHA-256(canonical bytes), so stock OpenSSL verifies it.
 *
 * Functions return 0 or a negative errno; loaders also fill an optional struct vigil_error.
 * The key carried in a document's annotation is never trusted by itself: it only selects which
 * pinned key must verify the signature.
 */
#ifndef VIGIL_SIGN_H
#define VIGIL_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"
#include "vigil/profile.h"

struct vigil_profile;
struct vigil_sign_key;
struct vigil_trust;

/* Annotation keys (metadata.annotations). */
#define VIGIL_SIGN_ANN_SIGNATURE   "signature.kubescape.io/signature"
#define VIGIL_SIGN_ANN_CERTIFICATE "signature.kubescape.io/certificate"
#define VIGIL_SIGN_ANN_ISSUER	   "signature.kubescape.io/issuer"
#define VIGIL_SIGN_ANN_IDENTITY	   "signature.kubescape.io/identity"
#define VIGIL_SIGN_ANN_TIMESTAMP   "signature.kubescape.io/timestamp"
#define VIGIL_SIGN_ANN_REKOR	   "signature.kubescape.io/rekor-bundle"
#define VIGIL_SIGN_ANN_PREFIX	   "signature.kubescape.io/"
/* Which signed pieces an effective profile was merged from (not signed; informational). */
#define VIGIL_SIGN_ANN_PROVENANCE "vigil.dev/provenance"

/* Bounds on the signature annotations (untrusted input). */
#define VIGIL_SIGN_MAX_SIGNATURE_B64 512   /* a P-256 DER signature is at most 72 bytes */
#define VIGIL_SIGN_MAX_CERT_B64	     16384 /* base64 of a PEM public key or certificate */
#define VIGIL_SIGN_MAX_FIELD	     1024  /* issuer, identity, timestamp */
#define VIGIL_SIGN_NAME_MAX	     64	   /* signer name (trust directory file stem) */

/* ---- verdicts ------------------------------------------------------------------------- */

enum vigil_sign_status {
	VIGIL_SIGN_VALID = 0,	  /* signed, unmodified, by a trusted key, within its scope */
	VIGIL_SIGN_UNSIGNED,	  /* no signature annotation */
	VIGIL_SIGN_TAMPERED,	  /* the signature does not match the content */
	VIGIL_SIGN_UNTRUSTED_KEY, /* signed by a key that is not pinned */
	VIGIL_SIGN_OUT_OF_SCOPE,  /* signed by a trusted key that may not vouch for all of it */
	VIGIL_SIGN_MALFORMED,	  /* signature annotations unreadable (base64, DER, key, size) */
	/*
	 * signed by a trusted key in another scheme: the k8sstormcenter fork's (its hash of the
	 * typed object, which does not cover the order of lists); not Vigil's guarantee, so not
	 * "valid" unless the verifier is told to accept it
	 */
	VIGIL_SIGN_FOREIGN_SCHEME,
};

struct vigil_sign_verdict {
	enum vigil_sign_status status;
	char signer[VIGIL_SIGN_NAME_MAX + 1]; /* trusted key name; "" when none matched */
	char identity[128];		      /* identity annotation (informational, unsigned) */
	int64_t timestamp;		      /* timestamp annotation, unix seconds; 0 if absent */
	char digest[72];		      /* "sha256:<64 hex>" of the canonical bytes */
	char reason[256];		      /* one line for a person */
};

/* "valid", "unsigned", "tampered", "untrusted-key", "out-of-scope", "malformed", "foreign-scheme". */
const char *vigil_sign__status_name(enum vigil_sign_status s);

/* ---- keys ----------------------------------------------------------------------------- */

/*
 * Creates an ECDSA P-256 key pair: path (PKCS#8 PEM private key, mode 0600, created with
 * O_EXCL so it is never readable by others, not even briefly) and path.pub (PEM public key,
 * 0644). Refuses (-EEXIST) to replace either file unless force is true.
 */
int vigil_sign__keygen(const char *path, bool force, struct vigil_error *err);

/* Loads a PEM private key (must be P-256). *ret is owned by the caller. */
int vigil_sign__key_load(const char *path, struct vigil_sign_key **ret, struct vigil_error *err);
void vigil_sign__key_free(struct vigil_sign_key *k);

/*
 * The public key of k as PEM text ("-----BEGIN PUBLIC KEY-----..."), NUL-terminated; the
 * caller frees it.
 */
char *vigil_sign__key_public_pem(const struct vigil_sign_key *k);

/*
 * Signs data (SHA-256, ECDSA P-256). *ret_sig is the DER signature (malloc'd, caller frees).
 */
int vigil_sign__blob(const struct vigil_sign_key *k, const void *data, size_t len,
		     unsigned char **ret_sig, size_t *ret_len);

/* "sha256:<64 lowercase hex>" of data into out (at least 72 bytes). */
void vigil_sign__sha256_digest(const void *data, size_t len, char *out, size_t size);

/* ---- trust ---------------------------------------------------------------------------- */

/*
 * Loads a trust directory: one PEM public key per signer (NAME.pub, P-256 only) and optional
 * scopes (NAME.scope, YAML). Other files are ignored. Refuses a directory or key/scope file
 * writable by group or others, a scope without its key, the same key under two names, and
 * an empty directory. *ret is owned by the caller (vigil_trust__free).
 */
int vigil_trust__load_dir(const char *dir, struct vigil_trust **ret, struct vigil_error *err);
/* A trust set of one unscoped key (`verify --pub`); its name is the file name without .pub. */
int vigil_trust__load_pub(const char *path, struct vigil_trust **ret, struct vigil_error *err);

/* An empty trust set, filled with vigil_trust__add (tests, fuzzing, embedding). NULL + errno. */
struct vigil_trust *vigil_trust__new(void);
/*
 * Adds signer `name` with a PEM public key and an optional scope (YAML text, NULL for none).
 * Both buffers need not be NUL-terminated. origin names the input in error messages.
 */
int vigil_trust__add(struct vigil_trust *t, const char *name, const char *pem, size_t pem_len,
		     const char *scope, size_t scope_len, const char *origin,
		     struct vigil_error *err);
size_t vigil_trust__count(const struct vigil_trust *t);
const char *vigil_trust__name(const struct vigil_trust *t, size_t i);
bool vigil_trust__scoped(const struct vigil_trust *t, size_t i);
void vigil_trust__free(struct vigil_trust *t);

/* ---- verification core (no profile needed) -------------------------------------------- */

/* The signature annotations of one document, as found (NULL = absent). */
struct vigil_sign_annotations {
	const char *signature;
	const char *certificate;
	const char *issuer;
	const char *identity;
	const char *timestamp;
};

/*
 * Verifies canonical bytes against their annotations and the trust set, scope included
 * (the scope is checked on the canonical JSON). Always fills *ret; returns 0 when a verdict was
 * reached (look at ret->status), a negative errno only on a runtime failure (e.g. -ENOMEM).
 */
int vigil_sign__verify_canon(const struct vigil_trust *t, const char *canon, size_t len,
			     const struct vigil_sign_annotations *ann,
			     struct vigil_sign_verdict *ret);

/*
 * The other scheme in the field (docs/SIGNING.md): the k8sstormcenter fork of Kubescape signs
 * the 64 hex digits of its order-independent hash of the typed object
 * (vigil_profile__kubescape_hash) with the same annotations, a certificate in the certificate
 * annotation. message: those 64 digits, NULL when the document cannot be read as Kubescape's
 * types; uncovered: what the document holds that this scheme cannot cover (Vigil's iouring
 * lists, its version annotation), NULL when nothing.
 */
struct vigil_sign_foreign {
	const char *message;
	const char *uncovered;
};
/*
 * vigil_sign__verify_canon, and when Vigil's scheme does not verify, the fork's: a signature
 * over foreign->message by a trusted key gives VIGIL_SIGN_FOREIGN_SCHEME (or out-of-scope, or
 * tampered when something is uncovered). foreign NULL: Vigil's scheme only.
 */
int vigil_sign__verify_canon_foreign(const struct vigil_trust *t, const char *canon, size_t len,
				     const struct vigil_sign_annotations *ann,
				     const struct vigil_sign_foreign *foreign,
				     struct vigil_sign_verdict *ret);

/*
 * Whether the canonical JSON document is inside the scope of trusted signer i (always true for
 * an unscoped signer). On false, why (the first entry outside) is written to reason.
 * Returns 1 inside, 0 outside, negative errno when canon is not JSON.
 */
int vigil_trust__in_scope(const struct vigil_trust *t, size_t i, const char *canon, size_t len,
			  char *reason, size_t reason_size);

/* ---- profiles ------------------------------------------------------------------------- */

/*
 * Signs document doc of p: replaces every signature.kubescape.io/... annotation with a fresh
 * signature over vigil_profile__canon, the public key, issuer "local", identity (NULL or "" =
 * "local") and timestamp. Nothing else in p changes.
 */
int vigil_sign__sign_profile(const struct vigil_sign_key *k, struct vigil_profile *p, size_t doc,
			     const char *identity, int64_t timestamp);

/* Verifies document doc of p (the verdict the agent acts on; see vigil_sign__verify_canon). */
int vigil_sign__verify_profile(const struct vigil_trust *t, const struct vigil_profile *p,
			       size_t doc, struct vigil_sign_verdict *ret);

/* "sha256:<hex>" of the canonical bytes of document doc (alert records). */
int vigil_sign__digest(const struct vigil_profile *p, size_t doc, char *out, size_t size);

/* ---- trust directory changes ----------------------------------------------------------- */

/*
 * A stamp of trust directory dir ("stat:<hex>", or "absent:ERRNO" when it cannot be opened)
 * made from the identity of the directory and of each NAME.pub / NAME.scope file (device,
 * inode, size, mode, times), without reading any key. When it differs from the last one, load
 * the directory again (vigil_trust__load_dir) and verify again every document accepted with
 * the old set: a key removed must stop being trusted without a restart. out has at least 72
 * bytes. Returns 0 or a negative errno (-ENOMEM, -E2BIG past 4 096 files, -ENOSPC).
 */
int vigil_trust__dir_stamp(const char *dir, char *out, size_t size);
/* The index of the trusted signer whose key is the public half of k, or -ENOENT. */
int vigil_trust__signer_of(const struct vigil_trust *t, const struct vigil_sign_key *k);

/* ---- versions: replay protection ------------------------------------------------------- */

/*
 * A signed document carries its version in the annotation VIGIL_SIGN_ANN_VERSION, the one
 * annotation the canonical form (and so the signature) covers: decimal, 1 to 2^53-1, no
 * leading zero. A verifier that remembers the highest version it accepted per (kind,
 * namespace, name, signer) refuses an older signed document replayed later (docs/SIGNING.md).
 */
#define VIGIL_SIGN_ANN_VERSION VIGIL_PROFILE_ANN_VERSION
#define VIGIL_SIGN_VERSION_MAX ((UINT64_C(1) << 53) - 1)

/* Parses a version annotation value. 0 (and *ret) or -EINVAL. */
int vigil_sign__parse_version(const char *s, uint64_t *ret);
/*
 * The version of document doc: 0 and *ret >= 1 when present, -ENOENT (and *ret = 0) when
 * absent, -EINVAL when the annotation is not a version.
 */
int vigil_sign__profile_version(const struct vigil_profile *p, size_t doc, uint64_t *ret);
/* Sets the version of document doc (before signing: the signature covers it). */
int vigil_sign__set_version(struct vigil_profile *p, size_t doc, uint64_t version);
/*
 * The version a new signature of document doc should carry: max(now, current + 1), so that
 * re-signing always moves forward, even twice in one second. now is unix seconds.
 */
uint64_t vigil_sign__next_version(const struct vigil_profile *p, size_t doc, int64_t now);

/*
 * What a verifier accepted so far: per (kind, namespace, name, signer), the version and the
 * digest in force. Persisted as a small JSON file (the agent keeps it in its state directory).
 */
struct vigil_sign_versions;

enum vigil_version_verdict {
	VIGIL_VERSION_NEW = 0,	   /* never seen, or newer than what was accepted */
	VIGIL_VERSION_SAME,	   /* the same version and content as accepted */
	VIGIL_VERSION_UNVERSIONED, /* no version here nor before: nothing to compare */
	VIGIL_VERSION_ROLLBACK,	   /* older than accepted, or as old with other content: refuse */
};

/* An empty store. NULL + errno. */
struct vigil_sign_versions *vigil_sign_versions__new(void);
void vigil_sign_versions__free(struct vigil_sign_versions *v);
/*
 * Loads path (missing = empty store). Bounded: at most 1 MiB and 16 384 records; anything else
 * is an error with the file named. *ret is owned by the caller.
 */
int vigil_sign_versions__load(const char *path, struct vigil_sign_versions **ret,
			      struct vigil_error *err);
/* Writes the store to path atomically (mode 0600). */
int vigil_sign_versions__save(const struct vigil_sign_versions *v, const char *path,
			      struct vigil_error *err);
/*
 * Compares document doc of p, verified as signed by signer, with what v accepted. On
 * VIGIL_VERSION_ROLLBACK, why (one line) is written to reason. Returns the verdict or a
 * negative errno (-EINVAL: the document's version annotation is malformed).
 */
int vigil_sign_versions__check(const struct vigil_sign_versions *v, const struct vigil_profile *p,
			       size_t doc, const char *signer, char *reason, size_t reason_size);
/*
 * Records document doc of p (signed by signer) as the one in force: its version and digest
 * replace the record, also when older (an explicit rollback). Returns 1 when the store changed
 * (save it), 0 when it already held this, negative errno on failure.
 */
int vigil_sign_versions__record(struct vigil_sign_versions *v, const struct vigil_profile *p,
				size_t doc, const char *signer);
/* Records held (tests, status). */
size_t vigil_sign_versions__count(const struct vigil_sign_versions *v);

#endif
