// SPDX-License-Identifier: Apache-2.0
/*
 * Base64 for the signature annotations, with OpenSSL's codec. EVP_DecodeBlock skips
 * whitespace and decodes padding as zero bytes, so the input is validated first: a signature
 * either has exactly one encoding or it is malformed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sign/sign_internal.h"

static bool b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int sign_b64_decode(const char *s, size_t len, size_t max, unsigned char **ret, size_t *ret_len)
{
	unsigned char *out;
	size_t pad = 0;
	int n;

	if (!len || len % 4)
		return -EINVAL;
	if (len / 4 * 3 > max + 2)
		return -E2BIG;
	if (len > (size_t)INT32_MAX)
		return -E2BIG;
	if (s[len - 1] == '=')
		pad++;
	if (s[len - 2] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++) {
		if (!b64_char((unsigned char)s[i]))
			return -EINVAL;
	}
	out = malloc(len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(out);
		return -EINVAL;
	}
	n -= (int)pad;
	if ((size_t)n > max) {
		free(out);
		return -E2BIG;
	}
	*ret = out;
	*ret_len = (size_t)n;
	return 0;
}

char *sign_b64_encode(const void *data, size_t len)
{
	char *out;

	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}
