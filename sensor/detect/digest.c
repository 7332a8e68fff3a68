// SPDX-License-Identifier: Apache-2.0
/* The digest an alert names its profile by: sha256 over the canonical form of each document. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "util/buf.h"
#include "vigil/detect.h"
#include "vigil/profile.h"
#include "util/strutil.h"

int vigil_profile_digest(const struct vigil_profile *p, char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct vigil_buf canon = VIGIL_BUF_INIT;
	EVP_MD_CTX *ctx;
	int err = 0;

	if (size < 72)
		return -ENOSPC;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err = -EIO;
		goto out;
	}
	for (size_t i = 0; i < vigil_profile__doc_count(p); i++) {
		vigil_buf__reset(&canon);
		err = vigil_profile__canon(p, i, &canon);
		if (err < 0)
			goto out;
		/*
		 * Documents are separated by a newline, so a one-document file has the digest
		 * `vigil verify` reports for it, and bytes cannot move between documents unseen.
		 */
		if ((i && !EVP_DigestUpdate(ctx, "\n", 1)) ||
		    !EVP_DigestUpdate(ctx, canon.data ? canon.data : "", canon.len)) {
			err = -EIO;
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		err = -EIO;
		goto out;
	}
	memcpy(buf, "sha256:", 7);
	vigil_hex(md, mdlen, buf + 7); /* SHA-256: 71 bytes, size >= 72 */
out:
	vigil_buf__release(&canon);
	EVP_MD_CTX_free(ctx);
	return err;
}
