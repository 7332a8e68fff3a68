// SPDX-License-Identifier: Apache-2.0
/* SHA-256 and MD5 through OpenSSL's low-level functions (digest.h says why). */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co: deprecated in 3.0, kept on purpose */
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "util/digest.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct vigil_sha256), "SHA256_CTX outgrew its slot");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(struct vigil_sha256), "SHA256_CTX alignment");

void vigil_sha256_init(struct vigil_sha256 *c)
{
	SHA256_Init((SHA256_CTX *)c);
}

void vigil_sha256_update(struct vigil_sha256 *c, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)c, data, len);
}

void vigil_sha256_final(struct vigil_sha256 *c, unsigned char md[VIGIL_SHA256_LEN])
{
	SHA256_Final(md, (SHA256_CTX *)c);
}

void vigil_sha256(const void *data, size_t len, unsigned char md[VIGIL_SHA256_LEN])
{
	struct vigil_sha256 c;

	vigil_sha256_init(&c);
	vigil_sha256_update(&c, data, len);
	vigil_sha256_final(&c, md);
}

void vigil_md5(const void *data, size_t len, unsigned char md[VIGIL_MD5_LEN])
{
	MD5_CTX c;

	MD5_Init(&c);
	MD5_Update(&c, data, len);
	MD5_Final(md, &c);
}
