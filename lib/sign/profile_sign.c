// SPDX-License-Identifier: Apache-2.0
/*
 * Signing and verifying profile documents: the canonical bytes come from the profile library
 * (vigil_profile__canon), the signature lives in the document's annotations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/sign_internal.h"
#include "util/buf.h"
#include "vigil/profile.h"

static const char *const sign_annotations[] = {
	VIGIL_SIGN_ANN_SIGNATURE, VIGIL_SIGN_ANN_CERTIFICATE, VIGIL_SIGN_ANN_ISSUER,
	VIGIL_SIGN_ANN_IDENTITY,  VIGIL_SIGN_ANN_TIMESTAMP,   VIGIL_SIGN_ANN_REKOR,
};

int vigil_sign__sign_profile(const struct vigil_sign_key *k, struct vigil_profile *p, size_t doc,
			     const char *identity, int64_t timestamp)
{
	struct vigil_buf canon = VIGIL_BUF_INIT;
	unsigned char *sig = NULL;
	char *sig_b64 = NULL, *pem = NULL, *pem_b64 = NULL;
	char ts[24];
	size_t sig_len;
	int r;

	if (doc >= vigil_profile__doc_count(p))
		return -EINVAL;
	r = vigil_profile__canon(p, doc, &canon);
	if (r < 0)
		goto out;
	r = vigil_sign__blob(k, canon.data ? canon.data : "", canon.len, &sig, &sig_len);
	if (r < 0)
		goto out;
	sig_b64 = sign_b64_encode(sig, sig_len);
	pem = vigil_sign__key_public_pem(k);
	pem_b64 = pem ? sign_b64_encode(pem, strlen(pem)) : NULL;
	if (!sig_b64 || !pem_b64) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	/* Drop stale ones first (a rekor bundle from an earlier keyless signature, say). */
	for (size_t i = 0; i < sizeof(sign_annotations) / sizeof(sign_annotations[0]); i++) {
		if (vigil_profile__annotation(p, doc, sign_annotations[i])) {
			r = vigil_profile__set_annotation(p, doc, sign_annotations[i], NULL);
			if (r < 0)
				goto out;
		}
	}
	if ((r = vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_SIGNATURE, sig_b64)) < 0 ||
	    (r = vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_CERTIFICATE, pem_b64)) < 0 ||
	    (r = vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_ISSUER, "local")) < 0 ||
	    (r = vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_IDENTITY,
					       identity && *identity ? identity : "local")) < 0 ||
	    (r = vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_TIMESTAMP, ts)) < 0)
		goto out;
out:
	vigil_buf__release(&canon);
	free(sig);
	free(sig_b64);
	free(pem);
	free(pem_b64);
	return r;
}

/*
 * What the k8sstormcenter fork would have signed for this document, and what of the document
 * its scheme cannot cover (Kubescape's types have no iouring; the fork does not sign Vigil's
 * version annotation, so a version next to its signature would be unsigned).
 */
static void foreign_message(const struct vigil_profile *p, size_t doc, char hash[65],
			    struct vigil_sign_foreign *f)
{
	char why[128];

	f->message =
		vigil_profile__kubescape_hash(p, doc, hash, 65, why, sizeof(why)) ? NULL : hash;
	f->uncovered = vigil_profile__has_iouring(p, doc)	 ? "the iouring lists"
		       : vigil_profile__has_exec_digests(p, doc) ? "the execDigests lists"
		       : vigil_profile__has_by_exe(p, doc)	 ? "the byExecutable sections"
		       : vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_VERSION)
			       ? "the " VIGIL_SIGN_ANN_VERSION " annotation"
			       : NULL;
}

int vigil_sign__verify_profile(const struct vigil_trust *t, const struct vigil_profile *p,
			       size_t doc, struct vigil_sign_verdict *ret)
{
	struct vigil_buf canon = VIGIL_BUF_INIT;
	struct vigil_sign_annotations ann;
	struct vigil_sign_foreign foreign;
	char hash[65];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (doc >= vigil_profile__doc_count(p))
		return -EINVAL;
	r = vigil_profile__canon(p, doc, &canon);
	if (r < 0) {
		ret->status = VIGIL_SIGN_MALFORMED;
		snprintf(ret->reason, sizeof(ret->reason), "no canonical form: %s", strerror(-r));
		return r;
	}
	ann.signature = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_SIGNATURE);
	ann.certificate = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_CERTIFICATE);
	ann.issuer = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_ISSUER);
	ann.identity = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_IDENTITY);
	ann.timestamp = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_TIMESTAMP);
	foreign_message(p, doc, hash, &foreign);
	r = vigil_sign__verify_canon_foreign(t, canon.data ? canon.data : "", canon.len, &ann,
					     &foreign, ret);
	vigil_buf__release(&canon);
	if (!r && ret->status == VIGIL_SIGN_VALID) {
		uint64_t version;

		/* signed, but not a version a verifier can compare: refuse it as unreadable */
		if (vigil_sign__profile_version(p, doc, &version) == -EINVAL) {
			ret->status = VIGIL_SIGN_MALFORMED;
			snprintf(ret->reason, sizeof(ret->reason),
				 "%s annotation is not a version (1 to 2^53-1, no leading zero)",
				 VIGIL_SIGN_ANN_VERSION);
		}
	}
	return r;
}

int vigil_sign__digest(const struct vigil_profile *p, size_t doc, char *out, size_t size)
{
	struct vigil_buf canon = VIGIL_BUF_INIT;
	int r;

	if (doc >= vigil_profile__doc_count(p))
		return -EINVAL;
	r = vigil_profile__canon(p, doc, &canon);
	if (r < 0)
		return r;
	vigil_sign__sha256_digest(canon.data ? canon.data : "", canon.len, out, size);
	vigil_buf__release(&canon);
	return size >= 72 ? 0 : -ENOSPC;
}
