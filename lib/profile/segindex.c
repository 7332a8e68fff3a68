// SPDX-License-Identifier: Apache-2.0
/*
 * The path and DNS-name index (index.h): literal patterns in one hash table, wildcard patterns
 * of a few "shapes" in another (one probe per shape), the rest in a segment trie walked as an
 * NFA. The trie keys a literal child by (parent node, segment), so a node needs no child array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/ixhash.h"

struct ix_node {
	uint32_t one;  /* child for ONE, or NONE */
	uint32_t star; /* child for STAR, or NONE */
	uint32_t head; /* postings of patterns ending here, or NONE */
	uint32_t is_star;
};

/*
 * A shape: where a pattern without a mid-path STAR has its ONE tokens. Patterns of one shape
 * are hashed with their ONE segments left out, so a query needs one probe per shape (all
 * independent, prefetched together) instead of one dependent trie step per segment. Learned
 * profiles have few shapes ("/proc/⋯/status", "/var/lib/app/⋯/data.db", "/tmp/⋯" and a trailing star).
 */
#define MAX_SHAPES     32
#define SHAPE_MAX_SEGS 64

struct ix_shape {
	uint32_t len; /* segments in the key */
	bool prefix;  /* a trailing STAR follows: the query may have more segments */
	uint64_t one; /* bit i: segment i is ONE */
};

struct vigil_segindex {
	enum vigil_wc_kind kind;
	struct ix_hash literal;	 /* tag 0: whole normalized text -> postings head */
	struct ix_hash shaped;	 /* tag = shape: segments, ONE ones empty -> postings head */
	struct ix_shape *shapes; /* MAX_SHAPES once the first is added (most indexes have none) */
	size_t nshapes;
	struct ix_hash children; /* tag = parent node: segment -> child node */
	struct ix_node *nodes;	 /* nodes[0] is the root */
	size_t nnodes, nodes_cap;
	struct ix_postings post;
	size_t count;
};

static uint32_t node_new(struct vigil_segindex *ix, bool is_star)
{
	if (ix->nnodes >= NONE - 1)
		return NONE;
	if (ix->nnodes == ix->nodes_cap) {
		size_t ncap = ix->nodes_cap ? ix->nodes_cap * 2 : 4; /* most tries are tiny */
		struct ix_node *n = realloc(ix->nodes, ncap * sizeof(*n));

		if (!n)
			return NONE;
		ix->nodes = n;
		ix->nodes_cap = ncap;
	}
	ix->nodes[ix->nnodes] = (struct ix_node){ NONE, NONE, NONE, is_star };
	return (uint32_t)ix->nnodes++;
}

struct vigil_segindex *vigil_segindex__new(enum vigil_wc_kind kind)
{
	struct vigil_segindex *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix->kind = kind;
	ix_hash_init(&ix->literal);
	ix_hash_init(&ix->shaped);
	ix_hash_init(&ix->children);
	if (node_new(ix, false) == NONE) {
		free(ix);
		errno = ENOMEM;
		return NULL;
	}
	return ix;
}

void vigil_segindex__free(struct vigil_segindex *ix)
{
	if (!ix)
		return;
	ix_hash_release(&ix->literal);
	ix_hash_release(&ix->shaped);
	ix_hash_release(&ix->children);
	postings_release(&ix->post);
	free(ix->nodes);
	free(ix->shapes);
	free(ix);
}

size_t vigil_segindex__bytes(const struct vigil_segindex *ix)
{
	if (!ix)
		return 0;
	return sizeof(*ix) + (ix->shapes ? MAX_SHAPES * sizeof(*ix->shapes) : 0) +
	       ix_hash_bytes(&ix->literal) + ix_hash_bytes(&ix->shaped) +
	       ix_hash_bytes(&ix->children) + ix->nodes_cap * sizeof(*ix->nodes) +
	       ix->post.cap * sizeof(*ix->post.v);
}

size_t vigil_segindex__count(const struct vigil_segindex *ix)
{
	return ix ? ix->count : 0;
}

size_t vigil_segindex__nodes(const struct vigil_segindex *ix)
{
	return ix ? ix->nnodes : 0;
}

static int add_literal(struct vigil_segindex *ix, const char *text, size_t len, uint32_t id)
{
	uint64_t h = ix_hashkey(ix->literal.seed, 0, text, len);
	uint32_t val;
	int r;

	/* Postings heads live in the slot value: insert with NONE, then push onto it. */
	r = ix_insert_h(&ix->literal, h, 0, text, len, NONE, &val);
	if (r < 0)
		return r;
	return postings_push(&ix->post, id,
			     (uint32_t *)&ix_find(&ix->literal, h, 0, text, len)->val);
}

