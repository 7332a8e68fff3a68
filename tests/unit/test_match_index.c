// SPDX-License-Identifier: Apache-2.0
/*
 * Differential tests: the indexes (hash + segment trie NFA, IP prefix tables) against a
 * straightforward reference written here from the rules in kubescape-sbob.md §2, on random
 * profiles and queries. They must report exactly the same set of matching entries.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/index.h"

#define ONE "\xe2\x8b\xaf"

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* ---- reference: split on sep, recursive match with memo (as Kubescape's memo walker) ---- */

#define RMAX 32

struct rsegs {
	char s[RMAX][64];
	int n;
};

static void rsplit(const char *str, char sep, bool trim, struct rsegs *out)
{
	size_t len = strlen(str);
	int n = 0;
	size_t start = 0;

	if (trim)
		while (len > 1 && str[len - 1] == sep)
			len--;
	if (trim && len == 1 && str[0] == sep)
		len = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && str[i] != sep)
			continue;
		assert_true(n < RMAX);
		snprintf(out->s[n], sizeof(out->s[n]), "%.*s", (int)(i - start), str + start);
		n++;
		start = i + 1;
	}
	out->n = n;
}

static signed char memo[RMAX + 1][RMAX + 1];

static bool rpath(const struct rsegs *p, int pi, const struct rsegs *q, int qi)
{
	bool r = false;

	if (pi == p->n)
		return qi == q->n;
	if (memo[pi][qi] >= 0)
		return memo[pi][qi];
	if (strcmp(p->s[pi], "*") == 0) {
		if (pi == p->n - 1) {
			r = qi < q->n; /* trailing: one or more */
		} else {
			for (int k = qi; k <= q->n && !r; k++)
				r = rpath(p, pi + 1, q, k);
		}
	} else if (qi < q->n && (strcmp(p->s[pi], ONE) == 0 || strcmp(p->s[pi], q->s[qi]) == 0)) {
		r = rpath(p, pi + 1, q, qi + 1);
	}
	memo[pi][qi] = r;
	return r;
}

static bool ref_path(const char *pattern, const char *query)
{
	struct rsegs p, q;

	if (!*pattern || !*query)
		return false;
	rsplit(pattern, '/', true, &p);
	rsplit(query, '/', true, &q);
	memset(memo, -1, sizeof(memo));
	return rpath(&p, 0, &q, 0);
}

/* DNS as networkmatch.matchDNSPattern walks it: leading '*' one, ⋯ one, trailing '*' 1+. */
static bool ref_dns(const char *pattern, const char *query)
{
	struct rsegs p, q;
	int pi, qi = 0;

	rsplit(pattern, '.', false, &p);
	rsplit(query, '.', false, &q);
	if (p.n == 1 && strcmp(p.s[0], "*") == 0)
		return false;
	for (pi = 0; pi < p.n; pi++) {
		bool star = strcmp(p.s[pi], "*") == 0;

		if (star && pi == p.n - 1 && pi > 0)
			return q.n - qi >= 1;
		if (qi >= q.n)
			return false;
		if (!star && strcmp(p.s[pi], ONE) != 0 && strcmp(p.s[pi], q.s[qi]) != 0)
			return false;
		qi++;
	}
	return qi == q.n;
}

/* ---- collecting what an index reports ---------------------------------------------------- */

struct hits {
	uint8_t seen[4096];
	int dup;
};

static bool collect(uint32_t id, void *ctx)
{
	struct hits *h = ctx;

	if (h->seen[id])
		h->dup++;
	h->seen[id] = 1;
	return false; /* all of them */
}

static const char *const path_segs[] = { "a", "b", "c", "etc", "", ONE, "*", "*", ONE };
static const char *const query_segs[] = { "a", "b", "c", "etc", "", "x" };

static void rand_path(char *out, size_t size, const char *const *alpha, size_t nalpha, int maxn,
		      bool pattern)
{
	int n = (int)rnd((uint32_t)maxn + 1);
	size_t len = 0;

	out[0] = '\0';
	if (pattern && rnd(20) == 0) {
		snprintf(out, size, "*");
		return;
	}
	if (n == 0) {
		snprintf(out, size, "/");
		return;
	}
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "/%s", alpha[rnd((uint32_t)nalpha)]);
	if (rnd(8) == 0)
		snprintf(out + len, size - len, "/");
}

