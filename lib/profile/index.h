/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Indexes whose lookup cost does not grow with the number of entries (docs/BENCHMARKS.md):
 *
 *   vigil_segindex  paths or DNS names with wildcards. Literal patterns live in a hash table
 *                   (one probe per query); wildcard patterns without a mid-path STAR in a hash
 *                   table per "shape" (where their ONE segments are; one probe per shape, at
 *                   most 32 shapes); the others in a segment trie walked as an NFA, one step
 *                   per query segment over a de-duplicated set of states (so the cost is
 *                   bounded by segments x states, never exponential).
 *   vigil_ipindex   IP literals, CIDRs and "*": one hash lookup per prefix length in use.
 *   vigil_strset    a plain string set (syscalls, capabilities, io_uring ops).
 *
 * Each pattern carries a caller id (an index into the caller's entries); a lookup calls back
 * with the id of every entry whose pattern matches until the callback returns true. The caller
 * keeps per-entry data (flags, arguments, ports) and decides. Indexes are read-only after they
 * are built, so lookups may run concurrently. Internal to lib/profile.
 */
#ifndef VIGIL_PROFILE_INDEX_H
#define VIGIL_PROFILE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/wildcard.h"

/* Returns true to stop the lookup (the answer is found). */
typedef bool (*vigil_index_cb)(uint32_t id, void *ctx);

struct vigil_segindex;

/* NULL + errno on failure. Free with vigil_segindex__free (accepts NULL). */
struct vigil_segindex *vigil_segindex__new(enum vigil_wc_kind kind);
void vigil_segindex__free(struct vigil_segindex *ix);

/* Adds pattern with id. 0, -EINVAL (an invalid pattern, see wildcard.h) or -ENOMEM. */
int vigil_segindex__add(struct vigil_segindex *ix, const char *pattern, uint32_t id);

/*
 * A size hint before adding many patterns: about nliteral literal ones and nwild with
 * wildcards (a guess costs only memory or a rehash). 0 or -ENOMEM.
 */
int vigil_segindex__reserve(struct vigil_segindex *ix, size_t nliteral, size_t nwild);

/*
 * Calls cb for the id of every pattern that matches query (a path, or a DNS name already
 * normalized with vigil_wc_dns_normalize) until cb returns true. Returns true when cb did.
 */
bool vigil_segindex__match(const struct vigil_segindex *ix, const char *query, size_t len,
			   vigil_index_cb cb, void *ctx);

/* Figures for benchmarks: patterns added, trie nodes, bytes allocated. */
size_t vigil_segindex__count(const struct vigil_segindex *ix);
size_t vigil_segindex__nodes(const struct vigil_segindex *ix);
size_t vigil_segindex__bytes(const struct vigil_segindex *ix);

struct vigil_ipindex;

struct vigil_ipindex *vigil_ipindex__new(void);
void vigil_ipindex__free(struct vigil_ipindex *ix);
/* Adds "*", a literal or a CIDR (vigil_wc_ip_parse). 0, -EINVAL or -ENOMEM. */
int vigil_ipindex__add(struct vigil_ipindex *ix, const char *pattern, uint32_t id);
/* family 4 or 6 and addr as from vigil_wc_ip_normalize. */
bool vigil_ipindex__match(const struct vigil_ipindex *ix, uint8_t family, const uint8_t addr[16],
			  vigil_index_cb cb, void *ctx);
size_t vigil_ipindex__bytes(const struct vigil_ipindex *ix);

struct vigil_strset;

struct vigil_strset *vigil_strset__new(void);
void vigil_strset__free(struct vigil_strset *s);
/* Copies str. Adding a string twice is a no-op. 0 or -ENOMEM. */
int vigil_strset__add(struct vigil_strset *s, const char *str);
bool vigil_strset__has(const struct vigil_strset *s, const char *str);
size_t vigil_strset__count(const struct vigil_strset *s);
size_t vigil_strset__bytes(const struct vigil_strset *s);

struct vigil_matcher;
/*
 * Bytes a matcher holds (indexes, entry tables and the strings it copied), for benchmarks and
 * status figures. Defined in match.c; declared here because it is internal to lib/profile.
 */
size_t vigil_matcher__bytes(const struct vigil_matcher *m);

#endif