static int add_trie(struct vigil_segindex *ix, const struct vigil_wc_pattern *p, uint32_t id)
{
	uint32_t cur = 0;

	for (uint32_t i = 0; i < p->nsegs; i++) {
		const struct vigil_wc_seg *s = &p->segs[i];
		uint32_t next;
		int r;

		if (s->tok == VIGIL_WC_TOK_ONE || s->tok == VIGIL_WC_TOK_STAR) {
			bool star = s->tok == VIGIL_WC_TOK_STAR;
			uint32_t child = star ? ix->nodes[cur].star : ix->nodes[cur].one;

			if (child == NONE) {
				child = node_new(ix, star);
				if (child == NONE)
					return -ENOMEM;
				if (star)
					ix->nodes[cur].star = child;
				else
					ix->nodes[cur].one = child;
			}
			cur = child;
			continue;
		}
		next = (uint32_t)ix->nnodes;
		r = ix_insert(&ix->children, cur, s->s, s->len, next, &next);
		if (r < 0)
			return r;
		if (r == 1 && node_new(ix, false) == NONE)
			return -ENOMEM;
		cur = next;
	}
	return postings_push(&ix->post, id, &ix->nodes[cur].head);
}

/*
 * A shape key's hash is a sum over its literal segments of a hash of (position, segment), so a
 * query computes the per-position terms and their prefix sums once, and each shape then costs
 * one subtraction per ONE segment instead of a pass over every segment.
 */
static uint64_t seg_term(uint32_t i, uint64_t seghash)
{
	return mix64(seghash ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL));
}

static uint64_t shape_finish(uint32_t tag, uint64_t sum)
{
	return mix64(sum + (uint64_t)(tag + 1) * 0xc2b2ae3d27d4eb4fULL) | 1;
}

/* From prefix sums of the terms (prefix[k] = terms 0..k-1) and the terms themselves. */
static uint64_t shape_hash_q(uint32_t tag, const uint64_t *prefix, const uint64_t *term,
			     uint64_t one, uint32_t len)
{
	uint64_t sum = prefix[len];

	for (uint64_t w = one; w; w &= w - 1)
		sum -= term[__builtin_ctzll(w)];
	return shape_finish(tag, sum);
}

/* The shape of a compiled pattern, or -1 when it needs the trie (a STAR not at the end). */
static int shape_of(const struct vigil_wc_pattern *p, struct ix_shape *ret)
{
	struct ix_shape sh = { p->nsegs, false, 0 };

	if (p->nsegs && p->segs[p->nsegs - 1].tok == VIGIL_WC_TOK_STAR) {
		sh.len--;
		sh.prefix = true;
	}
	if (sh.len > SHAPE_MAX_SEGS)
		return -1;
	for (uint32_t i = 0; i < sh.len; i++) {
		if (p->segs[i].tok == VIGIL_WC_TOK_STAR)
			return -1;
		if (p->segs[i].tok == VIGIL_WC_TOK_ONE)
			sh.one |= 1ULL << i;
	}
	*ret = sh;
	return 0;
}

/* Shape keys: the literal segments with a NUL between segments (a segment never holds one). */
static int add_shaped(struct vigil_segindex *ix, const struct vigil_wc_pattern *p,
		      const struct ix_shape *sh, uint32_t tag, uint32_t id)
{
	uint64_t seghash[SHAPE_MAX_SEGS], h;
	const struct ix_slot *s;
	size_t klen = 0;
	uint32_t val;
	char *key;
	int r;

	for (uint32_t i = 0; i < sh->len; i++)
		klen += (i ? 1 : 0) + (sh->one >> i & 1 ? 0 : p->segs[i].len);
	key = malloc(klen + 1);
	if (!key)
		return -ENOMEM;
	klen = 0;
	for (uint32_t i = 0; i < sh->len; i++) {
		if (i)
			key[klen++] = '\0';
		seghash[i] = ix_hashbytes(ix->children.seed, p->segs[i].s, p->segs[i].len);
		if (!(sh->one >> i & 1)) {
			memcpy(key + klen, p->segs[i].s, p->segs[i].len);
			klen += p->segs[i].len;
		}
	}
	h = 0;
	for (uint32_t i = 0; i < sh->len; i++)
		if (!(sh->one >> i & 1))
			h += seg_term(i, seghash[i]);
	h = shape_finish(tag, h);
	r = ix_insert_h(&ix->shaped, h, tag, key, klen, NONE, &val);
	if (r >= 0) {
		s = ix_find(&ix->shaped, h, tag, key, klen);
		r = postings_push(&ix->post, id, (uint32_t *)&s->val);
	}
	free(key);
	return r;
}

