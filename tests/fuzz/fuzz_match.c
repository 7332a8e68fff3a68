// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes the matcher's indexes against the single-pattern matchers (two different algorithms:
 * trie NFA vs greedy glob). Input: a first byte choosing the kind, then lines: patterns, a line
 * "--", then queries. Also feeds every line through the IP, endpoint and argv parsers. Any
 * disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/index.h"
#include "profile/wildcard.h"

#define MAX_PATTERNS 128
#define MAX_QUERIES  32
#define MAX_LINE     512

struct seen {
	uint8_t hit[MAX_PATTERNS];
};

static bool collect(uint32_t id, void *ctx)
{
	struct seen *s = ctx;

	if (id >= MAX_PATTERNS || s->hit[id])
		abort(); /* an unknown id, or one reported twice */
	s->hit[id] = 1;
	return false;
}

/* Reference for argv: plain recursion (inputs are tiny). */
static bool ref_args(char **pat, size_t np, char **argv, size_t na)
{
	if (np == 0)
		return na == 0;
	if (strcmp(pat[0], VIGIL_WC_ARGS) == 0) {
		for (size_t k = 0; k <= na; k++)
			if (ref_args(pat + 1, np - 1, argv + k, na - k))
				return true;
		return false;
	}
	return na > 0 && vigil_wc_arg_token_match(pat[0], argv[0]) &&
	       ref_args(pat + 1, np - 1, argv + 1, na - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum vigil_wc_kind kind;
	struct vigil_segindex *ix;
	char *pats[MAX_PATTERNS], *qs[MAX_QUERIES];
	size_t np = 0, nq = 0, pos = 1;
	bool in_queries = false;

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? VIGIL_WC_DNS : VIGIL_WC_PATH;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *line;

		if (len > MAX_LINE)
			len = MAX_LINE;
		line = malloc(len + 1);
		if (!line)
			break;
		memcpy(line, data + pos, len);
		line[len] = '\0';
		pos += (nl ? (size_t)(nl - (data + pos)) : size - pos) + 1;
		if (!in_queries && strcmp(line, "--") == 0) {
			in_queries = true;
			free(line);
		} else if (!in_queries && np < MAX_PATTERNS) {
			pats[np++] = line;
		} else if (in_queries && nq < MAX_QUERIES) {
			qs[nq++] = line;
		} else {
			free(line);
		}
	}

	ix = vigil_segindex__new(kind);
	if (!ix)
		abort();
	for (size_t i = 0; i < np; i++) {
		struct vigil_wc_ipnet net;
		uint16_t port;
		const char *path;

		vigil_segindex__add(ix, pats[i], (uint32_t)i);
		vigil_wc_ip_parse(pats[i], &net);
		vigil_wc_endpoint_split(pats[i], &port, &path);
	}
	for (size_t k = 0; k < nq; k++) {
		struct seen s;
		char norm[MAX_LINE + 1];
		const char *q = qs[k];
		int n = (int)strlen(q);

		memset(&s, 0, sizeof(s));
		if (kind == VIGIL_WC_DNS) {
			n = vigil_wc_dns_normalize(qs[k], norm, sizeof(norm));
			q = norm;
		}
		if (n > 0)
			vigil_segindex__match(ix, q, (size_t)n, collect, &s);
		for (size_t i = 0; i < np; i++) {
			bool want = kind == VIGIL_WC_DNS ? vigil_wc_dns_match(pats[i], qs[k])
							 : vigil_wc_path_match(pats[i], qs[k]);

			if (want != (bool)s.hit[i])
				abort();
		}
	}
	/* Patterns as an argv pattern, queries as an argv (small, for the reference). */
	if (np <= 8 && nq <= 8 &&
	    vigil_wc_args_match((const char *const *)pats, np, true, (const char *const *)qs, nq) !=
		    ref_args(pats, np, qs, nq))
		abort();

	vigil_segindex__free(ix);
	for (size_t i = 0; i < np; i++)
		free(pats[i]);
	for (size_t k = 0; k < nq; k++)
		free(qs[k]);
	return 0;
}
