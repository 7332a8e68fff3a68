// SPDX-License-Identifier: Apache-2.0
/* The digest an alert names its profile by: sha256 over the canonical form of each document. */
#include <errno.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/digest.h"
#include "vigil/detect.h"
#include "vigil/profile.h"
#include "util/strutil.h"

int vigil_profile_digest(const struct vigil_profile *p, char *buf, size_t size)
{
	unsigned char md[VIGIL_SHA256_LEN];
	struct vigil_buf canon = VIGIL_BUF_INIT;
	struct vigil_sha256 ctx;
	int err = 0;

	if (size < 72)
		return -ENOSPC;
	vigil_sha256_init(&ctx);
	for (size_t i = 0; i < vigil_profile__doc_count(p); i++) {
		vigil_buf__reset(&canon);
		err = vigil_profile__canon(p, i, &canon);
		if (err < 0)
			goto out;
		/*
		 * Documents are separated by a newline, so a one-document file has the digest
		 * `vigil verify` reports for it, and bytes cannot move between documents unseen.
		 */
		if (i)
			vigil_sha256_update(&ctx, "\n", 1);
		vigil_sha256_update(&ctx, canon.data ? canon.data : "", canon.len);
	}
	vigil_sha256_final(&ctx, md);
	memcpy(buf, "sha256:", 7);
	vigil_hex(md, sizeof(md), buf + 7); /* SHA-256: 71 bytes, size >= 72 */
out:
	vigil_buf__release(&canon);
	return err;
}