static int add_wildcard(struct vigil_segindex *ix, const struct vigil_wc_pattern *p, uint32_t id)
{
	struct ix_shape sh;
	size_t k;

	if (shape_of(p, &sh) < 0)
		return add_trie(ix, p, id);
	for (k = 0; k < ix->nshapes; k++)
		if (ix->shapes[k].len == sh.len && ix->shapes[k].prefix == sh.prefix &&
		    ix->shapes[k].one == sh.one)
			break;
	if (k == ix->nshapes) {
		if (k == MAX_SHAPES)
			return add_trie(ix, p, id); /* keeps the probes per query bounded */
		if (!ix->shapes && !(ix->shapes = calloc(MAX_SHAPES, sizeof(*ix->shapes))))
			return -ENOMEM;
		ix->shapes[ix->nshapes++] = sh;
	}
	return add_shaped(ix, p, &sh, (uint32_t)k, id);
}

int vigil_segindex__reserve(struct vigil_segindex *ix, size_t nliteral, size_t nwild)
{
	int r = ix_reserve(&ix->literal, nliteral);

	return r < 0 ? r : ix_reserve(&ix->shaped, nwild);
}

int vigil_segindex__add(struct vigil_segindex *ix, const char *pattern, uint32_t id)
{
	struct vigil_wc_pattern p;
	int r;

	/* Most entries are plain paths: no need to compile them (load time counts too). */
	if (ix->kind == VIGIL_WC_PATH && pattern && *pattern && !strchr(pattern, '*') &&
	    !strstr(pattern, VIGIL_WC_ONE) && strlen(pattern) <= VIGIL_WC_MAX_LEN) {
		r = add_literal(ix, pattern, vigil_wc_path_trim(pattern, strlen(pattern)), id);
		if (r == 0)
			ix->count++;
		return r;
	}
	r = vigil_wc_pattern__compile(&p, pattern, ix->kind);
	if (r < 0)
		return r;
	r = p.literal ? add_literal(ix, p.text, strlen(p.text), id) : add_wildcard(ix, &p, id);

	vigil_wc_pattern__release(&p);
	if (r == 0)
		ix->count++;
	return r;
}

/* A set of NFA states with a small inline buffer; linear de-duplication (sets stay small). */
struct stateset {
	uint32_t *v;
	size_t n, cap;
	uint32_t inline_[32];
};

static void ss_init(struct stateset *s)
{
	s->v = s->inline_;
	s->n = 0;
	s->cap = 32;
}

static void ss_release(struct stateset *s)
{
	if (s->v != s->inline_)
		free(s->v);
}

