/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hash table and the posting lists behind every index of index.h. Internal to lib/profile.
 *
 * One open-addressing hash table type serves every index: a key is (tag, bytes), the bytes
 * copied into an arena, the value a 32-bit number. The lookups are inline here: they are on
 * the matcher's per-event path; building (ixhash.c) is not.
 */
#ifndef VIGIL_PROFILE_IXHASH_H
#define VIGIL_PROFILE_IXHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "profile/index.h"

#define NONE UINT32_MAX

/* ---- hash table ------------------------------------------------------------------------ */

/* ---- hash table ------------------------------------------------------------------------ */

#define IX_INLINE 44

/*
 * One cache line: keys up to IX_INLINE bytes (path segments, most shape keys) are compared
 * without touching the arena, so a probe costs one cache miss.
 */
struct ix_slot {
	uint64_t hash; /* 0 = empty */
	uint32_t tag;
	uint32_t len;
	uint32_t val;
	union {
		char in[IX_INLINE];
		uint32_t off; /* longer keys: bytes in the arena */
	} k;
} __attribute__((aligned(64)));

struct ix_hash {
	struct ix_slot *slots; /* from slots_alloc */
	size_t cap;	       /* power of two, or 0 */
	size_t n;
	char *arena;
	size_t alen, acap;
	uint64_t seed;
};

static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Eight bytes a step: paths are long enough that a byte-wise hash would dominate a lookup. */
static inline uint64_t ix_hashbytes(uint64_t seed, const void *key, size_t len)
{
	const uint8_t *p = key, *end = p + len;
	uint64_t h = seed ^ (uint64_t)len, w = 0;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (p == end)
		return mix64(h);
	/*
	 * The tail: the last 8 bytes again when the key is that long, else two overlapping 4-byte
	 * loads or three single bytes (the length is in h). A copy of a variable length into w
	 * would stall on store forwarding.
	 */
	if (len >= 8) {
		memcpy(&w, end - 8, 8);
	} else if (len >= 4) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, end - 4, 4); /* overlaps a when len < 8: still a function of the bytes */
		w = (uint64_t)a | (uint64_t)b << 32;
	} else {
		w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
	}
	return mix64(h ^ w);
}

/* The slot hash of (tag, key) from the key's byte hash: a lookup hashes a segment only once. */
static inline uint64_t ix_combine(uint32_t tag, uint64_t bytes_hash)
{
	return mix64(bytes_hash ^ ((uint64_t)tag * 0x9e3779b97f4a7c15ULL)) | 1;
}

static inline uint64_t ix_hashkey(uint64_t seed, uint32_t tag, const void *key, size_t len)
{
	return ix_combine(tag, ix_hashbytes(seed, key, len));
}

static inline const char *slot_key(const struct ix_hash *t, const struct ix_slot *s)
{
	return s->len <= IX_INLINE ? s->k.in : t->arena + s->k.off;
}

static inline const struct ix_slot *ix_find(const struct ix_hash *t, uint64_t h, uint32_t tag,
					    const void *key, size_t len)
{
	size_t mask, i;

	if (!t->cap)
		return NULL;
	mask = t->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		const struct ix_slot *s = &t->slots[i];

		if (!s->hash)
			return NULL;
		if (s->hash == h && s->tag == tag && s->len == len &&
		    (len == 0 || memcmp(slot_key(t, s), key, len) == 0))
			return s;
	}
}

/* ix_get with the key's byte hash already computed (ix_hashbytes with t->seed). */
static inline bool ix_get_hashed(const struct ix_hash *t, uint64_t bytes_hash, uint32_t tag,
				 const void *key, size_t len, uint32_t *ret_val)
{
	const struct ix_slot *s;

	if (!t->n)
		return false;
	s = ix_find(t, ix_combine(tag, bytes_hash), tag, key, len);
	if (!s)
		return false;
	*ret_val = s->val;
	return true;
}

static inline bool ix_get(const struct ix_hash *t, uint32_t tag, const void *key, size_t len,
			  uint32_t *ret_val)
{
	const struct ix_slot *s;

	if (!t->n)
		return false;
	s = ix_find(t, ix_hashkey(t->seed, tag, key, len), tag, key, len);
	if (!s)
		return false;
	*ret_val = s->val;
	return true;
}

/* An empty table with its own seed. */
void ix_hash_init(struct ix_hash *t);
void ix_hash_release(struct ix_hash *t);
/* Makes room for more keys at once (no rehash per doubling while they go in). 0 or -ENOMEM. */
int ix_reserve(struct ix_hash *t, size_t more);
/* Bytes the table holds (slots and arena). */
size_t ix_hash_bytes(const struct ix_hash *t);
/*
 * Inserts (tag, key) -> val unless present, h being ix_hashkey(t->seed, tag, key, len).
 * Returns the slot's value (the existing one when present) in *ret_val; 1 when inserted, 0
 * when it was there, -ENOMEM.
 */
int ix_insert_h(struct ix_hash *t, uint64_t h, uint32_t tag, const void *key, size_t len,
		uint32_t val, uint32_t *ret_val);
int ix_insert(struct ix_hash *t, uint32_t tag, const void *key, size_t len, uint32_t val,
	      uint32_t *ret_val);

/* ---- postings: lists of caller ids ------------------------------------------------------- */

struct ix_posting {
	uint32_t id;
	uint32_t next; /* NONE ends the list */
};

struct ix_postings {
	struct ix_posting *v;
	size_t n, cap;
};

/*
 * A list head is NONE, SINGLE | id for a list of one (no postings entry, so no cache miss:
 * the common case), or the index of the first posting.
 */
#define SINGLE 0x80000000u

/* Pushes id onto the list whose head is *head. 0, -E2BIG or -ENOMEM. */
int postings_push(struct ix_postings *p, uint32_t id, uint32_t *head);
void postings_release(struct ix_postings *p);

static inline bool postings_walk(const struct ix_postings *p, uint32_t head, vigil_index_cb cb,
				 void *ctx)
{
	if (head != NONE && head & SINGLE)
		return cb(head & ~SINGLE, ctx);
	for (uint32_t i = head; i != NONE; i = p->v[i].next)
		if (cb(p->v[i].id, ctx))
			return true;
	return false;
}

#endif
