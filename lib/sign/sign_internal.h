/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the files of lib/sign (not a public interface). */
#ifndef VIGIL_SIGN_INTERNAL_H
#define VIGIL_SIGN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "vigil/sign.h"

struct vigil_scope;

/*
 * Strict base64 (RFC 4648 alphabet, '=' padding, no whitespace). Returns the decoded length
 * and a malloc'd buffer in *ret, or -EINVAL (not base64) / -E2BIG (decodes past max).
 */
int sign_b64_decode(const char *s, size_t len, size_t max, unsigned char **ret, size_t *ret_len);
/* malloc'd NUL-terminated base64 of data, NULL on allocation failure. */
char *sign_b64_encode(const void *data, size_t len);

/*
 * Parses PEM text holding a public key or an X.509 certificate. Returns the key (caller frees
 * with EVP_PKEY_free) or NULL with a reason.
 */
EVP_PKEY *sign_pem_public(const char *pem, size_t len, char *why, size_t why_size);
/* 0 when pkey is an EC key on P-256, else -EINVAL with a reason ("RSA key", "curve P-384"). */
int sign_check_p256(EVP_PKEY *pkey, char *why, size_t why_size);
/* DER SubjectPublicKeyInfo of pkey (malloc'd). */
int sign_spki(EVP_PKEY *pkey, unsigned char **ret, size_t *ret_len);
/* 1 verified, 0 not verified, negative errno on failure. */
int sign_verify_blob(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
		     size_t sig_len);

/* Scopes (scope.c). */
int sign_scope_parse(const char *text, size_t len, const char *origin, struct vigil_scope **ret,
		     struct vigil_error *err);
void sign_scope_free(struct vigil_scope *s);
/* 1 inside, 0 outside (reason filled), negative errno when canon is not a JSON object. */
int sign_scope_check(const struct vigil_scope *s, const char *canon, size_t len, char *reason,
		     size_t reason_size);

/* Trust lookups (trust.c). Index of the signer whose SPKI equals spki, or -1. */
int sign_trust_find(const struct vigil_trust *t, const unsigned char *spki, size_t len);
EVP_PKEY *sign_trust_key(const struct vigil_trust *t, size_t i);

#endif