static int ss_add(struct stateset *s, uint32_t x)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return 0;
	if (s->n == s->cap) {
		size_t ncap = s->cap * 2;
		uint32_t *nv = malloc(ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		memcpy(nv, s->v, s->n * sizeof(*nv));
		if (s->v != s->inline_)
			free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = x;
	return 1;
}

/* Adds a state and what it reaches without consuming a segment (STAR children: zero or more). */
static int ss_add_closure(struct stateset *s, const struct vigil_segindex *ix, uint32_t x)
{
	while (x != NONE) {
		int r = ss_add(s, x);

		if (r <= 0)
			return r;
		x = ix->nodes[x].star;
	}
	return 0;
}

static bool trie_match(const struct vigil_segindex *ix, const struct vigil_wc_seg *q, size_t nq,
		       const uint64_t *qh, vigil_index_cb cb, void *ctx)
{
	struct stateset a, b, *cur = &a, *next = &b, *t;
	bool found = false;

	ss_init(&a);
	ss_init(&b);
	if (ss_add_closure(cur, ix, 0) < 0)
		goto out;
	for (size_t i = 0; i < nq && cur->n; i++) {
		next->n = 0;
		for (size_t k = 0; k < cur->n; k++) {
			const struct ix_node *n = &ix->nodes[cur->v[k]];
			uint32_t child;

			if (n->is_star && ss_add_closure(next, ix, cur->v[k]) < 0)
				goto out;
			if (n->one != NONE && ss_add_closure(next, ix, n->one) < 0)
				goto out;
			if (ix_get_hashed(&ix->children, qh[i], cur->v[k], q[i].s, q[i].len,
					  &child) &&
			    ss_add_closure(next, ix, child) < 0)
				goto out;
		}
		t = cur;
		cur = next;
		next = t;
	}
	for (size_t k = 0; k < cur->n && !found; k++) {
		uint32_t head = ix->nodes[cur->v[k]].head;

		if (head != NONE)
			found = postings_walk(&ix->post, head, cb, ctx);
	}
out:
	ss_release(&a);
	ss_release(&b);
	return found;
}

static bool shape_key_eq(const struct ix_hash *t, const struct ix_slot *s,
			 const struct vigil_wc_seg *q, const struct ix_shape *sh)
{
	const char *key = slot_key(t, s);
	size_t off = 0, klen = s->len;

	for (uint32_t i = 0; i < sh->len; i++) {
		if (i && (off >= klen || key[off++] != '\0'))
			return false;
		if (sh->one >> i & 1)
			continue;
		if (klen - off < q[i].len || memcmp(key + off, q[i].s, q[i].len) != 0)
			return false;
		off += q[i].len;
	}
	return off == klen;
}

static bool shapes_match(const struct vigil_segindex *ix, const struct vigil_wc_seg *q, size_t nq,
			 const uint64_t *qh, vigil_index_cb cb, void *ctx)
{
	const struct ix_hash *t = &ix->shaped;
	uint64_t h[MAX_SHAPES], term[SHAPE_MAX_SEGS], prefix[SHAPE_MAX_SEGS + 1];
	size_t nterms = nq < SHAPE_MAX_SEGS ? nq : SHAPE_MAX_SEGS;

	if (!t->n)
		return false;
	prefix[0] = 0;
	for (size_t i = 0; i < nterms; i++) {
		term[i] = seg_term((uint32_t)i, qh[i]);
		prefix[i + 1] = prefix[i] + term[i];
	}
	/* Hash every applicable shape first and prefetch: the probes miss the cache in parallel. */
	for (size_t k = 0; k < ix->nshapes; k++) {
		const struct ix_shape *sh = &ix->shapes[k];

		h[k] = 0;
		if (sh->prefix ? nq < sh->len : nq != sh->len)
			continue;
		h[k] = shape_hash_q((uint32_t)k, prefix, term, sh->one, sh->len);
		__builtin_prefetch(&t->slots[h[k] & (t->cap - 1)]);
	}
	for (size_t k = 0; k < ix->nshapes; k++) {
		size_t mask = t->cap - 1;

		if (!h[k])
			continue;
		for (size_t i = h[k] & mask;; i = (i + 1) & mask) {
			const struct ix_slot *s = &t->slots[i];

			if (!s->hash)
				break;
			if (s->hash == h[k] && s->tag == k &&
			    shape_key_eq(t, s, q, &ix->shapes[k])) {
				if (postings_walk(&ix->post, s->val, cb, ctx))
					return true;
				break;
			}
		}
	}
	return false;
}

bool vigil_segindex__match(const struct vigil_segindex *ix, const char *query, size_t len,
			   vigil_index_cb cb, void *ctx)
{
	struct vigil_wc_seg stack[64], *q = stack;
	uint64_t hstack[64], *qh = hstack;
	uint32_t head;
	size_t tlen;
	bool found = false;
	int n;

	if (!ix || !query || len == 0 || len > VIGIL_WC_MAX_LEN)
		return false;
	tlen = ix->kind == VIGIL_WC_PATH ? vigil_wc_path_trim(query, len) : len;
	if (ix_get(&ix->literal, 0, query, tlen, &head) && postings_walk(&ix->post, head, cb, ctx))
		return true;
	if (ix->nnodes <= 1 && !ix->nshapes)
		return false;
	n = vigil_wc_split(query, len, ix->kind, q, 64);
	if (n < 0)
		return false;
	if (n > 64) {
		q = calloc((size_t)n, sizeof(*q));
		qh = calloc((size_t)n, sizeof(*qh));
		if (!q || !qh)
			goto out;
		vigil_wc_split(query, len, ix->kind, q, (size_t)n);
	}
	for (int i = 0; i < n; i++)
		qh[i] = ix_hashbytes(ix->children.seed, q[i].s, q[i].len);
	found = shapes_match(ix, q, (size_t)n, qh, cb, ctx);
	if (!found && ix->nnodes > 1)
		found = trie_match(ix, q, (size_t)n, qh, cb, ctx);
out:
	if (q != stack)
		free(q);
	if (qh != hstack)
		free(qh);
	return found;
}