static void test_paths_differential(void **state)
{
	for (int round = 0; round < 50; round++) {
		struct vigil_segindex *ix = vigil_segindex__new(VIGIL_WC_PATH);
		static char pats[400][256];
		int npat;

		rng = 0x9e3779b97f4a7c15ULL + (uint64_t)round * 7919;
		npat = 1 + (int)rnd(round < 20 ? 10 : 400);
		assert_non_null(ix);
		for (int i = 0; i < npat; i++) {
			rand_path(pats[i], sizeof(pats[i]), path_segs,
				  sizeof(path_segs) / sizeof(path_segs[0]), 5, true);
			assert_int_equal(vigil_segindex__add(ix, pats[i], (uint32_t)i), 0);
		}
		for (int k = 0; k < 100; k++) {
			char q[256];
			struct hits h;

			rand_path(q, sizeof(q), query_segs,
				  sizeof(query_segs) / sizeof(query_segs[0]), 7, false);
			memset(&h, 0, sizeof(h));
			vigil_segindex__match(ix, q, strlen(q), collect, &h);
			assert_int_equal(h.dup, 0);
			for (int i = 0; i < npat; i++) {
				bool want = ref_path(pats[i], q);

				if (want != (bool)h.seen[i])
					fail_msg("round %d: pattern \"%s\" query \"%s\": index %d, "
						 "reference %d",
						 round, pats[i], q, h.seen[i], want);
			}
		}
		vigil_segindex__free(ix);
	}
}

static const char *const dns_pat_labels[] = { "a", "b", "com", "x", ONE, "*" };
static const char *const dns_q_labels[] = { "a", "b", "com", "x", "y" };

static void rand_dns(char *out, size_t size, const char *const *alpha, size_t nalpha)
{
	int n = 1 + (int)rnd(5);
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "." : "",
					alpha[rnd((uint32_t)nalpha)]);
}

static void test_dns_differential(void **state)
{
	for (int round = 0; round < 40; round++) {
		struct vigil_segindex *ix = vigil_segindex__new(VIGIL_WC_DNS);
		static char pats[300][128];
		bool ok[300];
		int npat;

		rng = 0x2545f4914f6cdd1dULL + (uint64_t)round * 104729;
		npat = 1 + (int)rnd(300);
		assert_non_null(ix);
		for (int i = 0; i < npat; i++) {
			int r;

			rand_dns(pats[i], sizeof(pats[i]), dns_pat_labels,
				 sizeof(dns_pat_labels) / sizeof(dns_pat_labels[0]));
			r = vigil_segindex__add(ix, pats[i], (uint32_t)i);
			ok[i] = r == 0;
			/* Only a lone "*" is refused here. */
			assert_true(r == 0 || (r == -EINVAL && strcmp(pats[i], "*") == 0));
		}
		for (int k = 0; k < 100; k++) {
			char q[128];
			struct hits h;

			rand_dns(q, sizeof(q), dns_q_labels,
				 sizeof(dns_q_labels) / sizeof(dns_q_labels[0]));
			memset(&h, 0, sizeof(h));
			vigil_segindex__match(ix, q, strlen(q), collect, &h);
			assert_int_equal(h.dup, 0);
			for (int i = 0; i < npat; i++) {
				bool want = ok[i] && ref_dns(pats[i], q);

				if (want != (bool)h.seen[i])
					fail_msg("round %d: dns \"%s\" query \"%s\": index %d, "
						 "reference %d",
						 round, pats[i], q, h.seen[i], want);
			}
		}
		vigil_segindex__free(ix);
	}
}

