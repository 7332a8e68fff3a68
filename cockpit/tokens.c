// SPDX-License-Identifier: Apache-2.0
/* Node and join tokens: random, prefixed by kind, kept in the store only as their sha256. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "cockpit/cockpit.h"
#include "util/strutil.h"

int vigil_token__new(const char *prefix, char *out, size_t size)
{
	unsigned char r[32];
	char h[65];

	if (size < strlen(prefix) + 65)
		return -ENOSPC;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -EIO;
	vigil_hex(r, sizeof(r), h);
	snprintf(out, size, "%s%s", prefix, h);
	return 0;
}

void vigil_token__hash(const char *token, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)token, strlen(token), md);
	vigil_hex(md, sizeof(md), out);
}

bool vigil_node_name__valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > 253 || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}
