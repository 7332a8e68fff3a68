// SPDX-License-Identifier: Apache-2.0
/* Building the hash tables and posting lists of ixhash.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "profile/ixhash.h"

void ix_hash_init(struct ix_hash *t)
{
	memset(t, 0, sizeof(*t));
	/* Per-table seed from the (randomized) address: cheap protection against collisions. */
	t->seed = mix64((uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ULL);
}

/*
 * Slot arrays are probed at random: big ones are mapped on huge pages where the kernel allows
 * it (THP "madvise" mode), which saves a TLB miss on most probes.
 */
#define HUGE_BYTES (2u << 20)

static struct ix_slot *slots_alloc(size_t n)
{
	size_t bytes = n * sizeof(struct ix_slot);
	void *p;

	if (bytes < HUGE_BYTES) {
		p = aligned_alloc(64, bytes);
		if (p)
			memset(p, 0, bytes);
		return p;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure changes nothing */
	return p;
}

static void slots_free(struct ix_slot *p, size_t n)
{
	size_t bytes = n * sizeof(struct ix_slot);

	if (!p)
		return;
	if (bytes < HUGE_BYTES)
		free(p);
	else
		munmap(p, bytes);
}

void ix_hash_release(struct ix_hash *t)
{
	slots_free(t->slots, t->cap);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

size_t ix_hash_bytes(const struct ix_hash *t)
{
	return t->cap * sizeof(struct ix_slot) + t->acap;
}

static int ix_resize(struct ix_hash *t, size_t ncap)
{
	struct ix_slot *ns = slots_alloc(ncap);

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		struct ix_slot *s = &t->slots[i];
		size_t j;

		if (!s->hash)
			continue;
		for (j = s->hash & (ncap - 1); ns[j].hash; j = (j + 1) & (ncap - 1))
			;
		ns[j] = *s;
	}
	slots_free(t->slots, t->cap);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/*
 * Tables start small and empty ones allocate nothing: an agent holds one matcher per workload,
 * most of them for small profiles, and a slot is a cache line (docs/BENCHMARKS.md, "Agent
 * memory": 16-slot tables and 4 KiB arenas were half of a small profile's matcher).
 */
#define IX_MIN_SLOTS 4
#define IX_MIN_ARENA 256

static int ix_grow(struct ix_hash *t)
{
	return ix_resize(t, t->cap ? t->cap * 2 : IX_MIN_SLOTS);
}

int ix_reserve(struct ix_hash *t, size_t more)
{
	size_t want = t->n + more, ncap = t->cap ? t->cap : IX_MIN_SLOTS;

	if (!want)
		return 0;
	if (want > SIZE_MAX / 8)
		return -ENOMEM;
	while (want * 4 > ncap * 3) /* the load factor ix_insert_h keeps */
		ncap *= 2;
	return ncap == t->cap ? 0 : ix_resize(t, ncap);
}

int ix_insert_h(struct ix_hash *t, uint64_t h, uint32_t tag, const void *key, size_t len,
		uint32_t val, uint32_t *ret_val)
{
	const struct ix_slot *found = ix_find(t, h, tag, key, len);
	size_t i;

	if (found) {
		*ret_val = found->val;
		return 0;
	}
	if (len > UINT32_MAX / 2 || t->alen + len > UINT32_MAX / 2)
		return -ENOMEM;
	if ((t->n + 1) * 4 > t->cap * 3 && ix_grow(t) < 0) /* load factor <= 3/4 */
		return -ENOMEM;
	for (i = h & (t->cap - 1); t->slots[i].hash; i = (i + 1) & (t->cap - 1))
		;
	if (len <= IX_INLINE) {
		t->slots[i] =
			(struct ix_slot){ .hash = h, .tag = tag, .len = (uint32_t)len, .val = val };
		if (len)
			memcpy(t->slots[i].k.in, key, len);
		t->n++;
		*ret_val = val;
		return 1;
	}
	if (t->alen + len > t->acap) {
		size_t ncap = t->acap ? t->acap * 2 : IX_MIN_ARENA;
		char *na;

		while (ncap < t->alen + len)
			ncap *= 2;
		na = realloc(t->arena, ncap);
		if (!na)
			return -ENOMEM;
		t->arena = na;
		t->acap = ncap;
	}
	memcpy(t->arena + t->alen, key, len);
	t->slots[i] = (struct ix_slot){ .hash = h, .tag = tag, .len = (uint32_t)len, .val = val };
	t->slots[i].k.off = (uint32_t)t->alen;
	t->alen += len;
	t->n++;
	*ret_val = val;
	return 1;
}

int ix_insert(struct ix_hash *t, uint32_t tag, const void *key, size_t len, uint32_t val,
	      uint32_t *ret_val)
{
	return ix_insert_h(t, ix_hashkey(t->seed, tag, key, len), tag, key, len, val, ret_val);
}

/* Appends a posting (id, next); its index in *ret. */
static int posting_new(struct ix_postings *p, uint32_t id, uint32_t next, uint32_t *ret)
{
	if (p->n >= SINGLE - 2)
		return -E2BIG;
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 8;
		struct ix_posting *v = realloc(p->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = ncap;
	}
	p->v[p->n] = (struct ix_posting){ id, next };
	*ret = (uint32_t)p->n++;
	return 0;
}

int postings_push(struct ix_postings *p, uint32_t id, uint32_t *head)
{
	uint32_t h = *head;
	int r;

	if (id >= SINGLE - 1)
		return -E2BIG;
	if (h == NONE) {
		*head = SINGLE | id;
		return 0;
	}
	if (h & SINGLE) {
		r = posting_new(p, h & ~SINGLE, NONE, &h);
		if (r < 0)
			return r;
	}
	r = posting_new(p, id, h, &h);
	if (r < 0)
		return r;
	*head = h;
	return 0;
}

void postings_release(struct ix_postings *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