/* IPv4 only in the reference's integer arithmetic; IPv6 entries use the same tables. */
static void test_ip_differential(void **state)
{
	for (int round = 0; round < 40; round++) {
		struct vigil_ipindex *ix = vigil_ipindex__new();
		uint32_t addr[500], plen[500];
		int n;

		rng = 0xdeadbeefcafef00dULL + (uint64_t)round * 31;
		n = 1 + (int)rnd(500);
		assert_non_null(ix);
		for (int i = 0; i < n; i++) {
			char s[64];

			/* A small address space so queries hit often. */
			addr[i] = 0x0a000000u | (rnd(4) << 8) | rnd(8);
			plen[i] = rnd(10) == 0 ? 32 : 22 + rnd(11);
			if (rnd(50) == 0)
				plen[i] = 0;
			snprintf(s, sizeof(s), "%u.%u.%u.%u/%u", addr[i] >> 24,
				 (addr[i] >> 16) & 255, (addr[i] >> 8) & 255, addr[i] & 255,
				 plen[i]);
			assert_int_equal(vigil_ipindex__add(ix, s, (uint32_t)i), 0);
		}
		for (int k = 0; k < 300; k++) {
			uint32_t a = 0x0a000000u | (rnd(5) << 8) | rnd(10);
			uint8_t raw[16] = { 0 };
			struct hits h;

			if (rnd(10) == 0)
				a ^= 0x01000000u; /* 11.x: outside almost everything */
			raw[0] = (uint8_t)(a >> 24);
			raw[1] = (uint8_t)(a >> 16);
			raw[2] = (uint8_t)(a >> 8);
			raw[3] = (uint8_t)a;
			memset(&h, 0, sizeof(h));
			vigil_ipindex__match(ix, 4, raw, collect, &h);
			for (int i = 0; i < n; i++) {
				uint32_t mask = plen[i] ? ~0u << (32 - plen[i]) : 0;
				bool want = (a & mask) == (addr[i] & mask);

				if (want != (bool)h.seen[i])
					fail_msg(
						"round %d: %08x/%u vs %08x: index %d, reference %d",
						round, addr[i], plen[i], a, h.seen[i], want);
			}
		}
		vigil_ipindex__free(ix);
	}
}

static bool stop_first(uint32_t id, void *ctx)
{
	(*(int *)ctx)++;
	return true;
}

static void test_index_basics(void **state)
{
	struct vigil_segindex *ix = vigil_segindex__new(VIGIL_WC_PATH);
	struct vigil_strset *s = vigil_strset__new();
	int calls = 0;

	assert_non_null(ix);
	assert_int_equal(vigil_segindex__add(ix, "/etc/passwd", 1), 0);
	assert_int_equal(vigil_segindex__add(ix, "/etc/*", 2), 0);
	assert_int_equal(vigil_segindex__add(ix, "", 3), -EINVAL);
	assert_int_equal(vigil_segindex__count(ix), 2);
	/* The callback stops the walk. */
	assert_true(vigil_segindex__match(ix, "/etc/passwd", 11, stop_first, &calls));
	assert_int_equal(calls, 1);
	assert_false(vigil_segindex__match(ix, "/etc", 4, stop_first, &calls));
	assert_false(vigil_segindex__match(ix, "", 0, stop_first, &calls));
	vigil_segindex__free(ix);
	vigil_segindex__free(NULL);

	assert_non_null(s);
	assert_int_equal(vigil_strset__add(s, "openat"), 0);
	assert_int_equal(vigil_strset__add(s, "openat"), 0);
	assert_int_equal(vigil_strset__add(s, "read"), 0);
	assert_int_equal(vigil_strset__count(s), 2);
	assert_true(vigil_strset__has(s, "read"));
	assert_false(vigil_strset__has(s, "rea"));
	assert_false(vigil_strset__has(s, NULL));
	vigil_strset__free(s);
	vigil_strset__free(NULL);
	vigil_ipindex__free(NULL);
}

/* Many patterns that all share wildcard prefixes: the NFA state set stays bounded. */
static void test_index_adversarial(void **state)
{
	struct vigil_segindex *ix = vigil_segindex__new(VIGIL_WC_PATH);
	char pat[256], q[1024];
	size_t len = 0;
	int calls = 0;

	assert_non_null(ix);
	for (int i = 0; i < 64; i++) {
		snprintf(pat, sizeof(pat), "/*/a/*/a/*/%d", i);
		assert_int_equal(vigil_segindex__add(ix, pat, (uint32_t)i), 0);
	}
	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(q + len, sizeof(q) - len, "/a");
	assert_false(vigil_segindex__match(ix, q, len, stop_first, &calls));
	snprintf(q + len, sizeof(q) - len, "/63");
	assert_true(vigil_segindex__match(ix, q, strlen(q), stop_first, &calls));
	vigil_segindex__free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_basics),	   cmocka_unit_test(test_index_adversarial),
		cmocka_unit_test(test_paths_differential), cmocka_unit_test(test_dns_differential),
		cmocka_unit_test(test_ip_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
