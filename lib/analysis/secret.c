// SPDX-License-Identifier: Apache-2.0
/*
 * "Secret read, then sent": finds the bytes of a sensitive file inside outbound payloads.
 * Rabin-Karp: hash every W-byte window of the secret into a small open-addressing table, roll
 * a window over the payload, verify candidates byte by byte and extend them both ways. Linear
 * in the (bounded) input sizes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/analysis.h"
#include "util/digest.h"

#define W	 VIGIL_SECRET_MIN_MATCH
#define HASH_MUL 1000003u

static uint32_t window_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * HASH_MUL + p[i];
	return h;
}

static void extend(const uint8_t *s, size_t slen, const uint8_t *p, size_t plen, size_t so,
		   size_t po, size_t n, struct vigil_secret_match *best)
{
	while (so && po && s[so - 1] == p[po - 1]) {
		so--;
		po--;
		n++;
	}
	while (so + n < slen && po + n < plen && s[so + n] == p[po + n])
		n++;
	if (n > best->len) {
		best->secret_off = so;
		best->payload_off = po;
		best->len = n;
	}
}

int vigil_secret__find(const uint8_t *secret, size_t slen, const uint8_t *payload, size_t plen,
		       struct vigil_secret_match *ret)
{
	struct vigil_secret_match best = { 0 };
	uint32_t pow = 1, h;
	size_t nslots, *slot;

	if (!secret || !payload)
		return 0;
	if (slen > VIGIL_SECRET_MAX_BYTES)
		slen = VIGIL_SECRET_MAX_BYTES;
	if (plen > VIGIL_PAYLOAD_MAX_BYTES)
		plen = VIGIL_PAYLOAD_MAX_BYTES;
	if (slen < 4 || plen < 4 || (slen < W && plen < slen))
		return 0;
	if (slen < W) {
		/* A short secret counts only whole. */
		const uint8_t *at = memmem(payload, plen, secret, slen);

		if (!at)
			return 0;
		ret->secret_off = 0;
		ret->payload_off = (size_t)(at - payload);
		ret->len = slen;
		return 1;
	}

	if (plen < W)
		return 0;
	/* Table of window start offsets (+1; 0 = empty), twice the windows, power of two. */
	nslots = 64;
	while (nslots < 2 * (slen - W + 1))
		nslots *= 2;
	slot = calloc(nslots, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i + W <= slen; i++) {
		size_t k = window_hash(secret + i, W) & (nslots - 1);

		while (slot[k]) {
			/* identical windows need one entry: extension finds the longest run */
			if (!memcmp(secret + slot[k] - 1, secret + i, W))
				break;
			k = (k + 1) & (nslots - 1);
		}
		if (!slot[k])
			slot[k] = i + 1;
	}
	for (size_t i = 0; i < W - 1; i++)
		pow *= HASH_MUL;
	h = window_hash(payload, W);
	for (size_t po = 0; po + W <= plen; po++) {
		size_t k;

		if (po) {
			h -= payload[po - 1] * pow;
			h = h * HASH_MUL + payload[po + W - 1];
		}
		/* Inside a run already found, nothing longer can start. */
		if (best.len && po > best.payload_off && po < best.payload_off + best.len)
			continue;
		for (k = h & (nslots - 1); slot[k]; k = (k + 1) & (nslots - 1)) {
			size_t so = slot[k] - 1;

			if (!memcmp(secret + so, payload + po, W)) {
				extend(secret, slen, payload, plen, so, po, W, &best);
				break;
			}
		}
	}
	free(slot);
	if (best.len < W)
		return 0;
	*ret = best;
	return 1;
}

bool vigil_secret__sensitive_path(const char *path)
{
	static const char *const prefixes[] = {
		"/var/run/secrets/",  "/run/secrets/",	   "/etc/shadow", "/etc/gshadow",
		"/etc/ssh/ssh_host_", "/etc/kubernetes/",  "/root/.ssh/", "/root/.kube/",
		"/root/.aws/",	      "/etc/ssl/private/",
	};
	static const char *const parts[] = { "/.ssh/id_",
					     "/.kube/config",
					     "/.aws/credentials",
					     "/.docker/config.json",
					     "token",
					     "secret",
					     ".key",
					     "id_rsa",
					     "id_ed25519",
					     ".pem",
					     "kubeconfig" };
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (vigil_str_has_prefix(path, prefixes[i]))
			return true;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(path, parts[i]))
			return true;
	return false;
}

int vigil_redact(uint8_t *data, size_t data_len, size_t off, size_t len, struct vigil_redaction *r)
{
	unsigned char md[VIGIL_SHA256_LEN];
	size_t np;

	if (!data || !r || off > data_len || len > data_len - off)
		return -EINVAL;
	vigil_sha256(data + off, len, md);
	vigil_hex(md, sizeof(md), r->sha256);
	r->len = len;
	np = len < 4 ? len : 4;
	vigil_hex(data + off, np, r->prefix_hex);
	memset(data + off, '*', len);
	return 0;
}
