// SPDX-License-Identifier: Apache-2.0
/*
 * The verification core: canonical bytes + signature annotations + trust set -> verdict.
 * Every annotation is untrusted input: sizes are bounded before decoding, base64 and DER must
 * be strict, and the embedded key only selects which pinned key has to verify.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "sign/sign_internal.h"
#include "util/strutil.h"

/* Longest DER ECDSA P-256 signature: SEQUENCE { INTEGER(33), INTEGER(33) } = 72 bytes. */
#define SIG_DER_MAX 72

const char *vigil_sign__status_name(enum vigil_sign_status s)
{
	switch (s) {
	case VIGIL_SIGN_VALID:
		return "valid";
	case VIGIL_SIGN_UNSIGNED:
		return "unsigned";
	case VIGIL_SIGN_TAMPERED:
		return "tampered";
	case VIGIL_SIGN_UNTRUSTED_KEY:
		return "untrusted-key";
	case VIGIL_SIGN_OUT_OF_SCOPE:
		return "out-of-scope";
	case VIGIL_SIGN_MALFORMED:
		return "malformed";
	case VIGIL_SIGN_FOREIGN_SCHEME:
		return "foreign-scheme";
	}
	return "unknown";
}

static int verdict(struct vigil_sign_verdict *v, enum vigil_sign_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int verdict(struct vigil_sign_verdict *v, enum vigil_sign_status s, const char *fmt, ...)
{
	va_list ap;

	v->status = s;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* Copies an annotation for printing: bounded, control characters replaced. */
static void copy_printable(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

/* Strict DER: the bytes must be exactly the encoding OpenSSL would produce. */
static bool strict_der_sig(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	ECDSA_SIG *sig;
	bool ok = false;
	int n;

	sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (sig && (size_t)(p - der) == len) {
		n = i2d_ECDSA_SIG(sig, &re);
		ok = n > 0 && (size_t)n == len && !memcmp(re, der, len);
	}
	OPENSSL_free(re);
	ECDSA_SIG_free(sig);
	ERR_clear_error();
	return ok;
}

/* The signature over the fork's message (64 hex digits): 1 verified, 0 not, negative errno. */
static int verify_foreign(EVP_PKEY *key, const struct vigil_sign_foreign *foreign,
			  const unsigned char *sig, size_t sig_len)
{
	if (!foreign || !foreign->message)
		return 0;
	return sign_verify_blob(key, foreign->message, strlen(foreign->message), sig, sig_len);
}

int vigil_sign__verify_canon(const struct vigil_trust *t, const char *canon, size_t len,
			     const struct vigil_sign_annotations *ann,
			     struct vigil_sign_verdict *ret)
{
	return vigil_sign__verify_canon_foreign(t, canon, len, ann, NULL, ret);
}

/* The annotations' sizes and the timestamp: 1 when sound, else 0 with the verdict set. */
static int check_annotations(const struct vigil_sign_annotations *ann,
			     struct vigil_sign_verdict *ret)
{
	const char *fields[3] = { ann->issuer, ann->identity, ann->timestamp };
	const char *fnames[3] = { "issuer", "identity", "timestamp" };

	if (!ann->signature)
		return verdict(ret, VIGIL_SIGN_UNSIGNED, "no %s annotation",
			       VIGIL_SIGN_ANN_SIGNATURE);
	if (strlen(ann->signature) > VIGIL_SIGN_MAX_SIGNATURE_B64)
		return verdict(ret, VIGIL_SIGN_MALFORMED,
			       "signature annotation longer than %d bytes",
			       VIGIL_SIGN_MAX_SIGNATURE_B64);
	if (!ann->certificate)
		return verdict(ret, VIGIL_SIGN_MALFORMED, "no %s annotation (the signer's key)",
			       VIGIL_SIGN_ANN_CERTIFICATE);
	if (strlen(ann->certificate) > VIGIL_SIGN_MAX_CERT_B64)
		return verdict(ret, VIGIL_SIGN_MALFORMED,
			       "certificate annotation longer than %d bytes",
			       VIGIL_SIGN_MAX_CERT_B64);
	for (int i = 0; i < 3; i++) {
		if (fields[i] && strlen(fields[i]) > VIGIL_SIGN_MAX_FIELD)
			return verdict(ret, VIGIL_SIGN_MALFORMED,
				       "%s annotation longer than %d bytes", fnames[i],
				       VIGIL_SIGN_MAX_FIELD);
	}
	if (ann->timestamp) {
		uint64_t ts;

		if (vigil_parse_u64(ann->timestamp, &ts) < 0 || ts > INT64_MAX)
			return verdict(ret, VIGIL_SIGN_MALFORMED,
				       "timestamp annotation is not unix seconds");
		ret->timestamp = (int64_t)ts;
	}
	return 1;
}

/* 1 when canon is within the scope of trusted key idx, else 0 with the verdict set. */
static int check_scope(const struct vigil_trust *t, size_t idx, const char *canon, size_t len,
		       struct vigil_sign_verdict *ret)
{
	char why[160];
	int r = vigil_trust__in_scope(t, idx, canon, len, why, sizeof(why));

	if (r < 0)
		return verdict(ret, VIGIL_SIGN_MALFORMED, "canonical form is not a JSON object");
	if (r == 0)
		return verdict(ret, VIGIL_SIGN_OUT_OF_SCOPE, "outside the scope of %s: %s",
			       ret->signer, why);
	return 1;
}

/*
 * The verdict once the embedded key selected trusted key idx (ret->signer set): the pinned key
 * must verify the signature over canon, or else over the fork's message, and canon must be in
 * its scope. 0 with the verdict set, or a negative errno.
 */
static int judge_signed(const struct vigil_trust *t, size_t idx, const char *canon, size_t len,
			const struct vigil_sign_foreign *foreign, const unsigned char *sig,
			size_t sig_len, struct vigil_sign_verdict *ret)
{
	/* Verify with the pinned key object, never the one parsed from the document. */
	EVP_PKEY *key = sign_trust_key(t, idx);
	int r = sign_verify_blob(key, canon, len, sig, sig_len);

	if (r < 0)
		return r;
	if (r == 1) {
		if ((r = check_scope(t, idx, canon, len, ret)) != 1)
			return r;
		return verdict(ret, VIGIL_SIGN_VALID, "signed by %s", ret->signer);
	}
	r = verify_foreign(key, foreign, sig, sig_len);
	if (r < 0)
		return r;
	if (r == 0)
		return verdict(ret, VIGIL_SIGN_TAMPERED,
			       "content does not match the signature of %s (changed after signing)",
			       ret->signer);
	if (foreign->uncovered)
		return verdict(ret, VIGIL_SIGN_TAMPERED,
			       "signed by %s in the k8sstormcenter scheme, which does not cover "
			       "%s: that part was not signed",
			       ret->signer, foreign->uncovered);
	if ((r = check_scope(t, idx, canon, len, ret)) != 1)
		return r;
	return verdict(ret, VIGIL_SIGN_FOREIGN_SCHEME,
		       "signed by %s in the k8sstormcenter scheme (a hash of the typed object "
		       "that does not cover the order of lists, exec arguments included)",
		       ret->signer);
}

int vigil_sign__verify_canon_foreign(const struct vigil_trust *t, const char *canon, size_t len,
				     const struct vigil_sign_annotations *ann,
				     const struct vigil_sign_foreign *foreign,
				     struct vigil_sign_verdict *ret)
{
	unsigned char *sig = NULL, *cert = NULL, *spki = NULL;
	size_t sig_len = 0, cert_len = 0, spki_len = 0;
	EVP_PKEY *embedded = NULL;
	char why[160];
	int r = 0, idx;

	memset(ret, 0, sizeof(*ret));
	vigil_sign__sha256_digest(canon, len, ret->digest, sizeof(ret->digest));
	if (ann->identity)
		copy_printable(ret->identity, sizeof(ret->identity), ann->identity);
	if (check_annotations(ann, ret) != 1)
		return 0;

	r = sign_b64_decode(ann->signature, strlen(ann->signature), SIG_DER_MAX, &sig, &sig_len);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "signature: %s",
			    r == -E2BIG ? "longer than a P-256 signature" : "not base64");
		goto out;
	}
	if (!strict_der_sig(sig, sig_len)) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "signature: not a DER ECDSA signature");
		goto out;
	}
	r = sign_b64_decode(ann->certificate, strlen(ann->certificate), VIGIL_SIGN_MAX_CERT_B64,
			    &cert, &cert_len);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "certificate: not base64");
		goto out;
	}
	embedded = sign_pem_public((const char *)cert, cert_len, why, sizeof(why));
	if (!embedded) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "certificate: %s", why);
		goto out;
	}
	if (sign_check_p256(embedded, why, sizeof(why)) < 0) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "certificate: %s", why);
		goto out;
	}
	r = sign_spki(embedded, &spki, &spki_len);
	if (r < 0) {
		r = verdict(ret, VIGIL_SIGN_MALFORMED, "certificate: cannot encode its key");
		goto out;
	}
	idx = sign_trust_find(t, spki, spki_len);
	if (idx < 0) {
		char fp[72];
		/* which scheme, for the person reading the verdict (the key is trusted by nobody) */
		bool fork = sign_verify_blob(embedded, canon, len, sig, sig_len) != 1 &&
			    verify_foreign(embedded, foreign, sig, sig_len) == 1;

		vigil_sign__sha256_digest(spki, spki_len, fp, sizeof(fp));
		r = verdict(ret, VIGIL_SIGN_UNTRUSTED_KEY,
			    "signed%s by a key that is not trusted (key %.19s...)",
			    fork ? " in the k8sstormcenter scheme" : "", fp);
		goto out;
	}
	vigil_strlcpy(ret->signer, vigil_trust__name(t, (size_t)idx), sizeof(ret->signer));
	r = judge_signed(t, (size_t)idx, canon, len, foreign, sig, sig_len, ret);
out:
	free(sig);
	free(cert);
	OPENSSL_free(spki);
	EVP_PKEY_free(embedded);
	if (r < 0)
		verdict(ret, VIGIL_SIGN_MALFORMED, "%s", strerror(-r));
	return r;
}
