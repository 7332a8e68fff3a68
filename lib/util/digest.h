/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 and MD5 without OpenSSL 3's provider machinery. The EVP interface (and the one-shot
 * SHA256()/MD5(), which go through it) sets up OpenSSL's default provider at the first digest:
 * +2.2 MiB of libcrypto pages and tables in the process, measured in docs/BENCHMARKS.md
 * ("Agent memory"). The agent only needs digests unless it signs or speaks TLS; the low-level
 * functions used here run the same assembly (SHA-NI, AVX2) and load nothing.
 */
#ifndef VIGIL_UTIL_DIGEST_H
#define VIGIL_UTIL_DIGEST_H

#include <stddef.h>

#define VIGIL_SHA256_LEN 32
#define VIGIL_MD5_LEN	 16

/* An incremental SHA-256 (its state is OpenSSL's SHA256_CTX; the size is checked there). */
struct vigil_sha256 {
	unsigned long long state[16];
};

void vigil_sha256_init(struct vigil_sha256 *c);
void vigil_sha256_update(struct vigil_sha256 *c, const void *data, size_t len);
void vigil_sha256_final(struct vigil_sha256 *c, unsigned char md[VIGIL_SHA256_LEN]);

/* One-shot digests of data. */
void vigil_sha256(const void *data, size_t len, unsigned char md[VIGIL_SHA256_LEN]);
void vigil_md5(const void *data, size_t len, unsigned char md[VIGIL_MD5_LEN]);

#endif
