// SPDX-License-Identifier: Apache-2.0
/* The IP index (index.h): one hash table keyed by (family, prefix length, masked address). */
#include <stdlib.h>
#include <string.h>

#include "profile/ixhash.h"

struct vigil_ipindex {
	struct ix_hash nets; /* tag = family << 8 | prefix: masked address -> postings head */
	uint8_t lens4[33], lens6[129]; /* prefix lengths in use */
	uint8_t order4[33], order6[129];
	size_t n4, n6;
	uint32_t any_head;
	struct ix_postings post;
};

struct vigil_ipindex *vigil_ipindex__new(void)
{
	struct vigil_ipindex *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix_hash_init(&ix->nets);
	ix->any_head = NONE;
	return ix;
}

void vigil_ipindex__free(struct vigil_ipindex *ix)
{
	if (!ix)
		return;
	ix_hash_release(&ix->nets);
	postings_release(&ix->post);
	free(ix);
}

int vigil_ipindex__add(struct vigil_ipindex *ix, const char *pattern, uint32_t id)
{
	struct vigil_wc_ipnet net;
	uint32_t tag, val;
	size_t alen;
	int r;

	r = vigil_wc_ip_parse(pattern, &net);
	if (r < 0)
		return r;
	if (net.any)
		return postings_push(&ix->post, id, &ix->any_head);
	alen = net.family == 4 ? 4 : 16;
	tag = (uint32_t)net.family << 8 | net.prefix;
	r = ix_insert(&ix->nets, tag, net.addr, alen, NONE, &val);
	if (r < 0)
		return r;
	if (net.family == 4 && !ix->lens4[net.prefix]) {
		ix->lens4[net.prefix] = 1;
		ix->order4[ix->n4++] = net.prefix;
	} else if (net.family == 6 && !ix->lens6[net.prefix]) {
		ix->lens6[net.prefix] = 1;
		ix->order6[ix->n6++] = net.prefix;
	}
	{
		uint64_t h = ix_hashkey(ix->nets.seed, tag, net.addr, alen);
		struct ix_slot *s = (struct ix_slot *)ix_find(&ix->nets, h, tag, net.addr, alen);

		return postings_push(&ix->post, id, &s->val);
	}
}

size_t vigil_ipindex__bytes(const struct vigil_ipindex *ix)
{
	return ix ? sizeof(*ix) + ix_hash_bytes(&ix->nets) + ix->post.cap * sizeof(*ix->post.v) : 0;
}

bool vigil_ipindex__match(const struct vigil_ipindex *ix, uint8_t family, const uint8_t addr[16],
			  vigil_index_cb cb, void *ctx)
{
	const uint8_t *order = family == 4 ? ix->order4 : ix->order6;
	size_t n = family == 4 ? ix->n4 : ix->n6, alen = family == 4 ? 4 : 16;

	if (family != 4 && family != 6)
		return false;
	if (ix->any_head != NONE && postings_walk(&ix->post, ix->any_head, cb, ctx))
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned bits = order[i];
		uint8_t a[16];
		uint32_t head;

		memcpy(a, addr, 16);
		for (size_t b = 0; b < alen; b++) {
			unsigned keep = bits > b * 8 ? bits - (unsigned)b * 8 : 0;

			if (keep < 8)
				a[b] &= (uint8_t)(0xff00u >> keep);
		}
		if (ix_get(&ix->nets, (uint32_t)family << 8 | bits, a, alen, &head) &&
		    postings_walk(&ix->post, head, cb, ctx))
			return true;
	}
	return false;
}
