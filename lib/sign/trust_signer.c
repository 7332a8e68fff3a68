// SPDX-License-Identifier: Apache-2.0
/*
 * Which trusted signer a private key signs as. The agent signs what it learns with its own key;
 * unless that key's public half is pinned in the trust directory, those profiles are refused
 * after a restart, so `vigil agent --check` and the agent's start look it up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sign/sign_internal.h"

int vigil_trust__signer_of(const struct vigil_trust *t, const struct vigil_sign_key *k)
{
	char *pem = vigil_sign__key_public_pem(k);
	unsigned char *spki = NULL;
	size_t spki_len = 0;
	EVP_PKEY *pkey;
	char why[128];
	int r;

	if (!pem)
		return -ENOMEM;
	pkey = sign_pem_public(pem, strlen(pem), why, sizeof(why));
	free(pem);
	if (!pkey)
		return -EINVAL;
	r = sign_spki(pkey, &spki, &spki_len);
	EVP_PKEY_free(pkey);
	if (r < 0)
		return r;
	r = sign_trust_find(t, spki, spki_len);
	OPENSSL_free(spki);
	return r < 0 ? -ENOENT : r;
}
